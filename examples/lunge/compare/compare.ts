/**
 * `lunge compare`'s core: two run results (single or merged, see
 * ../merge/merge.ts) into a {@linkcode Comparison}: each figure side by side
 * with its absolute and relative change, whether the change is real (a
 * Welch t test on block-bootstrap standard errors, ./_spread.ts), its 95 %
 * (1 - alpha) interval and a plain sentence; per request name; per scenario
 * iterations and drops; the two latency distributions for the page.
 *
 * The test: for a figure on the log scale (latency percentiles, throughput)
 * `d = ln(candidate / base)`; for the error rate `d = candidate - base`.
 * Each run's standard error comes from its own seconds (./_spread.ts): a
 * bootstrap resampling them one by one (within-second dependence, the
 * percentile's own shape), widened for drift between seconds by an AR(1)
 * model of the figure's per-second residuals whose within-second noise is
 * known (binomial or Poisson), ./_long_run.ts. Then `t = d / sqrt(se_b^2 +
 * se_c^2)` with Welch-Satterthwaite degrees of freedom from each run's
 * effective number of independent seconds. The change is real when the
 * two-sided p-value is below alpha; the interval is `d ± t_{1-alpha/2} ·
 * se`, reported as a relative change (log scale) or in percentage points.
 *
 * Assumptions: the drift between seconds is close to AR(1) (one level
 * that a run's figures share) and slower than a second; the two runs are
 * independent; each figure is near normal. What a pair of runs cannot
 * show is variation between runs beyond the drift within them (another
 * host, a warmer cache): the verdict says the candidate differs from the
 * base more than their seconds vary, not that every rerun would.
 *
 * @module
 */
import type { RunResult } from "../result.ts";
import { welchDf } from "./_statistics.ts";
import { type Figure, figure, LATENCY_METRICS, logJudged, type Metric } from "./figure.ts";
import { CompareError, quantiles, type RunSample, sampleOfResult } from "./_run_sample.ts";
import {
  designEffects,
  independentLogSe,
  pairRho,
  PERCENTILES,
  type RunSpread,
  runSpread,
  type SpreadMethod,
} from "./_spread.ts";

export { CompareError };
export { type Figure, LATENCY_METRICS, type Metric };

/** One run, as the comparison names it. */
export interface ComparedRun {
  /** The file it came from. */
  path: string;
  /** Test name. */
  name: string;
  /** ISO-8601 start. */
  startTime: string;
  /** Duration, ms. */
  duration: number;
  /** Requests. */
  requests: number;
  /** Config hash, when the result has one. */
  configHash?: string;
  /** Whether it is a `lunge merge` result. */
  merged: boolean;
  /** Seconds in its time series. */
  seconds: number;
  /** Whether it carries per-second histograms. */
  secondHistograms: boolean;
}

/** Per-scenario iterations and drops of both runs (null: not in that run). */
export interface ScenarioComparison {
  /** Scenario name. */
  name: string;
  /** Base run's iterations and dropped iterations. */
  base: { iterations: number; dropped: number } | null;
  /** Candidate run's. */
  candidate: { iterations: number; dropped: number } | null;
}

/** A CDF curve: latency (ms) and the fraction of requests at or below it. */
export type Cdf = [number, number][];

/** Everything `lunge compare` shows and writes as JSON. */
export interface Comparison {
  /** Base run. */
  base: ComparedRun;
  /** Candidate run. */
  candidate: ComparedRun;
  /** How the change's reality is judged. */
  method: { test: string; alpha: number; resamples: number; seed: number; blockLength: number };
  /** Warnings (e.g. different config hashes). */
  warnings: string[];
  /** Overall figures. */
  figures: Figure[];
  /** Per request name present in both runs. */
  byName: { name: string; figures: Figure[] }[];
  /** Names in one run only. */
  unmatchedNames: { base: string[]; candidate: string[] };
  /** Per scenario. */
  scenarios: ScenarioComparison[];
  /** The two latency distributions (whole run). */
  cdf: { base: Cdf; candidate: Cdf };
}

/** Options of {@linkcode compareResults}. */
export interface CompareOptions {
  /** Significance level; default 0.05. */
  alpha?: number;
  /** Bootstrap resamples per run; default 1000. */
  resamples?: number;
  /** PRNG seed; default 1. */
  seed?: number;
  /** Seconds per bootstrap block, for method `"block"` (default: about the square root of the run's seconds). */
  blockLength?: number;
  /** How dependence between seconds is accounted for (./_spread.ts); default `"drift"`. */
  method?: SpreadMethod;
  /**
   * Calibration only: judge as if requests were independent (binomial-rank,
   * Poisson and binomial standard errors, normal distribution), to show what
   * ignoring the dependence within a run does.
   */
  independent?: boolean;
}

/** A compared input: its file and its parsed JSON. */
export interface CompareInput {
  /** The file (for messages). */
  path: string;
  /** The result. */
  result: RunResult & { merged?: unknown };
}

function latencyValues(r: RunResult, name?: string): number[] {
  const s = name === undefined ? r.metrics.latency : r.metrics.byName[name];
  return [s.p50, s.p90, s.p95, s.p99, s.p999];
}

const rpsOf = (r: { duration: number }, count: number) =>
  r.duration > 0 ? count / (r.duration / 1000) : 0;

/** What the overall figures read of a run. */
interface Headline {
  /** Duration, ms. */
  duration: number;
  /** Requests. */
  requests: number;
  /** Error rate, 0..1. */
  errorRate: number;
  /** Per {@linkcode PERCENTILES}, ms. */
  latency: number[];
}

function headline(r: RunResult): Headline {
  const m = r.metrics;
  return {
    duration: r.duration,
    requests: m.totalRequests,
    errorRate: m.errorRate,
    latency: latencyValues(r),
  };
}

function overallFigures(
  runs: [Headline, Headline],
  spreads: [RunSpread, RunSpread],
  alpha: number,
): Figure[] {
  const [b, c] = runs, [sb, sc] = spreads;
  const lb = b.latency, lc = c.latency;
  const why = sb.latencyNotJudged
    ? `base: ${sb.latencyNotJudged}`
    : sc.latencyNotJudged
    ? `candidate: ${sc.latencyNotJudged}`
    : undefined;
  const out = LATENCY_METRICS.map((m, k) =>
    figure(
      m,
      [lb[k], lc[k]],
      why ??
        logJudged([lb[k], lc[k]], [sb.latency[k], sc.latency[k]], [
          sb.latencyDf[k],
          sc.latencyDf[k],
        ]),
      alpha,
    )
  );
  const rps: [number, number] = [rpsOf(b, b.requests), rpsOf(c, c.requests)];
  out.push(figure("rps", rps, logJudged(rps, [sb.rps, sc.rps], [sb.rpsDf, sc.rpsDf]), alpha));
  const er: [number, number] = [b.errorRate, c.errorRate];
  out.push(figure("error_rate", er, {
    d: er[1] - er[0],
    se: Math.hypot(sb.errorRate, sc.errorRate),
    df: welchDf(sb.errorRate, sb.errorRateDf, sc.errorRate, sc.errorRateDf),
    log: false,
  }, alpha));
  return out;
}

function nameFigures(
  name: string,
  runs: [RunResult, RunResult],
  samples: [RunSample, RunSample],
  spreads: [RunSpread, RunSpread],
  alpha: number,
): Figure[] {
  const [b, c] = runs, [sb, sc] = spreads;
  const lb = latencyValues(b, name), lc = latencyValues(c, name);
  const deff = [designEffects(sb), designEffects(sc)];
  const why = sb.latencyNotJudged
    ? `base: ${sb.latencyNotJudged}`
    : sc.latencyNotJudged
    ? `candidate: ${sc.latencyNotJudged}`
    : undefined;
  const out = LATENCY_METRICS.map((m, k) => {
    const se = [0, 1].map((i) =>
      independentLogSe(samples[i].byName[name], PERCENTILES[k]) * Math.sqrt(deff[i][k])
    ) as [number, number];
    return figure(
      m,
      [lb[k], lc[k]],
      why ?? logJudged([lb[k], lc[k]], se, [sb.latencyDf[k], sc.latencyDf[k]]),
      alpha,
    );
  });
  const counts = [b.metrics.byName[name].count, c.metrics.byName[name].count];
  const rps: [number, number] = [rpsOf(b, counts[0]), rpsOf(c, counts[1])];
  // The run's throughput spread plus the multinomial spread of the name's share.
  const shareSe = (i: number, s: RunSpread, total: number) =>
    Math.sqrt(s.rps ** 2 + Math.max(0, 1 - counts[i] / total) / Math.max(1, counts[i]));
  const se: [number, number] = [
    shareSe(0, sb, b.metrics.totalRequests),
    shareSe(1, sc, c.metrics.totalRequests),
  ];
  out.push(figure("rps", rps, logJudged(rps, se, [sb.rpsDf, sc.rpsDf]), alpha));
  return out;
}

/** The CDF of `sample`'s whole-run buckets: every 2 % of the body, then the tail to 99.99 %. */
function cdfOf(sample: RunSample): Cdf {
  const body = Array.from({ length: 50 }, (_, i) => i * 2);
  const tail = Array.from({ length: 37 }, (_, k) => 100 * (1 - 10 ** (-(k + 12) / 12)));
  const ps = [...new Set([...body, ...tail.filter((p) => p > 98), 100])].sort((a, b) => a - b);
  return quantiles(sample.all, ps).map((ms, i) => [ms, ps[i] / 100]);
}

function describe(input: CompareInput, sample: RunSample): ComparedRun {
  const r = input.result;
  return {
    path: input.path,
    name: r.name,
    startTime: r.startTime,
    duration: r.duration,
    requests: r.metrics.totalRequests,
    configHash: r.configHash,
    merged: r.merged !== undefined,
    seconds: sample.seconds.length,
    secondHistograms: sample.secondHistograms,
  };
}

/**
 * Compares `base` with `candidate`; throws {@linkcode CompareError} when
 * they do not compare (not a result, no histograms, another layout).
 */
export async function compareResults(
  base: CompareInput,
  candidate: CompareInput,
  options: CompareOptions = {},
): Promise<Comparison> {
  const alpha = options.alpha ?? 0.05, resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 1;
  const samples: [RunSample, RunSample] = [
    await sampleOfResult(base.result, base.path),
    await sampleOfResult(candidate.result, candidate.path),
  ];
  const runs: [RunResult, RunResult] = [base.result, candidate.result];
  const opts = { resamples, blockLength: options.blockLength, method: options.method };
  const rho = options.independent ? undefined : pairRho(samples, options.method);
  const spreads: [RunSpread, RunSpread] = [
    runSpread(samples[0], { ...opts, seed, rho }),
    runSpread(samples[1], { ...opts, seed: seed + 1, rho }),
  ];
  const warnings: string[] = [];
  if (base.result.configHash !== candidate.result.configHash) {
    warnings.push(
      `the config hashes differ (${base.result.configHash?.slice(0, 12) ?? "none"} vs ${
        candidate.result.configHash?.slice(0, 12) ?? "none"
      }): the runs are not of the same test config`,
    );
  }
  const namesB = Object.keys(base.result.metrics.byName ?? {});
  const namesC = new Set(Object.keys(candidate.result.metrics.byName ?? {}));
  const shared = namesB.filter((n) =>
    namesC.has(n) && samples[0].byName[n] && samples[1].byName[n]
  );
  const scenarioNames = [
    ...new Set([...Object.keys(runs[0].scenarios), ...Object.keys(runs[1].scenarios)]),
  ];
  const scenario = (r: RunResult, n: string) =>
    r.scenarios[n]
      ? { iterations: r.scenarios[n].iterations, dropped: r.scenarios[n].droppedIterations }
      : null;
  return {
    base: describe(base, samples[0]),
    candidate: describe(candidate, samples[1]),
    method: {
      test: options.method === "block"
        ? "Welch t on block-bootstrap (over seconds) standard errors"
        : "Welch t on seconds-bootstrap standard errors widened for AR(1) drift between seconds",
      alpha,
      resamples,
      seed,
      blockLength: Math.max(spreads[0].blockLength, spreads[1].blockLength),
    },
    warnings,
    figures: overallFigures([headline(runs[0]), headline(runs[1])], spreads, alpha),
    byName: shared.map((name) => ({
      name,
      figures: nameFigures(name, runs, samples, spreads, alpha),
    })),
    unmatchedNames: {
      base: namesB.filter((n) => !namesC.has(n)),
      candidate: [...namesC].filter((n) => !namesB.includes(n)),
    },
    scenarios: scenarioNames.map((name) => ({
      name,
      base: scenario(runs[0], name),
      candidate: scenario(runs[1], name),
    })),
    cdf: { base: cdfOf(samples[0]), candidate: cdfOf(samples[1]) },
  };
}

/** Compares two decoded samples' figures by the same test (for the calibration). */
export function compareSamples(
  samples: [RunSample, RunSample],
  options: CompareOptions = {},
): Figure[] {
  const alpha = options.alpha ?? 0.05, resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 1;
  const opts = { resamples, blockLength: options.blockLength, method: options.method };
  const rho = options.independent ? undefined : pairRho(samples, options.method);
  const spreads: [RunSpread, RunSpread] = options.independent
    ? [independentSpread(samples[0]), independentSpread(samples[1])]
    : [
      runSpread(samples[0], { ...opts, seed, rho }),
      runSpread(samples[1], { ...opts, seed: seed + 1, rho }),
    ];
  return overallFigures([headlineOf(samples[0]), headlineOf(samples[1])], spreads, alpha);
}

/** The headline figures of a sample (percentiles from its buckets). */
function headlineOf(s: RunSample): Headline {
  const requests = s.seconds.reduce((a, x) => a + x.requests, 0);
  const failures = s.seconds.reduce((a, x) => a + x.failures, 0);
  return {
    duration: s.seconds.length * 1000,
    requests,
    errorRate: requests > 0 ? failures / requests : 0,
    latency: quantiles(s.all, PERCENTILES),
  };
}

/** The standard errors if every request were independent of the others. */
function independentSpread(s: RunSample): RunSpread {
  const h = headlineOf(s);
  const latency = PERCENTILES.map((p) => independentLogSe(s.all, p));
  return {
    latency,
    latencyIndependent: latency,
    df: Infinity,
    latencyDf: latency.map(() => Infinity),
    errorRateDf: Infinity,
    errorRate: Math.sqrt(h.errorRate * (1 - h.errorRate) / Math.max(1, h.requests)),
    rps: 1 / Math.sqrt(Math.max(1, h.requests)),
    rpsDf: Infinity,
    blockLength: 0,
  };
}
