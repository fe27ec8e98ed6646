/**
 * Private helper: run a validated test and report it — live progress, the
 * summary, JSON to stdout, JSON/HTML files — and turn the outcome into the
 * exit code. Shared by the `perf` command and the demo.
 *
 * The result files (and `--out csv=`'s) are opened (created) before the
 * run, so they can be written even when the run exhausted the file
 * descriptors, and a path that cannot be written fails before any request.
 * On the first Ctrl-C (or SIGTERM) the live view stops, one line says the run
 * stops now, requests in flight are cut (counted as interrupted) and the
 * summary and JSON are written from what was recorded (exit 1); a second
 * Ctrl-C exits at once (130).
 *
 * @module
 */
import type { CollectorKind } from "@lunge/metrics";
import type { TestConfig } from "../config/config.ts";
import { runTest, type StopSignalInfo } from "../run/engine.ts";
import type { RunResult } from "../result.ts";
import { colorEnabled } from "../report/color.ts";
import { ProgressOutput } from "../outputs/progress.ts";
import type { DistributedRun } from "./distributed_flags.ts";
import { CsvFile } from "../outputs/csv.ts";
import { oneLine, openOutputs, type Output, writeAll } from "../outputs/output.ts";
import { SummaryOutput } from "../outputs/summary.ts";
import { JsonOutput } from "../outputs/json.ts";
import { HtmlOutput } from "../outputs/html.ts";
import { streamOutputs } from "../outputs/run_outputs.ts";
import { type DashboardAddress, DashboardOutput } from "../outputs/dashboard/dashboard.ts";
import { runDurationMs } from "../run/executors.ts";

export { openOutputs, writeAll };

/** Where and how to report. */
export interface ReportOptions {
  /** Print the JSON result to stdout (console output then goes to stderr). */
  json: boolean;
  /** Files to write: JSON result and/or HTML report. */
  jsonFile?: string;
  /** The HTML report's path. */
  htmlFile?: string;
  /** Only PASSED/FAILED, no progress. */
  quiet: boolean;
  /** Detailed summary. */
  verbose: boolean;
  /** The collector. */
  collector: CollectorKind;
  /** Worker count requested. */
  workers: number;
  /** Segment, start time and outputs for running on many machines. */
  distributed?: DistributedRun;
  /** `--dashboard`: the live page's address, while the run lasts. */
  dashboard?: DashboardAddress;
}

/**
 * The report outputs of a run, in the order they are written: the summary,
 * the JSON to stdout (`--json` without a .json file, as Lunge), then the
 * JSON and HTML files.
 */
function reportOutputs(options: ReportOptions, out: typeof Deno.stdout, color: boolean): Output[] {
  const list: Output[] = [
    new SummaryOutput({ out, color, quiet: options.quiet, verbose: options.verbose }),
  ];
  if (options.json && options.jsonFile === undefined) list.push(new JsonOutput());
  if (options.jsonFile !== undefined) list.push(new JsonOutput(options.jsonFile));
  if (options.htmlFile !== undefined) list.push(new HtmlOutput(options.htmlFile));
  return list;
}

/** The `--dashboard` output of a run; its URL is printed once it listens (not with -q). */
function dashboardOutput(config: TestConfig, options: ReportOptions): DashboardOutput {
  return new DashboardOutput({
    address: options.dashboard!,
    name: config.name,
    thresholds: config.parsedThresholds,
    plannedMs: runDurationMs(config.scenarios),
    htmlFile: options.htmlFile,
    onListen: (url) => {
      if (!options.quiet) writeAll(Deno.stderr, `lunge: live dashboard at ${url}\n`);
    },
  });
}

/** The line printed on a stop signal. */
export function stopMessage(info: StopSignalInfo): string {
  return info.count === 1
    ? "lunge: stopping now: requests in flight are counted as interrupted; " +
      "press Ctrl-C again to exit at once\n"
    : "lunge: exiting at once (130): no summary\n";
}

/**
 * Runs the test with live output and returns the exit code (0 passed, 1
 * failed, 2 an output file cannot be opened; a second Ctrl-C exits 130 at once).
 */
export async function runAndReport(config: TestConfig, options: ReportOptions): Promise<number> {
  const out = options.json ? Deno.stderr : Deno.stdout;
  const tty = out.isTerminal();
  const color = colorEnabled(tty);
  // One line per field not acted on; -q silences them.
  if (!options.quiet) {
    for (const w of config.warnings) writeAll(Deno.stderr, `lunge: warning: ${w}\n`);
  }
  const reports = reportOutputs(options, out, color);
  const spec = options.distributed?.outputs;
  const streams = spec ? streamOutputs(spec) : [];
  const dashboard = options.dashboard && dashboardOutput(config, options);
  if (dashboard) {
    reports.push(dashboard); // it becomes the report, then closes: last
    streams.push(dashboard.feed()); // the engine's ticks
  }
  const csv = spec?.csvFile === undefined ? undefined : CsvFile.open(spec.csvFile);
  if (typeof csv === "string") {
    writeAll(Deno.stderr, `lunge: ${csv}\n`);
    return 2;
  }
  if (csv) streams.push(csv); // fed every request recorded; its end checks the rows
  // The live view: fed each tick's state, and the final one first at the end.
  const progress = options.quiet
    ? undefined
    : new ProgressOutput({ tty, color, write: (s) => writeAll(out, s) });
  if (progress) streams.unshift(progress);
  // Every output is opened before the run: a bad path or port is exit 2 before any request.
  const problem = await openOutputs([...reports, ...streams]);
  if (problem !== undefined) {
    csv?.close();
    writeAll(Deno.stderr, `lunge: ${problem}\n`);
    return 2;
  }
  let signals = 0;
  let result;
  try {
    result = await runTest({
      config,
      collector: options.collector,
      workers: options.workers,
      segment: options.distributed?.segment,
      startAt: options.distributed?.startAt,
      outputs: { ...spec, labels: { ...spec?.labels }, opened: streams },
      handleSignals: true,
      onSignal: (info) => {
        signals = info.count;
        progress?.finish();
        writeAll(Deno.stderr, stopMessage(info));
      },
    });
  } catch (e) {
    for (const o of [...reports, ...streams]) await o.close();
    csv?.close();
    throw e;
  }
  progress?.finish();
  csv?.close(); // runTest awaited its writes (and closed its outputs)
  const push = result.push;
  if (push && push.failures > 0) {
    writeAll(
      Deno.stderr,
      `lunge: warning: ${push.failures} of ${push.pushes + push.failures} ` +
        `pushes to Prometheus failed (${push.lastError})\n`,
    );
  }
  const code = signals >= 2 ? 130 : result.passed ? 0 : 1;
  return await writeReports(reports, result, { code, out, quiet: options.quiet, csv });
}

/**
 * The verdict is settled: each report output writes the result, each file
 * named once written; a failed write turns a passing exit code into 1.
 */
async function writeReports(
  reports: readonly Output[],
  result: RunResult,
  how: { code: number; out: typeof Deno.stdout; quiet: boolean; csv?: CsvFile },
): Promise<number> {
  const { out, quiet, csv } = how;
  let code = how.code;
  for (const o of reports) {
    const path = o instanceof JsonOutput || o instanceof HtmlOutput ? o.path : undefined;
    try {
      await o.report?.(result);
      if (path !== undefined && !quiet) writeAll(out, `Report written to ${path}\n`);
    } catch (e) {
      writeAll(Deno.stderr, `lunge: cannot write ${path ?? o.name}: ${oneLine(e)}\n`);
      if (code === 0) code = 1;
    } finally {
      await o.close();
    }
    if (o instanceof SummaryOutput && csv && !quiet) {
      writeAll(out, `${csv.rows} rows written to ${csv.path}\n`);
    }
  }
  return code;
}
