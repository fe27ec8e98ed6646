/**
 * {@linkcode LatencyStats}: the statistics of a latency distribution, as a
 * snapshot, a time-series point and a `LatencyHistogram` report
 * them. Its own module so that the histograms (which compute it) and the
 * contract's types (which carry it) both sit above it.
 *
 * @module
 */

/**
 * Latency statistics, all in milliseconds; every field is 0 when `count` is 0.
 * `min`, `max`, `mean` and `stdDev` (population) are exact; the percentiles
 * come from a log-linear histogram and are within 1 % of the exact
 * nearest-rank percentile.
 *
 * @example Reading the p99 of a snapshot
 * ```ts
 * import { createCollector, type LatencyStats } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const collector = createCollector("atomic");
 * collector.recordRequest({
 *   startTime: Date.now(),
 *   duration: 4,
 *   statusCode: 200,
 *   bytes: 0,
 * });
 * const latency: LatencyStats = collector.getSnapshot().latency;
 * assert.equal(latency.p99, 4); // one sample: exact
 * collector.close();
 * ```
 */
export interface LatencyStats {
  /** Number of samples. */
  count: number;
  /** Smallest sample. */
  min: number;
  /** Largest sample. */
  max: number;
  /** Arithmetic mean. */
  mean: number;
  /** Population standard deviation. */
  stdDev: number;
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
  /** 99.9th percentile. */
  p999: number;
}
