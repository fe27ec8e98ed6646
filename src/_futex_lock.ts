/**
 * A futex-style mutual-exclusion lock on one `Int32Array` word of shared
 * memory, usable from the main thread and from Workers alike.
 *
 * The word holds 0 (free), 1 (held, nobody waiting) or 2 (held, maybe
 * waiters). Taking a free lock is one `Atomics.compareExchange`; releasing an
 * uncontended one is one `Atomics.sub`. Only under contention does a thread
 * sleep in `Atomics.wait`, and only then does the holder pay for an
 * `Atomics.notify` (Drepper, "Futexes Are Tricky", mutex 2).
 *
 * Every access to the word is an `Atomics` operation (sequentially
 * consistent), so whatever a holder wrote before `unlock()` is visible to the
 * next holder after its `lock()`: the lock orders the plain reads and writes
 * of the data it guards.
 *
 * @module
 */

const FREE = 0;
const HELD = 1;
const CONTENDED = 2;
/** Spins on a held lock before sleeping: a critical section here is short. */
const SPINS = 64;

/**
 * A lock living in shared memory: construct one per thread over the same
 * `Int32Array` word.
 *
 * @example Guarding a shared counter
 * ```ts
 * import { FutexLock } from "./_futex_lock.ts";
 *
 * const words = new Int32Array(new SharedArrayBuffer(8));
 * const lock = new FutexLock(words, 0);
 * lock.lock();
 * try {
 *   words[1]++;
 * } finally {
 *   lock.unlock();
 * }
 * ```
 */
export class FutexLock {
  #words: Int32Array;
  #index: number;

  /** Use `words[index]` as the lock word (it must start at 0 = free). */
  constructor(words: Int32Array, index: number) {
    this.#words = words;
    this.#index = index;
  }

  /** Take the lock without blocking; true when taken. */
  tryLock(): boolean {
    return Atomics.compareExchange(this.#words, this.#index, FREE, HELD) === FREE;
  }

  /**
   * Take the lock, sleeping in `Atomics.wait` while another thread holds it,
   * for at most about `timeoutMs`; false when the lock was not taken in
   * time (the caller says why that matters). The clock is read only once a
   * thread has to sleep, so an uncontended lock costs one CAS.
   */
  lock(timeoutMs = Infinity): boolean {
    const w = this.#words, i = this.#index;
    let c = Atomics.compareExchange(w, i, FREE, HELD);
    if (c === FREE) return true;
    for (let spin = 0; spin < SPINS && c !== FREE; spin++) {
      c = Atomics.compareExchange(w, i, FREE, HELD);
      if (c === FREE) return true;
    }
    const deadline = performance.now() + timeoutMs;
    // Mark the lock contended before sleeping, so the holder knows to wake us.
    if (c !== CONTENDED) c = Atomics.exchange(w, i, CONTENDED);
    while (c !== FREE) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(w, i, CONTENDED, left);
      c = Atomics.exchange(w, i, CONTENDED);
    }
    return true;
  }

  /** Release the lock, waking one sleeper if there may be any. */
  unlock(): void {
    if (Atomics.sub(this.#words, this.#index, 1) !== HELD) {
      Atomics.store(this.#words, this.#index, FREE);
      Atomics.notify(this.#words, this.#index, 1);
    }
  }
}
