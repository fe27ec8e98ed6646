/**
 * Private number, duration and text formatting shared by the engine's
 * reporters (progress, summary, HTML report, thresholds), and the one home of
 * the rules they must agree on: the success- and error-rate tones, the
 * latency rows and their labels, the order of count tables, and what status 0
 * means. Not part of any public API.
 *
 * @module
 */
import type { LatencyStats, MetricsSnapshot } from "@lunge/metrics";
import type { RunResult } from "../result.ts";

/** A `━` rule, 56 characters wide, as Lunge prints it. */
export const RULE: string = "━".repeat(56);

/** `x` with about three significant digits: 1.23, 12.3, 123. */
function threeDigits(x: number): string {
  const a = Math.abs(x);
  if (a < 10) return x.toFixed(2);
  if (a < 100) return x.toFixed(1);
  return x.toFixed(0);
}

/**
 * A duration or latency given in milliseconds, in the most readable unit:
 * `850µs`, `12.3ms`, `1.25s`, `2m05s`, `1h02m03s`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms === 0) return "0ms";
  const a = Math.abs(ms);
  if (a < 1) {
    const us = ms * 1000;
    // 999.6µs would print as "1000µs": switch to ms first.
    if (Math.abs(Number(threeDigits(us))) < 1000) return `${threeDigits(us)}µs`;
  }
  if (a < 1000) {
    if (Math.abs(Number(threeDigits(ms))) < 1000) return `${threeDigits(ms)}ms`;
  }
  if (a < 60_000) {
    if (Math.abs(Number(threeDigits(ms / 1000))) < 60) return `${threeDigits(ms / 1000)}s`;
  }
  return formatClock(ms);
}

/**
 * Elapsed time in whole seconds, for progress output: `0s`, `45s`, `2m05s`,
 * `1h02m03s`.
 */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h}h${pad(m)}m${pad(s)}s`;
  if (m > 0) return `${m}m${pad(s)}s`;
  return `${s}s`;
}

/** An integer with `,` digit grouping, independent of the locale: `1,234,567`. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return "-";
  const negative = n < 0;
  const digits = String(Math.round(Math.abs(n)));
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return negative ? `-${grouped}` : grouped;
}

/** A rate (per second) with one decimal and digit grouping: `1,234.5`. */
export function formatRate(n: number): string {
  if (!Number.isFinite(n)) return "-";
  const fixed = Math.abs(n).toFixed(1);
  const [int, frac] = fixed.split(".");
  return `${n < 0 ? "-" : ""}${formatCount(Number(int))}.${frac}`;
}

/** A fraction as a percentage with two decimals and digit grouping: `0.0123` -> `1.23%`. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return "-";
  const [int, frac] = Math.abs(fraction * 100).toFixed(2).split(".");
  return `${fraction < 0 ? "-" : ""}${formatCount(Number(int))}.${frac}%`;
}

/** A byte count in binary units: `512 B`, `1.50 KiB`, `12.3 MiB`, `1.02 GiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  // Whole bytes below 1 KiB: a rate such as 976.469… B/s reads 976 B/s.
  let value = Math.abs(bytes) < 1024 ? Math.round(Math.abs(bytes)) : Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? "-" : "";
  if (unit === 0) return `${sign}${value} B`;
  return `${sign}${threeDigits(value)} ${units[unit]}`;
}

/** The executors that pace iterations at a rate (open model). */
export function isArrivalRate(executor: string): boolean {
  return executor.endsWith("arrival-rate");
}

/** Strip ANSI escape sequences (for measuring the visible width). */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

/** Pad `text` with spaces on the right to `width` visible characters. */
export function padEndVisible(text: string, width: number): string {
  const visible = [...stripAnsi(text)].length;
  return visible >= width ? text : text + " ".repeat(width - visible);
}

/** Pad `text` with spaces on the left to `width` visible characters. */
export function padStartVisible(text: string, width: number): string {
  const visible = [...stripAnsi(text)].length;
  return visible >= width ? text : " ".repeat(width - visible) + text;
}

/** The visible width of `text` (code points, ANSI sequences excluded). */
export function visibleWidth(text: string): number {
  return [...stripAnsi(text)].length;
}

/**
 * The rate-limiter figures of one arrival-rate scenario (Lunge's block, per
 * scenario). The limiter paces *iterations*, so every figure counts
 * iterations, per second of the run; with one request per iteration they
 * equal requests.
 */
export interface ScenarioRateFigures {
  /** The scenario's name. */
  name: string;
  /** Iterations per second the schedule called for, on average over the run
   * (the integral of its rate over the time that ran, per second). */
  targetRps: number;
  /** The configured (peak) rate. */
  peakRps: number;
  /** Whether the scenario ramps, so that its mean target differs from its peak. */
  ramps: boolean;
  /** Iterations it started, per second of the run. */
  actualRps: number;
  /** Iterations started / iterations planned (0..1, or more when the
   * generator ran ahead); NaN when nothing was planned. */
  efficiency: number;
  /** Iterations started / iterations due (started + dropped): the share of
   * due iterations that found a free VU, 0..1; NaN when none was due. */
  completionRate: number;
  /** Iterations due while no VU was free. */
  droppedIterations: number;
}

/** The rate-limiter figures of a run: one entry per arrival-rate scenario, and the run's generation rate. */
export interface RateLimiterFigures {
  /** Per arrival-rate scenario, in the result's order. */
  scenarios: ScenarioRateFigures[];
  /** Requests the engine sent per second over the whole run, all scenarios
   * together (VU scenarios too): the collector's generation rate. */
  generationRate: number;
}

/** The rate-limiter figures, or `null` when no scenario uses an arrival-rate executor. */
export function rateLimiterFigures(result: RunResult): RateLimiterFigures | null {
  const seconds = result.duration / 1000;
  const perSecond = (n: number) => seconds > 0 ? n / seconds : 0;
  const scenarios: ScenarioRateFigures[] = [];
  for (const [name, s] of Object.entries(result.scenarios)) {
    if (!isArrivalRate(s.executor)) continue;
    const planned = s.plannedIterations ?? 0;
    const due = s.iterations + s.droppedIterations;
    scenarios.push({
      name,
      targetRps: perSecond(planned),
      peakRps: s.targetRate,
      ramps: s.executor.startsWith("ramping"),
      actualRps: perSecond(s.iterations),
      efficiency: planned > 0 ? s.iterations / planned : NaN,
      completionRate: due > 0 ? s.iterations / due : NaN,
      droppedIterations: s.droppedIterations,
    });
  }
  if (scenarios.length === 0) return null;
  return { scenarios, generationRate: result.metrics.generation.rate };
}

// ---------------------------------------------------------------------------
// Rules every reporter shares: change them here and all reports follow.

/** How a figure reads: fine, worth a look, or bad. Each reporter maps it to its colours. */
export type Tone = "good" | "warn" | "bad";

/** The success rate's tone: bad below 95 %, warn below 99 %, else good. */
export function successRateTone(rate: number): Tone {
  if (rate < 0.95) return "bad";
  if (rate < 0.99) return "warn";
  return "good";
}

/** The error rate's tone: bad above 5 %, warn above 1 %, else good. */
export function errorRateTone(rate: number): Tone {
  if (rate > 0.05) return "bad";
  if (rate > 0.01) return "warn";
  return "good";
}

/** Entries of a count map (errors by status or by type), largest first, then by key. */
export function sortedCounts(map: Record<string, number>): [string, number][] {
  return Object.entries(map).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The label of the mean latency, in every report ("Avg", as Lunge prints it). */
export const MEAN_LABEL = "Avg";

/**
 * The latency distribution's rows, labelled, in the order every report shows
 * them: Min, P50, P90, P95, P99, (P99.9 when `p999`), Max, Avg, StdDev.
 */
export function latencyRows(latency: LatencyStats, p999 = false): [string, number][] {
  const rows: [string, number][] = [
    ["Min", latency.min],
    ["P50", latency.p50],
    ["P90", latency.p90],
    ["P95", latency.p95],
    ["P99", latency.p99],
  ];
  if (p999) rows.push(["P99.9", latency.p999]);
  rows.push(["Max", latency.max], [MEAN_LABEL, latency.mean], ["StdDev", latency.stdDev]);
  return rows;
}

/** The status code the collector records for a request that got no response. */
export const NO_RESPONSE_STATUS = "0";

/** Requests that got no response at all (status 0: refused, reset, timed out, …). */
export function noResponseCount(metrics: MetricsSnapshot): number {
  return metrics.statusCodes[NO_RESPONSE_STATUS] ?? 0;
}

/** A status code as a table shows it: `0 (no response)`, else the code itself. */
export function statusLabel(code: string): string {
  return code === NO_RESPONSE_STATUS ? `${code} (no response)` : code;
}

/** Iterations dropped and due over the arrival-rate scenarios (due = started + dropped). */
export function droppedIterations(result: RunResult): { dropped: number; due: number } {
  let dropped = 0;
  let due = 0;
  for (const s of Object.values(result.scenarios)) {
    if (!isArrivalRate(s.executor)) continue;
    dropped += s.droppedIterations;
    due += s.iterations + s.droppedIterations;
  }
  return { dropped, due };
}

/** The run's verdict as every report words it. */
export interface Verdict {
  /** Whether the run passed (thresholds held, no run error). */
  passed: boolean;
  /** `"good"` for a clean pass, `"warn"` for a pass with dropped iterations, `"bad"` for a failure. */
  tone: Tone;
  /** The verdict line, e.g. `PASSED`, or `PASSED with 91 dropped iterations (15 %): …`. */
  text: string;
}

/** A share as a whole percentage with a space, `15 %`; `<1 %` for a small nonzero share. */
function wholePercent(fraction: number): string {
  const pct = Math.round(fraction * 100);
  return pct === 0 && fraction > 0 ? "<1 %" : `${pct} %`;
}

/**
 * The verdict: `PASSED` or `FAILED`, and when arrival-rate iterations were
 * dropped, how many and why it matters, so that a pass with drops never reads
 * as a clean pass (the latency figures cover only the iterations that
 * started). A user who wants drops to fail the run adds a
 * `dropped_iterations` threshold.
 */
export function verdict(result: RunResult): Verdict {
  const word = result.passed ? "PASSED" : "FAILED";
  const { dropped, due } = droppedIterations(result);
  if (dropped === 0) {
    return { passed: result.passed, tone: result.passed ? "good" : "bad", text: word };
  }
  const iterations = dropped === 1 ? "iteration" : "iterations";
  const share = due > 0 ? ` (${wholePercent(dropped / due)})` : "";
  return {
    passed: result.passed,
    tone: result.passed ? "warn" : "bad",
    text: `${word} with ${formatCount(dropped)} dropped ${iterations}${share}: ` +
      "latency excludes iterations that never started; raise --max-vus",
  };
}
