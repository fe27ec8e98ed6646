/**
 * The one collector: everything both kinds share (validation, the string
 * tables, snapshots, the time series, reset, sharing) over a
 * {@linkcode SharedState}, with the kind deciding only the recorder, the
 * object that takes a validated request into the shared analysis.
 *
 * @module
 */
import type {
  CollectorHandle,
  CollectorKind,
  CollectorOptions,
  MetricsSnapshot,
  RequestResult,
  SharedMetricsCollector,
  TimeSeriesData,
} from "./types.ts";
import { SharedState } from "./_shared_state.ts";
import type { Recorder } from "./_recorder.ts";
import { LockedRecorder } from "./_locked_recorder.ts";
import { BatchRecorder } from "./_batch_recorder.ts";
import { rejectFields, rejectResult, validateRate, validFields } from "./_validate.ts";

/** What `attachCollector` passes instead of options: the memory to join. */
const ATTACH = Symbol("lunge.attach");

/** Options, or (from `attachCollector` only) the handle of the memory to join. */
type Source = CollectorOptions | { [ATTACH]: CollectorHandle };

/**
 * The implementation both {@linkcode AtomicMetricsCollector} and
 * {@linkcode MutexMetricsCollector} extend; construct one of those (or call
 * `createCollector`). The two differ only in how a request reaches the
 * shared memory: through a private per-thread batch, or under the lock.
 *
 * @example Both kinds behave the same through the base class
 * ```ts
 * import { AtomicMetricsCollector, type BaseMetricsCollector, MutexMetricsCollector } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const collectors: BaseMetricsCollector[] = [new AtomicMetricsCollector(), new MutexMetricsCollector()];
 * for (const c of collectors) {
 *   c.recordRequest({ startTime: Date.now(), duration: 5, statusCode: 200, bytes: 10 });
 *   assert.equal(c.getSnapshot().totalRequests, 1);
 *   c.close();
 * }
 * ```
 */
export abstract class BaseMetricsCollector implements SharedMetricsCollector {
  /** Which implementation this is. */
  abstract readonly kind: CollectorKind;
  #state: SharedState;
  #recorder: Recorder;
  #closed = false;

  /**
   * A collector of `kind` over new memory sized by `options`.
   *
   * @param kind Which recorder counts requests.
   * @param options Sizes (see {@linkcode CollectorOptions}).
   */
  protected constructor(kind: CollectorKind, options?: CollectorOptions) {
    const handle = (options as Source | undefined as { [ATTACH]?: CollectorHandle })?.[ATTACH];
    const state = handle ? SharedState.attach(handle) : SharedState.create(kind, options);
    this.#state = state;
    this.#recorder = kind === "atomic" ? new BatchRecorder(state) : new LockedRecorder(state);
  }

  /**
   * Record one finished request. Each field is read once; invalid input
   * throws a `TypeError` or `RangeError` naming the field, and changes
   * nothing.
   *
   * @param result The request (`startTime` in epoch ms, `duration` in ms).
   */
  recordRequest(result: RequestResult): void {
    if (typeof result !== "object" || result === null) rejectResult(result);
    const s = result.startTime, d = result.duration, c = result.statusCode, b = result.bytes;
    const e = result.error, n = result.name;
    if (!validFields(s, d, c, b, e, n)) rejectFields(s, d, c, b, e, n);
    if (this.#closed) throw new Error(`${this.kind} collector is closed: it no longer records`);
    const state = this.#state;
    this.#recorder.record(
      s,
      d,
      b,
      c,
      e == null ? -1 : state.errorIndex(e),
      n == null ? -1 : state.nameIndex(n),
    );
  }

  /**
   * Record the rate (requests/s) at which the load generator issued requests.
   *
   * @param rate A finite number >= 0.
   */
  recordGenerationRate(rate: number): void {
    validateRate(rate);
    this.#state.locked(() => this.#state.analysis.setGenerationRate(rate, Date.now()));
  }

  /**
   * A consistent view of everything merged so far, this thread's own
   * unmerged requests included.
   *
   * @returns The snapshot (see {@linkcode MetricsSnapshot}).
   */
  getSnapshot(): MetricsSnapshot {
    return this.#state.locked(() => {
      this.#recorder.mergeLocked();
      return this.#state.snapshotLocked(this.#recorder.slot);
    });
  }

  /**
   * The 1-second time series, this thread's own unmerged requests included.
   *
   * @returns At most `timeSeriesCapacity` points, oldest first, no gaps.
   */
  getTimeSeries(): TimeSeriesData {
    return this.#state.locked(() => {
      this.#recorder.mergeLocked();
      return this.#state.analysis.timeSeries();
    });
  }

  /**
   * Forget everything recorded so far, by every thread, and restart the
   * clock. Other threads' batches begun before the reset are dropped when
   * they next merge.
   */
  reset(): void {
    this.#state.locked(() => {
      this.#recorder.dropLocked();
      this.#state.resetLocked();
    });
  }

  /**
   * A structured-cloneable handle: post it to a Worker and `attachCollector`
   * it there.
   *
   * @returns The handle (the kind and the `SharedArrayBuffer`).
   */
  share(): CollectorHandle {
    return this.#state.share();
  }

  /** Publish whatever this thread still holds, now (waiting for the lock). */
  flush(): void {
    this.#recorder.flush();
  }

  /** Flush, stop the timer and free this thread's writer slot; reading still works. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#recorder.close();
  }
}

/** Options that make a collector join the memory of `handle` (attachCollector only). */
export function attachOptions(handle: CollectorHandle): CollectorOptions {
  return { [ATTACH]: handle } as CollectorOptions;
}
