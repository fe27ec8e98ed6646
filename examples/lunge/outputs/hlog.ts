/**
 * The `.hlog` output (`--hlog <file>`, `--out hlog=<file>`): HdrHistogram's
 * interval log, one interval per second of the run. The file is created
 * before the run; the seconds are captured at each tick and written at the end.
 *
 * @module
 */
import { runHlog, SecondHistograms } from "../distributed/run_histograms.ts";
import {
  createOutputFile,
  oneLine,
  type Output,
  type OutputEnd,
  type OutputStart,
  type OutputTick,
  writeAll,
} from "./output.ts";

/** HdrHistogram's interval log of the run, to `path`. */
export class HlogOutput implements Output {
  #path: string;
  #file: Deno.FsFile | undefined;
  #seconds: SecondHistograms | undefined;

  /** An interval log written to `path`. */
  constructor(path: string) {
    this.#path = path;
  }

  /** `hlog=<path>`. */
  get name(): string {
    return `hlog=${this.#path}`;
  }

  /** The file written. */
  get path(): string {
    return this.#path;
  }

  /** Creates the file. */
  open(): void {
    this.#file = createOutputFile(this.#path);
  }

  /** Starts capturing seconds. */
  start(run: OutputStart): void {
    this.#seconds = new SecondHistograms(run.collector, run.startMs);
  }

  /** Captures the seconds completed. */
  tick(tick: OutputTick): void {
    this.#seconds?.capture(tick.now);
  }

  /** Captures the last seconds and writes the log; a failed write is the run's problem. */
  async end(end: OutputEnd): Promise<string | null> {
    if (!this.#seconds || !this.#file) return null;
    this.#seconds.finish(end.range.toMs);
    try {
      writeAll(this.#file, await runHlog(this.#seconds, end.range));
      return null;
    } catch (e) {
      return `cannot write ${this.#path}: ${oneLine(e)}`;
    }
  }

  /** Closes the file. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}
