/**
 * The analysis region: every count, histogram and time-series point a
 * snapshot reports, as plain Float64 words in shared memory. Both collectors
 * use it; every method must be called with the collector's lock held (the
 * lock orders these plain accesses between threads, see futex_lock.ts), so
 * nothing here can tear or be seen half-updated.
 *
 * Float64 word map (from the region's start):
 *
 * | words | meaning |
 * |---|---|
 * | 0..7 | startTime, generation rate, successes, failures, bytes, first interval, last interval, spare |
 * | STATUS: 1000 | count per status code 0..999 |
 * | ERRORS: maxErrorTypes + 1 | count per error string; the last is "other" |
 * | LATENCY: 1 recorder | every request (histogram.ts) |
 * | NAMES: (maxNames + 1) recorders | per request name; the last is "other" |
 * | POINTS: capacity x 12 | time-series ring, point k at slot k % capacity: k, requests, successes, failures, bytes, latency sum, latency max, generation rate, p50, p90, p95, p99 |
 * | WINDOWS: 4 x (1 + recorder) | latency of the 4 newest intervals: k, then a recorder |
 *
 * Counts are float64 and exact to 2^53. Interval k covers
 * `[startTime + 1000k, startTime + 1000(k + 1))` of completion time; a
 * request completing before startTime (in flight across a reset) counts in
 * interval 0. An interval's percentiles come from its window while it is one
 * of the 4 newest intervals seen, and are frozen into its point when its
 * window is reused; a sample arriving later than that still counts in the
 * point's counts, mean and max, but not in its percentiles.
 *
 * @module
 */
import type { LatencyStats, MetricsSnapshot, TimeSeriesData, TimeSeriesPoint } from "./types.ts";
import {
  clearRecorder,
  latencyBucket,
  RECORDER_WORDS,
  recorderCount,
  recorderPercentiles,
  recorderStats,
  recordLatency,
} from "./histogram.ts";
import { type Layout, POINT_WORDS, STATUS_SLOTS, WINDOWS } from "./_layout.ts";
import type { StringTable } from "./_string_table.ts";

const START = 0;
const RATE = 1;
const SUCCESSES = 2;
const FAILURES = 3;
const BYTES = 4;
const FIRST = 5;
const LAST = 6;

// Point words.
const P_K = 0;
const P_REQUESTS = 1;
const P_SUCCESSES = 2;
const P_FAILURES = 3;
const P_BYTES = 4;
const P_SUM = 5;
const P_MAX = 6;
const P_RATE = 7;
const P_PCT = 8; // p50, p90, p95, p99

const WINDOW_WORDS = 1 + RECORDER_WORDS;

/** The analysis region of one collector, as seen from one thread. */
export class Analysis {
  #f: Float64Array;
  #status: number;
  #errors: number;
  #latency: number;
  #names: number;
  #points: number;
  #windows: number;
  #maxErrorTypes: number;
  #maxNames: number;
  #capacity: number;
  #errorTable: StringTable;
  #nameTable: StringTable;

  constructor(
    buffer: SharedArrayBuffer,
    parts: { layout: Layout; errorTable: StringTable; nameTable: StringTable },
  ) {
    const { layout } = parts;
    const o = layout.options;
    this.#f = new Float64Array(buffer, layout.analysis, layout.analysisWords);
    this.#status = 8;
    this.#errors = this.#status + STATUS_SLOTS;
    this.#latency = this.#errors + o.maxErrorTypes + 1;
    this.#names = this.#latency + RECORDER_WORDS;
    this.#points = this.#names + RECORDER_WORDS * (o.maxNames + 1);
    this.#windows = this.#points + POINT_WORDS * o.timeSeriesCapacity;
    this.#maxErrorTypes = o.maxErrorTypes;
    this.#maxNames = o.maxNames;
    this.#capacity = o.timeSeriesCapacity;
    this.#errorTable = parts.errorTable;
    this.#nameTable = parts.nameTable;
  }

  /** Zero everything and start the clock at `now` (creation and reset). */
  reset(now: number): void {
    const f = this.#f;
    f.fill(0, 0, this.#latency);
    for (let r = this.#latency; r < this.#points; r += RECORDER_WORDS) clearRecorder(f, r);
    f.fill(0, this.#points, this.#windows);
    for (let i = 0; i < this.#capacity; i++) f[this.#points + i * POINT_WORDS + P_K] = -1;
    for (let w = 0; w < WINDOWS; w++) {
      const at = this.#windows + w * WINDOW_WORDS;
      clearRecorder(f, at + 1);
      f[at] = -1;
    }
    f[START] = now;
    f[FIRST] = -1;
    f[LAST] = -1;
  }

  /**
   * Count one validated request. `error` and `name` are string-table
   * indexes, or -1 when absent. (Six positional parameters rather than an
   * options object: this runs once per request and must not allocate.)
   */
  add(
    startTime: number,
    duration: number,
    bytes: number,
    status: number,
    error: number,
    name: number,
  ): void {
    const f = this.#f;
    const failed = error >= 0 || status === 0 || status >= 400;
    if (failed) f[FAILURES]++;
    else f[SUCCESSES]++;
    f[BYTES] += bytes;
    f[this.#status + status]++;
    if (error >= 0) f[this.#errors + error]++;
    const bucket = latencyBucket(duration);
    recordLatency(f, this.#latency, duration, bucket);
    if (name >= 0) recordLatency(f, this.#names + name * RECORDER_WORDS, duration, bucket);

    const k = this.#interval(startTime + duration);
    const p = this.#point(k);
    if (p < 0) return;
    f[p + P_REQUESTS]++;
    if (failed) f[p + P_FAILURES]++;
    else f[p + P_SUCCESSES]++;
    f[p + P_BYTES] += bytes;
    f[p + P_SUM] += duration;
    if (duration > f[p + P_MAX]) f[p + P_MAX] = duration;
    const w = this.#windows + (k % WINDOWS) * WINDOW_WORDS;
    if (f[w] !== k) {
      if (f[w] > k) return; // late: this interval's window was already reused
      this.#freeze(w);
      f[w] = k;
    }
    recordLatency(f, w + 1, duration, bucket);
  }

  /** Remember the generation rate, now and in the current interval. */
  setGenerationRate(rate: number, now: number): void {
    const f = this.#f;
    f[RATE] = rate;
    const p = this.#point(this.#interval(now));
    if (p >= 0) f[p + P_RATE] = rate;
  }

  /** Everything counted, as the contract's snapshot. */
  snapshot(now: number): MetricsSnapshot {
    const f = this.#f;
    const startTime = f[START];
    const successfulRequests = f[SUCCESSES];
    const failedRequests = f[FAILURES];
    const totalRequests = successfulRequests + failedRequests;
    const totalBytes = f[BYTES];
    const elapsed = Math.max(0, now - startTime);
    const seconds = elapsed / 1000;
    const requestsPerSecond = seconds > 0 ? totalRequests / seconds : 0;
    const statusCodes: Record<string, number> = {};
    const errorsByStatus: Record<string, number> = {};
    for (let s = 0; s < STATUS_SLOTS; s++) {
      const n = f[this.#status + s];
      if (n === 0) continue;
      statusCodes[s] = n;
      if (s >= 400) errorsByStatus[s] = n;
    }
    const errorsByType: Record<string, number> = {};
    for (let e = 0; e <= this.#maxErrorTypes; e++) {
      const n = f[this.#errors + e];
      if (n > 0) errorsByType[this.#errorTable.name(e)] = n;
    }
    const byName: Record<string, LatencyStats> = {};
    for (let i = 0; i <= this.#maxNames; i++) {
      const r = this.#names + i * RECORDER_WORDS;
      if (recorderCount(f, r) > 0) byName[this.#nameTable.name(i)] = recorderStats(f, r);
    }
    const rate = f[RATE];
    return {
      timestamp: now,
      startTime,
      elapsed,
      totalRequests,
      successfulRequests,
      failedRequests,
      totalBytes,
      requestsPerSecond,
      bytesPerSecond: seconds > 0 ? totalBytes / seconds : 0,
      errorRate: totalRequests > 0 ? failedRequests / totalRequests : 0,
      latency: recorderStats(f, this.#latency),
      statusCodes,
      errorsByStatus,
      errorsByType,
      byName,
      generation: { rate, efficiency: rate > 0 ? requestsPerSecond / rate : 0 },
      droppedSamples: 0,
    };
  }

  /** The 1-second series over the covered span, newest `capacity` points, no gaps. */
  timeSeries(): TimeSeriesData {
    const f = this.#f;
    const last = f[LAST];
    const points: TimeSeriesPoint[] = [];
    if (last < 0) return { interval: 1000, points };
    const from = Math.max(f[FIRST], last - this.#capacity + 1);
    for (let k = from; k <= last; k++) points.push(this.#pointView(k));
    return { interval: 1000, points };
  }

  #pointView(k: number): TimeSeriesPoint {
    const f = this.#f;
    const p = this.#points + (k % this.#capacity) * POINT_WORDS;
    const timestamp = f[START] + k * 1000;
    if (f[p + P_K] !== k) {
      return {
        timestamp,
        requests: 0,
        successes: 0,
        failures: 0,
        bytes: 0,
        requestsPerSecond: 0,
        errorRate: 0,
        latency: { mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 },
        generationRate: 0,
      };
    }
    const requests = f[p + P_REQUESTS];
    let pct: number[];
    const w = this.#windows + (k % WINDOWS) * WINDOW_WORDS;
    if (f[w] === k) pct = recorderPercentiles(f, w + 1);
    else pct = [f[p + P_PCT], f[p + P_PCT + 1], f[p + P_PCT + 2], f[p + P_PCT + 3]];
    return {
      timestamp,
      requests,
      successes: f[p + P_SUCCESSES],
      failures: f[p + P_FAILURES],
      bytes: f[p + P_BYTES],
      requestsPerSecond: requests,
      errorRate: requests > 0 ? f[p + P_FAILURES] / requests : 0,
      latency: {
        mean: requests > 0 ? f[p + P_SUM] / requests : 0,
        p50: pct[0],
        p90: pct[1],
        p95: pct[2],
        p99: pct[3],
        max: f[p + P_MAX],
      },
      generationRate: f[p + P_RATE],
    };
  }

  /** The interval of a completion time (clamped to 0). */
  #interval(t: number): number {
    const k = Math.floor((t - this.#f[START]) / 1000);
    return k > 0 ? k : 0;
  }

  /** The word offset of point k, starting it if needed; -1 if k is older than the ring. */
  #point(k: number): number {
    const f = this.#f;
    const p = this.#points + (k % this.#capacity) * POINT_WORDS;
    if (f[p + P_K] === k) return p;
    const last = f[LAST];
    if (f[p + P_K] > k || k <= last - this.#capacity) return -1;
    f.fill(0, p, p + POINT_WORDS);
    f[p + P_K] = k;
    if (k > last) f[LAST] = k;
    if (f[FIRST] < 0 || k < f[FIRST]) f[FIRST] = k;
    return p;
  }

  /** Freeze the window at `w` into its point's percentiles, and clear it. */
  #freeze(w: number): void {
    const f = this.#f;
    const k = f[w];
    if (k < 0) return;
    const p = this.#points + (k % this.#capacity) * POINT_WORDS;
    if (f[p + P_K] === k && recorderCount(f, w + 1) > 0) {
      const pct = recorderPercentiles(f, w + 1);
      for (let i = 0; i < 4; i++) f[p + P_PCT + i] = pct[i];
    }
    clearRecorder(f, w + 1);
  }
}
