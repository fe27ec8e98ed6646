/**
 * The JSON result output (`--json`, `-o <file>.json`, `--out json=<file>`):
 * the whole {@linkcode RunResult}, to stdout or to a file created before the
 * run.
 *
 * @module
 */
import type { RunResult } from "../result.ts";
import { createOutputFile, type Output, writeAll } from "./output.ts";

/** The JSON text of a result (2-space indented, newline-terminated). */
export function resultJson(result: RunResult): string {
  return JSON.stringify(result, null, 2) + "\n";
}

/** The JSON result, to `path` or (`path` undefined, `-`) to stdout. */
export class JsonOutput implements Output {
  #path: string | undefined;
  #file: Deno.FsFile | undefined;

  /** An output of the JSON result to `path`, or to stdout when it is undefined. */
  constructor(path?: string) {
    this.#path = path;
  }

  /** `json=<path>`, or `json` for stdout. */
  get name(): string {
    return this.#path === undefined ? "json" : `json=${this.#path}`;
  }

  /** The file written, if any. */
  get path(): string | undefined {
    return this.#path;
  }

  /** Creates the file. */
  open(): void {
    if (this.#path !== undefined) this.#file = createOutputFile(this.#path);
  }

  /** Writes the result. */
  report(result: RunResult): void {
    writeAll(this.#file ?? Deno.stdout, resultJson(result));
  }

  /** Closes the file. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}
