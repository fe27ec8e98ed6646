/**
 * {@linkcode LatencyHistogram}: the collectors' latency histogram as a value
 * of its own, to merge across threads, processes and machines, and to
 * exchange in HdrHistogram's V2 compressed encoding (the base64 text that
 * HdrHistogram's `HistogramLogProcessor`, `.hlog` interval logs and
 * hdr-histogram-js read and write).
 *
 * @module
 */
import type { LatencyStats } from "./latency_stats.ts";
import {
  bucketMidpoint,
  latencyBucket,
  mergeRecorder,
  RECORDER_WORDS,
  recorderBucket,
  recorderCount,
  recorderRange,
  recorderStats,
  recorderValueAt,
  recordLatencies,
  recordLatency,
} from "./_histogram.ts";
import { recorderProblem } from "./_recorder_check.ts";
import {
  compressV2,
  decodeV2,
  decompressV2,
  encodeV2,
  fromBase64,
  toBase64,
} from "./_hdr_encoding.ts";
import {
  bucketBounds,
  HISTOGRAM_LAYOUT,
  type HistogramBucket,
  type HistogramLayout,
} from "./histogram_layout.ts";

/**
 * A {@linkcode LatencyHistogram}'s exact state: a structured-cloneable copy
 * of its words (about 37 KB), to post to a Worker or another thread and
 * rebuild there with {@linkcode LatencyHistogram.fromState}. Unlike the
 * HdrHistogram text it keeps min, max, mean and standard deviation exact.
 * Its word layout belongs to this version of the module: treat it as
 * opaque, and do not store it (store {@linkcode LatencyHistogram.toHdrBase64}).
 *
 * @example Post a histogram's state and rebuild it
 * ```ts
 * import { LatencyHistogram, type LatencyHistogramState } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const h = new LatencyHistogram();
 * for (const ms of [1.5, 2, 250]) h.record(ms);
 * const state: LatencyHistogramState = structuredClone(h.toState());
 * const back = LatencyHistogram.fromState(state);
 * assert.deepEqual(back.stats(), h.stats());
 * ```
 */
export type LatencyHistogramState = Float64Array;

/** Copies a recorder into a histogram (set in LatencyHistogram's static block). */
let copyIn: (h: LatencyHistogram, f: Float64Array, offset: number) => void;

/**
 * A latency histogram: fixed size (4,608 float64 counts, about 37 KB),
 * exact counts, percentiles within 0.4 % (see {@linkcode HISTOGRAM_LAYOUT}),
 * mergeable exactly. Latencies are recorded and reported in milliseconds.
 *
 * Min, max, mean and standard deviation are exact for what was recorded or
 * merged here. The HdrHistogram encoding carries bucket counts only, so a
 * histogram decoded with {@linkcode LatencyHistogram.fromHdrBase64} takes
 * each bucket's midpoint as its samples' value: counts and the buckets of
 * its percentiles are identical to the original's; min, max, mean and
 * standard deviation are then within a bucket's half-width.
 *
 * @example Record, merge, percentiles
 * ```ts
 * import { LatencyHistogram } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const a = new LatencyHistogram(), b = new LatencyHistogram();
 * for (let ms = 1; ms <= 50; ms++) a.record(ms);
 * for (let ms = 51; ms <= 100; ms++) b.record(ms);
 * a.merge(b);
 * assert.equal(a.count, 100);
 * assert.ok(Math.abs(a.percentile(99) - 99) <= 99 * 0.004);
 * assert.equal(a.stats().max, 100);
 * ```
 *
 * @example HdrHistogram's base64 text, both ways
 * ```ts
 * import { LatencyHistogram } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const h = new LatencyHistogram();
 * for (const ms of [0.5, 1, 2, 400]) h.record(ms);
 * const text = await h.toHdrBase64(); // "HISTFAAAA…"
 * const back = await LatencyHistogram.fromHdrBase64(text);
 * assert.equal(back.count, 4);
 * assert.ok(Math.abs(back.percentile(100) - 400) <= 400 * 0.004);
 * ```
 */
export class LatencyHistogram {
  /** The layout of every histogram (HdrHistogram parameters, values in ns). */
  static readonly layout: HistogramLayout = HISTOGRAM_LAYOUT;
  #f = new Float64Array(RECORDER_WORDS);

  static {
    copyIn = (h, f, offset) => mergeRecorder(h.#f, 0, f, offset);
  }

  /**
   * Record one latency.
   *
   * @param ms The latency in milliseconds: finite and >= 0. Latencies of
   * 2^42 ns (about 73.3 minutes) and more are counted in the last bucket.
   * @throws {RangeError} When `ms` is not a finite number >= 0.
   *
   * @example One sample
   * ```ts
   * import { LatencyHistogram } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * const h = new LatencyHistogram();
   * h.record(12.5);
   * assert.equal(h.stats().p50, 12.5); // one sample: exact
   * assert.throws(() => h.record(-1), RangeError);
   * ```
   */
  record(ms: number): void {
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`LatencyHistogram.record: ms must be a finite number >= 0, got ${ms}`);
    }
    recordLatency(this.#f, 0, ms, latencyBucket(ms));
  }

  /**
   * Add every sample of `other` to this histogram: the result is the
   * histogram of both sets of samples, exactly (counts add bucket by bucket).
   *
   * @param other The histogram to add (unchanged).
   * @returns This histogram.
   *
   * @example Merge equals recording the union
   * ```ts
   * import { LatencyHistogram } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * const a = new LatencyHistogram();
   * const b = new LatencyHistogram();
   * const all = new LatencyHistogram();
   * for (const ms of [1, 2, 3]) a.record(ms), all.record(ms);
   * for (const ms of [4, 5]) b.record(ms), all.record(ms);
   * assert.deepEqual(a.merge(b).stats(), all.stats());
   * ```
   */
  merge(other: LatencyHistogram): this {
    if (!(other instanceof LatencyHistogram)) {
      throw new TypeError("LatencyHistogram.merge: other must be a LatencyHistogram");
    }
    mergeRecorder(this.#f, 0, other.#f, 0);
    return this;
  }

  /**
   * Number of samples.
   *
   * @returns The count.
   *
   * @example Empty
   * ```ts
   * import { LatencyHistogram } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new LatencyHistogram().count, 0);
   * ```
   */
  get count(): number {
    return recorderCount(this.#f, 0);
  }

  /**
   * The nearest-rank percentile `p` in ms: the value of the sample of rank
   * `max(1, ceil(p / 100 * count))`, reported as its bucket's midpoint
   * clamped to the exact min and max (0 when empty).
   *
   * @param p The percentile, 0..100 (99.9 for p99.9).
   * @returns The latency in ms.
   * @throws {RangeError} When `p` is not in 0..100.
   *
   * @example p75 of 1..1000 ms
   * ```ts
   * import { LatencyHistogram } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * const h = new LatencyHistogram();
   * for (let ms = 1; ms <= 1000; ms++) h.record(ms);
   * assert.ok(Math.abs(h.percentile(75) - 750) <= 750 * 0.004);
   * ```
   */
  percentile(p: number): number {
    if (typeof p !== "number" || !(p >= 0 && p <= 100)) {
      throw new RangeError(`LatencyHistogram.percentile: p must be in 0..100, got ${p}`);
    }
    const f = this.#f, n = recorderCount(f, 0);
    if (n === 0) return 0;
    const q = p * n / 100, r = Math.round(q);
    // p * n / 100 is off by an ulp for some decimal p: snap to the integer.
    const rank = Math.max(1, Math.abs(q - r) <= 1e-9 * Math.max(1, q) ? r : Math.ceil(q));
    const [low, high] = recorderRange(f, 0);
    let below = 0;
    for (let i = low; i <= high; i++) {
      below += recorderBucket(f, 0, i);
      if (below >= rank) return recorderValueAt(f, 0, i);
    }
    return recorderValueAt(f, 0, high);
  }

  /**
   * Count, min, max, mean, standard deviation and p50 … p99.9 (ms), in the
   * shape of a snapshot's `latency`.
   *
   * @returns The statistics.
   *
   * @example Mean of two
   * ```ts
   * import { LatencyHistogram } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * const h = new LatencyHistogram();
   * for (const ms of [2, 4]) h.record(ms);
   * assert.equal(h.stats().mean, 3);
   * ```
   */
  stats(): LatencyStats {
    return recorderStats(this.#f, 0);
  }

  /**
   * The non-empty buckets, lowest first, with HdrHistogram's value ranges in
   * ns (e.g. to build other bucket sets: Prometheus, plots).
   *
   * @returns One entry per non-empty bucket.
   *
   * @example The bucket of 1 ms
   * ```ts
   * import { LatencyHistogram } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * const h = new LatencyHistogram();
   * h.record(1); // 1,000,000 ns
   * const [b] = h.buckets();
   * assert.ok(b.lowerNs <= 1_000_000 && 1_000_000 < b.upperNs);
   * assert.equal(b.count, 1);
   * ```
   */
  buckets(): HistogramBucket[] {
    const f = this.#f, out: HistogramBucket[] = [];
    if (recorderCount(f, 0) === 0) return out;
    const [low, high] = recorderRange(f, 0);
    for (let i = low; i <= high; i++) {
      const count = recorderBucket(f, 0, i);
      if (count === 0) continue;
      const [lowerNs, upperNs] = bucketBounds(i);
      out.push({ index: i, lowerNs, upperNs, count });
    }
    return out;
  }

  /**
   * An independent copy.
   *
   * @returns A new histogram with the same samples.
   *
   * @example A copy is independent
   * ```ts
   * import { LatencyHistogram } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * const h = new LatencyHistogram();
   * h.record(1);
   * const c = h.clone();
   * c.record(2);
   * assert.equal(h.count, 1);
   * assert.equal(c.count, 2);
   * ```
   */
  clone(): LatencyHistogram {
    return new LatencyHistogram().merge(this);
  }

  /**
   * This histogram's exact state, a copy: structured-cloneable (post it to a
   * Worker), rebuilt with {@linkcode LatencyHistogram.fromState}.
   *
   * @returns The state (see {@linkcode LatencyHistogramState}).
   *
   * @example A copy of the state
   * ```ts
   * import { LatencyHistogram } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * const h = new LatencyHistogram();
   * h.record(4);
   * const state = h.toState();
   * h.record(8); // the state does not change with the histogram
   * assert.equal(LatencyHistogram.fromState(state).count, 1);
   * ```
   */
  toState(): LatencyHistogramState {
    return this.#f.slice();
  }

  /**
   * A histogram rebuilt from a state that {@linkcode LatencyHistogram.toState}
   * made, in this version of the module (in any thread): the same samples,
   * statistics exact. The state is checked and copied, never kept.
   *
   * @param state The state.
   * @returns The histogram.
   * @throws {TypeError} When `state` is not a `Float64Array`.
   * @throws {RangeError} Naming what is wrong, when it is not a histogram's
   * state (another length, counts that do not add up, non-finite words).
   *
   * @example Merge histograms posted by Workers
   * ```ts
   * import { LatencyHistogram } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * const a = new LatencyHistogram(), b = new LatencyHistogram();
   * a.record(1);
   * b.record(3);
   * const posted = [a.toState(), b.toState()]; // as Workers would post them
   * const all = new LatencyHistogram();
   * for (const s of posted) all.merge(LatencyHistogram.fromState(s));
   * assert.equal(all.stats().mean, 2);
   * assert.throws(() => LatencyHistogram.fromState(new Float64Array(3)), RangeError);
   * ```
   */
  static fromState(state: LatencyHistogramState): LatencyHistogram {
    if (!(state instanceof Float64Array)) {
      throw new TypeError(
        `LatencyHistogram.fromState: state must be the Float64Array toState() returns (got ${
          state === null ? "null" : typeof state
        })`,
      );
    }
    const problem = recorderProblem(state);
    if (problem !== undefined) {
      throw new RangeError(`LatencyHistogram.fromState: not a histogram's state: ${problem}`);
    }
    const h = new LatencyHistogram();
    h.#f.set(state);
    return h;
  }

  /**
   * HdrHistogram's V2 compressed encoding, base64: the text
   * `HistogramLogProcessor` (in an `.hlog`) and hdr-histogram-js's
   * `decodeFromCompressedBase64` read, values in **nanoseconds**, layout
   * {@linkcode HISTOGRAM_LAYOUT}. Asynchronous because it deflates with the
   * runtime's `CompressionStream("deflate")`.
   *
   * @returns The base64 text (starts with "HISTF").
   *
   * @example Starts with the compressed cookie
   * ```ts
   * import { LatencyHistogram } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * const h = new LatencyHistogram();
   * h.record(3);
   * assert.match(await h.toHdrBase64(), /^HISTF/);
   * ```
   */
  async toHdrBase64(): Promise<string> {
    return toBase64(await compressV2(encodeV2(this.#f, 0)));
  }

  /**
   * Decode HdrHistogram's V2 compressed encoding (base64), as written by
   * {@linkcode LatencyHistogram.toHdrBase64}, HdrHistogram (Java) or
   * hdr-histogram-js, for a histogram with lowest discernible value 1 and 2
   * significant digits, values in ns (any highest trackable value, as long
   * as no count lies at 2^42 ns or above). Each bucket's samples take the
   * bucket's midpoint as value (see the class doc).
   *
   * @param text The base64 text.
   * @returns The histogram.
   * @throws {RangeError} Naming what is wrong: not base64, not a V2
   * compressed encoding, another layout, counts beyond 2^42 ns.
   *
   * @example Refuses what it cannot read
   * ```ts
   * import { LatencyHistogram } from "@lunge/metrics";
   * import assert from "node:assert/strict";
   *
   * const bad = LatencyHistogram.fromHdrBase64("not a histogram");
   * await assert.rejects(bad, RangeError);
   * ```
   */
  static async fromHdrBase64(text: string): Promise<LatencyHistogram> {
    if (typeof text !== "string") {
      throw new RangeError("LatencyHistogram.fromHdrBase64: text must be a string");
    }
    const v2 = await decompressV2(fromBase64(text));
    const h = new LatencyHistogram();
    decodeV2(v2, (index, n) => {
      recordLatencies(h.#f, 0, { ms: bucketMidpoint(index) / 1e6, index, n });
    });
    return h;
  }
}

/**
 * A histogram holding a copy of the recorder at `offset` of `f` (for the
 * collectors; not exported from mod.ts).
 */
export function histogramOfRecorder(f: Float64Array, offset: number): LatencyHistogram {
  const h = new LatencyHistogram();
  copyIn(h, f, offset);
  return h;
}
