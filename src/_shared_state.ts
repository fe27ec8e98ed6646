/**
 * One thread's view of a collector's shared memory (_layout.ts): the lock,
 * the string tables, the writer slots and the analysis region, and the
 * cold-path operations on them (snapshot, time series, generation rate,
 * reset). It knows nothing of how requests are recorded: that is the
 * recorder's job (_locked_recorder.ts, _batch_recorder.ts).
 *
 * Every lock acquisition goes through {@linkcode SharedState.lock}, which
 * waits at most `lockTimeoutMs` and then throws: a lock held that long is
 * held by a thread that stopped inside a critical section (a Worker
 * terminated during a merge or a snapshot), and no later call could succeed.
 *
 * @module
 */
import type { CollectorHandle, CollectorKind, CollectorOptions } from "./types.ts";
import {
  H_EPOCH,
  H_ERROR_COUNT,
  H_NAME_COUNT,
  Layout,
  LOCK_INDEX,
  W_EPOCH,
  W_PENDING,
  W_STATE,
  WRITER_SLOT_WORDS,
} from "./_layout.ts";
import { resolveOptions } from "./_options.ts";
import { FutexLock } from "./_futex_lock.ts";
import { StringTable } from "./_string_table.ts";
import { Analysis } from "./_analysis.ts";

/** The collector's shared memory, as seen from one thread. */
export class SharedState {
  /** Which implementation wrote the memory. */
  readonly kind: CollectorKind;
  /** The whole collector state. */
  readonly buffer: SharedArrayBuffer;
  /** Where each region is, and the options. */
  readonly layout: Layout;
  /** The shared analysis: use it only between `lock()` and `unlock()`. */
  readonly analysis: Analysis;
  /** The WRITERS region as Int32 words. */
  readonly writers: Int32Array;
  #header: Int32Array;
  #lock: FutexLock;
  #errors: StringTable;
  #names: StringTable;

  private constructor(kind: CollectorKind, buffer: SharedArrayBuffer, layout: Layout) {
    this.kind = kind;
    this.buffer = buffer;
    this.layout = layout;
    this.#header = new Int32Array(buffer, 0, 32);
    this.#lock = new FutexLock(this.#header, LOCK_INDEX);
    const o = layout.options;
    this.writers = new Int32Array(buffer, layout.writers, o.maxWriters * WRITER_SLOT_WORDS);
    this.#errors = new StringTable(buffer, {
      base: layout.errorStrings,
      slots: o.maxErrorTypes,
      countIndex: H_ERROR_COUNT,
    });
    this.#names = new StringTable(buffer, {
      base: layout.nameStrings,
      slots: o.maxNames,
      countIndex: H_NAME_COUNT,
    });
    this.analysis = new Analysis(
      new Float64Array(buffer, layout.analysis, layout.analysisWords),
      o,
    );
  }

  /** A new buffer sized by `options`. */
  static create(kind: CollectorKind, options?: CollectorOptions): SharedState {
    const layout = new Layout(kind, resolveOptions(options));
    const state = new SharedState(kind, new SharedArrayBuffer(layout.byteLength), layout);
    state.analysis.reset(Date.now());
    layout.writeHeader(state.buffer);
    return state;
  }

  /** The existing buffer of `handle`, its header checked as options are. */
  static attach(handle: CollectorHandle): SharedState {
    const layout = Layout.read(handle.buffer, handle.kind);
    return new SharedState(handle.kind, handle.buffer, layout);
  }

  /** Take the lock, or throw once `lockTimeoutMs` has passed (see the module doc). */
  lock(): void {
    const ms = this.layout.options.lockTimeoutMs;
    if (!this.#lock.lock(ms)) {
      throw new Error(
        `${this.kind} collector: its lock has been held for more than ${ms} ms (lockTimeoutMs), ` +
          "so the thread holding it has stopped (a Worker terminated during a merge or a " +
          "snapshot). Its shared memory can no longer be used; let writers close() before " +
          "terminating them",
      );
    }
  }

  /** Take the lock if it is free, without waiting; true when taken. */
  tryLock(): boolean {
    return this.#lock.tryLock();
  }

  /** Release the lock. */
  unlock(): void {
    this.#lock.unlock();
  }

  /** Run `f` with the lock held. */
  locked<T>(f: () => T): T {
    this.lock();
    try {
      return f();
    } finally {
      this.unlock();
    }
  }

  /** The string-table index of an error string (registering it under the lock once). */
  errorIndex(error: string): number {
    const i = this.#errors.cached(error);
    return i >= 0 ? i : this.locked(() => this.#errors.resolve(error));
  }

  /** The string-table index of a request name (registering it under the lock once). */
  nameIndex(name: string): number {
    const i = this.#names.cached(name);
    return i >= 0 ? i : this.locked(() => this.#names.resolve(name));
  }

  /**
   * The string-table index of a request name already registered, the
   * "other" index for "other", or -1; registers nothing (lock held).
   */
  findNameLocked(name: string): number {
    const count = this.#header[H_NAME_COUNT];
    for (let i = 0; i < count; i++) if (this.#names.name(i) === name) return i;
    return name === "other" ? this.layout.options.maxNames : -1;
  }

  /** The current reset epoch. */
  epoch(): number {
    return Atomics.load(this.#header, H_EPOCH);
  }

  /** Start a new epoch and zero the analysis (lock held). */
  resetLocked(): void {
    Atomics.add(this.#header, H_EPOCH, 1);
    this.analysis.reset(Date.now());
  }

  /** The snapshot of the analysis (lock held); `self` is the caller's writer slot or -1. */
  snapshotLocked(self: number): ReturnType<Analysis["snapshot"]> {
    return this.analysis.snapshot(Date.now(), {
      errors: this.#errors,
      names: this.#names,
      unflushedRequests: this.#unflushedLocked(self),
    });
  }

  /**
   * Requests other writers hold in batches of the current epoch (lock held).
   * A slot's count is written by its owner with plain stores; under the lock
   * this thread sees at least every value written before the owner's last
   * merge (the owner zeroes it under the lock), and a stopped owner's last
   * value once its writes are visible.
   */
  #unflushedLocked(self: number): number {
    const w = this.writers, epoch = this.epoch();
    let n = 0;
    for (let at = 0; at < w.length; at += WRITER_SLOT_WORDS) {
      if (at === self || Atomics.load(w, at + W_STATE) === 0) continue;
      if (w[at + W_EPOCH] === epoch) n += w[at + W_PENDING];
    }
    return n;
  }

  /** A structured-cloneable handle for `attachCollector` in a Worker. */
  share(): CollectorHandle {
    return { kind: this.kind, buffer: this.buffer };
  }
}
