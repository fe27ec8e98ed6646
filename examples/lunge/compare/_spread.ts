/**
 * Private helper of `lunge compare`: how much each figure of one run would
 * move from run to run, its standard error, from the block bootstrap over
 * the run's seconds (./_statistics.ts).
 *
 * - Latency percentiles, on the log scale: the bootstrap pools the buckets
 *   of the resampled seconds and takes the interpolated percentile.
 * - Error rate (failures / requests of the resampled seconds), absolute.
 * - Throughput, on the log scale: the mean requests of the resampled whole
 *   seconds (the first and last second of a run are partial, left out).
 * - Per request name (the result has no per-name per-second histograms):
 *   the independent-requests standard error of the name's percentile (from
 *   the binomial ranks of the percentile), widened by the overall run's
 *   design effect for that percentile (block variance / independent
 *   variance, at least 1): the name is assumed to share the run's
 *   second-to-second dependence.
 *
 * @module
 */
import { blockBootstrap, Random } from "./_statistics.ts";
import { type Buckets, denseQuantiles, quantiles, type RunSample, totalOf } from "./_run_sample.ts";

/** The percentiles compared, in percent. */
export const PERCENTILES: readonly number[] = [50, 90, 95, 99, 99.9];

/** Options of {@linkcode runSpread}. */
export interface SpreadOptions {
  /** Bootstrap resamples. */
  resamples: number;
  /** The PRNG's seed. */
  seed: number;
  /** Seconds per block (default: about the square root of the seconds). */
  blockLength?: number;
}

/** The standard errors of one run's figures, with the degrees of freedom behind them. */
export interface RunSpread {
  /** Per {@linkcode PERCENTILES}: SE of ln(percentile); NaN when not judged. */
  latency: number[];
  /** Per {@linkcode PERCENTILES}: SE of ln(percentile) if requests were independent. */
  latencyIndependent: number[];
  /** Degrees of freedom of the latency and error-rate SEs (blocks - 1). */
  df: number;
  /** SE of the error rate (0..1). */
  errorRate: number;
  /** SE of ln(requests per second), and its degrees of freedom. */
  rps: number;
  /** Degrees of freedom of the throughput SE. */
  rpsDf: number;
  /** Seconds per block of the latency bootstrap. */
  blockLength: number;
  /** Why latency is not judged, when it is not. */
  latencyNotJudged?: string;
}

/**
 * SE of ln(percentile p) of `b` as if its samples were independent: half
 * the log distance between the percentiles at ranks `n p ± sqrt(n p (1-p))`
 * (the binomial spread of the rank), at least the bucket resolution.
 */
export function independentLogSe(b: Buckets, p: number): number {
  const n = totalOf(b);
  if (n < 2) return NaN;
  const f = p / 100;
  const d = Math.sqrt(f * (1 - f) / n);
  const lo = Math.max(0, f - d) * 100, hi = Math.min(1, f + d) * 100;
  const [qlo, qhi] = quantiles(b, [lo, hi]);
  const resolution = 1 / 256 / Math.sqrt(3); // a bucket is at most 1/128 of its value wide
  if (!(qlo > 0 && qhi > 0)) return NaN;
  return Math.max((Math.log(qhi) - Math.log(qlo)) / 2, resolution);
}

/** The standard errors of `run`'s figures. */
export function runSpread(run: RunSample, options: SpreadOptions): RunSpread {
  const random = new Random(options.seed);
  const seconds = run.seconds;
  const latencyIndependent = PERCENTILES.map((p) => independentLogSe(run.all, p));
  // Latency and error rate: every second.
  const positions = new Map<number, number>();
  for (const s of seconds) for (const i of s.buckets.index) positions.set(i, 0);
  const index = Int32Array.from([...positions.keys()].sort((a, b) => a - b));
  index.forEach((i, k) => positions.set(i, k));
  const at = seconds.map((s) => Int32Array.from(s.buckets.index, (i) => positions.get(i)!));
  const dense = new Float64Array(index.length);
  const both = blockBootstrap(seconds.length, (order) => {
    dense.fill(0);
    let requests = 0, failures = 0;
    for (const u of order) {
      const s = seconds[u], pos = at[u], counts = s.buckets.counts;
      for (let k = 0; k < pos.length; k++) dense[pos[k]] += counts[k];
      requests += s.requests;
      failures += s.failures;
    }
    const q = run.secondHistograms ? denseQuantiles(dense, index, PERCENTILES) : [];
    return [...q.map((x) => (x > 0 ? Math.log(x) : NaN)), requests > 0 ? failures / requests : NaN];
  }, { resamples: options.resamples, random, blockLength: options.blockLength });
  const df = both.blocks - 1;
  let latencyNotJudged: string | undefined;
  if (!run.secondHistograms) {
    latencyNotJudged = "no per-second histograms (run with --histograms-per-second)";
  } else if (df < 1) latencyNotJudged = `too few seconds (${seconds.length})`;
  const latency = latencyNotJudged
    ? PERCENTILES.map(() => NaN)
    : PERCENTILES.map((_, k) => Math.max(both.se[k], latencyIndependent[k]));
  // Throughput: whole seconds only.
  const whole = seconds.slice(1, -1).map((s) => s.requests);
  const rpsSpread = blockBootstrap(whole.length, (order) => {
    let sum = 0;
    for (const u of order) sum += whole[u];
    return [sum > 0 ? Math.log(sum / order.length) : NaN];
  }, { resamples: options.resamples, random, blockLength: options.blockLength });
  return {
    latency,
    latencyIndependent,
    df,
    errorRate: both.se[both.se.length - 1] ?? NaN,
    rps: rpsSpread.blocks > 1 ? rpsSpread.se[0] : NaN,
    rpsDf: rpsSpread.blocks - 1,
    blockLength: both.blockLength,
    latencyNotJudged,
  };
}

/** The design effect of each percentile: block variance over independent variance, at least 1. */
export function designEffects(s: RunSpread): number[] {
  return s.latency.map((se, k) => {
    const ind = s.latencyIndependent[k];
    return Number.isFinite(se) && ind > 0 ? Math.max(1, (se / ind) ** 2) : NaN;
  });
}
