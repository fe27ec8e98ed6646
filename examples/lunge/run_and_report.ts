/**
 * Private helper: run a validated test and report it — live progress, the
 * summary, JSON to stdout, JSON/HTML files — and turn the outcome into the
 * exit code. Shared by the `perf` command and the demo.
 *
 * @module
 */
import type { CollectorKind } from "../../mod.ts";
import type { TestConfig } from "./config/config.ts";
import { runTest } from "./run/engine.ts";
import { colorEnabled } from "./report/color.ts";
import { ProgressReporter } from "./report/progress.ts";
import { renderSummary } from "./report/summary.ts";
import { renderHtmlReport } from "./report/html_report.ts";

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
}

const encoder = new TextEncoder();

/** Writes all of `text` to a sync writer. */
export function writeAll(w: { writeSync(p: Uint8Array): number }, text: string): void {
  let data = encoder.encode(text);
  while (data.length > 0) data = data.subarray(w.writeSync(data));
}

/** Runs the test with live output and returns the exit code (0 passed, 1 failed). */
export async function runAndReport(config: TestConfig, options: ReportOptions): Promise<number> {
  const out = options.json ? Deno.stderr : Deno.stdout;
  const tty = out.isTerminal();
  const color = colorEnabled(tty);
  for (const w of config.warnings) writeAll(Deno.stderr, `lunge: warning: ${w}\n`);
  const reporter = options.quiet
    ? undefined
    : new ProgressReporter({ tty, color, write: (s) => writeAll(out, s) });
  const result = await runTest({
    config,
    collector: options.collector,
    workers: options.workers,
    handleSignals: true,
    onProgress: reporter ? (state) => reporter.update(state) : undefined,
  });
  reporter?.finish();
  writeAll(out, renderSummary(result, { color, quiet: options.quiet, verbose: options.verbose }));
  writeAll(out, "\n");
  if (options.json) writeAll(Deno.stdout, JSON.stringify(result, null, 2) + "\n");
  let code = result.passed ? 0 : 1;
  const files: [string | undefined, () => string][] = [
    [options.jsonFile, () => JSON.stringify(result, null, 2) + "\n"],
    [options.htmlFile, () => renderHtmlReport(result)],
  ];
  for (const [path, render] of files) {
    if (path === undefined) continue;
    try {
      await Deno.writeTextFile(path, render());
      if (!options.quiet) writeAll(out, `Report written to ${path}\n`);
    } catch (e) {
      writeAll(Deno.stderr, `lunge: cannot write ${path}: ${e instanceof Error ? e.message : e}\n`);
      code = 1;
    }
  }
  return code;
}
