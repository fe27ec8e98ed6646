/**
 * The bucket layout every `LatencyHistogram` (and every collector's
 * histogram) shares, stated as HdrHistogram's parameters
 * ({@linkcode HISTOGRAM_LAYOUT}), and the shape of one bucket
 * ({@linkcode HistogramBucket}) with its value range.
 *
 * @module
 */
import { BUCKET_COUNT } from "./_histogram.ts";
import { HDR_DIGITS, HDR_HIGHEST, HDR_LOWEST } from "./_hdr_encoding.ts";

/**
 * The bucket layout of every {@linkcode LatencyHistogram} (and of the
 * collectors' histograms), as HdrHistogram parameters. Values are
 * nanoseconds in the HdrHistogram encoding; the API takes and returns
 * milliseconds.
 *
 * @example Read the layout
 * ```ts
 * import { type HistogramLayout, LatencyHistogram } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const layout: HistogramLayout = LatencyHistogram.layout;
 * assert.equal(layout.significantValueDigits, 2);
 * ```
 */
export interface HistogramLayout {
  /** Unit of the values in the HdrHistogram encoding: nanoseconds. */
  readonly unit: "ns";
  /** HdrHistogram `lowestDiscernibleValue`: 1 ns. */
  readonly lowestDiscernibleValue: number;
  /** HdrHistogram `highestTrackableValue`: 2^42 - 1 ns (about 73.3 minutes). */
  readonly highestTrackableValue: number;
  /** HdrHistogram `numberOfSignificantValueDigits`: 2 (256 sub-buckets). */
  readonly significantValueDigits: number;
  /** HdrHistogram `countsArrayLength`: 4,608 buckets. */
  readonly bucketCount: number;
}

/**
 * The layout: HdrHistogram with lowest discernible value 1 ns, highest
 * trackable value 2^42 - 1 ns, 2 significant digits; 4,608 buckets, each at
 * most 1/128 of its lower edge wide (a reported percentile is within 0.4 %
 * of the exact one from 256 ns up).
 *
 * @example The parameters
 * ```ts
 * import { HISTOGRAM_LAYOUT } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * assert.equal(HISTOGRAM_LAYOUT.unit, "ns");
 * assert.equal(HISTOGRAM_LAYOUT.highestTrackableValue, 2 ** 42 - 1);
 * assert.equal(HISTOGRAM_LAYOUT.bucketCount, 4608);
 * ```
 */
export const HISTOGRAM_LAYOUT: HistogramLayout = Object.freeze({
  unit: "ns",
  lowestDiscernibleValue: HDR_LOWEST,
  highestTrackableValue: HDR_HIGHEST,
  significantValueDigits: HDR_DIGITS,
  bucketCount: BUCKET_COUNT,
});

/**
 * One non-empty bucket: HdrHistogram's value range `[lowerNs, upperNs)` and
 * its count.
 *
 * @example Buckets of 1 ms
 * ```ts
 * import { type HistogramBucket, LatencyHistogram } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const h = new LatencyHistogram();
 * h.record(1);
 * const [b]: HistogramBucket[] = h.buckets();
 * assert.equal(b.index, 1780);
 * assert.equal(b.upperNs - b.lowerNs, 4096);
 * ```
 */
export interface HistogramBucket {
  /** HdrHistogram's counts-array index. */
  index: number;
  /** Lowest value in the bucket, ns (HdrHistogram `lowestEquivalentValue`). */
  lowerNs: number;
  /** First value past the bucket, ns (HdrHistogram `nextNonEquivalentValue`). */
  upperNs: number;
  /** Samples in the bucket. */
  count: number;
}

/** HdrHistogram's `[lowestEquivalentValue, nextNonEquivalentValue)` of bucket `index`, ns. */
export function bucketBounds(index: number): [number, number] {
  if (index < 256) return [index, index + 1];
  const s = (index >> 7) - 1;
  const lower = (index - (s << 7)) * 2 ** s;
  return [lower, lower + 2 ** s];
}
