/**
 * How a request reaches the shared analysis: the one thing the two
 * collector kinds do differently. {@linkcode BaseMetricsCollector} validates
 * a result (each field read once) and resolves its strings, then hands the
 * fields to its recorder: a lock per call (_locked_recorder.ts) or a
 * per-thread batch (_batch_recorder.ts).
 *
 * The calling convention of the hot path: the request's two fractional
 * numbers, its start time and duration, travel in the `input` words of the
 * analysis that counts it, written just before `record`; everything passed
 * as an argument is a small integer. V8 passes a fractional number to a
 * function it did not inline as a freshly allocated heap box, and how much
 * of this path it inlines depends on the caller (its inlining budget is
 * shared by the whole calling function): with the numbers as arguments,
 * the same code ran at 21 ns or 28–44 ns a request depending on where the
 * budget ran out, and allocated 32 bytes a request in the slow case. With
 * the input words nothing on the path allocates, whatever is inlined.
 *
 * @module
 */

/** One thread's way of recording into a collector. */
export interface Recorder {
  /**
   * Count one validated request whose start time and duration are in
   * `input`. `error` and `name` are string-table indexes, or -1 when absent.
   * Positional integers, not an object: this runs once per request and
   * must not allocate.
   */
  record(bytes: number, status: number, error: number, name: number): void;
  /** Two words: the start time and duration (ms) of the request `record` counts next. */
  readonly input: Float64Array;
  /** Merge whatever this thread holds into the shared analysis (lock held). */
  mergeLocked(): void;
  /** Drop whatever this thread holds (lock held; a reset). */
  dropLocked(): void;
  /** This thread's writer slot (its word offset in WRITERS), or -1 for none. */
  readonly slot: number;
  /** Publish whatever this thread holds, now. */
  flush(): void;
  /** Flush, stop any timer, and give up the writer slot. */
  close(): void;
}
