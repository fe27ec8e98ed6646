/**
 * The end-of-run console summary, in Lunge's format plus what Lunge lacked
 * (an error breakdown, dropped iterations, the real median, the requests
 * that were never sent: a "Not Sent" line beside the totals and a table by
 * reason and by name, shown only when there are some).
 *
 * @module
 */
import type { RunResult } from "../result.ts";
import { bold, dim, green, red, yellow } from "./color.ts";
import { describeError } from "../http/errors.ts";

/** The error type of a non-idempotent request reset before any response on a reused connection. */
const REUSED_RESET = "reset on reused connection";
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  formatRate,
  latencyRows,
  MEAN_LABEL,
  NO_RESPONSE_STATUS,
  noResponseCount,
  padEndVisible,
  padStartVisible,
  type RateLimiterFigures,
  rateLimiterFigures,
  RULE,
  type ScenarioRateFigures,
  sortedCounts,
  statusLabel,
  successRateTone,
  type Tone,
  verdict,
  visibleWidth,
} from "./_report_format.ts";

/** Options of {@linkcode renderSummary}. */
export interface SummaryOptions {
  /** Whether to use ANSI colours. */
  color: boolean;
  /** Only `PASSED` or `FAILED` (Lunge's `-q`). */
  quiet: boolean;
  /** Add scenario details, every status code, p99.9 and collector details (`-v`). */
  verbose?: boolean;
}

/** A left-aligned first column, right-aligned others. */
function table(header: string[], rows: string[][], color: boolean, indent = "  "): string[] {
  const widths = header.map((h, i) =>
    Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? "")))
  );
  const line = (cells: string[]) =>
    indent +
    cells.map((c, i) => i === 0 ? padEndVisible(c, widths[i]) : padStartVisible(c, widths[i]))
      .join("  ").trimEnd();
  return [dim(line(header), color), ...rows.map(line)];
}

/** `label:` padded to a common width, then the value. */
function field(label: string, value: string): string {
  return `  ${(label + ":").padEnd(20)}${value}`;
}

/** The success-rate text, coloured by its tone (green, yellow, red). */
function successText(result: RunResult, color: boolean): string {
  const m = result.metrics;
  if (m.totalRequests === 0) return dim("- (no requests)", color);
  const rate = m.successfulRequests / m.totalRequests;
  const text = formatPercent(rate);
  const tone = successRateTone(rate);
  if (tone === "bad") return red(text, color);
  if (tone === "warn") return yellow(text, color);
  return green(text, color);
}

/** Lines of one part of the summary. */
type Lines = string[];

/** `text` in the colour of `tone`: green, yellow (warning) or red. */
function toned(text: string, tone: Tone, color: boolean): string {
  if (tone === "bad") return red(text, color);
  if (tone === "warn") return yellow(text, color);
  return green(text, color);
}

/**
 * The verdict line: `<name> - Completed ✓` or `Failed ✗`; when iterations
 * were dropped, `<name> - PASSED with N dropped iterations (x %): …` (or
 * `FAILED with …`), in warning colour on a pass.
 */
export function verdictLine(result: RunResult, color: boolean): string {
  const v = verdict(result);
  const clean = v.text === "PASSED" || v.text === "FAILED";
  const text = clean ? (result.passed ? "Completed ✓" : "Failed ✗") : v.text;
  return `${bold(result.name, color)} - ${toned(text, v.tone, color)}`;
}

/** The name, the verdict and the description between two rules. */
function headerLines(result: RunResult, color: boolean): Lines {
  const out = [dim(RULE, color)];
  out.push(verdictLine(result, color));
  if (result.description) out.push(dim(result.description, color));
  out.push(dim(RULE, color), "");
  return out;
}

/** Duration, totals, success rate, throughput and data received. */
function totalsLines(result: RunResult, color: boolean): Lines {
  const m = result.metrics;
  const seconds = result.duration / 1000;
  const counts = `(${formatCount(m.successfulRequests)} ok, ${
    formatCount(m.failedRequests)
  } failed)`;
  const perSecond = formatBytes(seconds > 0 ? m.totalBytes / seconds : 0);
  return [
    field("Duration", formatDuration(result.duration)),
    field("Total Reqs", formatCount(m.totalRequests)),
    ...notSentTotal(result, color),
    field("Success Rate", `${successText(result, color)} ${dim(counts, color)}`),
    field("Throughput", `${formatRate(m.requestsPerSecond)} req/s`),
    field("Data Transferred", `${formatBytes(m.totalBytes)} received (${perSecond}/s)`),
  ];
}

/** The "Not Sent" totals line, or nothing when every request was sent. */
function notSentTotal(result: RunResult, color: boolean): Lines {
  const total = result.metrics.notSent?.total ?? 0;
  if (total === 0) return [];
  const note = dim("(never left: not in Total Reqs)", color);
  return [field("Not Sent", `${yellow(formatCount(total), color)} ${note}`)];
}

/** Requests never sent, by reason and by request name, or nothing when none. */
function notSentLines(result: RunResult, color: boolean): Lines {
  const n = result.metrics.notSent;
  if (n === undefined || n.total === 0) return [];
  const out: Lines = [];
  for (const [title, counts] of [["By Reason", n.byReason], ["By Name", n.byName]] as const) {
    out.push(
      ...table(
        [title, "Count"],
        sortedCounts(counts).map(([k, c]) => [k, formatCount(c)]),
        color,
      ),
    );
  }
  return out;
}

/** The latency distribution (p99.9 when verbose). */
function latencyLines(result: RunResult, color: boolean, verbose: boolean): Lines {
  const m = result.metrics;
  if (m.latency.count === 0) return [dim("  (no samples)", color)];
  const out = latencyRows(m.latency, verbose).map(([label, value]) =>
    `  ${label.padEnd(8)}${padStartVisible(formatDuration(value), 9)}`
  );
  if (m.droppedSamples > 0) {
    const dropped = `  (${formatCount(m.droppedSamples)} latency samples dropped before analysis)`;
    out.push(yellow(dropped, color));
  }
  return out;
}

/** Latency per request name, or nothing when no request is named. */
function byNameLines(result: RunResult, color: boolean): Lines {
  const names = Object.entries(result.metrics.byName).sort((a, b) => a[0].localeCompare(b[0]));
  if (names.length === 0) return [];
  return table(
    ["Name", "Count", "Min", MEAN_LABEL, "P50", "P95", "P99", "Max"],
    names.map(([name, l]) => [
      name,
      formatCount(l.count),
      ...[l.min, l.mean, l.p50, l.p95, l.p99, l.max].map(formatDuration),
    ]),
    color,
  );
}

/** Errors by status and by type, or nothing when no request failed. */
function errorLines(result: RunResult, color: boolean): Lines {
  const m = result.metrics;
  const byStatus = sortedCounts(m.errorsByStatus);
  const byType = sortedCounts(m.errorsByType);
  if (m.failedRequests === 0 && byStatus.length === 0 && byType.length === 0) return [];
  const share = (n: number) =>
    m.totalRequests > 0 ? formatPercent(n / m.totalRequests) : formatPercent(0);
  const out: Lines = [];
  for (const [title, rows] of [["By Status", byStatus], ["By Type", byType]] as const) {
    if (rows.length === 0) continue;
    out.push(
      ...table(
        [title, "Count", "Share"],
        rows.map(([k, n]) => [k, formatCount(n), share(n)]),
        color,
      ),
    );
  }
  // What the client knows happened, in words (http/errors.ts describeError).
  const resets = m.errorsByType[REUSED_RESET] ?? 0;
  if (resets > 0) out.push(`  ${formatCount(resets)} ${describeError(REUSED_RESET)}.`);
  if ((m.retries ?? 0) > 0) {
    out.push(
      `  ${
        formatCount(m.retries)
      } retried once on a fresh connection after a reset on a reused one.`,
    );
  }
  const noResponse = noResponseCount(m);
  if (out.length === 0 && noResponse > 0) {
    out.push(`  No response (status ${NO_RESPONSE_STATUS}): ${formatCount(noResponse)}`);
  }
  return out;
}

/** One arrival-rate scenario's rate-limiter fields. */
function scenarioLimiterLines(f: ScenarioRateFigures, color: boolean): Lines {
  const percentOrDash = (x: number) => Number.isFinite(x) ? formatPercent(x) : "-";
  const peak = f.ramps ? dim(` (mean; peak ${formatRate(f.peakRps)})`, color) : "";
  const dropped = formatCount(f.droppedIterations);
  return [
    field("Target RPS", formatRate(f.targetRps) + peak),
    field("Actual RPS", formatRate(f.actualRps)),
    field("Efficiency", percentOrDash(f.efficiency)),
    field("Completion Rate", percentOrDash(f.completionRate)),
    field("Dropped Iterations", f.droppedIterations > 0 ? yellow(dropped, color) : dropped),
  ];
}

/**
 * The rate-limiter block: per arrival-rate scenario its fields (under a
 * `<name>:` line when there are several), then the run's generation rate.
 */
function limiterLines(limiter: RateLimiterFigures, color: boolean): Lines {
  const several = limiter.scenarios.length > 1;
  const out: Lines = [];
  for (const f of limiter.scenarios) {
    if (several) out.push(`  ${bold(f.name + ":", color)}`);
    out.push(...scenarioLimiterLines(f, color).map((l) => several ? "  " + l : l));
  }
  out.push(
    field("Generation Rate", `${formatRate(limiter.generationRate)} req/s`) +
      dim(" (requests sent, all scenarios)", color),
  );
  return out;
}

/** A scenario's tags as `{k=v, …}`. */
function tagText(tags: Record<string, string>): string {
  return `{${Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(", ")}}`;
}

/** The scenarios table, or nothing when there is no scenario. */
function scenarioLines(result: RunResult, color: boolean): Lines {
  const scenarios = Object.entries(result.scenarios);
  if (scenarios.length === 0) return [];
  return table(
    ["Scenario", "Executor", "Iterations", "Dropped", "Peak VUs", "Max VUs", "Target Rate"],
    scenarios.map(([name, s]) => [
      s.tags ? `${name} ${dim(tagText(s.tags), color)}` : name,
      s.executor,
      formatCount(s.iterations),
      formatCount(s.droppedIterations),
      formatCount(s.maxVUs),
      formatCount(s.configuredVUs),
      s.targetRate > 0 ? `${formatRate(s.targetRate)}/s` : "-",
    ]),
    color,
  );
}

/** Each assertion's pass rate (Lunge's assertions, counted like k6 checks). */
function checkLines(result: RunResult, color: boolean): Lines {
  const out: Lines = [];
  for (const [name, s] of Object.entries(result.scenarios)) {
    for (const c of s.checks ?? []) {
      const mark = c.fails === 0 ? green("✓", color) : red("✗", color);
      const counts = `${formatCount(c.passes)} / ${formatCount(c.passes + c.fails)}`;
      out.push(
        `  ${mark} ${name} › ${c.request} › ${c.assertion}: ${formatPercent(c.rate)} (${counts})`,
      );
    }
  }
  return out;
}

/** Every status code, in numeric order, or nothing when none was recorded. */
function statusCodeLines(result: RunResult, color: boolean): Lines {
  const statuses = Object.entries(result.metrics.statusCodes)
    .sort((a, b) => Number(a[0]) - Number(b[0]));
  if (statuses.length === 0) return [];
  return table(
    ["Status", "Count"],
    statuses.map(([code, n]) => [statusLabel(code), formatCount(n)]),
    color,
  );
}

/** The run's metadata (verbose). */
function runLines(result: RunResult): Lines {
  return [
    field("Collector", result.collector),
    field("Time Unit", result.timeUnit),
    field("Started", result.startTime),
    field("Ended", result.endTime),
    field("Series Points", formatCount(result.timeSeries.points.length)),
  ];
}

/** One line per threshold, with its mark. */
function thresholdLines(result: RunResult, color: boolean): Lines {
  return result.thresholds.map((t) =>
    `  ${t.passed ? green("✓", color) : red("✗", color)} ${t.metric} ${t.message}`
  );
}

/**
 * Render the end-of-run summary.
 *
 * With `quiet`, only the verdict: `PASSED` or `FAILED`, or when arrival-rate
 * iterations were dropped `PASSED with N dropped iterations (x %): …` in
 * warning colour. Otherwise: a rule and `<name> - Completed ✓` (or
 * `Failed ✗`, either followed by that verdict when iterations were dropped), duration, total requests, success
 * rate, throughput, data received, the latency distribution, per-name
 * latency, the error breakdown by status and by type, the rate-limiter block
 * for arrival-rate scenarios, the thresholds and the run error.
 *
 * The rate-limiter block compares like with like, per arrival-rate
 * scenario: "Target RPS" the iterations its schedule called for per second
 * of the run (the mean of a ramp, its peak beside it), "Actual RPS" the
 * iterations it started per second, "Efficiency" started / planned,
 * "Completion Rate" started / due (due = started + dropped). "Generation
 * Rate" is the run's: requests sent per second, all scenarios together.
 *
 * @param result The run to summarise.
 * @param options Colour, quiet and verbose switches.
 * @returns The text, lines joined by `\n`, without a trailing newline.
 *
 * @example
 * ```ts ignore
 * import { colorEnabled } from "./color.ts";
 * import { renderSummary } from "./summary.ts";
 *
 * console.log(renderSummary(result, { color: colorEnabled(Deno.stdout.isTerminal()), quiet: false }));
 * ```
 */
export function renderSummary(result: RunResult, options: SummaryOptions): string {
  const { color, quiet } = options;
  const verbose = options.verbose ?? false;
  if (quiet) {
    const v = verdict(result);
    return toned(v.text, v.tone, color);
  }

  const out: string[] = [...headerLines(result, color), ...totalsLines(result, color)];
  /** A titled section; skipped when it has no lines. */
  const section = (title: string, lines: Lines) => {
    if (lines.length > 0) out.push("", bold(title, color), ...lines);
  };
  section("Latency Distribution", latencyLines(result, color, verbose));
  section("Requests by Name", byNameLines(result, color));
  section("Checks", checkLines(result, color));
  section("Errors", errorLines(result, color));
  section("Not Sent", notSentLines(result, color));
  const limiter = rateLimiterFigures(result);
  if (limiter !== null) {
    const names = limiter.scenarios.map((f) => f.name).join(", ");
    section(`Rate Limiter (${names})`, limiterLines(limiter, color));
  }
  if (verbose) {
    section("Scenarios", scenarioLines(result, color));
    section("Status Codes", statusCodeLines(result, color));
    section("Run", runLines(result));
  }
  section("Thresholds", thresholdLines(result, color));
  if (result.error !== null) out.push("", red(`Error: ${result.error}`, color));
  return out.join("\n");
}
