/**
 * Private helper: a Worker's side of the outputs that take every recorded
 * request (an output with `append`: `--out csv=<file>`). Each
 * request recorded is added to a batch of columns
 * ({@linkcode RequestRows}), posted to the main thread in chunks — every
 * {@linkcode CHUNK_ROWS} requests, on each {@linkcode RowBuffer.flush} (the
 * Worker's 250 ms stats timer) and before the Worker posts `done`, so every
 * request of a Worker arrives before its `done` (messages of one Worker
 * arrive in order). The engine hands each batch to the outputs; what they
 * make of it (the CSV's rows) is theirs.
 *
 * @module
 */
import type { RequestResult } from "@lunge/metrics";
import type { RequestRows } from "../outputs/request_rows.ts";
import type { FromWorker } from "./_protocol.ts";

/** Requests per chunk at most: a chunk is posted as soon as it holds this many. */
export const CHUNK_ROWS = 4_096;

/** Buffers a Worker's recorded requests and posts them in chunks (see the module doc). */
export class RowBuffer {
  #post: (message: FromWorker) => void;
  #count = 0;
  #startTime = new Float64Array(CHUNK_ROWS);
  #duration = new Float64Array(CHUNK_ROWS);
  #statusCode = new Int32Array(CHUNK_ROWS);
  #bytes = new Float64Array(CHUNK_ROWS);
  #label = new Uint32Array(CHUNK_ROWS);
  #error = new Uint32Array(CHUNK_ROWS);
  #labels: [string, string][] = [];
  /** Scenario -> request name -> index in #labels. */
  #labelIndex = new Map<string, Map<string, number>>();
  #errors: string[] = [];
  /** Error type -> index in #errors plus 1. */
  #errorIndex = new Map<string, number>();

  /** A buffer that posts its chunks with `post`. */
  constructor(post: (message: FromWorker) => void) {
    this.#post = post;
  }

  /** Adds request `r` of `scenario` (as recorded); posts a full chunk. */
  add(scenario: string, r: RequestResult): void {
    const k = this.#count;
    this.#startTime[k] = r.startTime;
    this.#duration[k] = r.duration;
    this.#statusCode[k] = r.statusCode;
    this.#bytes[k] = r.bytes;
    this.#label[k] = this.#labelOf(scenario, r.name ?? "");
    this.#error[k] = r.error === undefined ? 0 : this.#errorOf(r.error);
    if (++this.#count >= CHUNK_ROWS) this.flush();
  }

  /** Posts the requests buffered, if any. */
  flush(): void {
    const n = this.#count;
    if (n === 0) return;
    const rows: RequestRows = {
      count: n,
      startTime: this.#startTime.slice(0, n),
      duration: this.#duration.slice(0, n),
      statusCode: this.#statusCode.slice(0, n),
      bytes: this.#bytes.slice(0, n),
      label: this.#label.slice(0, n),
      labels: this.#labels,
      error: this.#error.slice(0, n),
      errors: this.#errors,
    };
    this.#post({ type: "rows", rows });
    this.#count = 0;
    this.#labels = [];
    this.#labelIndex.clear();
    this.#errors = [];
    this.#errorIndex.clear();
  }

  #labelOf(scenario: string, name: string): number {
    let names = this.#labelIndex.get(scenario);
    if (names === undefined) this.#labelIndex.set(scenario, names = new Map());
    let i = names.get(name);
    if (i === undefined) {
      i = this.#labels.push([scenario, name]) - 1;
      names.set(name, i);
    }
    return i;
  }

  #errorOf(error: string): number {
    let i = this.#errorIndex.get(error);
    if (i === undefined) {
      i = this.#errors.push(error);
      this.#errorIndex.set(error, i);
    }
    return i;
  }
}
