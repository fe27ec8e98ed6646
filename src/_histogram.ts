/**
 * The percentile engine: a fixed-size, mergeable log-linear histogram of
 * latencies (HDR-style), stored in a `Float64Array` so it can live in shared
 * memory.
 *
 * ## Bucket arithmetic and its error bound
 *
 * A latency of `ms` milliseconds is first scaled to `x = ms * 1e6`
 * nanoseconds (a real number, not rounded).
 *
 * - For `x < 255.5` the index is `round(x)`: one bucket per nanosecond.
 * - Otherwise let `e = floor(log2 x)`. Each power of two `[2^e, 2^(e+1))` is
 *   cut into 128 equal buckets of width `w = 2^(e-7)`, and
 *
 *   ```
 *   index(x) = (e - 6) * 128 + m
 *   ```
 *
 *   where `m = floor(x / w) - 128` in `[0, 128)` is the top 7 bits of x's
 *   float64 mantissa. So the index is read straight off the number's bits
 *   (exponent and mantissa), with no logarithm, division or loop; octave
 *   `e = 8` starts at index 256, and consecutive octaves occupy consecutive
 *   runs of 128 indexes.
 *
 * A bucket covers `[lo, lo + w)` with `lo >= 128 w`. Reporting its midpoint
 * `lo + w / 2` is off from any latency in it by at most `w / 2`, so the
 * relative error is at most `(w / 2) / (128 w) = 1/256 ≈ 0.39 %` for every
 * latency from 256 ns up (below 256 ns the error is at most 1 ns). The
 * percentile reported is therefore within **0.4 %** of the exact nearest-rank
 * percentile from 256 ns up, comfortably inside the 1 % the contract promises.
 * Reported values are also clamped to the exact recorded `[min, max]`, so a
 * single sample or a constant distribution comes back exact.
 *
 * The range ends at `2^42` ns (about 73.3 minutes): 4,608 buckets. Longer
 * latencies land in the last bucket and are counted as clamped by the
 * collectors (`clampedSamples`); min, max, mean and stdDev stay exact, and
 * the 1 % bound holds for percentiles that fall inside the range.
 *
 * A worked table (ns):
 *
 * | latencies (ns)        | e  | bucket width | indexes     |
 * |-----------------------|----|--------------|-------------|
 * | 0 .. 255              | -  | 1            | 0 .. 255    |
 * | 256 .. 511            | 8  | 2            | 256 .. 383  |
 * | 512 .. 1,023          | 9  | 4            | 384 .. 511  |
 * | 1,024 .. 2,047        | 10 | 8            | 512 .. 639  |
 * | 524,288 .. 1,048,575  | 19 | 4,096        | 1664 .. 1791 (1 ms is index 1,780) |
 * | 2^41 .. 2^42 - 1      | 41 | 2^34         | 4480 .. 4607 |
 *
 * These are HdrHistogram's buckets for lowest discernible value 1 ns,
 * highest trackable value 2^42 - 1 ns and 2 significant digits (256
 * sub-buckets, the lower half of each bucket after the first being the
 * previous bucket's range): the same index for every value.
 *
 * The magic numbers of the bit arithmetic: a float64's high word holds the
 * biased exponent `E = e + 1023` in bits 20..30 and the top 7 mantissa bits
 * `m` in bits 13..19, so `((E - 1029) << 7) + m = (e - 6) * 128 + m`: 1029
 * is the bias 1023 plus 6, which puts octave 8 at index 256. Back from an
 * index, `s = (index >> 7) - 1 = e - 7` is the octave's bucket width
 * exponent (`w = 2^s`), and the bucket's low edge is
 * `(index - (s << 7)) * 2^s = (128 + m) * 2^(e - 7) = 2^e + m * w`.
 *
 * ## Recorder layout (`Float64Array` words from `offset`)
 *
 * | word | meaning |
 * |---|---|
 * | 0 | count |
 * | 1 | shift `K` (ms): the first sample recorded |
 * | 2 | sum of `x - K` |
 * | 3 | sum of `(x - K)^2` |
 * | 4 | min (ms) |
 * | 5 | max (ms) |
 * | 6 | lowest non-empty bucket index |
 * | 7 | highest non-empty bucket index |
 * | 8 .. 8 + 4607 | bucket counts |
 *
 * Mean and variance come from the shifted sums (no division per sample; a
 * constant distribution gives exactly 0 variance, and the shift keeps the
 * cancellation error negligible for latencies).
 *
 * Counts are float64: exact up to 2^53. A recorder is plain memory; the
 * collectors guard it with their lock.
 *
 * @module
 */
import type { LatencyStats } from "./latency_stats.ts";

/** Buckets per recorder. */
export const BUCKET_COUNT = 4608;
/** Latencies (ns) from here up share the last bucket. */
export const MAX_TRACKABLE_NS = 2 ** 42;
/** The same limit in ms (about 73.3 minutes): samples from here up are "clamped". */
export const MAX_TRACKABLE_MS = MAX_TRACKABLE_NS / 1e6;
/** Float64 words one recorder occupies. */
export const RECORDER_WORDS = 8 + BUCKET_COUNT;

const COUNT = 0;
const SHIFT = 1;
const SUM = 2;
const SUM_SQ = 3;
const MIN = 4;
const MAX = 5;
const LOW = 6;
const HIGH = 7;
const BUCKETS = 8;
/** The word offsets above, for code that checks a recorder from elsewhere (_recorder_check.ts). */
export const RECORDER_HEAD = { COUNT, SHIFT, SUM_SQ, MIN, MAX, LOW, HIGH, BUCKETS } as const;

// A float64's high 32 bits hold its sign, 11-bit exponent and top 20
// mantissa bits; which Int32 of the pair they are in depends on endianness.
const F64 = new Float64Array(1);
const HI32 = new Int32Array(F64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * The bucket index of a latency of `ns` nanoseconds (finite, >= 0).
 *
 * @example
 * ```ts
 * import { bucketIndex, bucketMidpoint } from "./_histogram.ts";
 *
 * bucketIndex(100); // 100: one bucket per ns below 256
 * bucketMidpoint(bucketIndex(1_000_000)); // 1_001_472: within 1/256 of 1 ms
 * ```
 */
export function bucketIndex(ns: number): number {
  if (ns < 255.5) return (ns + 0.5) | 0;
  if (ns >= MAX_TRACKABLE_NS) return BUCKET_COUNT - 1;
  F64[0] = ns;
  const hi = HI32[HI];
  // Biased exponent (e + 1023) in bits 20..30, top 7 mantissa bits in 13..19.
  return (((hi >>> 20) - 1029) << 7) + ((hi >>> 13) & 127);
}

/**
 * The midpoint (ns) of a bucket: the value a percentile in it reports.
 *
 * @example
 * ```ts
 * import { bucketMidpoint } from "./_histogram.ts";
 *
 * bucketMidpoint(256); // 257: bucket 256 covers [256, 258)
 * ```
 */
export function bucketMidpoint(index: number): number {
  if (index < 256) return index;
  const s = (index >> 7) - 1;
  return (index - (s << 7)) * 2 ** s + 2 ** s / 2;
}

/**
 * The bucket of a latency in ms (finite, >= 0).
 *
 * @example
 * ```ts
 * import { bucketIndex, latencyBucket } from "./_histogram.ts";
 *
 * latencyBucket(2.5) === bucketIndex(2_500_000); // true
 * ```
 */
export function latencyBucket(ms: number): number {
  return bucketIndex(ms * 1e6);
}

/** Zero the recorder at `offset`. */
export function clearRecorder(f: Float64Array, offset: number): void {
  // Only the touched bucket range can be non-zero.
  if (f[offset + COUNT] > 0) {
    f.fill(0, offset + BUCKETS + f[offset + LOW], offset + BUCKETS + f[offset + HIGH] + 1);
  }
  f.fill(0, offset, offset + BUCKETS);
}

/**
 * Add one latency `ms` whose bucket is `index` (see `latencyBucket`) to the
 * recorder at `offset`.
 *
 * @example Record, then read the statistics
 * ```ts
 * import {
 *   latencyBucket,
 *   RECORDER_WORDS,
 *   recorderStats,
 *   recordLatency,
 * } from "./_histogram.ts";
 *
 * const f = new Float64Array(RECORDER_WORDS);
 * for (const ms of [1, 2, 3, 4, 100]) recordLatency(f, 0, ms, latencyBucket(ms));
 * recorderStats(f, 0).p50; // 3 (within 0.4 %)
 * recorderStats(f, 0).max; // 100 (exact)
 * ```
 */
export function recordLatency(f: Float64Array, offset: number, ms: number, index: number): void {
  if (f[offset + COUNT]++ === 0) {
    f[offset + SHIFT] = ms;
    f[offset + MIN] = ms;
    f[offset + MAX] = ms;
    f[offset + LOW] = index;
    f[offset + HIGH] = index;
  } else {
    const d = ms - f[offset + SHIFT];
    f[offset + SUM] += d;
    f[offset + SUM_SQ] += d * d;
    if (ms < f[offset + MIN]) f[offset + MIN] = ms;
    else if (ms > f[offset + MAX]) f[offset + MAX] = ms;
    if (index < f[offset + LOW]) f[offset + LOW] = index;
    else if (index > f[offset + HIGH]) f[offset + HIGH] = index;
  }
  f[offset + BUCKETS + index]++;
}

/**
 * The lean path, for a thread's private batch: {@linkcode openRecorder}
 * when the first sample arrives, then {@linkcode addLatency} per sample, and
 * {@linkcode sealRecorder} before the recorder is read or merged. Per
 * sample it updates only the sums, min, max and one bucket: the count and
 * the non-empty bucket range are derived from the buckets when sealed, once
 * per merge instead of once per request.
 *
 * @example Open, add, seal, read
 * ```ts
 * import {
 *   addLatency,
 *   latencyBucket,
 *   openRecorder,
 *   RECORDER_WORDS,
 *   recorderStats,
 *   sealRecorder,
 * } from "./_histogram.ts";
 *
 * const f = new Float64Array(RECORDER_WORDS);
 * openRecorder(f, 0, 1);
 * for (const ms of [1, 2, 3, 4, 100]) addLatency(f, 0, ms, latencyBucket(ms));
 * sealRecorder(f, 0);
 * recorderStats(f, 0).count; // 5
 * ```
 */
export function openRecorder(f: Float64Array, offset: number, ms: number): void {
  f[offset + SHIFT] = ms;
  f[offset + MIN] = ms;
  f[offset + MAX] = ms;
}

/** Add one latency `ms` with bucket `index` to a recorder opened by {@linkcode openRecorder}. */
export function addLatency(f: Float64Array, offset: number, ms: number, index: number): void {
  const d = ms - f[offset + SHIFT];
  f[offset + SUM] += d;
  f[offset + SUM_SQ] += d * d;
  if (ms < f[offset + MIN]) f[offset + MIN] = ms;
  else if (ms > f[offset + MAX]) f[offset + MAX] = ms;
  f[offset + BUCKETS + index]++;
}

/**
 * Derive the count and the non-empty bucket range of a recorder filled by
 * {@linkcode addLatency}: after this it is an ordinary recorder. A recorder
 * with no sample is cleared.
 */
export function sealRecorder(f: Float64Array, offset: number): void {
  const b = offset + BUCKETS;
  let low = 0;
  while (low < BUCKET_COUNT && f[b + low] === 0) low++;
  if (low === BUCKET_COUNT) {
    f.fill(0, offset, b);
    return;
  }
  let high = BUCKET_COUNT - 1, n = 0;
  while (f[b + high] === 0) high--;
  for (let i = low; i <= high; i++) n += f[b + i];
  f[offset + COUNT] = n;
  f[offset + LOW] = low;
  f[offset + HIGH] = high;
}

/** Add every sample of the recorder `from[at..]` into the recorder `to[offset..]`. */
export function mergeRecorder(
  to: Float64Array,
  offset: number,
  from: Float64Array,
  at: number,
): void {
  const n = from[at + COUNT];
  if (n === 0) return;
  const low = from[at + LOW], high = from[at + HIGH];
  if (to[offset + COUNT] === 0) {
    to.set(from.subarray(at, at + BUCKETS), offset);
  } else {
    // Re-express the other recorder's sums around this one's shift.
    const d = from[at + SHIFT] - to[offset + SHIFT];
    const sum = from[at + SUM];
    to[offset + SUM] += sum + n * d;
    to[offset + SUM_SQ] += from[at + SUM_SQ] + 2 * d * sum + n * d * d;
    to[offset + COUNT] += n;
    if (from[at + MIN] < to[offset + MIN]) to[offset + MIN] = from[at + MIN];
    if (from[at + MAX] > to[offset + MAX]) to[offset + MAX] = from[at + MAX];
    if (low < to[offset + LOW]) to[offset + LOW] = low;
    if (high > to[offset + HIGH]) to[offset + HIGH] = high;
  }
  for (let i = low; i <= high; i++) to[offset + BUCKETS + i] += from[at + BUCKETS + i];
}

/** Percentiles a snapshot reports, in per-100,000 (so ranks are exact integers). */
const QUANTILES = [50_000, 90_000, 95_000, 99_000, 99_900] as const;

/**
 * The nearest-rank percentiles p50, p90, p95, p99 and p99.9 (ms) of the
 * recorder at `offset`. The rank of quantile `q` among `n` samples is
 * `max(1, ceil(q * n))`. The median is found walking up from the lowest
 * non-empty bucket, the others walking down from the highest (their ranks
 * are near the top), so a snapshot reads little more than half a
 * recorder's bucket range.
 */
export function recorderPercentiles(f: Float64Array, offset: number): number[] {
  const n = f[offset + COUNT];
  const out = [0, 0, 0, 0, 0];
  if (n === 0) return out;
  const b = offset + BUCKETS;
  const low = f[offset + LOW], high = f[offset + HIGH];
  // `QUANTILES[q] * n` is an exact integer below 2^53, so the division is
  // correctly rounded and `ceil` gives the exact rank.
  const rank = (q: number) => Math.max(1, Math.ceil(QUANTILES[q] * n / 100_000));
  let i = low, below = f[b + i]; // samples in buckets low..i
  const median = rank(0);
  // Four buckets a step while the rank is further away: the four loads and
  // adds are independent, so this runs at memory speed, not add latency.
  while (i + 4 <= high) {
    const four = (f[b + i + 1] + f[b + i + 2]) + (f[b + i + 3] + f[b + i + 4]);
    if (below + four >= median) break;
    below += four;
    i += 4;
  }
  while (below < median && i < high) below += f[b + ++i];
  out[0] = clampedMidpoint(f, offset, i);
  let j = high, above = 0; // samples in buckets above j
  for (let q = QUANTILES.length - 1; q > 0; q--) {
    // The sample of rank r is in bucket j when fewer than n - r + 1 lie above it.
    const fromTop = n - rank(q) + 1;
    while (j - 4 >= low) {
      const four = (f[b + j] + f[b + j - 1]) + (f[b + j - 2] + f[b + j - 3]);
      if (above + four >= fromTop) break;
      above += four;
      j -= 4;
    }
    while (above + f[b + j] < fromTop && j > low) above += f[b + j--];
    out[q] = clampedMidpoint(f, offset, j);
  }
  return out;
}

/** A bucket's midpoint in ms, clamped to the recorder's exact min and max. */
function clampedMidpoint(f: Float64Array, offset: number, index: number): number {
  const ms = bucketMidpoint(index) / 1e6;
  const min = f[offset + MIN], max = f[offset + MAX];
  return ms < min ? min : ms > max ? max : ms;
}

/** Number of samples in the recorder at `offset`. */
export function recorderCount(f: Float64Array, offset: number): number {
  return f[offset + COUNT];
}

/** Sum of the samples (ms) of the recorder at `offset`. */
export function recorderSum(f: Float64Array, offset: number): number {
  return f[offset + COUNT] * f[offset + SHIFT] + f[offset + SUM];
}

/** Largest sample (ms) of the recorder at `offset`. */
export function recorderMax(f: Float64Array, offset: number): number {
  return f[offset + MAX];
}

/** The exact-and-estimated statistics of a recorder, in the contract's shape. */
export function recorderStats(f: Float64Array, offset: number): LatencyStats {
  const count = f[offset + COUNT];
  const [p50, p90, p95, p99, p999] = recorderPercentiles(f, offset);
  const m = count > 0 ? f[offset + SUM] / count : 0;
  return {
    count,
    min: f[offset + MIN],
    max: f[offset + MAX],
    mean: count > 0 ? f[offset + SHIFT] + m : 0,
    stdDev: count > 0 ? Math.sqrt(Math.max(0, f[offset + SUM_SQ] / count - m * m)) : 0,
    p50,
    p90,
    p95,
    p99,
    p999,
  };
}

/**
 * Add `n` samples of `ms` (bucket `index`) to the recorder at `offset`: what
 * `n` calls of {@linkcode recordLatency} would do, in one step (used to
 * rebuild a recorder from bucket counts, e.g. a decoded HdrHistogram).
 */
export function recordLatencies(
  f: Float64Array,
  offset: number,
  sample: { ms: number; index: number; n: number },
): void {
  const { ms, index, n } = sample;
  if (n <= 0) return;
  recordLatency(f, offset, ms, index);
  if (n === 1) return;
  const d = ms - f[offset + SHIFT];
  f[offset + COUNT] += n - 1;
  f[offset + SUM] += (n - 1) * d;
  f[offset + SUM_SQ] += (n - 1) * d * d;
  f[offset + BUCKETS + index] += n - 1;
}

/** The count in bucket `index` of the recorder at `offset`. */
export function recorderBucket(f: Float64Array, offset: number, index: number): number {
  return f[offset + BUCKETS + index];
}

/** The lowest and highest non-empty bucket indexes of the recorder at `offset` (0, 0 when empty). */
export function recorderRange(f: Float64Array, offset: number): [number, number] {
  return [f[offset + LOW], f[offset + HIGH]];
}

/** A bucket's midpoint in ms, clamped to the recorder's exact min and max. */
export function recorderValueAt(f: Float64Array, offset: number, index: number): number {
  return clampedMidpoint(f, offset, index);
}
