/**
 * The HTML report output (`--html`, `-o <file>.html`, `--out html=<file>`):
 * the self-contained page of ./html/page.ts, to a file created before the run.
 *
 * @module
 */
import type { RunResult } from "../result.ts";
import { renderHtmlReport } from "./html/page.ts";
import { createOutputFile, type Output, writeAll } from "./output.ts";

/** The HTML report, to `path`. */
export class HtmlOutput implements Output {
  #path: string;
  #file: Deno.FsFile | undefined;

  /** An output of the HTML report to `path`. */
  constructor(path: string) {
    this.#path = path;
  }

  /** `html=<path>`. */
  get name(): string {
    return `html=${this.#path}`;
  }

  /** The file written. */
  get path(): string {
    return this.#path;
  }

  /** Creates the file. */
  open(): void {
    this.#file = createOutputFile(this.#path);
  }

  /** Writes the report. */
  report(result: RunResult): void {
    if (this.#file) writeAll(this.#file, renderHtmlReport(result));
  }

  /** Closes the file. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}
