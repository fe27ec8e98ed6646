/**
 * The public contract: the records a load generator hands to a collector and
 * the views a collector gives back. Both collectors satisfy
 * {@linkcode MetricsCollector}; every shape here is fixed by the project's
 * contract.
 *
 * @module
 */
import type { LatencyStats } from "./latency_stats.ts";
import type { LatencyHistogram } from "./latency_histogram.ts";

/**
 * One finished request, as the load generator hands it to a collector.
 *
 * A request is **failed** when `error` is set, or `statusCode` is 0, or
 * `statusCode >= 400`; otherwise it is successful.
 *
 * Valid ranges (anything else throws a `TypeError` or `RangeError` naming
 * the field, and records nothing): `startTime` epoch milliseconds
 * (`Date.now()`, not `performance.now()` or seconds) whose completion,
 * `startTime + duration`, is at most 60 s ahead of and 1 h behind the wall
 * clock; `duration` finite milliseconds >= 0; `statusCode` an integer
 * 0..999; `bytes` an integer 0 .. 2^53 - 1; `error` and `name` absent or
 * non-empty strings. Each field is read exactly once.
 *
 * @example A successful and a failed request
 * ```ts
 * import { createCollector, type RequestResult } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const ok: RequestResult = {
 *   startTime: Date.now(), // epoch milliseconds
 *   duration: 12.5, // milliseconds, not seconds
 *   statusCode: 200,
 *   bytes: 512,
 *   name: "home",
 * };
 * const refused: RequestResult = {
 *   startTime: Date.now(),
 *   duration: 0.3,
 *   statusCode: 0,
 *   bytes: 0,
 *   error: "connection refused",
 * };
 * const collector = createCollector();
 * collector.recordRequest(ok);
 * collector.recordRequest(refused);
 * const s = collector.getSnapshot();
 * assert.equal(s.successfulRequests, 1);
 * assert.deepEqual(s.errorsByType, { "connection refused": 1 });
 * collector.close();
 * ```
 */
export interface RequestResult {
  /** When the request started (for open-model executors: when it was
   * *scheduled* to start), in ms since the Unix epoch, fractional allowed. */
  startTime: number;
  /** Response time in ms, fractional (µs resolution is meaningful). */
  duration: number;
  /** HTTP status code, or 0 when no response arrived. */
  statusCode: number;
  /** Bytes received for this request, integer >= 0: whatever the load
   * generator counts (the engine in examples/ counts the response's status
   * line, headers and body as they came off the wire). */
  bytes: number;
  /** Why the request failed without a usable response ("timeout",
   * "connection refused", …). Absent on a response. */
  error?: string;
  /** Optional request name, for per-name latency statistics. */
  name?: string;
}

/**
 * A consistent, point-in-time view of everything a collector has counted.
 *
 * @example Reading the headline figures
 * ```ts
 * import { createCollector, type MetricsSnapshot } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const collector = createCollector();
 * const now = Date.now();
 * for (const status of [200, 200, 200, 503]) {
 *   collector.recordRequest({
 *     startTime: now,
 *     duration: 10,
 *     statusCode: status,
 *     bytes: 100,
 *   });
 * }
 * const s: MetricsSnapshot = collector.getSnapshot();
 * assert.equal(s.totalRequests, 4);
 * assert.equal(s.errorRate, 0.25);
 * assert.deepEqual(s.statusCodes, { "200": 3, "503": 1 });
 * assert.equal(s.unflushedRequests, 0);
 * collector.close();
 * ```
 */
export interface MetricsSnapshot {
  /** Epoch ms when the snapshot was taken. */
  timestamp: number;
  /** Epoch ms the collection started (creation or the last reset). */
  startTime: number;
  /** Ms from `startTime` to `timestamp`. */
  elapsed: number;
  /** Every recorded request. Always `successfulRequests + failedRequests`. */
  totalRequests: number;
  /** Requests with a status in 1..399 and no error. */
  successfulRequests: number;
  /** Requests with an error, status 0, or status >= 400. */
  failedRequests: number;
  /** Sum of `RequestResult.bytes`. */
  totalBytes: number;
  /** `totalRequests` / elapsed seconds. */
  requestsPerSecond: number;
  /** `totalBytes` / elapsed seconds. */
  bytesPerSecond: number;
  /** `failedRequests / totalRequests`, 0..1 (0 when nothing was recorded). */
  errorRate: number;
  /** Latency over every recorded request. */
  latency: LatencyStats;
  /** Every status seen (including 0) -> count. */
  statusCodes: Record<string, number>;
  /** Statuses >= 400 -> count. */
  errorsByStatus: Record<string, number>;
  /** `RequestResult.error` -> count; strings past `maxErrorTypes` count as "other". */
  errorsByType: Record<string, number>;
  /** Latency per `RequestResult.name`; names past `maxNames` count as "other". */
  byName: Record<string, LatencyStats>;
  /** What the load generator reported through `recordGenerationRate`. */
  generation: {
    /** Last value passed to `recordGenerationRate`. */
    rate: number;
    /** How much of the generated load was completed and recorded:
     * `requestsPerSecond / rate`, where `requestsPerSecond` is this
     * snapshot's whole-run average (1 = every generated request recorded
     * at the same pace; 0 when rate is 0). */
    efficiency: number;
  };
  /** Latency samples lost before analysis (counts stay exact). Both
   * collectors in this module never drop a sample, so this is always 0. */
  droppedSamples: number;
  /** Samples whose duration was at or above the histogram's range
   * (2^42 ns, about 73.3 minutes): counted everywhere, but their latency is
   * clamped to the top of the range in the percentiles (min, max, mean and
   * stdDev stay exact). The 1 % percentile bound holds while this is 0. */
  clampedSamples: number;
  /** Atomic collector: requests other threads have recorded but not yet
   * merged into the shared memory (their batches). While they run this is
   * data in transit; once every writer has ended, a value above 0 means a
   * thread ended without `close()` or `flush()`, and those requests are
   * missing from every other figure. Always 0 for the mutex collector. */
  unflushedRequests: number;
}

/**
 * One 1-second interval of a {@linkcode TimeSeriesData}. A request belongs to
 * the interval containing its completion, `startTime + duration`.
 *
 * @example Finding the busiest second
 * ```ts
 * import { createCollector, type TimeSeriesPoint } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const collector = createCollector();
 * const second = Math.floor(Date.now() / 1000) * 1000;
 * collector.recordRequest({
 *   startTime: second - 1000,
 *   duration: 3,
 *   statusCode: 200,
 *   bytes: 10,
 * });
 * collector.recordRequest({
 *   startTime: second,
 *   duration: 3,
 *   statusCode: 200,
 *   bytes: 10,
 * });
 * collector.recordRequest({
 *   startTime: second,
 *   duration: 5,
 *   statusCode: 200,
 *   bytes: 10,
 * });
 * const points: TimeSeriesPoint[] = collector.getTimeSeries().points;
 * const busiest = points.reduce((a, b) => (b.requests > a.requests ? b : a));
 * assert.equal(busiest.timestamp, second);
 * assert.equal(busiest.requestsPerSecond, 2);
 * collector.close();
 * ```
 */
export interface TimeSeriesPoint {
  /** Epoch ms at the start of this 1-second interval. */
  timestamp: number;
  /** Requests completed in this interval. */
  requests: number;
  /** Successful requests completed in this interval. */
  successes: number;
  /** Failed requests completed in this interval. */
  failures: number;
  /** Bytes of the requests completed in this interval. */
  bytes: number;
  /** `requests` per second of this interval. */
  requestsPerSecond: number;
  /** `failures / requests` (0 when empty). */
  errorRate: number;
  /** Latency of this interval's requests only (ms). */
  latency: {
    /** Mean latency. */
    mean: number;
    /** Median latency. */
    p50: number;
    /** 90th percentile. */
    p90: number;
    /** 95th percentile. */
    p95: number;
    /** 99th percentile. */
    p99: number;
    /** Largest latency. */
    max: number;
  };
  /** Last generation rate recorded in this interval (0 if none). */
  generationRate: number;
}

/**
 * A 1-second time series, oldest point first, without gaps.
 *
 * @example A series without gaps
 * ```ts
 * import { createCollector, type TimeSeriesData } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const collector = createCollector();
 * const second = Math.floor(Date.now() / 1000) * 1000;
 * collector.recordRequest({
 *   startTime: second - 3000,
 *   duration: 1,
 *   statusCode: 200,
 *   bytes: 1,
 * });
 * collector.recordRequest({
 *   startTime: second,
 *   duration: 1,
 *   statusCode: 200,
 *   bytes: 1,
 * });
 * const series: TimeSeriesData = collector.getTimeSeries();
 * assert.equal(series.interval, 1000);
 * assert.deepEqual(series.points.map((p) => p.requests), [1, 0, 0, 1]);
 * collector.close();
 * ```
 */
export interface TimeSeriesData {
  /** Interval length in ms (1000). */
  interval: number;
  /** Oldest first, at most `timeSeriesCapacity` points. */
  points: TimeSeriesPoint[];
}

/**
 * The interface both implementations satisfy: the seed's `MetricsCollector`.
 *
 * @example Recording through the interface
 * ```ts
 * import { createCollector, type MetricsCollector } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const shared = createCollector();
 * const collector: MetricsCollector = shared;
 * collector.recordRequest({
 *   startTime: Date.now(),
 *   duration: 1.25,
 *   statusCode: 200,
 *   bytes: 42,
 * });
 * collector.recordGenerationRate(200);
 * assert.equal(collector.getSnapshot().totalRequests, 1);
 * assert.equal(collector.getSnapshot().generation.rate, 200);
 * collector.reset();
 * assert.equal(collector.getSnapshot().totalRequests, 0);
 * shared.close();
 * ```
 */
export interface MetricsCollector {
  /** Record one finished request. Throws a `TypeError`/`RangeError` naming
   * the field on invalid input, and then changes nothing. */
  recordRequest(result: RequestResult): void;
  /** Record the rate (requests/s) at which the load generator issued requests. */
  recordGenerationRate(rate: number): void;
  /** A consistent view of everything counted so far. */
  getSnapshot(): MetricsSnapshot;
  /** The 1-second time series. */
  getTimeSeries(): TimeSeriesData;
  /** Forget everything counted so far and restart the clock. */
  reset(): void;
}

/**
 * The two implementations: `"atomic"` (no lock on the common path of
 * `recordRequest`) and `"mutex"` (a lock on every call, the baseline).
 *
 * @example Choosing the kind
 * ```ts
 * import { type CollectorKind, createCollector } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const kind: CollectorKind = "mutex";
 * const collector = createCollector(kind);
 * assert.equal(collector.kind, "mutex");
 * collector.close();
 * ```
 */
export type CollectorKind = "atomic" | "mutex";

/**
 * Sizes fixed at construction; the collector's memory never grows after.
 *
 * @example A collector for a 10-minute test
 * ```ts
 * import { createCollector, type CollectorOptions } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const options: CollectorOptions = { timeSeriesCapacity: 600, maxNames: 16 };
 * const collector = createCollector("atomic", options);
 * assert.throws(() => createCollector("atomic", { maxNames: 5000 }), RangeError);
 * collector.close();
 * ```
 */
export interface CollectorOptions {
  /** Atomic collector: requests a thread holds in its private batch before
   * it tries to merge them into the shared memory. The merge is attempted
   * without waiting (a batch holds aggregates, so it can keep counting if
   * the lock is busy; nothing is ever dropped).
   * @default {10_000} (1 .. 16_777_216) */
  batchSize?: number;
  /** 1-second points kept (the newest).
   * @default {3_600} (1 .. 604_800) */
  timeSeriesCapacity?: number;
  /** Distinct error strings kept; the rest count as "other".
   * @default {64} (0 .. 1_000) */
  maxErrorTypes?: number;
  /** Distinct request names kept; the rest count as "other".
   * @default {64} (0 .. 1_000) */
  maxNames?: number;
  /** Atomic collector: how often (ms) each thread's timer tries to merge its
   * batch (0: no timer; merges happen on a full batch, `flush()`, `close()`
   * and when the thread reads).
   * @default {100} (0 .. 3_600_000) */
  flushIntervalMs?: number;
  /** Atomic collector: threads that may record at once into one collector
   * (each holds a writer slot from its first record until `close()`).
   * @default {256} (1 .. 65_536) */
  maxWriters?: number;
  /** The longest (ms) any call waits for the collector's lock before it
   * throws an error saying the lock is held by a thread that stopped.
   * @default {5_000} (1 .. 3_600_000) */
  lockTimeoutMs?: number;
}

/**
 * A structured-cloneable handle to a collector's shared memory: post it to a
 * Worker and pass it to `attachCollector` there.
 *
 * @example A handle joins the same memory
 * ```ts
 * import {
 *   attachCollector,
 *   type CollectorHandle,
 *   createCollector,
 * } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const collector = createCollector();
 * const handle: CollectorHandle = collector.share(); // post this to a Worker
 * const attached = attachCollector(handle); // in the Worker
 * attached.recordRequest({
 *   startTime: Date.now(),
 *   duration: 2,
 *   statusCode: 200,
 *   bytes: 1,
 * });
 * attached.close(); // merges its batch
 * assert.equal(collector.getSnapshot().totalRequests, 1);
 * collector.close();
 * ```
 */
export interface CollectorHandle {
  /** Which implementation wrote the memory. */
  readonly kind: CollectorKind;
  /** The whole collector state. */
  readonly buffer: SharedArrayBuffer;
}

/**
 * A collector whose memory can be shared with Web Workers.
 *
 * @example Flush and close at the end of a run
 * ```ts
 * import { createCollector, type SharedMetricsCollector } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const collector: SharedMetricsCollector = createCollector("mutex");
 * collector.recordRequest({
 *   startTime: Date.now(),
 *   duration: 2,
 *   statusCode: 503,
 *   bytes: 0,
 * });
 * collector.flush();
 * assert.deepEqual(collector.getSnapshot().errorsByStatus, { "503": 1 });
 * collector.close();
 * ```
 */
export interface SharedMetricsCollector extends MetricsCollector {
  /** Which implementation this is. */
  readonly kind: CollectorKind;
  /** A structured-cloneable handle: post it to a Worker and `attachCollector` it there. */
  share(): CollectorHandle;
  /** Publish anything this thread still holds (batched cold-path data). */
  flush(): void;
  /** Flush and stop background timers; the collector may still be read, but
   * no longer records. */
  close(): void;
  /**
   * A copy of the latency histogram of every request so far, or of the
   * requests named `name` (an empty one for a name never recorded), this
   * thread's own unmerged requests included: to export in HdrHistogram's
   * format, or to merge with other machines' histograms.
   *
   * @param name A request name (names past `maxNames` count as "other").
   * @returns The histogram, a copy the collector no longer touches.
   *
   * @example Per-name histograms through the interface
   * ```ts
   * import { createCollector, type SharedMetricsCollector } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * const c: SharedMetricsCollector = createCollector();
   * const startTime = Date.now();
   * for (const duration of [3, 5]) {
   *   c.recordRequest({ startTime, duration, statusCode: 200, bytes: 0, name: "home" });
   * }
   * assert.equal(c.getLatencyHistogram().count, 2);
   * assert.equal(c.getLatencyHistogram("home").stats().max, 5);
   * assert.equal(c.getLatencyHistogram("never").count, 0);
   * c.close();
   * ```
   */
  getLatencyHistogram(name?: string): LatencyHistogram;
  /**
   * A copy of the latency histogram of the 1-second interval containing
   * `time` (epoch ms), while its window is open: the 4 newest seconds seen
   * have one, so read each second within 3 seconds of its end. A request
   * counts in the second of its completion, `startTime + duration`.
   *
   * @param time Any epoch-ms time inside the wanted second.
   * @returns The histogram, or undefined when that second has no open window.
   *
   * @example The second that just passed
   * ```ts
   * import { createCollector, type SharedMetricsCollector } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * const c: SharedMetricsCollector = createCollector("mutex");
   * const now = Date.now();
   * c.recordRequest({ startTime: now - 4, duration: 4, statusCode: 200, bytes: 0 });
   * assert.equal(c.getIntervalLatencyHistogram(now)?.count, 1);
   * assert.equal(c.getIntervalLatencyHistogram(now - 60_000), undefined);
   * c.close();
   * ```
   */
  getIntervalLatencyHistogram(time: number): LatencyHistogram | undefined;
}
