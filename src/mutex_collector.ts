/**
 * The baseline collector: Lunge's original design, a lock on every call.
 *
 * @module
 */
import type { CollectorOptions } from "./types.ts";
import { BaseMetricsCollector } from "./base_collector.ts";

/**
 * A collector that takes the shared lock on every `recordRequest` and
 * counts the request straight into the shared memory: simple and exact, and
 * it serialises every recording thread on one lock word (the bottleneck the
 * {@linkcode AtomicMetricsCollector} removes). Every call, reads included,
 * waits for the lock for at most `lockTimeoutMs`, then throws. There is
 * never anything to flush: a request is visible to every thread when
 * `recordRequest` returns. Shareable with Workers through `share()` and
 * `attachCollector()`.
 *
 * @example Counting a failure
 * ```ts
 * import { MutexMetricsCollector } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const collector = new MutexMetricsCollector({ timeSeriesCapacity: 60 });
 * collector.recordRequest({
 *   startTime: Date.now(),
 *   duration: 8,
 *   statusCode: 503,
 *   bytes: 0,
 * });
 * const s = collector.getSnapshot();
 * assert.equal(s.failedRequests, 1);
 * assert.deepEqual(s.errorsByStatus, { "503": 1 });
 * collector.close();
 * ```
 */
export class MutexMetricsCollector extends BaseMetricsCollector {
  /** Always "mutex". */
  readonly kind = "mutex" as const;

  /**
   * A new collector.
   *
   * @param options Sizes fixed at construction (see {@linkcode CollectorOptions}).
   */
  constructor(options?: CollectorOptions) {
    super("mutex", options);
  }
}
