/**
 * Private number, duration and text formatting shared by the engine's
 * reporters (progress, summary, HTML report, thresholds), and the one home of
 * the rules they must agree on: the success- and error-rate tones, the
 * latency rows and their labels, the order of count tables, and what status 0
 * means. Not part of any public API.
 *
 * @module
 */
import type { LatencyStats, MetricsSnapshot } from "../../../mod.ts";
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
  let value = Math.abs(bytes);
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
 * The rate-limiter figures of a run's arrival-rate scenarios (Lunge's block).
 *
 * The limiter paces *iterations*, so the actual rate is the iterations the
 * arrival-rate scenarios started per second of the run: comparable with the
 * target even when an iteration sends several requests or VU scenarios run
 * beside it (with one request per iteration it equals their requests/s). The
 * target is what the schedule called for over the same time (the integral of
 * its rate), so a ramp is judged against its mean, not its peak.
 */
export interface RateLimiterFigures {
  /** Names of the arrival-rate scenarios these figures cover. */
  scenarios: string[];
  /** Iterations per second the schedules called for, on average over the run. */
  targetRps: number;
  /** Sum of the scenarios' configured peak rates. */
  peakRps: number;
  /** Whether a scenario ramps, so that its mean target differs from its peak. */
  ramps: boolean;
  /** Iterations the arrival-rate scenarios started, per second of the run. */
  actualRps: number;
  /** Iterations started / iterations planned; NaN when nothing was planned. */
  efficiency: number;
  /** The last generation rate the engine reported to the collector (requests/s). */
  generationRate: number;
  /** Completed requests / iterations started; NaN when none started, or when
   * VU scenarios ran too (their requests cannot be told apart). */
  completionRate: number;
  /** Iterations due while no VU was free. */
  droppedIterations: number;
}

/** The rate-limiter figures, or `null` when no scenario uses an arrival-rate executor. */
export function rateLimiterFigures(result: RunResult): RateLimiterFigures | null {
  const all = Object.entries(result.scenarios);
  const arrival = all.filter(([, s]) => isArrivalRate(s.executor));
  if (arrival.length === 0) return null;
  const planned = arrival.reduce((sum, [, s]) => sum + (s.plannedIterations ?? 0), 0);
  const started = arrival.reduce((sum, [, s]) => sum + s.iterations, 0);
  const seconds = result.duration / 1000;
  return {
    scenarios: arrival.map(([name]) => name),
    targetRps: seconds > 0 ? planned / seconds : 0,
    peakRps: arrival.reduce((sum, [, s]) => sum + s.targetRate, 0),
    ramps: arrival.some(([, s]) => s.executor.startsWith("ramping")),
    actualRps: seconds > 0 ? started / seconds : 0,
    efficiency: planned > 0 ? started / planned : NaN,
    generationRate: result.metrics.generation.rate,
    completionRate: started > 0 && arrival.length === all.length
      ? result.metrics.totalRequests / started
      : NaN,
    droppedIterations: arrival.reduce((sum, [, s]) => sum + s.droppedIterations, 0),
  };
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
