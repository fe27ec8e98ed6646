/**
 * Private helper of `lunge compare`: how much each figure of one run would
 * move from run to run, its standard error: a bootstrap over the run's
 * seconds (./_statistics.ts; seconds one by one by default), its variance
 * widened for drift between seconds (./_long_run.ts: AR(1) drift, one ρ
 * per run read from the figure the drift dominates most, plus the
 * within-second binomial or Poisson noise).
 *
 * - Latency percentiles, on the log scale: the bootstrap pools the buckets
 *   of the resampled seconds and takes the interpolated percentile.
 * - Error rate (failures / requests of the resampled seconds), absolute.
 * - Throughput, on the log scale: the mean requests of the resampled whole
 *   seconds (the first and last second of a run are partial, left out).
 * - Per request name (the result has no per-name per-second histograms):
 *   the independent-requests standard error of the name's percentile (from
 *   the binomial ranks of the percentile), widened by the overall run's
 *   design effect for that percentile (widened variance / independent
 *   variance, at least 1): the name is assumed to share the run's
 *   second-to-second dependence.
 *
 * @module
 */
import { blockBootstrap, Random } from "./_statistics.ts";
import {
  ar1Widening,
  bartlettWidening,
  driftWidening,
  percentileResiduals,
  RHO_MAX,
  type Widening,
} from "./_long_run.ts";
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
  /**
   * How dependence between seconds is accounted for: `"drift"` (default;
   * seconds resampled one by one, widened by AR(1) drift under known
   * within-second noise, ./_long_run.ts), `"ar1"` (widened by the plain
   * AR(1) plug-in), `"bartlett"` (by Newey-West), or `"block"` (the block
   * bootstrap alone, blocks of `blockLength`).
   */
  method?: SpreadMethod;
  /** `"drift"`: the ρ to use (default: the run's own, {@linkcode driftRho}). */
  rho?: number;
}

/** How a run's spread accounts for dependence between seconds. */
export type SpreadMethod = "drift" | "ar1" | "bartlett" | "block";

/** The standard errors of one run's figures, with the degrees of freedom behind them. */
export interface RunSpread {
  /** Per {@linkcode PERCENTILES}: SE of ln(percentile); NaN when not judged. */
  latency: number[];
  /** Per {@linkcode PERCENTILES}: SE of ln(percentile) if requests were independent. */
  latencyIndependent: number[];
  /** Degrees of freedom of the latency and error-rate SEs (the smallest of them). */
  df: number;
  /** Per {@linkcode PERCENTILES}: degrees of freedom of the latency SE. */
  latencyDf: number[];
  /** SE of the error rate (0..1). */
  errorRate: number;
  /** Degrees of freedom of the error-rate SE. */
  errorRateDf: number;
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

type Series = { e: ArrayLike<number>; noise: number } | null;

/** Each figure's per-second residuals and their within-second noise (./_long_run.ts). */
function residualSeries(run: RunSample, wanted: boolean) {
  const seconds = run.seconds;
  const series: Series[] = [...PERCENTILES, "error rate"].map(() => null);
  // Throughput: whole seconds only; Poisson noise (a count varies by its mean, at most as seen).
  const whole = seconds.slice(1, -1).map((s) => s.requests);
  if (!wanted) return { series, rpsSeries: null, whole };
  const pooled = quantiles(run.all, PERCENTILES);
  if (run.secondHistograms) {
    PERCENTILES.forEach((p, k) => {
      if (pooled[k] > 0) series[k] = percentileResiduals(seconds, pooled[k], p / 100);
    });
  }
  let requests = 0, failures = 0;
  for (const s of seconds) [requests, failures] = [requests + s.requests, failures + s.failures];
  const rate = requests > 0 ? failures / requests : 0;
  series[PERCENTILES.length] = {
    e: seconds.map((s) => s.failures - rate * s.requests),
    noise: (requests / Math.max(1, seconds.length)) * rate * (1 - rate),
  };
  const meanRps = whole.reduce((a, x) => a + x, 0) / Math.max(1, whole.length);
  const rpsSeries: Series = whole.length >= 3
    ? { e: whole.map((x) => x - meanRps), noise: meanRps }
    : null;
  return { series, rpsSeries, whole };
}

/** One ρ for a run: that of the figure whose variance the drift dominates most. */
function sharedRho(series: Series[], rpsSeries: Series): number | undefined {
  let best = -1, shared: number | undefined;
  for (const x of [...series, rpsSeries]) {
    if (!x) continue;
    const w = driftWidening(x.e, x.noise);
    if ((w.drift ?? 0) > best) [best, shared] = [w.drift ?? 0, w.rho];
  }
  return shared;
}

/**
 * The drift's ρ of `run` (AR(1), read from the figure the drift dominates
 * most), and how much of that figure's variance is drift; a comparison
 * averages the two runs' ρ (one test config, one dependence) for both.
 */
export function driftRho(run: RunSample): number | undefined {
  const { series, rpsSeries } = residualSeries(run, true);
  return sharedRho(series, rpsSeries);
}

/**
 * The drift's ρ both runs use (method `"drift"`): the mean of each run's
 * (two runs of one test share their dependence; one run's 20 or so seconds
 * read ρ loosely, SD about 0.2), plus one standard error of that mean,
 * `sqrt((1 - ρ²) / seconds)`: an underestimated ρ is what makes a drift
 * look like a change, so the calibration chose the cautious side
 * (bench/engine/compare_calibration.ts).
 */
export function pairRho(
  samples: [RunSample, RunSample],
  method: SpreadMethod = "drift",
): number | undefined {
  if (method !== "drift") return undefined;
  const r = samples.map(driftRho).filter((x): x is number => x !== undefined);
  if (!r.length) return undefined;
  const rho = r.reduce((a, x) => a + x, 0) / r.length;
  const seconds = Math.min(...samples.map((s) => s.seconds.length)) * r.length;
  return Math.min(RHO_MAX, rho + Math.sqrt(Math.max(0, 1 - rho * rho) / seconds));
}

/** The standard errors of `run`'s figures. */
export function runSpread(run: RunSample, options: SpreadOptions): RunSpread {
  const random = new Random(options.seed);
  const seconds = run.seconds;
  const method = options.method ?? "drift";
  const blockLength = method === "block" ? options.blockLength : 1;
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
  }, { resamples: options.resamples, random, blockLength });
  const { series, rpsSeries, whole } = residualSeries(run, method !== "block");
  const shared = method === "drift" ? options.rho ?? sharedRho(series, rpsSeries) : undefined;
  const widen = (x: { e: ArrayLike<number>; noise: number } | null): Widening | null =>
    x === null
      ? null
      : method === "drift"
      ? driftWidening(x.e, x.noise, shared)
      : method === "ar1"
      ? ar1Widening(x.e)
      : bartlettWidening(x.e);
  const blockDf = both.blocks - 1;
  const widenings = series.map(widen);
  const se = both.se.map((x, k) => x * Math.sqrt(widenings[k]?.factor ?? 1));
  const dfs = both.se.map((_, k) => widenings[k]?.df ?? blockDf);
  const latencyDf = dfs.slice(0, PERCENTILES.length);
  const df = Math.min(...dfs);
  let latencyNotJudged: string | undefined;
  if (!run.secondHistograms) {
    latencyNotJudged = "no per-second histograms (run with --histograms-per-second)";
  } else if (seconds.length < 3 || blockDf < 1) {
    latencyNotJudged = `too few seconds (${seconds.length})`;
  }
  const latency = latencyNotJudged
    ? PERCENTILES.map(() => NaN)
    : PERCENTILES.map((_, k) => Math.max(se[k], latencyIndependent[k]));
  const rpsSpread = blockBootstrap(whole.length, (order) => {
    let sum = 0;
    for (const u of order) sum += whole[u];
    return [sum > 0 ? Math.log(sum / order.length) : NaN];
  }, { resamples: options.resamples, random, blockLength });
  const rpsWidening = widen(rpsSeries);
  return {
    latency,
    latencyIndependent,
    df,
    latencyDf,
    errorRate: se[se.length - 1] ?? NaN,
    errorRateDf: dfs[dfs.length - 1] ?? blockDf,
    rps: rpsSpread.blocks > 1 ? rpsSpread.se[0] * Math.sqrt(rpsWidening?.factor ?? 1) : NaN,
    rpsDf: rpsWidening?.df ?? rpsSpread.blocks - 1,
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
