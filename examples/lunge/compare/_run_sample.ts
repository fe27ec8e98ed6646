/**
 * Private helper of `lunge compare`: a run as the statistics see it, its
 * seconds (requests, failures and the latency buckets of each) and its
 * whole-run and per-name buckets, decoded from the result's HdrHistogram
 * texts; and the bucket arithmetic (HdrHistogram's index of a value, a
 * bucket's edges, interpolated quantiles of pooled buckets).
 *
 * @module
 */
import { HISTOGRAM_LAYOUT, LatencyHistogram } from "@lunge/metrics";
import type { RunResult } from "../result.ts";

/** Why two inputs do not compare; the CLI prints it as one line (exit 2). */
export class CompareError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "CompareError";
  }
}

/** HdrHistogram's bucket index of `ns` in {@linkcode HISTOGRAM_LAYOUT}, as the library records it. */
export function bucketIndexOfNs(ns: number): number {
  if (!(ns >= 0)) return 0;
  if (ns < 255.5) return Math.round(ns);
  if (ns >= HISTOGRAM_LAYOUT.highestTrackableValue) return HISTOGRAM_LAYOUT.bucketCount - 1;
  const v = Math.floor(ns);
  const s = Math.floor(Math.log2(v)) - 7;
  // v / 2^s is in [128, 256); floating log2 may be off by one at powers of two.
  const shift = v / 2 ** s >= 256 ? s + 1 : v / 2 ** s < 128 ? s - 1 : s;
  return Math.floor(v / 2 ** shift) + shift * 128;
}

/** HdrHistogram's `[lower, upper)` of bucket `index`, in ns. */
export function bucketEdgesNs(index: number): [number, number] {
  if (index < 256) return [index, index + 1];
  const s = (index >> 7) - 1;
  const lower = (index - (s << 7)) * 2 ** s;
  return [lower, lower + 2 ** s];
}

/** Sparse buckets: bucket indices (ascending) and their counts. */
export interface Buckets {
  /** HdrHistogram bucket indices, ascending. */
  index: Int32Array;
  /** Samples in each. */
  counts: Float64Array;
}

/** One second of a run. */
export interface SampleSecond {
  /** Requests completed in it. */
  requests: number;
  /** Of them, failed. */
  failures: number;
  /** Its latency buckets (empty when the run has no per-second histograms). */
  buckets: Buckets;
}

/** A run, decoded for the statistics. */
export interface RunSample {
  /** Every second of the time series, oldest first. */
  seconds: SampleSecond[];
  /** Whether the seconds carry latency buckets (`--histograms-per-second`). */
  secondHistograms: boolean;
  /** The whole run's buckets. */
  all: Buckets;
  /** Per request name. */
  byName: Record<string, Buckets>;
}

/** Buckets of a map from index to count. */
export function bucketsOf(map: Map<number, number>): Buckets {
  const keys = [...map.keys()].filter((k) => map.get(k)! > 0).sort((a, b) => a - b);
  return {
    index: Int32Array.from(keys),
    counts: Float64Array.from(keys.map((k) => map.get(k)!)),
  };
}

/** The buckets of an HdrHistogram V2 base64 text. */
export async function decodeBuckets(text: string, what: string): Promise<Buckets> {
  let h: LatencyHistogram;
  try {
    h = await LatencyHistogram.fromHdrBase64(text);
  } catch (e) {
    throw new CompareError(
      `${what}: not a valid histogram (${e instanceof Error ? e.message : e})`,
    );
  }
  const b = h.buckets();
  return {
    index: Int32Array.from(b.map((x) => x.index)),
    counts: Float64Array.from(b.map((x) => x.count)),
  };
}

/** Total count of `b`. */
export function totalOf(b: Buckets): number {
  let n = 0;
  for (const c of b.counts) n += c;
  return n;
}

/**
 * Quantiles (ms) of buckets laid out densely over `index` positions:
 * `dense[i]` counts bucket `index[i]`. Each quantile is interpolated
 * linearly inside its bucket. `ps` ascending, in percent. NaN when empty.
 */
export function denseQuantiles(
  dense: Float64Array,
  index: Int32Array,
  ps: readonly number[],
): number[] {
  let total = 0;
  for (const c of dense) total += c;
  const out = ps.map(() => NaN);
  if (total <= 0) return out;
  let k = 0, cum = 0;
  for (let i = 0; i < dense.length && k < ps.length; i++) {
    const c = dense[i];
    if (c === 0) continue;
    while (k < ps.length && (ps[k] / 100) * total <= cum + c) {
      const [lo, hi] = bucketEdgesNs(index[i]);
      const within = Math.min(1, Math.max(0, ((ps[k] / 100) * total - cum) / c));
      out[k++] = (lo + (hi - lo) * within) / 1e6;
    }
    cum += c;
  }
  while (k < ps.length) out[k++] = bucketEdgesNs(index[index.length - 1])[1] / 1e6;
  return out;
}

/** Quantiles (ms) of sparse buckets. */
export function quantiles(b: Buckets, ps: readonly number[]): number[] {
  return denseQuantiles(b.counts, b.index, ps);
}

/** Checks `result` has what a comparison reads; `what` names it in messages. */
function checkShape(result: RunResult, what: string): void {
  if (typeof result !== "object" || result === null || typeof result.metrics !== "object") {
    throw new CompareError(`${what}: not a lunge result (no metrics)`);
  }
  if (!result.timeSeries || !Array.isArray(result.timeSeries.points)) {
    throw new CompareError(`${what}: not a lunge result (no time series)`);
  }
  const h = result.histograms;
  if (!h) {
    throw new CompareError(`${what}: has no latency histograms (written by lunge 0.1 and later)`);
  }
  if (h.encoding !== "hdr-v2-compressed-base64") {
    throw new CompareError(`${what}: histogram encoding ${JSON.stringify(h.encoding)} is unknown`);
  }
  for (const k of Object.keys(HISTOGRAM_LAYOUT) as (keyof typeof HISTOGRAM_LAYOUT)[]) {
    if (h.layout?.[k] !== HISTOGRAM_LAYOUT[k]) {
      throw new CompareError(
        `${what}: histogram layout ${k} ${h.layout?.[k]} differs from ${HISTOGRAM_LAYOUT[k]}`,
      );
    }
  }
}

/** Decodes a result (single or merged) into a {@linkcode RunSample}; throws {@linkcode CompareError}. */
export async function sampleOfResult(result: RunResult, what: string): Promise<RunSample> {
  checkShape(result, what);
  const h = result.histograms!;
  const all = await decodeBuckets(h.all, `${what}: histograms.all`);
  const byName: Record<string, Buckets> = {};
  for (const [name, text] of Object.entries(h.byName ?? {})) {
    byName[name] = await decodeBuckets(text, `${what}: histograms.byName[${name}]`);
  }
  const perSecond = new Map<number, Buckets>();
  for (const s of h.perSecond ?? []) {
    perSecond.set(s.timestamp, await decodeBuckets(s.hdr, `${what}: second ${s.timestamp}`));
  }
  const empty: Buckets = { index: new Int32Array(0), counts: new Float64Array(0) };
  const seconds: SampleSecond[] = result.timeSeries.points.map((p) => ({
    requests: p.requests,
    failures: p.failures,
    buckets: perSecond.get(p.timestamp) ?? empty,
  }));
  // A histogram second outside the time series keeps its latencies (as a second of its own).
  const inSeries = new Set(result.timeSeries.points.map((p) => p.timestamp));
  for (const [timestamp, buckets] of perSecond) {
    if (!inSeries.has(timestamp)) {
      seconds.push({ requests: totalOf(buckets), failures: 0, buckets });
    }
  }
  return { seconds, secondHistograms: h.perSecond !== undefined, all, byName };
}
