/**
 * What both collectors share: the buffer, the lock, the string tables, the
 * analysis region, and every cold-path operation (snapshot, time series,
 * generation rate, reset). The two public classes differ only in how a
 * request reaches the shared analysis: under the lock at once (mutex), or
 * through a lock-free per-thread batch merged now and then (atomic); they
 * hand the core their `drain` and `discard` for that.
 *
 * @module
 */
import type {
  CollectorHandle,
  CollectorKind,
  CollectorOptions,
  MetricsSnapshot,
  TimeSeriesData,
} from "./types.ts";
import {
  H_EPOCH,
  H_ERROR_COUNT,
  H_NAME_COUNT,
  Layout,
  LOCK_INDEX,
  resolveOptions,
} from "./_layout.ts";
import { ATTACH, type InternalOptions } from "./_attach.ts";
import { FutexLock } from "./_futex_lock.ts";
import { StringTable } from "./_string_table.ts";
import { Analysis } from "./_analysis.ts";
import { validateRate } from "./_validate.ts";

/** What this thread holds outside the shared analysis (the atomic collector's batch). */
export interface PendingSamples {
  /** Merge this thread's batch into the shared analysis (lock held). */
  drain(analysis: Analysis): void;
  /** Drop this thread's batch (lock held; reset). */
  discard(): void;
}

const NOTHING_PENDING: PendingSamples = { drain() {}, discard() {} };

/** One collector instance's view of the shared state (creator or attached). */
export class CollectorCore {
  readonly kind: CollectorKind;
  /** The whole collector state. */
  readonly buffer: SharedArrayBuffer;
  /** Where each region is. */
  readonly layout: Layout;
  /** Guards the string tables and the analysis region. */
  readonly lock: FutexLock;
  /** The shared analysis (use only with `lock` held). */
  readonly analysis: Analysis;
  /** The header words (options, string counts, reset epoch). */
  readonly header: Int32Array;
  /** Samples held outside the analysis region (the atomic collector's rings). */
  pending: PendingSamples = NOTHING_PENDING;
  #errors: StringTable;
  #names: StringTable;

  /**
   * A new buffer sized by `options`, or, when `options` carries the private
   * ATTACH key (attachCollector), the existing buffer it names.
   */
  constructor(kind: CollectorKind, options?: CollectorOptions) {
    const attach = (options as InternalOptions | undefined)?.[ATTACH];
    const layout = attach ? Layout.read(attach, kind) : new Layout(kind, resolveOptions(options));
    const buffer = attach ?? new SharedArrayBuffer(layout.byteLength);
    this.kind = kind;
    this.buffer = buffer;
    this.layout = layout;
    this.header = new Int32Array(buffer, 0, 32);
    this.lock = new FutexLock(this.header, LOCK_INDEX);
    const o = layout.options;
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
      layout.options,
    );
    if (!attach) {
      this.analysis.reset(Date.now());
      layout.writeHeader(buffer);
    }
  }

  /** The string-table index of an error string (-1 for none). */
  errorIndex(error: string | null | undefined): number {
    if (error == null) return -1;
    const i = this.#errors.cached(error);
    return i >= 0 ? i : this.#register(this.#errors, error);
  }

  /** The string-table index of a request name (-1 for none). */
  nameIndex(name: string | null | undefined): number {
    if (name == null) return -1;
    const i = this.#names.cached(name);
    return i >= 0 ? i : this.#register(this.#names, name);
  }

  #register(table: StringTable, s: string): number {
    return this.locked(() => table.resolve(s));
  }

  /** Run `f` with the lock held. */
  locked<T>(f: () => T): T {
    this.lock.lock();
    try {
      return f();
    } finally {
      this.lock.unlock();
    }
  }

  /** The error a closed collector throws when asked to record. */
  closedError(): Error {
    return new Error(`${this.kind} collector is closed: it no longer records`);
  }

  /** Remember the rate at which the load generator issued requests. */
  recordGenerationRate(rate: number): void {
    validateRate(rate);
    this.locked(() => this.analysis.setGenerationRate(rate, Date.now()));
  }

  /** A consistent view of everything recorded so far, by every thread. */
  getSnapshot(): MetricsSnapshot {
    return this.locked(() => {
      this.pending.drain(this.analysis);
      return this.analysis.snapshot(Date.now(), { errors: this.#errors, names: this.#names });
    });
  }

  /** The 1-second time series. */
  getTimeSeries(): TimeSeriesData {
    return this.locked(() => {
      this.pending.drain(this.analysis);
      return this.analysis.timeSeries();
    });
  }

  /**
   * Forget everything recorded so far, and restart the clock. Other threads'
   * batches begun before the reset are dropped when they next merge (the
   * epoch tells them apart).
   */
  reset(): void {
    this.locked(() => {
      this.pending.discard();
      Atomics.add(this.header, H_EPOCH, 1);
      this.analysis.reset(Date.now());
    });
  }

  /** The current reset epoch. */
  epoch(): number {
    return Atomics.load(this.header, H_EPOCH);
  }

  /** A structured-cloneable handle for `attachCollector` in a Worker. */
  share(): CollectorHandle {
    return { kind: this.kind, buffer: this.buffer };
  }
}
