/**
 * The atomic collector's recorder: each recording thread counts into its own
 * **batch**, an analysis word map (_analysis.ts) in the thread's private
 * memory, with plain stores, and merges it into the shared analysis now and
 * then. A merge costs O(buckets and seconds the batch touched), not
 * O(requests), and the counting itself runs in parallel on every thread: the
 * per-writer-shard design that scales where shared atomic counters and locks
 * do not. What `recordRequest` may wait for, exactly, is stated once, on
 * `AtomicMetricsCollector`.
 *
 * When a batch is merged:
 * - every `batchSize` requests, by `tryLock`: if the lock is busy the batch
 *   keeps counting (it holds aggregates, so it never overflows) and tries
 *   again `batchSize / 16` requests later;
 * - every `flushIntervalMs`, from an unref'd timer, by `tryLock` (a busy
 *   lock skips the tick);
 * - on `flush()`, `close()`, and before this thread reads, waiting for the
 *   lock;
 * - when a request completes in a fifth distinct second while the batch
 *   still holds four (one per latency window: the batch went unmerged for
 *   about 4 s), waiting for the lock; then the request is counted.
 *
 * Reset: `reset()` bumps an epoch in the header (`Atomics.add`, under the
 * lock); a batch records the epoch it began under (`Atomics.load`, once per
 * batch) and is dropped at its merge if a reset came since.
 *
 * Visibility of what is not merged: the thread claims a writer slot
 * (`Atomics.compareExchange`) at its first record and keeps in it, with a
 * plain store per request, how many requests its batch holds and the epoch
 * the batch began under; it zeroes the count under the lock when it merges,
 * and frees the slot (`Atomics.store`) in `close()`. A reader sums the
 * counts of the other held slots under the lock (`unflushedRequests`). Plain
 * stores are enough: an Int32 access cannot tear, a merge's zero is ordered
 * by the lock, and a count read a little stale is a count in transit anyway.
 * A thread that ends without `close()` keeps its slot, so the requests its
 * batch held stay visible as lost rather than vanishing.
 *
 * @module
 */
import type { Recorder } from "./_recorder.ts";
import type { SharedState } from "./_shared_state.ts";
import { Analysis, analysisWords, BATCH_INTERVALS } from "./_analysis.ts";
import { W_EPOCH, W_PENDING, W_STATE, WRITER_SLOT_WORDS } from "./_layout.ts";

/** A private batch per thread, merged now and then. */
export class BatchRecorder implements Recorder {
  #state: SharedState;
  /** This thread's batch: private memory, plain stores. */
  #batch: Analysis;
  /** Requests in the batch, and the count at which to try to merge next. */
  #pending = 0;
  #nextTry: number;
  #batchSize: number;
  /** The reset epoch the batch began under. */
  #epoch = 0;
  /** The WRITERS words, and this thread's slot offset there (-1 until the first record). */
  #writers: Int32Array;
  #slot = -1;
  /** The slot's pending-count word, as its own one-word view (a fixed index on the hot path). */
  #pendingWord: Int32Array<ArrayBufferLike> = new Int32Array(1);
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Record into `state`, starting the flush timer if the options ask for one. */
  constructor(state: SharedState) {
    const o = state.layout.options;
    this.#state = state;
    this.#batchSize = o.batchSize;
    this.#nextTry = o.batchSize;
    this.#writers = state.writers;
    // A batch holds at most one interval per window (see addToBatch), so its
    // point ring needs no more slots than there are windows.
    const batchOptions = { ...o, timeSeriesCapacity: BATCH_INTERVALS };
    this.#batch = new Analysis(new Float64Array(analysisWords(batchOptions)), batchOptions);
    this.#batch.reset(0);
    if (o.flushIntervalMs > 0) {
      const timer = setInterval(() => this.#tryMerge(), o.flushIntervalMs);
      // The timer must not keep a process or Worker alive on its own:
      // Deno returns a number (Deno.unrefTimer), Node and Bun an object with unref().
      if (typeof timer === "number") {
        if (typeof Deno !== "undefined") Deno.unrefTimer(timer);
      } else (timer as { unref?: () => void }).unref?.();
      this.#timer = timer;
    }
  }

  /** This thread's writer slot offset, or -1. */
  get slot(): number {
    return this.#slot;
  }

  /** Where the caller writes the request's start time and duration before `record`. */
  get input(): Float64Array {
    return this.#batch.input;
  }

  /** Count one request into the batch: plain stores, see the module doc for merges. */
  record(bytes: number, status: number, error: number, name: number): void {
    if (this.#pending === 0) this.#begin();
    // A fifth second while four are held: merge (waiting for the lock), then
    // count; into an empty batch the second add succeeds.
    while (!this.#batch.addToBatch(bytes, status, error, name)) {
      this.#mergeAndBegin();
    }
    this.#pendingWord[0] = ++this.#pending;
    if (this.#pending >= this.#nextTry) this.#tryMerge();
  }

  /** Merge the batch (waiting for the lock) and begin the next one. */
  #mergeAndBegin(): void {
    this.flush();
    this.#begin();
  }

  /** Merge the batch (lock held), unless a reset came since it began. */
  mergeLocked(): void {
    if (this.#pending === 0) return;
    if (this.#epoch === this.#state.epoch()) this.#state.analysis.merge(this.#batch);
    else this.#batch.reset(0);
    this.#emptied();
  }

  /** Drop the batch (lock held). */
  dropLocked(): void {
    if (this.#pending === 0) return;
    // Merging into a scratch analysis would cost memory; clearing does the same.
    this.#batch.reset(0);
    this.#emptied();
  }

  /** Merge the batch now, waiting for the lock (at most `lockTimeoutMs`). */
  flush(): void {
    if (this.#pending === 0) return;
    this.#state.locked(() => this.mergeLocked());
  }

  /** Flush, stop the timer, and free the writer slot. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.flush();
    if (this.#slot >= 0) {
      Atomics.store(this.#writers, this.#slot + W_STATE, 0);
      this.#slot = -1;
    }
  }

  /** A batch starts: hold a writer slot, and note the epoch in it. */
  #begin(): void {
    if (this.#slot < 0) this.#claimSlot();
    this.#epoch = this.#state.epoch();
    this.#writers[this.#slot + W_EPOCH] = this.#epoch;
  }

  #claimSlot(): void {
    const w = this.#writers;
    for (let at = 0; at < w.length; at += WRITER_SLOT_WORDS) {
      if (Atomics.compareExchange(w, at + W_STATE, 0, 1) === 0) {
        w[at + W_PENDING] = 0;
        this.#slot = at;
        this.#pendingWord = new Int32Array(w.buffer, w.byteOffset + 4 * (at + W_PENDING), 1);
        return;
      }
    }
    throw new RangeError(
      `atomic collector: more than ${w.length / WRITER_SLOT_WORDS} threads record into it ` +
        "(maxWriters); close() the collectors of threads that are done",
    );
  }

  #emptied(): void {
    this.#pending = 0;
    this.#nextTry = this.#batchSize;
    this.#pendingWord[0] = 0;
  }

  /** Merge if the lock is free; otherwise keep counting and try again later. */
  #tryMerge(): void {
    if (this.#pending === 0) return;
    const state = this.#state;
    if (!state.tryLock()) {
      this.#nextTry = this.#pending + Math.max(1, this.#batchSize >> 4);
      return;
    }
    try {
      this.mergeLocked();
    } finally {
      state.unlock();
    }
  }
}
