/**
 * Private helper of `lunge compare`: how much slow drift from second to
 * second widens a run's standard error, beyond what resampling seconds
 * sees. Each figure is linearized into a per-second residual series (for a
 * percentile, the requests of the second at or below the run's percentile
 * minus its share; for the error rate, failures minus the run's rate;
 * for throughput, requests minus the mean). The series' dependence is
 * modelled as AR(1): its lag-1 autocorrelation, bias-corrected for a short
 * series (Kendall: + (1 + 3 rho) / T), gives the finite-run variance
 * factor of a mean, `g = 1 + 2 sum_k (1 - k/T) rho^k`, and the effective
 * number of independent seconds, `T / g`, the t test's degrees of freedom.
 *
 * That plain AR(1) plug-in, and a Newey-West (Bartlett kernel) estimate
 * with Andrews' AR(1) plug-in bandwidth, are the calibration's other
 * candidates; the default, {@linkcode driftWidening}, models each
 * second's residual as AR(1) drift plus within-second sampling noise of
 * known (binomial or Poisson) variance.
 *
 * @module
 */
import { bucketEdgesNs, type SampleSecond } from "./_run_sample.ts";

/** Highest autocorrelation the AR(1) plug-in uses (a run cannot tell a slower drift from a trend). */
export const RHO_MAX = 0.95;

/** The AR(1) variance factor of a mean of `t` seconds: `1 + 2 sum_{k<t} (1 - k/t) rho^k`. */
export function ar1Factor(rho: number, t: number): number {
  let g = 1, r = 1;
  for (let k = 1; k < t; k++) {
    r *= rho;
    g += 2 * (1 - k / t) * r;
  }
  return g;
}

/** Lag-1 autocorrelation of `e` (about its mean), or 0 for fewer than 3 values or no variance. */
export function lagOneCorrelation(e: ArrayLike<number>): number {
  const n = e.length;
  if (n < 3) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += e[i];
  mean /= n;
  let c0 = 0, c1 = 0;
  for (let i = 0; i < n; i++) {
    const x = e[i] - mean;
    c0 += x * x;
    if (i + 1 < n) c1 += x * (e[i + 1] - mean);
  }
  return c0 > 0 ? c1 / c0 : 0;
}

/** How a figure's resampled-seconds variance is widened, and the test's degrees of freedom. */
export interface Widening {
  /** Multiplies the variance of the seconds-resampled (independent seconds) bootstrap. */
  factor: number;
  /** Degrees of freedom of the widened standard error. */
  df: number;
  /** The autocorrelation used. */
  rho: number;
  /** The drift's share of the series' variance (`"drift"` only). */
  drift?: number;
}

/**
 * AR(1) plug-in: from the residual series `e` of one figure, the factor
 * that turns the variance of a bootstrap resampling seconds one by one
 * (with its `T / (T - 1)` correction) into the variance of the figure
 * under AR(1) dependence, and `T / g - 1` degrees of freedom (at least 1).
 * The sum of squares about the mean loses `g / T` of the variance to the
 * mean itself, so the factor is `(T - 1) g / (T - g)`.
 */
export function ar1Widening(e: ArrayLike<number>): Widening {
  const t = e.length;
  if (t < 3) return { factor: 1, df: Math.max(0, t - 1), rho: 0 };
  const raw = lagOneCorrelation(e);
  let rho = Math.min(RHO_MAX, Math.max(0, raw + (1 + 3 * raw) / t));
  let g = ar1Factor(rho, t);
  while (t - g < 1 && rho > 0) g = ar1Factor(rho -= 0.01, t);
  return { factor: ((t - 1) * g) / (t - g), df: Math.max(1, t / g - 1), rho };
}

/**
 * AR(1) drift under known within-second noise (the default): a second's
 * residual is the drift of its level (AR(1), variance `s2`, correlation
 * `rho`) plus sampling noise of known variance `noise` (binomial or
 * Poisson, from the second's requests; at most the observed variance).
 * The noise does not carry over, so `rho = gamma_1 / (gamma_0 - noise)`,
 * not the lag-1 autocorrelation of the series (which the noise dilutes),
 * bias-corrected for a short series (Kendall: + (1 + 3 rho) / T). The
 * mean's variance is `V = (noise + s2 g) / T`, `s2` from the variance
 * about the run's own mean (short by `V`), `g` at most `T / 2`.
 * Degrees of freedom: `gamma_0 / V - 1`, the effective independent seconds
 * less one. `fixedRho`, when given, is used instead of the series' own
 * (a run's figures share one drift: its ρ is best read from the series
 * the drift dominates).
 */
export function driftWidening(e: ArrayLike<number>, noise: number, fixedRho?: number): Widening {
  const t = e.length;
  if (t < 3) return { factor: 1, df: Math.max(0, t - 1), rho: 0 };
  let mean = 0;
  for (let i = 0; i < t; i++) mean += e[i];
  mean /= t;
  let c0 = 0, c1 = 0;
  for (let i = 0; i < t; i++) {
    c0 += (e[i] - mean) ** 2;
    if (i + 1 < t) c1 += (e[i] - mean) * (e[i + 1] - mean);
  }
  c0 /= t;
  c1 /= t;
  if (!(c0 > 0)) return { factor: 1, df: t - 1, rho: 0 };
  const n2 = Math.min(Math.max(0, noise), c0);
  const excess = c0 - n2;
  const raw = excess > 0 ? c1 / excess : 0;
  const rho = fixedRho ??
    Math.min(RHO_MAX, Math.max(0, raw + (1 + 3 * Math.max(0, raw)) / t));
  // At most half the run's seconds lost to the mean (g <= T / 2).
  const g = Math.min(ar1Factor(rho, t), t / 2);
  // E[c0] = n2 + s2 - V, V = (n2 + s2 g) / T: solved for s2.
  const s2 = Math.max(0, (excess + n2 / t) / (1 - g / t));
  const v = (n2 + s2 * g) / t;
  return {
    factor: Math.max(1, (v * (t - 1)) / c0),
    df: Math.max(1, (n2 + s2) / v - 1),
    rho,
    drift: s2 / c0,
  };
}

/**
 * Newey-West (Bartlett kernel) long-run variance over the plain variance of
 * `e`, with Andrews' AR(1) plug-in bandwidth `1.1447 (a T)^(1/3)`,
 * `a = 4 rho^2 / ((1 - rho)^2 (1 + rho)^2)`; degrees of freedom `3 T / M`
 * (the Bartlett kernel's equivalent degrees of freedom), at least 1.
 */
export function bartlettWidening(e: ArrayLike<number>): Widening {
  const t = e.length;
  if (t < 3) return { factor: 1, df: Math.max(0, t - 1), rho: 0 };
  const rho = Math.min(RHO_MAX, Math.max(0, lagOneCorrelation(e)));
  const a = (4 * rho * rho) / ((1 - rho) ** 2 * (1 + rho) ** 2);
  const m = Math.min(t - 1, Math.max(1, 1.1447 * Math.cbrt(a * t)));
  let mean = 0;
  for (let i = 0; i < t; i++) mean += e[i];
  mean /= t;
  const gamma = (k: number) => {
    let s = 0;
    for (let i = 0; i + k < t; i++) s += (e[i] - mean) * (e[i + k] - mean);
    return s / t;
  };
  const g0 = gamma(0);
  let omega = g0;
  for (let k = 1; k < m + 1 && k < t; k++) omega += 2 * (1 - k / (m + 1)) * gamma(k);
  const factor = g0 > 0 ? Math.max(1, omega / g0) : 1;
  return { factor, df: Math.max(1, (3 * t) / m), rho };
}

/** Requests of `s` at or below `ms` (linear inside the bucket holding it). */
function countAtOrBelow(s: SampleSecond, ms: number): number {
  const ns = ms * 1e6;
  let c = 0;
  const { index, counts } = s.buckets;
  for (let k = 0; k < index.length; k++) {
    const [lo, hi] = bucketEdgesNs(index[k]);
    if (hi <= ns) c += counts[k];
    else if (lo < ns) c += counts[k] * ((ns - lo) / (hi - lo));
    else break;
  }
  return c;
}

/**
 * Per second: requests at or below the percentile `ms` minus the run's
 * share `f` of its requests; and the mean binomial variance of that count,
 * `n f (1 - f)`, were a second's requests independent given its level.
 */
export function percentileResiduals(
  seconds: SampleSecond[],
  ms: number,
  f: number,
): { e: Float64Array; noise: number } {
  let noise = 0;
  const e = Float64Array.from(seconds, (s) => {
    let n = 0;
    for (const c of s.buckets.counts) n += c;
    noise += n * f * (1 - f);
    return countAtOrBelow(s, ms) - f * n;
  });
  return { e, noise: noise / Math.max(1, seconds.length) };
}
