/**
 * Lunge metrics: a load-test metrics collector over one `SharedArrayBuffer`,
 * shared by Workers, in two implementations behind one interface:
 *
 * - {@linkcode AtomicMetricsCollector}: `recordRequest` takes no lock on the
 *   common path (a private per-thread batch, merged now and then; its
 *   documentation states exactly when a call may wait);
 * - {@linkcode MutexMetricsCollector}: a lock on every call, the baseline.
 *
 * {@linkcode createCollector} picks one (argument, else the
 * `LUNGE_COLLECTOR` environment variable, else atomic);
 * {@linkcode attachCollector} joins one from a Worker. Counts are exact from
 * any number of threads; latency percentiles are within 1 % up to 2^42 ns
 * (about 73 minutes); memory is fixed at construction. It runs unchanged on
 * Deno, Node (>= 20, `worker_threads`) and Bun; not in browsers, whose main
 * thread may not `Atomics.wait`.
 *
 * @example A main thread and a Worker recording into one collector
 * ```ts ignore
 * // main.ts: deno run --allow-read=. main.ts
 * import { createCollector } from "@lunge/metrics";
 *
 * const collector = createCollector(); // atomic unless LUNGE_COLLECTOR=mutex
 * const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
 * const done = new Promise((resolve) => worker.onmessage = resolve);
 * worker.postMessage(collector.share()); // the handle, not the collector
 * await done; // the Worker has called close(): its batch is merged
 * worker.terminate();
 * const s = collector.getSnapshot();
 * console.log(s.totalRequests, s.latency.p99, s.unflushedRequests); // 1000 … 0
 * collector.close();
 *
 * // worker.ts
 * /// <reference lib="deno.worker" />
 * import { attachCollector, type CollectorHandle } from "@lunge/metrics";
 *
 * self.onmessage = (e: MessageEvent<CollectorHandle>) => {
 *   const collector = attachCollector(e.data);
 *   for (let i = 0; i < 1000; i++) {
 *     collector.recordRequest({ startTime: Date.now(), duration: 3, statusCode: 200, bytes: 10 });
 *   }
 *   collector.close(); // merges this thread's batch and frees its writer slot
 *   self.postMessage("done");
 * };
 * ```
 *
 * The README's two-thread example is the same program as runnable files,
 * type-checked and run by the tests (`tests/example_two_threads_test.ts`).
 *
 * @module
 */
export type {
  CollectorHandle,
  CollectorKind,
  CollectorOptions,
  MetricsCollector,
  MetricsSnapshot,
  RequestResult,
  SharedMetricsCollector,
  TimeSeriesData,
  TimeSeriesPoint,
} from "./src/types.ts";
export type { LatencyStats } from "./src/latency_stats.ts";
export { BaseMetricsCollector } from "./src/base_collector.ts";
export { AtomicMetricsCollector } from "./src/atomic_collector.ts";
export { MutexMetricsCollector } from "./src/mutex_collector.ts";
export { attachCollector, collectorKindFromEnv, createCollector } from "./src/create_collector.ts";
export { LatencyHistogram, type LatencyHistogramState } from "./src/latency_histogram.ts";
export {
  HISTOGRAM_LAYOUT,
  type HistogramBucket,
  type HistogramLayout,
} from "./src/histogram_layout.ts";
export { formatHdrLog, type HdrLogInterval } from "./src/hdr_log.ts";
export {
  PROMETHEUS_BUCKETS_SECONDS,
  type PrometheusTextOptions,
  toPrometheusText,
} from "./src/prometheus.ts";
