/**
 * The check of a recorder that came from elsewhere (a
 * `LatencyHistogram.fromState` state posted by another thread): every word
 * finite, the counts integers that add up, the bucket range and min/max
 * consistent. Cold path only; the recorders themselves never check.
 *
 * @module
 */
import { BUCKET_COUNT, RECORDER_HEAD, RECORDER_WORDS } from "./_histogram.ts";

/**
 * Why the words `f` are not one recorder's (layout in _histogram.ts), or
 * undefined when they are: for a recorder that came from elsewhere (another
 * thread or process), checked before it is merged or read.
 */
export function recorderProblem(f: Float64Array): string | undefined {
  const { COUNT, SHIFT, SUM_SQ, MIN, MAX, LOW, HIGH, BUCKETS } = RECORDER_HEAD;
  if (f.length !== RECORDER_WORDS) return `${f.length} words, not ${RECORDER_WORDS}`;
  for (let i = 0; i < RECORDER_WORDS; i++) {
    if (!Number.isFinite(f[i])) return `word ${i} is ${f[i]}`;
  }
  const count = f[COUNT];
  if (!Number.isSafeInteger(count) || count < 0) return `count ${count} is not an integer >= 0`;
  if (count === 0) {
    for (let i = 0; i < RECORDER_WORDS; i++) if (f[i] !== 0) return `empty, but word ${i} is set`;
    return undefined;
  }
  const low = f[LOW], high = f[HIGH];
  if (!Number.isInteger(low) || !Number.isInteger(high) || low < 0 || low > high) {
    return `bucket range ${low}..${high} is not one`;
  }
  if (high >= BUCKET_COUNT) return `bucket range ${low}..${high} is past ${BUCKET_COUNT - 1}`;
  if (f[BUCKETS + low] === 0 || f[BUCKETS + high] === 0) {
    return `bucket range ${low}..${high} does not start and end on counted buckets`;
  }
  let n = 0;
  for (let i = 0; i < BUCKET_COUNT; i++) {
    const b = f[BUCKETS + i];
    if (!Number.isInteger(b) || b < 0) return `bucket ${i} holds ${b}, not an integer >= 0`;
    if (b > 0 && (i < low || i > high)) return `bucket ${i} is outside the range ${low}..${high}`;
    n += b;
  }
  if (n !== count) return `the buckets hold ${n} samples, the count says ${count}`;
  const min = f[MIN], max = f[MAX], shift = f[SHIFT];
  if (!(min >= 0 && min <= shift && shift <= max)) {
    return `min ${min}, first sample ${shift} and max ${max} are out of order`;
  }
  if (f[SUM_SQ] < 0) return `sum of squares ${f[SUM_SQ]} is negative`;
  return undefined;
}
