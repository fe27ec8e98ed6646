/**
 * Private helper: a Worker's side of the per-request CSV output
 * (`--out csv=<file>`). Each recorded request becomes one row
 * ({@linkcode csvRow}); the rows are buffered as text and posted to the main
 * thread in chunks — every {@linkcode CHUNK_ROWS} rows, on each
 * {@linkcode flush} (the Worker's 250 ms stats timer) and before the Worker
 * posts `done`, so every row of a Worker arrives before its `done` (messages
 * of one Worker arrive in order). The main thread writes them to the file
 * (../outputs/csv.ts).
 *
 * @module
 */
import type { RequestResult } from "@lunge/metrics";
import { csvRow } from "../report/csv_rows.ts";
import type { FromWorker } from "./_protocol.ts";

/** Rows per chunk at most: a chunk is posted as soon as it holds this many. */
export const CHUNK_ROWS = 4_096;

/** Buffers a Worker's CSV rows and posts them in chunks (see the module doc). */
export class RowBuffer {
  #post: (message: FromWorker) => void;
  #text = "";
  #count = 0;

  /** A buffer that posts its chunks with `post`. */
  constructor(post: (message: FromWorker) => void) {
    this.#post = post;
  }

  /** Adds the row of request `r` of `scenario` (as recorded); posts a full chunk. */
  add(scenario: string, r: RequestResult): void {
    this.#text += csvRow(scenario, r);
    if (++this.#count >= CHUNK_ROWS) this.flush();
  }

  /** Posts the rows buffered, if any. */
  flush(): void {
    if (this.#count === 0) return;
    this.#post({ type: "rows", text: this.#text, count: this.#count });
    this.#text = "";
    this.#count = 0;
  }
}
