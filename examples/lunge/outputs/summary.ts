/**
 * The console summary output (always on; `-q` shortens it to PASSED or
 * FAILED, `-v` details it): ../report/summary.ts's text, written at the end.
 *
 * @module
 */
import type { RunResult } from "../result.ts";
import { renderSummary } from "../report/summary.ts";
import { type Output, writeAll } from "./output.ts";

/** Options of {@linkcode SummaryOutput}. */
export interface SummaryOptions {
  /** Where to write (stdout, or stderr when the JSON goes to stdout). */
  out: { writeSync(p: Uint8Array): number };
  /** ANSI colours. */
  color: boolean;
  /** Only PASSED or FAILED. */
  quiet: boolean;
  /** Detailed. */
  verbose: boolean;
}

/** The console summary. */
export class SummaryOutput implements Output {
  #options: SummaryOptions;

  /** A summary written to `options.out`. */
  constructor(options: SummaryOptions) {
    this.#options = options;
  }

  /** `summary`. */
  get name(): string {
    return "summary";
  }

  /** Nothing to open: the console is there. */
  open(): void {}

  /** Writes the summary. */
  report(result: RunResult): void {
    const { out, ...o } = this.#options;
    writeAll(out, renderSummary(result, o) + "\n");
  }

  /** Nothing to close. */
  close(): void {}
}
