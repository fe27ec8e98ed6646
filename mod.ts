/**
 * Lunge metrics: a load-test metrics collector over `SharedArrayBuffer`,
 * shared by Deno Web Workers, in two implementations behind one interface:
 *
 * - {@linkcode AtomicMetricsCollector}: `recordRequest` is lock-free (a
 *   per-thread ring published with one `Atomics.store`), analysed in batches;
 * - {@linkcode MutexMetricsCollector}: a lock on every call, the baseline.
 *
 * {@linkcode createCollector} picks one (argument, else the
 * `LUNGE_COLLECTOR` environment variable, else atomic);
 * {@linkcode attachCollector} joins one from a Worker. Counts are exact from
 * any number of threads; latency percentiles are within 1 %; memory is fixed
 * at construction.
 *
 * @example Main thread and a Worker recording into one collector
 * ```ts ignore
 * import { createCollector } from "@lunge/metrics";
 *
 * const collector = createCollector(); // atomic unless LUNGE_COLLECTOR=mutex
 * const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
 * worker.postMessage(collector.share()); // the worker calls attachCollector(handle)
 * // ... later, after the worker has flushed:
 * const s = collector.getSnapshot();
 * console.log(s.totalRequests, s.requestsPerSecond, s.latency.p99);
 * worker.terminate();
 * collector.close();
 * ```
 *
 * @module
 */
export type {
  CollectorHandle,
  CollectorKind,
  CollectorOptions,
  LatencyStats,
  MetricsCollector,
  MetricsSnapshot,
  RequestResult,
  SharedMetricsCollector,
  TimeSeriesData,
  TimeSeriesPoint,
} from "./src/types.ts";
export { AtomicMetricsCollector } from "./src/atomic_collector.ts";
export { MutexMetricsCollector } from "./src/mutex_collector.ts";
export { attachCollector, collectorKindFromEnv, createCollector } from "./src/create_collector.ts";
