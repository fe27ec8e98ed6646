/**
 * The one shape of every output (the live progress view, summary, JSON,
 * HTML, CSV, .hlog, remote write, /metrics, the dashboard): opened before
 * the run — so a path that cannot be written, or a port that cannot be
 * bound, fails (exit 2) before any request is sent — then fed the run (its
 * start, a tick a second with the live state, and, to an output that has
 * `append`, every request recorded), ended when the run is over (an
 * output's problem then fails the run: the verdict is settled after every
 * output has ended), then given the result and its verdict to report
 * (summary, JSON, HTML), and closed.
 *
 * @module
 */
import type { SharedMetricsCollector } from "@lunge/metrics";
import type { RunResult } from "../result.ts";
import type { RequestRows } from "./request_rows.ts";
import type { ProgressState } from "../report/progress.ts";

export type { RequestRows } from "./request_rows.ts";

/** An output that cannot be opened: one line, exit 2 before any request. */
export class OutputError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "OutputError";
  }
}

/** The engine's counters at a tick. */
export interface TickCounters {
  /** VUs busy. */
  activeVUs: number;
  /** Per scenario: name, iterations, dropped, requests not sent (`[reason][name]`). */
  scenarios: {
    name: string;
    iterations: number;
    dropped: number;
    notSent?: Record<string, Record<string, number>>;
  }[];
}

/** What an output is told when the schedule starts. */
export interface OutputStart {
  /** The run's collector (shared with the Workers). */
  collector: SharedMetricsCollector;
  /** Epoch ms of the schedule's offset 0. */
  startMs: number;
}

/** What an output is told at each tick, about once a second. */
export interface OutputTick {
  /** Epoch ms of the tick. */
  now: number;
  /** The engine's counters then. */
  counters: TickCounters;
  /** The live state the progress view shows; absent once a stop was asked for (the view waits quietly). */
  state?: ProgressState;
}

/** What an output is told when the run is over, before the verdict. */
export interface OutputEnd {
  /** The engine's last counters. */
  counters: TickCounters;
  /** The run's time range, epoch ms. */
  range: { fromMs: number; toMs: number };
  /** The result so far (its verdict not settled yet); an output may add its figures. */
  result: RunResult;
  /** The final state of the progress view. */
  state?: ProgressState;
}

/** One output of a run (see the module doc). Every method but `open` and `close` is optional. */
export interface Output {
  /** How the command line names it, e.g. `csv=out.csv`. */
  readonly name: string;
  /** Before the run: create the file, bind the port. Throws {@linkcode OutputError}. */
  open(): void | Promise<void>;
  /** The schedule starts. */
  start?(run: OutputStart): void;
  /** About once a second. */
  tick?(tick: OutputTick): void;
  /**
   * The requests recorded, batch by batch, as the Workers post them (each
   * Worker's in the order it recorded them). Only an output that has this
   * method makes the Workers post them (the CSV).
   */
  append?(rows: RequestRows): void;
  /** The run is over: last writes; returns a problem that fails the run, or null. */
  end?(end: OutputEnd): Promise<string | null>;
  /** After the verdict: write the report of `result`. Throws on a failed write. */
  report?(result: RunResult): void | Promise<void>;
  /** Releases the output (always called, once, last; also when the run failed to start). */
  close(): void | Promise<void>;
}

/** One line of `e`'s message. */
export function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}

const openFlags: Deno.OpenOptions = { write: true, create: true, truncate: true };

/**
 * Creates (truncates) `path` for an output: the file, or an
 * {@linkcode OutputError} `cannot write <path>: <why>`.
 *
 * @param path The file.
 * @returns The open file.
 */
export function createOutputFile(path: string): Deno.FsFile {
  try {
    return Deno.openSync(path, openFlags);
  } catch (e) {
    throw new OutputError(`cannot write ${path}: ${oneLine(e)}`);
  }
}

const encoder = new TextEncoder();

/**
 * Writes all of `text` to a sync writer.
 *
 * @param w The writer (a file, stdout, stderr).
 * @param text The text.
 */
export function writeAll(w: { writeSync(p: Uint8Array): number }, text: string): void {
  let data = encoder.encode(text);
  while (data.length > 0) data = data.subarray(w.writeSync(data));
}

/**
 * Opens every output before the run (or the merge), in order; on the first that cannot be
 * opened, closes those opened and returns its one-line reason.
 *
 * @param outputs The outputs.
 * @returns Undefined when all are open, else why one is not.
 */
export async function openOutputs(outputs: readonly Output[]): Promise<string | undefined> {
  for (let i = 0; i < outputs.length; i++) {
    try {
      await outputs[i].open();
    } catch (e) {
      for (const o of outputs.slice(0, i)) await o.close();
      if (e instanceof OutputError) return e.message;
      return `cannot open ${outputs[i].name}: ${oneLine(e)}`;
    }
  }
  return undefined;
}
