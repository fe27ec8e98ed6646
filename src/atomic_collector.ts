/**
 * The lock-free collector. `recordRequest` never takes a lock: it writes the
 * sample into this thread's own ring (a shard, see _sample_ring.ts) with four
 * plain stores and publishes it with one `Atomics.store` of the ring's head.
 * The cold path moves samples from the rings into the shared analysis region
 * in batches, under the lock:
 *
 * - `getSnapshot()` / `getTimeSeries()` drain every thread's ring first, so a
 *   snapshot includes every request any thread has published;
 * - each thread's timer (every `flushIntervalMs`) drains its own ring if the
 *   lock is free, so the time series stays current without readers;
 * - a thread whose ring is full drains it itself, synchronously, before
 *   writing: the ring is a transit, not a filter, and no sample is ever
 *   dropped, even from a tight loop where no timer can fire.
 *
 * Counts are therefore exact, and a snapshot is consistent (it is read under
 * the lock, with `totalRequests = successfulRequests + failedRequests` by
 * construction), monotonic between resets, and free of torn values (the
 * analysis region is only touched under the lock).
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
import { SLOT_WORDS } from "./_layout.ts";
import { Shards } from "./_sample_ring.ts";
import { validateResult } from "./_validate.ts";

/**
 * A collector whose `recordRequest` is lock-free: one ring per writing
 * thread, analysed in batches. Shareable with Workers through `share()` and
 * `attachCollector()`; each thread recording into it holds one of
 * `maxWriters` shards until `close()`.
 *
 * @example
 * ```ts
 * import { AtomicMetricsCollector } from "@lunge/metrics";
 *
 * const collector = new AtomicMetricsCollector({ ringSize: 4096 });
 * for (let i = 0; i < 1000; i++) {
 *   collector.recordRequest({ startTime: Date.now(), duration: 1 + i / 100, statusCode: 200, bytes: 64 });
 * }
 * const snapshot = collector.getSnapshot();
 * console.log(snapshot.totalRequests, snapshot.totalBytes); // 1000 64000
 * collector.close();
 * ```
 */
export class AtomicMetricsCollector implements SharedMetricsCollector {
  /** Always "atomic". */
  readonly kind = "atomic" as const;
  #core: CollectorCore;
  #closed = false;
  #shards: Shards;
  #shard: number;
  // The hot path's view of its own ring, hoisted into fields.
  #ints: Int32Array;
  #floats: Float64Array;
  #headIndex: number;
  #tailIndex: number;
  #base: number;
  #slots: number;
  /** Next slot to write (the owner's copy of the head word). */
  #head: number;
  /** Last tail seen; re-read with Atomics.load only when the ring looks full. */
  #tail: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** A new collector sized by `options` (see {@linkcode CollectorOptions}). */
  constructor(options?: CollectorOptions) {
    const core = new CollectorCore("atomic", options);
    const shards = new Shards(core.buffer, core.layout);
    const shard = shards.claim();
    if (shard < 0) {
      throw new RangeError(
        `atomic collector: all ${core.layout.options.maxWriters} writer slots are in use ` +
          "(close() collectors you no longer use, or raise CollectorOptions.maxWriters)",
      );
    }
    core.pending = { drain: (a) => shards.drainAll(a), discard: () => shards.discardAll() };
    this.#core = core;
    this.#shards = shards;
    this.#shard = shard;
    this.#ints = shards.ints;
    this.#floats = shards.floats;
    this.#headIndex = shards.headIndex(shard);
    this.#tailIndex = shards.tailIndex(shard);
    this.#base = shards.slotBase(shard);
    this.#slots = shards.slots;
    this.#head = Atomics.load(this.#ints, this.#headIndex);
    this.#tail = Atomics.load(this.#ints, this.#tailIndex);
    const every = core.layout.options.flushIntervalMs;
    if (every > 0) {
      const timer = setInterval(() => this.#tryDrainOwn(), every);
      // The timer must not keep a process or Worker alive on its own.
      if (typeof Deno !== "undefined") Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  /** Record one request: four plain stores and one `Atomics.store`, no lock. */
  recordRequest(result: RequestResult): void {
    validateResult(result);
    if (this.#closed) throw this.#core.closedError();
    let code = result.statusCode;
    if (result.error != null) code |= (this.#core.errorIndex(result.error) + 1) << 10;
    if (result.name != null) code |= (this.#core.nameIndex(result.name) + 1) << 20;
    const head = this.#head;
    let next = head + 1;
    if (next === this.#slots) next = 0;
    // Full? Re-read the consumer's tail; if still full, drain it ourselves.
    if (next === this.#tail && next === (this.#tail = Atomics.load(this.#ints, this.#tailIndex))) {
      this.#drainOwn();
    }
    const f = this.#floats, o = this.#base + head * SLOT_WORDS;
    f[o] = result.startTime;
    f[o + 1] = result.duration;
    f[o + 2] = result.bytes;
    f[o + 3] = code;
    // Publish: the slot's plain stores above happen-before this store.
    Atomics.store(this.#ints, this.#headIndex, next);
    this.#head = next;
  }

  /** Record the rate (requests/s) at which the load generator issued requests. */
  recordGenerationRate(rate: number): void {
    this.#core.recordGenerationRate(rate);
  }

  /** A consistent view of everything recorded so far, by every thread. */
  getSnapshot(): MetricsSnapshot {
    return this.#core.getSnapshot();
  }

  /** The 1-second time series. */
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

  /** Move this thread's published samples into the analysis region. */
  flush(): void {
    if (!this.#closed) this.#drainOwn();
  }

  /** Flush, stop the timer and give this thread's shard back; reading still works. */
  close(): void {
    if (this.#closed) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#drainOwn();
    this.#closed = true;
    this.#shards.release(this.#shard);
  }

  #drainOwn(): void {
    this.#core.locked(() => this.#shards.drain(this.#shard, this.#core.analysis));
    this.#tail = Atomics.load(this.#ints, this.#tailIndex);
  }

  /** The timer's drain: skip this tick rather than wait for a busy lock. */
  #tryDrainOwn(): void {
    if (Atomics.load(this.#ints, this.#headIndex) === this.#tail) return;
    const lock = this.#core.lock;
    if (!lock.tryLock()) return;
    try {
      this.#shards.drain(this.#shard, this.#core.analysis);
    } finally {
      lock.unlock();
    }
    this.#tail = Atomics.load(this.#ints, this.#tailIndex);
  }
}
