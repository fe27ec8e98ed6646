/**
 * The baseline collector: the seed's `DefaultMetricsCollector`, a lock on
 * every call. Each `recordRequest` takes the shared FutexLock and updates the
 * analysis region directly, so it is simple and exact, and it serialises
 * every recording thread on one lock word: exactly the bottleneck the
 * `AtomicMetricsCollector` removes.
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
import { validateResult } from "./_validate.ts";

/**
 * A collector that takes a lock on every `recordRequest` (the baseline).
 * Its memory is one `SharedArrayBuffer`, shareable with Workers through
 * `share()` and `attachCollector()`.
 *
 * @example
 * ```ts
 * import { MutexMetricsCollector } from "@lunge/metrics";
 *
 * const collector = new MutexMetricsCollector({ timeSeriesCapacity: 60 });
 * collector.recordRequest({ startTime: Date.now(), duration: 8, statusCode: 200, bytes: 128 });
 * console.log(collector.getSnapshot().totalRequests); // 1
 * collector.close();
 * ```
 */
export class MutexMetricsCollector implements SharedMetricsCollector {
  /** Always "mutex". */
  readonly kind = "mutex" as const;
  #core: CollectorCore;
  #closed = false;

  /** A new collector sized by `options` (see {@linkcode CollectorOptions}). */
  constructor(options?: CollectorOptions) {
    this.#core = new CollectorCore("mutex", options);
  }

  /** Record one request, under the lock. */
  recordRequest(result: RequestResult): void {
    validateResult(result);
    const core = this.#core;
    if (this.#closed) throw core.closedError();
    const error = core.errorIndex(result.error);
    const name = core.nameIndex(result.name);
    core.lock.lock();
    try {
      core.analysis.add(
        result.startTime,
        result.duration,
        result.bytes,
        result.statusCode,
        error,
        name,
      );
    } finally {
      core.lock.unlock();
    }
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

  /** Nothing to publish: every call already wrote under the lock. */
  flush(): void {}

  /** Stop recording from this thread (there are no timers); reading still works. */
  close(): void {
    this.#closed = true;
  }
}
