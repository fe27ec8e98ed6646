/**
 * The lock-free collector. `recordRequest` takes no lock and performs no
 * atomic operation: each recording thread counts into its own **batch**, an
 * analysis word map (see _analysis.ts) in the thread's private memory, with
 * plain stores only. The shared analysis learns of a batch when its thread
 * merges it, under the lock:
 *
 * - every `flushIntervalMs` (the thread's timer, skipped if the lock is
 *   busy), on `flush()`, on `close()`, and when the thread itself reads
 *   (`getSnapshot`, `getTimeSeries`);
 * - when the batch holds `ringSize` requests, synchronously, so a thread in a
 *   tight loop where no timer can fire still publishes, and nothing is ever
 *   dropped (a batch holds aggregates, so it never overflows).
 *
 * Why a batch of aggregates rather than a ring of raw samples (the seed's
 * first idea, and this module's first design): on V8 every `Atomics` call
 * costs ~9 ns, and analysing samples out of a shared ring serialises all the
 * analysis under one lock: with 2 to 8 Workers that design ran only 1.1 to
 * 1.4x the mutex collector. Here the analysis runs in parallel on every
 * thread and a merge costs O(buckets and seconds touched), not O(requests):
 * the per-writer-shard design that MEASUREMENTS.md found to scale.
 *
 * Consistency: the shared analysis is read and written only under the lock,
 * so a snapshot is consistent (`totalRequests = successfulRequests +
 * failedRequests` by construction), never goes backwards between resets,
 * and never shows a torn value. A thread's requests become visible to other
 * threads at its next merge (within `flushIntervalMs` while its event loop
 * runs; at once after `flush()`).
 *
 * Reset: `reset()` bumps an epoch in the header (`Atomics.add`, under the
 * lock); a batch records the epoch it began under (`Atomics.load`, once per
 * batch) and is dropped at merge if a reset came since, so nothing from
 * before a reset survives it.
 *
 * @module
 */
import type {
  CollectorHandle,
  CollectorOptions,
  MetricsSnapshot,
  RequestResult,
  SharedMetricsCollector,
  TimeSeriesData,
} from "./types.ts";
import { CollectorCore } from "./_collector_core.ts";
import { Analysis, analysisWords, BATCH_INTERVALS } from "./_analysis.ts";
import { validateResult } from "./_validate.ts";

/**
 * A collector whose `recordRequest` is lock-free: each thread counts into a
 * private batch, merged into the shared memory every `flushIntervalMs`, every
 * `ringSize` requests, and on `flush()`. Shareable with Workers through
 * `share()` and `attachCollector()`.
 *
 * @example
 * ```ts
 * import { AtomicMetricsCollector } from "@lunge/metrics";
 *
 * const collector = new AtomicMetricsCollector({ flushIntervalMs: 50 });
 * for (let i = 0; i < 1000; i++) {
 *   collector.recordRequest({ startTime: Date.now(), duration: 1 + i / 100, statusCode: 200, bytes: 64 });
 * }
 * const snapshot = collector.getSnapshot(); // merges this thread's batch first
 * console.log(snapshot.totalRequests, snapshot.totalBytes); // 1000 64000
 * collector.close();
 * ```
 */
export class AtomicMetricsCollector implements SharedMetricsCollector {
  /** Always "atomic". */
  readonly kind = "atomic" as const;
  #core: CollectorCore;
  #closed = false;
  /** This thread's batch: private memory, plain stores. */
  #batch: Analysis;
  /** Requests in the batch, and the most it holds before merging. */
  #pending = 0;
  #limit: number;
  /** The reset epoch the batch began under. */
  #epoch = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** A new collector sized by `options` (see {@linkcode CollectorOptions}). */
  constructor(options?: CollectorOptions) {
    const core = new CollectorCore("atomic", options);
    const o = core.layout.options;
    this.#core = core;
    this.#limit = o.ringSize;
    // A batch holds at most one interval per window (see addToBatch), so its
    // point ring needs no more slots than there are windows.
    const batchOptions = { ...o, timeSeriesCapacity: BATCH_INTERVALS };
    this.#batch = new Analysis(new Float64Array(analysisWords(batchOptions)), batchOptions);
    this.#batch.reset(0);
    // The core merges this thread's batch before it reads, and drops it on reset.
    core.pending = {
      drain: (shared) => this.#mergeLocked(shared),
      discard: () => this.#drop(),
    };
    if (o.flushIntervalMs > 0) {
      const timer = setInterval(() => this.#tryMerge(), o.flushIntervalMs);
      // The timer must not keep a process or Worker alive on its own.
      // Deno returns a number id (Deno.unrefTimer); Node and Bun a Timeout with unref().
      if (typeof timer === "number") {
        if (typeof Deno !== "undefined") Deno.unrefTimer(timer);
      } else (timer as { unref?: () => void }).unref?.();
      this.#timer = timer;
    }
  }

  /** Record one request into this thread's batch: no lock, no atomic operation. */
  recordRequest(result: RequestResult): void {
    validateResult(result);
    const core = this.#core;
    if (this.#closed) throw core.closedError();
    const error = result.error != null ? core.errorIndex(result.error) : -1;
    const name = result.name != null ? core.nameIndex(result.name) : -1;
    if (this.#pending === 0) this.#epoch = core.epoch();
    const { startTime, duration, bytes, statusCode } = result;
    if (!this.#batch.addToBatch(startTime, duration, bytes, statusCode, error, name)) {
      // The batch spans too many seconds to stay mergeable: merge, then count.
      this.flush();
      this.#epoch = core.epoch();
      this.#batch.addToBatch(startTime, duration, bytes, statusCode, error, name);
    }
    if (++this.#pending >= this.#limit) this.flush();
  }

  /** Record the rate (requests/s) at which the load generator issued requests. */
  recordGenerationRate(rate: number): void {
    this.#core.recordGenerationRate(rate);
  }

  /** A consistent view of everything merged so far (this thread's batch included). */
  getSnapshot(): MetricsSnapshot {
    return this.#core.getSnapshot();
  }

  /** The 1-second time series (this thread's batch included). */
  getTimeSeries(): TimeSeriesData {
    return this.#core.getTimeSeries();
  }

  /** Forget everything recorded so far, by every thread, and restart the clock. */
  reset(): void {
    this.#core.reset();
  }

  /** A structured-cloneable handle: post it to a Worker and `attachCollector` it there. */
  share(): CollectorHandle {
    return this.#core.share();
  }

  /** Merge this thread's batch into the shared memory now. */
  flush(): void {
    if (this.#pending === 0) return;
    this.#core.locked(() => this.#mergeLocked(this.#core.analysis));
  }

  /** Flush and stop the timer; reading still works, recording does not. */
  close(): void {
    if (this.#closed) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.flush();
    this.#closed = true;
  }

  /** Merge the batch (lock held), unless a reset came since it began. */
  #mergeLocked(shared: Analysis): void {
    if (this.#pending === 0) return;
    if (this.#epoch === this.#core.epoch()) shared.merge(this.#batch);
    else this.#drop();
    this.#pending = 0;
  }

  #drop(): void {
    // Merging into a scratch analysis would cost memory; clearing does the same.
    this.#batch.reset(0);
    this.#pending = 0;
  }

  /** The timer's merge: skip this tick rather than wait for a busy lock. */
  #tryMerge(): void {
    if (this.#pending === 0) return;
    const lock = this.#core.lock;
    if (!lock.tryLock()) return;
    try {
      this.#mergeLocked(this.#core.analysis);
    } finally {
      lock.unlock();
    }
  }
}
