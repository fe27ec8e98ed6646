/**
 * The analysis word map: every count, histogram and time-series point a
 * snapshot reports, as plain Float64 words. One instance lives in shared
 * memory (the collector's ANALYSIS region, touched only with the lock held:
 * the lock orders these plain accesses between threads, see _futex_lock.ts,
 * so nothing here can tear or be seen half-updated). The atomic collector
 * also gives each recording thread a private instance over ordinary memory:
 * its batch, which `merge` folds into the shared one.
 *
 * Float64 word map:
 *
 * | words | meaning |
 * |---|---|
 * | 0..7 | startTime, generation rate, successes, failures, bytes, first interval, last interval, clamped samples |
 * | STATUS: 1000 | count per status code 0..999 |
 * | ERRORS: maxErrorTypes + 1 | count per error string; the last is "other" |
 * | LATENCY: 1 recorder | every request (_histogram.ts) |
 * | NAMES: (maxNames + 1) recorders | per request name; the last is "other" |
 * | POINTS: capacity x 12 | time-series ring, point k at slot k % capacity: k, requests, successes, failures, bytes, latency sum, latency max, generation rate, p50, p90, p95, p99 |
 * | WINDOWS: 4 x (1 + recorder) | latency of the 4 newest intervals: k, then a recorder |
 *
 * Counts are float64 and exact to 2^53. Interval k is the wall-clock second
 * `[1000k, 1000(k + 1))` ms since the epoch that contains a request's
 * completion. An interval's percentiles come from its window while it is one
 * of the 4 newest intervals seen, and are frozen into its point when the
 * window is reused; a sample arriving later than that still counts in the
 * point's counts, mean and max, but not in its percentiles.
 *
 * @module
 */
import type { MetricsSnapshot, TimeSeriesData, TimeSeriesPoint } from "./types.ts";
import type { LatencyStats } from "./latency_stats.ts";
import {
  addLatency,
  clearRecorder,
  latencyBucket,
  MAX_TRACKABLE_MS,
  mergeRecorder,
  openRecorder,
  RECORDER_WORDS,
  recorderCount,
  recorderMax,
  recorderPercentiles,
  recorderStats,
  recorderSum,
  recordLatency,
  sealRecorder,
} from "./_histogram.ts";
import type { ResolvedOptions } from "./_options.ts";
import { checkCompletion } from "./_validate.ts";

/**
 * What a snapshot needs of a string table (error types or request names):
 * the string at an index. Declared here, by the layer that reads it, so the
 * analysis depends on no table: `StringTable` (_string_table.ts) satisfies
 * it, and the string tables sit above the layout, which sits above this.
 */
export interface StringNames {
  /** The string registered at `index` ("other" for the overflow index). */
  name(index: number): string;
}

const START = 0;
const RATE = 1;
const SUCCESSES = 2;
const FAILURES = 3;
const BYTES = 4;
const FIRST = 5;
const LAST = 6;
const CLAMPED = 7;

/** Status codes 0..999. */
const STATUS_SLOTS = 1000;
/** Float64 words of one time-series point. */
const POINT_WORDS = 12;
const P_K = 0;
const P_REQUESTS = 1;
const P_SUCCESSES = 2;
const P_FAILURES = 3;
const P_BYTES = 4;
const P_SUM = 5;
const P_MAX = 6;
const P_RATE = 7;
const P_PCT = 8; // p50, p90, p95, p99
/** Open per-interval latency windows. */
const WINDOWS = 4;
/** Intervals a thread's batch can hold at once: one per window. */
export const BATCH_INTERVALS = WINDOWS;
const WINDOW_WORDS = 1 + RECORDER_WORDS;

/**
 * The interval of a completion at `end` ms: `floor(end / 1000)`. Exact: a
 * double below `1000(k + 1)` is at least one of its own ulps below it, and
 * `ulp(end) / 1000` is more than half an ulp of the quotient (1000 < 2^10),
 * so the correctly rounded division never reaches `k + 1`. Hence
 * `[1000k, 1000k + 1000)` are the interval's exact bounds, which
 * `addToBatch` compares against instead of dividing.
 */
function secondOf(end: number): number {
  return Math.floor(end / 1000);
}

/** Float64 words an analysis with `o` occupies. */
export function analysisWords(o: ResolvedOptions): number {
  return 8 + STATUS_SLOTS + (o.maxErrorTypes + 1) + RECORDER_WORDS * (1 + o.maxNames + 1) +
    POINT_WORDS * o.timeSeriesCapacity + WINDOWS * WINDOW_WORDS;
}

/** An analysis word map over `words`, as seen from one thread. */
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
  // The previous request's interval and its point and window offsets.
  #lastK = -1;
  #lastPoint = 0;
  #lastWindow = 0;
  // A batch's current interval as its completion bounds [lo, hi) in ms (hi
  // is stored, not derived: an add before the compare measured 4-8 % slower
  // per request); empty (lo > hi) when there is none, so the first request
  // enters one. And the interval that was current
  // before it, with its point and window: the completions a thread records
  // straddle a second boundary for a while (requests that started before it
  // still finish after it), so they alternate between two intervals, which
  // this keeps out of #enterInterval. Both stay valid until the batch is
  // merged: a batch never evicts one.
  #lo = Infinity;
  #hi = -Infinity;
  #lo2 = Infinity;
  #hi2 = -Infinity;
  #point2 = 0;
  #window2 = 0;
  /**
   * The request `add` or `addToBatch` counts next: its start time and
   * duration (ms), written by the caller (see _recorder.ts for why they are
   * not arguments). Private to this thread's view, like the view itself.
   */
  readonly input: Float64Array = new Float64Array(2);

  /** View `words` (analysisWords(options) long) as an analysis. */
  constructor(words: Float64Array, options: ResolvedOptions) {
    this.#f = words;
    this.#status = 8;
    this.#errors = this.#status + STATUS_SLOTS;
    this.#latency = this.#errors + options.maxErrorTypes + 1;
    this.#names = this.#latency + RECORDER_WORDS;
    this.#points = this.#names + RECORDER_WORDS * (options.maxNames + 1);
    this.#windows = this.#points + POINT_WORDS * options.timeSeriesCapacity;
    this.#maxErrorTypes = options.maxErrorTypes;
    this.#maxNames = options.maxNames;
    this.#capacity = options.timeSeriesCapacity;
  }

  /** Zero everything and start the clock at `now` (creation and reset). */
  reset(now: number): void {
    const f = this.#f;
    f.fill(0, 0, this.#latency);
    for (let r = this.#latency; r < this.#points; r += RECORDER_WORDS) clearRecorder(f, r);
    f.fill(0, this.#points, this.#windows);
    for (let i = 0; i < this.#capacity; i++) f[this.#points + i * POINT_WORDS + P_K] = -1;
    // Whole windows: a batch's window is unsealed until merged (no count to bound a clear).
    f.fill(0, this.#windows, this.#windows + WINDOWS * WINDOW_WORDS);
    for (let w = 0; w < WINDOWS; w++) f[this.#windows + w * WINDOW_WORDS] = -1;
    this.#forgetIntervals();
    f[START] = now;
    f[FIRST] = -1;
    f[LAST] = -1;
  }

  /**
   * Count one validated request, its start time and duration in `input`,
   * into the shared analysis (lock held). `error` and `name` are
   * string-table indexes, or -1 when absent.
   * (Positional parameters rather than an options object: this runs once per
   * request and must not allocate.)
   */
  add(bytes: number, status: number, error: number, name: number): void {
    const f = this.#f;
    const startTime = this.input[0], duration = this.input[1];
    const k = secondOf(startTime + duration);
    // Most requests complete in the same second as the previous one: reuse
    // its point and window offsets (checked, so a reset or reuse is seen).
    let p = this.#lastPoint, w = this.#lastWindow;
    if (k !== this.#lastK || f[p + P_K] !== k || f[w] !== k) {
      // A second not in the series yet: check the clock window before anything is counted.
      if (f[this.#points + (k % this.#capacity) * POINT_WORDS + P_K] !== k) {
        checkCompletion(startTime, duration, k);
      }
      w = this.#windows + (k % WINDOWS) * WINDOW_WORDS;
      const wk = f[w];
      p = this.#point(k);
      if (p >= 0 && wk !== k) {
        if (wk > k) p = -p - 1; // late: count in the point, not in its window
        else {
          this.#freeze(w);
          f[w] = k;
        }
      }
      if (p >= 0) {
        this.#lastK = k;
        this.#lastPoint = p;
        this.#lastWindow = w;
      }
    }
    const failed = error >= 0 || status === 0 || status >= 400;
    if (failed) f[FAILURES]++;
    else f[SUCCESSES]++;
    f[BYTES] += bytes;
    f[this.#status + status]++;
    if (error >= 0) f[this.#errors + error]++;
    if (duration >= MAX_TRACKABLE_MS) f[CLAMPED]++;
    const bucket = latencyBucket(duration);
    recordLatency(f, this.#latency, duration, bucket);
    if (name >= 0) this.#addName(name, bucket);
    if (p === -1) return; // older than the time-series ring
    const late = p < 0;
    if (late) p = -p - 1;
    f[p + P_REQUESTS]++;
    if (failed) f[p + P_FAILURES]++;
    else f[p + P_SUCCESSES]++;
    f[p + P_BYTES] += bytes;
    f[p + P_SUM] += duration;
    if (duration > f[p + P_MAX]) f[p + P_MAX] = duration;
    if (!late) recordLatency(f, w + 1, duration, bucket);
  }

  /**
   * Count one validated request, its start time and duration in `input`,
   * into this thread's batch (private memory).
   *
   * A batch records each request once: its failure and bytes in its
   * interval's point, its latency in the interval's window (and its name's
   * recorder); `merge` derives totals, requests, sums and maxima from them.
   * A batch holds at most 4 intervals (one per window) and never evicts one:
   * when a request's window or point slot holds another interval, it counts
   * nothing and returns false, and the owner merges the batch and retries.
   */
  addToBatch(bytes: number, status: number, error: number, name: number): boolean {
    const f = this.#f;
    const startTime = this.input[0], duration = this.input[1];
    const end = startTime + duration;
    // The current or the previous interval: compares, no division.
    let p = this.#lastPoint, w = this.#lastWindow;
    if (!(end >= this.#lo && end < this.#hi)) {
      if (end >= this.#lo2 && end < this.#hi2) {
        p = this.#point2;
        w = this.#window2;
      } else {
        w = this.#enterInterval(startTime, duration);
        if (w < 0) return false;
        p = this.#lastPoint;
      }
    }
    f[this.#status + status]++;
    if (error >= 0) f[this.#errors + error]++;
    if (error >= 0 || status === 0 || status >= 400) f[p + P_FAILURES]++;
    f[p + P_BYTES] += bytes;
    if (duration >= MAX_TRACKABLE_MS) f[CLAMPED]++;
    const bucket = latencyBucket(duration);
    addLatency(f, w + 1, duration, bucket); // the window is sealed at the merge
    if (name >= 0) this.#addName(name, bucket);
    return true;
  }

  /**
   * Count the duration in `input` (bucket `bucket`) into name `name`'s
   * recorder. A method of its own that takes no fractional argument: when
   * V8 does not inline it, nothing is boxed (see _recorder.ts).
   */
  #addName(name: number, bucket: number): void {
    recordLatency(this.#f, this.#names + name * RECORDER_WORDS, this.input[1], bucket);
  }

  /**
   * Make the second of the completion `startTime + duration` the batch's
   * current interval (its point, its window, its bounds), the current one
   * its previous. Returns the window's offset, or -1 when the slots hold
   * another interval. Throws, before anything is counted, when the second is
   * outside the clock window (_validate.ts). Kept out of
   * `addToBatch`, which runs it once per second of completions, so that the
   * per-request code stays small enough for V8 to inline whole.
   */
  #enterInterval(startTime: number, duration: number): number {
    const f = this.#f;
    const k = secondOf(startTime + duration);
    const w = this.#windows + (k % WINDOWS) * WINDOW_WORDS;
    const p = this.#points + (k % this.#capacity) * POINT_WORDS;
    if (f[w] !== k || f[p + P_K] !== k) {
      // A second new to the batch: room for it, then the clock window.
      if ((f[w] !== k && f[w] >= 0) || (f[p + P_K] !== k && f[p + P_K] >= 0)) return -1;
      checkCompletion(startTime, duration, k);
      f[w] = k;
      f[p + P_K] = k;
      openRecorder(f, w + 1, duration);
    }
    this.#lo2 = this.#lo;
    this.#hi2 = this.#hi;
    this.#point2 = this.#lastPoint;
    this.#window2 = this.#lastWindow;
    this.#lastPoint = p;
    this.#lastWindow = w;
    this.#lo = k * 1000;
    this.#hi = k * 1000 + 1000;
    return w;
  }

  /** A batch holds no interval (created, reset or merged). */
  #forgetIntervals(): void {
    this.#lo = Infinity;
    this.#hi = -Infinity;
    this.#lo2 = Infinity;
    this.#hi2 = -Infinity;
  }

  /**
   * Fold a thread's batch (see `addToBatch`) into this analysis (lock held),
   * then empty the batch. Costs O(buckets the batch touched), not
   * O(requests).
   */
  merge(batch: Analysis): void {
    const f = this.#f, b = batch.#f;
    for (let i = this.#status; i < this.#latency; i++) f[i] += b[i]; // status and error counts
    f[CLAMPED] += b[CLAMPED];
    for (let i = 0; i <= this.#maxNames; i++) {
      const r = this.#names + i * RECORDER_WORDS;
      if (recorderCount(b, r) > 0) mergeRecorder(f, r, b, r);
    }
    for (let i = 0; i < WINDOWS; i++) {
      const bw = batch.#windows + i * WINDOW_WORDS;
      const k = b[bw];
      if (k < 0) continue;
      sealRecorder(b, bw + 1); // filled by addLatency: derive its count and range
      const bp = batch.#points + (k % batch.#capacity) * POINT_WORDS;
      const requests = recorderCount(b, bw + 1);
      const failures = b[bp + P_FAILURES], bytes = b[bp + P_BYTES];
      f[SUCCESSES] += requests - failures;
      f[FAILURES] += failures;
      f[BYTES] += bytes;
      mergeRecorder(f, this.#latency, b, bw + 1);
      const p = this.#point(k);
      if (p < 0) continue; // older than the time-series ring: totals only
      f[p + P_REQUESTS] += requests;
      f[p + P_SUCCESSES] += requests - failures;
      f[p + P_FAILURES] += failures;
      f[p + P_BYTES] += bytes;
      f[p + P_SUM] += recorderSum(b, bw + 1);
      if (recorderMax(b, bw + 1) > f[p + P_MAX]) f[p + P_MAX] = recorderMax(b, bw + 1);
      const w = this.#windows + i * WINDOW_WORDS;
      if (f[w] !== k) {
        if (f[w] > k) continue; // late: k's percentiles are frozen already
        this.#freeze(w);
        f[w] = k;
      }
      mergeRecorder(f, w + 1, b, bw + 1);
    }
    batch.#clearBatch();
  }

  /** Empty a batch: only what it can have touched is cleared. */
  #clearBatch(): void {
    const f = this.#f;
    this.#forgetIntervals();
    f[CLAMPED] = 0;
    f.fill(0, this.#status, this.#latency);
    for (let r = this.#names; r < this.#points; r += RECORDER_WORDS) {
      if (recorderCount(f, r) > 0) clearRecorder(f, r);
    }
    for (let i = 0; i < WINDOWS; i++) {
      const w = this.#windows + i * WINDOW_WORDS;
      const k = f[w];
      if (k < 0) continue;
      const p = this.#points + (k % this.#capacity) * POINT_WORDS;
      f.fill(0, p, p + POINT_WORDS);
      f[p + P_K] = -1;
      clearRecorder(f, w + 1);
      f[w] = -1;
    }
  }

  /**
   * Run `read` on the latency recorder of every request (`name` -1) or of
   * request name index `name` (lock held).
   */
  readLatency<T>(name: number, read: (f: Float64Array, offset: number) => T): T {
    return read(this.#f, name < 0 ? this.#latency : this.#names + name * RECORDER_WORDS);
  }

  /**
   * Run `read` on the latency recorder of interval k (its window), or
   * return undefined when k's window is not open: only the 4 newest
   * intervals have one (lock held).
   */
  readWindow<T>(k: number, read: (f: Float64Array, offset: number) => T): T | undefined {
    if (k < 0) return undefined;
    const w = this.#windows + (k % WINDOWS) * WINDOW_WORDS;
    return this.#f[w] === k ? read(this.#f, w + 1) : undefined;
  }

  /** Remember the generation rate, now and in the current interval. */
  setGenerationRate(rate: number, now: number): void {
    const f = this.#f;
    f[RATE] = rate;
    const p = this.#point(Math.floor(now / 1000));
    if (p >= 0) f[p + P_RATE] = rate;
  }

  /** Everything counted, as the contract's snapshot (names from the string tables). */
  snapshot(
    now: number,
    context: { errors: StringNames; names: StringNames; unflushedRequests: number },
  ): MetricsSnapshot {
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
      if (n > 0) errorsByType[context.errors.name(e)] = n;
    }
    const byName: Record<string, LatencyStats> = {};
    for (let i = 0; i <= this.#maxNames; i++) {
      const r = this.#names + i * RECORDER_WORDS;
      if (recorderCount(f, r) > 0) byName[context.names.name(i)] = recorderStats(f, r);
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
      clampedSamples: f[CLAMPED],
      unflushedRequests: context.unflushedRequests,
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
    const timestamp = k * 1000;
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
    const w = this.#windows + (k % WINDOWS) * WINDOW_WORDS;
    const pct = f[w] === k
      ? recorderPercentiles(f, w + 1)
      : [f[p + P_PCT], f[p + P_PCT + 1], f[p + P_PCT + 2], f[p + P_PCT + 3]];
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
