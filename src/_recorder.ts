/**
 * How a request reaches the shared analysis: the one thing the two
 * collector kinds do differently. {@linkcode BaseMetricsCollector} validates
 * a result (each field read once) and resolves its strings, then hands the
 * fields to its recorder: a lock per call (_locked_recorder.ts) or a
 * per-thread batch (_batch_recorder.ts).
 *
 * @module
 */

/** One thread's way of recording into a collector. */
export interface Recorder {
  /**
   * Count one validated request. `error` and `name` are string-table
   * indexes, or -1 when absent. Positional numbers, not an object: this runs
   * once per request and must not allocate.
   */
  record(
    startTime: number,
    duration: number,
    bytes: number,
    status: number,
    error: number,
    name: number,
  ): void;
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
