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
import { histogramOfRecorder, LatencyHistogram } from "./latency_histogram.ts";

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
 * import {
 *   AtomicMetricsCollector,
 *   type BaseMetricsCollector,
 *   MutexMetricsCollector,
 * } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const collectors: BaseMetricsCollector[] = [
 *   new AtomicMetricsCollector(),
 *   new MutexMetricsCollector(),
 * ];
 * for (const c of collectors) {
 *   c.recordRequest({
 *     startTime: Date.now(),
 *     duration: 5,
 *     statusCode: 200,
 *     bytes: 10,
 *   });
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
  /** The recorder's input words (fixed for its life; see _recorder.ts). */
  #input: Float64Array;
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
    this.#input = this.#recorder.input;
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
    if (this.#closed) this.#refuseClosed();
    const state = this.#state;
    const error = e == null ? -1 : state.errorIndex(e);
    const name = n == null ? -1 : state.nameIndex(n);
    const input = this.#input;
    input[0] = s;
    input[1] = d;
    this.#recorder.record(b, c, error, name);
  }

  /** Out of line: keeps `recordRequest`'s bytecode small (V8's inlining budget, _recorder.ts). */
  #refuseClosed(): never {
    throw new Error(`${this.kind} collector is closed: it no longer records`);
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
   * A copy of the latency histogram of every request so far, or of the
   * requests named `name`, this thread's own unmerged requests included;
   * export it with {@linkcode LatencyHistogram.toHdrBase64} or merge it with
   * other machines' histograms.
   *
   * @param name A request name (names past `maxNames` are counted as "other").
   * @returns The histogram (empty for a name never recorded).
   *
   * @example Export the run's latency in HdrHistogram's format
   * ```ts
   * import { AtomicMetricsCollector } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * const c = new AtomicMetricsCollector();
   * const startTime = Date.now();
   * c.recordRequest({ startTime, duration: 7, statusCode: 200, bytes: 0, name: "home" });
   * assert.equal(c.getLatencyHistogram().count, 1);
   * assert.equal(c.getLatencyHistogram("home").stats().max, 7);
   * assert.equal(c.getLatencyHistogram("never").count, 0);
   * const text = await c.getLatencyHistogram().toHdrBase64();
   * assert.match(text, /^HISTF/);
   * c.close();
   * ```
   */
  getLatencyHistogram(name?: string): LatencyHistogram {
    if (name !== undefined && typeof name !== "string") {
      throw new TypeError("getLatencyHistogram: name must be a string");
    }
    return this.#state.locked(() => {
      this.#recorder.mergeLocked();
      const index = name === undefined ? -1 : this.#state.findNameLocked(name);
      if (index < 0 && name !== undefined) return new LatencyHistogram();
      return this.#state.analysis.readLatency(index, histogramOfRecorder);
    });
  }

  /**
   * A copy of the latency histogram of one 1-second interval of the time
   * series (the wall-clock second containing `time`), while its window is
   * open: only the 4 newest seconds seen have one, so read each second
   * within 3 seconds of its end (a loop reading second `now - 2` every
   * second does). A request counts in the second of its completion.
   *
   * @param time Any epoch-ms time inside the wanted second.
   * @returns The histogram, or undefined when that second has no open window.
   *
   * @example The current second
   * ```ts
   * import { MutexMetricsCollector } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * const c = new MutexMetricsCollector();
   * const now = Date.now();
   * c.recordRequest({ startTime: now, duration: 0, statusCode: 200, bytes: 0 });
   * assert.equal(c.getIntervalLatencyHistogram(now)?.count, 1);
   * const hourAgo = c.getIntervalLatencyHistogram(now - 3_600_000);
   * assert.equal(hourAgo, undefined);
   * c.close();
   * ```
   */
  getIntervalLatencyHistogram(time: number): LatencyHistogram | undefined {
    if (typeof time !== "number" || !Number.isFinite(time)) {
      throw new RangeError(
        `getIntervalLatencyHistogram: time must be finite epoch ms, got ${time}`,
      );
    }
    return this.#state.locked(() => {
      this.#recorder.mergeLocked();
      return this.#state.analysis.readWindow(Math.floor(time / 1000), histogramOfRecorder);
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
