/**
 * The collector whose hot path takes no lock.
 *
 * @module
 */
import type { CollectorOptions } from "./types.ts";
import { BaseMetricsCollector } from "./base_collector.ts";

/**
 * A collector whose `recordRequest` takes no lock on the common path: each
 * recording thread counts into a private batch of aggregates that is merged
 * into the shared memory now and then. Shareable with Workers through
 * `share()` and `attachCollector()`.
 *
 * ## What `recordRequest` does, exactly
 *
 * - **Every call** writes the thread's private batch with plain stores, plus
 *   one plain store to the thread's own writer slot (its own cache line) in
 *   shared memory. No lock, no atomic read-modify-write, no waiting.
 * - **Once per batch** (the first call after a merge): one `Atomics.load`
 *   of the reset epoch. The thread's first call ever also claims a writer
 *   slot with `Atomics.compareExchange`.
 * - **Every `batchSize` calls** (default 10,000): one `tryLock`, a single
 *   `Atomics.compareExchange`. If the lock was free, the call merges the
 *   batch, in time proportional to the histogram buckets and seconds the
 *   batch touched, not to the requests it counted; if it was busy, the call
 *   returns at once and the batch keeps counting (it cannot overflow).
 * - **It may wait for the lock**, sleeping in `Atomics.wait`, in two cases
 *   only: the first time this thread records a given `error` or `name`
 *   string (registering it), and when a request completes in a fifth
 *   distinct second while the batch still holds four (the batch went about
 *   4 seconds without merging). The lock is only ever held for one merge,
 *   snapshot, time-series read, registration, reset or rate update, each
 *   bounded by the collector's size, never by the number of requests.
 *
 * Every wait for the lock, in any method, ends after `lockTimeoutMs`
 * (default 5 s) with an error saying the lock is held by a thread that
 * stopped: a Worker terminated inside a merge leaves it held for good.
 *
 * ## When other threads see a request
 *
 * At the recording thread's next merge: within `flushIntervalMs` (default
 * 100 ms, from an unref'd timer that skips a tick when the lock is busy)
 * while its event loop runs, after about `batchSize` requests in a loop that
 * never yields, and at once after its `flush()` or `close()`. A thread's
 * own reads include its own batch. Until then the requests count in other
 * threads' snapshots as `unflushedRequests`; a thread that ends without
 * `close()` leaves them there, visibly lost. Snapshots are read under the
 * lock: consistent, monotonic between resets, never torn.
 *
 * @example Recording, then reading the totals
 * ```ts
 * import { AtomicMetricsCollector } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const collector = new AtomicMetricsCollector({ flushIntervalMs: 50 });
 * for (let i = 0; i < 1000; i++) {
 *   collector.recordRequest({
 *     startTime: Date.now(), // epoch milliseconds
 *     duration: 1 + i / 100, // milliseconds, not seconds
 *     statusCode: 200,
 *     bytes: 64,
 *   });
 * }
 * const snapshot = collector.getSnapshot(); // merges this thread's batch first
 * assert.equal(snapshot.totalRequests, 1000);
 * assert.equal(snapshot.totalBytes, 64_000);
 * collector.close();
 * ```
 */
export class AtomicMetricsCollector extends BaseMetricsCollector {
  /** Always "atomic". */
  readonly kind = "atomic" as const;

  /**
   * A new collector.
   *
   * @param options Sizes fixed at construction (see {@linkcode CollectorOptions}).
   */
  constructor(options?: CollectorOptions) {
    super("atomic", options);
  }
}
