/**
 * The end-of-run console summary, in Lunge's format plus what Lunge lacked
 * (an error breakdown, dropped iterations, the real median).
 *
 * @module
 */
import type { LatencyStats } from "../../../mod.ts";
import type { RunResult } from "../result.ts";
import { bold, dim, green, red, yellow } from "./color.ts";
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  formatRate,
  padEndVisible,
  padStartVisible,
  rateLimiterFigures,
  RULE,
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

/** Entries of a count map, largest first, then by key. */
function sortedCounts(map: Record<string, number>): [string, number][] {
  return Object.entries(map).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function latencyRows(latency: LatencyStats, verbose: boolean): [string, number][] {
  const rows: [string, number][] = [
    ["Min", latency.min],
    ["P50", latency.p50],
    ["P90", latency.p90],
    ["P95", latency.p95],
    ["P99", latency.p99],
  ];
  if (verbose) rows.push(["P99.9", latency.p999]);
  rows.push(["Max", latency.max], ["Avg", latency.mean], ["StdDev", latency.stdDev]);
  return rows;
}

/** The success-rate text: green, yellow below 99 %, red below 95 %. */
function successText(result: RunResult, color: boolean): string {
  const m = result.metrics;
  if (m.totalRequests === 0) return dim("- (no requests)", color);
  const rate = m.successfulRequests / m.totalRequests;
  const text = formatPercent(rate);
  if (rate < 0.95) return red(text, color);
  if (rate < 0.99) return yellow(text, color);
  return green(text, color);
}

/**
 * Render the end-of-run summary.
 *
 * With `quiet`, only `PASSED` or `FAILED`. Otherwise: a rule and
 * `<name> - Completed ✓` (or `Failed ✗`), duration, total requests, success
 * rate, throughput, data received, the latency distribution, per-name
 * latency, the error breakdown by status and by type, the rate-limiter block
 * for arrival-rate scenarios, the thresholds and the run error.
 *
 * The rate-limiter block compares like with like: the target is the
 * arrival-rate scenarios' configured iteration rate (their peak when they
 * ramp), "Actual RPS" the iterations they started per second of the run,
 * "Efficiency" the ratio; "Generation Rate" is what the engine last reported
 * to the collector, and "Completion Rate" completed requests per iteration
 * started (only when no VU scenario ran beside them).
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
  if (quiet) return result.passed ? green("PASSED", color) : red("FAILED", color);

  const m = result.metrics;
  const out: string[] = [];
  const section = (title: string) => out.push("", bold(title, color));

  out.push(dim(RULE, color));
  out.push(
    result.passed
      ? `${bold(result.name, color)} - ${green("Completed ✓", color)}`
      : `${bold(result.name, color)} - ${red("Failed ✗", color)}`,
  );
  if (result.description) out.push(dim(result.description, color));
  out.push(dim(RULE, color), "");

  const seconds = result.duration / 1000;
  out.push(field("Duration", formatDuration(result.duration)));
  out.push(field("Total Reqs", formatCount(m.totalRequests)));
  out.push(
    field(
      "Success Rate",
      `${successText(result, color)} ${
        dim(
          `(${formatCount(m.successfulRequests)} ok, ${formatCount(m.failedRequests)} failed)`,
          color,
        )
      }`,
    ),
  );
  out.push(field("Throughput", `${formatRate(m.requestsPerSecond)} req/s`));
  out.push(
    field(
      "Data Transferred",
      `${formatBytes(m.totalBytes)} received (${
        formatBytes(seconds > 0 ? m.totalBytes / seconds : 0)
      }/s)`,
    ),
  );

  section("Latency Distribution");
  if (m.latency.count === 0) {
    out.push(dim("  (no samples)", color));
  } else {
    for (const [label, value] of latencyRows(m.latency, verbose)) {
      out.push(`  ${label.padEnd(8)}${padStartVisible(formatDuration(value), 9)}`);
    }
    if (m.droppedSamples > 0) {
      out.push(
        yellow(
          `  (${formatCount(m.droppedSamples)} latency samples dropped before analysis)`,
          color,
        ),
      );
    }
  }

  const names = Object.entries(m.byName).sort((a, b) => a[0].localeCompare(b[0]));
  if (names.length > 0) {
    section("Requests by Name");
    out.push(
      ...table(
        ["Name", "Count", "Min", "Avg", "P50", "P95", "P99", "Max"],
        names.map(([name, l]) => [
          name,
          formatCount(l.count),
          formatDuration(l.min),
          formatDuration(l.mean),
          formatDuration(l.p50),
          formatDuration(l.p95),
          formatDuration(l.p99),
          formatDuration(l.max),
        ]),
        color,
      ),
    );
  }

  const byStatus = sortedCounts(m.errorsByStatus);
  const byType = sortedCounts(m.errorsByType);
  if (m.failedRequests > 0 || byStatus.length > 0 || byType.length > 0) {
    section("Errors");
    const share = (n: number) =>
      m.totalRequests > 0 ? formatPercent(n / m.totalRequests) : formatPercent(0);
    if (byStatus.length > 0) {
      out.push(
        ...table(
          ["By Status", "Count", "Share"],
          byStatus.map(([status, n]) => [status, formatCount(n), share(n)]),
          color,
        ),
      );
    }
    if (byType.length > 0) {
      out.push(
        ...table(
          ["By Type", "Count", "Share"],
          byType.map(([type, n]) => [type, formatCount(n), share(n)]),
          color,
        ),
      );
    }
    const noResponse = m.statusCodes["0"] ?? 0;
    if (byStatus.length === 0 && byType.length === 0 && noResponse > 0) {
      out.push(`  No response (status 0): ${formatCount(noResponse)}`);
    }
  }

  const limiter = rateLimiterFigures(result);
  if (limiter !== null) {
    section(`Rate Limiter (${limiter.scenarios.join(", ")})`);
    const percentOrDash = (x: number) => Number.isFinite(x) ? formatPercent(x) : "-";
    out.push(
      field(
        "Target RPS",
        formatRate(limiter.targetRps) +
          (limiter.ramps ? dim(` (mean; peak ${formatRate(limiter.peakRps)})`, color) : ""),
      ),
    );
    out.push(field("Actual RPS", formatRate(limiter.actualRps)));
    out.push(field("Efficiency", percentOrDash(limiter.efficiency)));
    out.push(field("Generation Rate", `${formatRate(limiter.generationRate)}/s`));
    out.push(field("Completion Rate", percentOrDash(limiter.completionRate)));
    const dropped = formatCount(limiter.droppedIterations);
    out.push(
      field("Dropped Iterations", limiter.droppedIterations > 0 ? yellow(dropped, color) : dropped),
    );
  }

  if (verbose) {
    const scenarios = Object.entries(result.scenarios);
    if (scenarios.length > 0) {
      section("Scenarios");
      out.push(
        ...table(
          ["Scenario", "Executor", "Iterations", "Dropped", "Max VUs", "Target Rate"],
          scenarios.map(([name, s]) => [
            name,
            s.executor,
            formatCount(s.iterations),
            formatCount(s.droppedIterations),
            formatCount(s.maxVUs),
            s.targetRate > 0 ? `${formatRate(s.targetRate)}/s` : "-",
          ]),
          color,
        ),
      );
    }
    const statuses = Object.entries(m.statusCodes).sort((a, b) => Number(a[0]) - Number(b[0]));
    if (statuses.length > 0) {
      section("Status Codes");
      out.push(
        ...table(
          ["Status", "Count"],
          statuses.map(([code, n]) => [code === "0" ? "0 (no response)" : code, formatCount(n)]),
          color,
        ),
      );
    }
    section("Run");
    out.push(field("Collector", result.collector));
    out.push(field("Time Unit", result.timeUnit));
    out.push(field("Started", result.startTime));
    out.push(field("Ended", result.endTime));
    out.push(field("Series Points", formatCount(result.timeSeries.points.length)));
  }

  if (result.thresholds.length > 0) {
    section("Thresholds");
    for (const t of result.thresholds) {
      const mark = t.passed ? green("✓", color) : red("✗", color);
      out.push(`  ${mark} ${t.metric} ${t.message}`);
    }
  }

  if (result.error !== null) {
    out.push("", red(`Error: ${result.error}`, color));
  }
  return out.join("\n");
}
