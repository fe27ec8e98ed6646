/**
 * Private helper of `lunge compare`: the statistics its verdict rests on. A
 * seeded PRNG, Student's t distribution (CDF and quantile, from the
 * regularized incomplete beta function), and the circular block bootstrap
 * over seconds that gives each run's standard error of a statistic.
 *
 * Why a block bootstrap over seconds: requests of one run are not
 * independent (a slow second makes many slow requests; the latency level
 * drifts from second to second), so a test that treats every request as an
 * independent draw (Mann-Whitney or KS over the pooled buckets) sees far
 * more information than there is and flags noise as real: its p-value is
 * too small. Resampling whole seconds, in blocks of consecutive seconds,
 * keeps the within-second and short-range between-second dependence, so
 * the standard error reflects how much the statistic moves from run to
 * run. The effective sample size is then the number of blocks, which is
 * what the t distribution's degrees of freedom use.
 *
 * @module
 */

/** A seeded 32-bit PRNG (SplitMix32-style mixing of a Weyl sequence): uniform [0, 1). */
export class Random {
  #state: number;

  /** A generator whose sequence depends only on `seed`. */
  constructor(seed: number) {
    this.#state = (seed >>> 0) ^ 0x9e3779b9;
  }

  /** The next uniform number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x9e3779b9) | 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal draw (Box-Muller). */
  normal(): number {
    const u = 1 - this.next(), v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const c = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1, d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-14) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  );
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(a, b, x)) / a
    : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** Student's t CDF with `df` (> 0, not necessarily whole) degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (!Number.isFinite(df)) return normalCdf(t);
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Two-sided p-value of `t` under Student's t with `df` degrees of freedom. */
export function twoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return Math.min(1, 2 * (1 - studentTCdf(Math.abs(t), df)));
}

/** Student's t quantile: the `t` with CDF `p` (0 < p < 1), by bisection. */
export function studentTQuantile(p: number, df: number): number {
  let lo = -1e3, hi = 1e3;
  for (let i = 0; i < 200 && hi - lo > 1e-10; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The standard normal CDF (Abramowitz-Stegun 7.1.26 through erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 -
    (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t +
        0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** What the block bootstrap of one run gives for each statistic. */
export interface BootstrapSpread {
  /** Standard error of each statistic (NaN where a resample could not compute it). */
  se: number[];
  /** Independent blocks: the effective sample size (degrees of freedom + 1). */
  blocks: number;
  /** Seconds per block. */
  blockLength: number;
}

/** Options of {@linkcode blockBootstrap}. */
export interface BootstrapOptions {
  /** Resamples. */
  resamples: number;
  /** The generator (seeded by the caller). */
  random: Random;
  /** Seconds per block; default {@linkcode defaultBlockLength}. */
  blockLength?: number;
}

/**
 * The default block length for `units` seconds: `ceil(sqrt(units))`, but
 * short enough for 3 blocks, at least 1. Long blocks keep more of the
 * drift's dependence (the calibration showed the cube root, the usual
 * choice for long series, too short for runs of tens of seconds: it flagged
 * 12 % of equal pairs at alpha 5 %); 3 blocks keep a short run judgeable.
 */
export function defaultBlockLength(units: number): number {
  return Math.max(1, Math.min(Math.ceil(Math.sqrt(units)), Math.floor(units / 3)));
}

/**
 * The circular block bootstrap of a statistic over a run's seconds:
 * `statistic(order)` computes the statistics of the seconds listed in
 * `order` (indices into the run's seconds; repeats allowed). Each resample
 * joins blocks of consecutive seconds with random starts (wrapping round at
 * the end) until it has as many seconds as the run. The standard error is
 * the resamples' standard deviation, scaled by `b / (b - 1)` in variance
 * (`b` blocks), the small-sample correction of a bootstrap of a mean.
 */
export function blockBootstrap(
  units: number,
  statistic: (order: Int32Array) => number[],
  options: BootstrapOptions,
): BootstrapSpread {
  const blockLength = Math.min(units, options.blockLength ?? defaultBlockLength(units));
  const blocks = Math.floor(units / Math.max(1, blockLength));
  const order = new Int32Array(units);
  let sums: number[] = [], squares: number[] = [], counts: number[] = [];
  for (let r = 0; r < options.resamples; r++) {
    for (let filled = 0; filled < units;) {
      const start = options.random.int(units);
      for (let k = 0; k < blockLength && filled < units; k++) {
        order[filled++] = (start + k) % units;
      }
    }
    const s = statistic(order);
    if (r === 0) [sums, squares, counts] = [s.map(() => 0), s.map(() => 0), s.map(() => 0)];
    s.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      sums[i] += v;
      squares[i] += v * v;
      counts[i]++;
    });
  }
  const correction = blocks > 1 ? blocks / (blocks - 1) : NaN;
  const se = sums.map((sum, i) => {
    const n = counts[i];
    if (n < 2) return NaN;
    const variance = Math.max(0, (squares[i] - (sum * sum) / n) / (n - 1));
    return Math.sqrt(variance * correction);
  });
  return { se, blocks, blockLength };
}

/** Welch-Satterthwaite degrees of freedom of two standard errors with their own df. */
export function welchDf(se1: number, df1: number, se2: number, df2: number): number {
  const v1 = se1 * se1, v2 = se2 * se2;
  if (v1 + v2 === 0) return Math.min(df1, df2);
  const den = (df1 > 0 ? (v1 * v1) / df1 : 0) + (df2 > 0 ? (v2 * v2) / df2 : 0);
  return den === 0 ? Math.min(df1, df2) : ((v1 + v2) ** 2) / den;
}
