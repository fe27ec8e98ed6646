/**
 * Private helper: run a validated test and report it — live progress, the
 * summary, JSON to stdout, JSON/HTML files — and turn the outcome into the
 * exit code. Shared by the `perf` command and the demo.
 *
 * The result files (and `--out csv=`'s) are opened (created) before the
 * run, so they can be written even when the run exhausted the file
 * descriptors, and a path that cannot be written fails before any request.
 * On the first Ctrl-C the live view stops and one line says how long the
 * stop waits at most (the longest gracefulStop); a second Ctrl-C cuts at once, and the
 * summary and JSON are still written from what was recorded (exit 130).
 *
 * @module
 */
import type { CollectorKind } from "@lunge/metrics";
import { formatDurationMs, type TestConfig } from "./config/config.ts";
import { runTest, type StopSignalInfo } from "./run/engine.ts";
import type { RunResult } from "./result.ts";
import { colorEnabled } from "./report/color.ts";
import { ProgressReporter } from "./report/progress.ts";
import { renderSummary } from "./report/summary.ts";
import { renderHtmlReport } from "./outputs/html/page.ts";
import type { DistributedRun } from "./distributed/cli_flags.ts";
import { CsvFile } from "./outputs/csv.ts";

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
}

const encoder = new TextEncoder();

/** Writes all of `text` to a sync writer. */
export function writeAll(w: { writeSync(p: Uint8Array): number }, text: string): void {
  let data = encoder.encode(text);
  while (data.length > 0) data = data.subarray(w.writeSync(data));
}

/** An output file opened before the run, and how to render it. */
interface OpenOutput {
  path: string;
  file: Deno.FsFile;
  render: (result: RunResult) => string;
}

/**
 * Opens (creates, truncates) every output file before the run. Returns the
 * files, or a one-line reason when one cannot be opened (the others closed).
 */
export function openOutputs(
  options: Pick<ReportOptions, "jsonFile" | "htmlFile">,
): OpenOutput[] | string {
  const wanted: [string | undefined, (r: RunResult) => string][] = [
    [options.jsonFile, (r) => JSON.stringify(r, null, 2) + "\n"],
    [options.htmlFile, renderHtmlReport],
  ];
  const opened: OpenOutput[] = [];
  for (const [path, render] of wanted) {
    if (path === undefined) continue;
    try {
      opened.push({ path, render, file: Deno.openSync(path, openFlags) });
    } catch (e) {
      for (const o of opened) o.file.close();
      return `cannot write ${path}: ${e instanceof Error ? e.message : e}`;
    }
  }
  return opened;
}

const openFlags: Deno.OpenOptions = { write: true, create: true, truncate: true };

/** The line printed on a stop signal. */
export function stopMessage(info: StopSignalInfo): string {
  return info.count === 1
    ? `lunge: stopping: waiting at most ${
      formatDurationMs(info.graceMs)
    } (gracefulStop) for in-flight requests; press Ctrl-C again to stop now\n`
    : "lunge: stopping now: requests in flight are counted as interrupted\n";
}

/**
 * Runs the test with live output and returns the exit code (0 passed, 1
 * failed, 2 an output file cannot be opened, 130 stopped by a second Ctrl-C).
 */
export async function runAndReport(config: TestConfig, options: ReportOptions): Promise<number> {
  const out = options.json ? Deno.stderr : Deno.stdout;
  const tty = out.isTerminal();
  const color = colorEnabled(tty);
  // One line per field not acted on; -q silences them.
  if (!options.quiet) {
    for (const w of config.warnings) writeAll(Deno.stderr, `lunge: warning: ${w}\n`);
  }
  const outputs = openOutputs(options);
  if (typeof outputs === "string") {
    writeAll(Deno.stderr, `lunge: ${outputs}\n`);
    return 2;
  }
  const csvPath = options.distributed?.outputs.csvFile;
  const csv = csvPath === undefined ? undefined : CsvFile.open(csvPath);
  if (typeof csv === "string") {
    for (const o of outputs) o.file.close();
    writeAll(Deno.stderr, `lunge: ${csv}\n`);
    return 2;
  }
  const reporter = options.quiet
    ? undefined
    : new ProgressReporter({ tty, color, write: (s) => writeAll(out, s) });
  let signals = 0;
  const result = await runTest({
    config,
    collector: options.collector,
    workers: options.workers,
    segment: options.distributed?.segment,
    startAt: options.distributed?.startAt,
    outputs: options.distributed &&
      { ...options.distributed.outputs, labels: { ...options.distributed.outputs.labels } },
    csv,
    handleSignals: true,
    onProgress: reporter ? (state) => reporter.update(state) : undefined,
    onSignal: (info) => {
      signals = info.count;
      reporter?.finish();
      writeAll(Deno.stderr, stopMessage(info));
    },
  });
  reporter?.finish();
  csv?.close(); // runTest awaited its writes
  const push = result.push;
  if (push && push.failures > 0) {
    writeAll(
      Deno.stderr,
      `lunge: warning: ${push.failures} of ${push.pushes + push.failures} ` +
        `pushes to Prometheus failed (${push.lastError})\n`,
    );
  }
  writeAll(out, renderSummary(result, { color, quiet: options.quiet, verbose: options.verbose }));
  writeAll(out, "\n");
  // As Lunge: with a JSON output file, --json writes only the file.
  if (options.json && options.jsonFile === undefined) {
    writeAll(Deno.stdout, JSON.stringify(result, null, 2) + "\n");
  }
  let code = signals >= 2 ? 130 : result.passed ? 0 : 1;
  if (csv && !options.quiet) writeAll(out, `${csv.rows} rows written to ${csv.path}\n`);
  for (const o of outputs) {
    try {
      writeAll(o.file, o.render(result));
      if (!options.quiet) writeAll(out, `Report written to ${o.path}\n`);
    } catch (e) {
      writeAll(
        Deno.stderr,
        `lunge: cannot write ${o.path}: ${e instanceof Error ? e.message : e}\n`,
      );
      if (code === 0) code = 1;
    } finally {
      o.file.close();
    }
  }
  return code;
}
