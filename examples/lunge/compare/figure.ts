/**
 * `lunge compare`'s figure: one figure of both runs (a latency percentile,
 * throughput or the error rate) with its change, the test's p-value and
 * interval, whether the change is real, and its plain sentence, e.g.
 * "p95 is 12.4 % higher (95 % interval 9.8–15.1 %), a real difference".
 *
 * @module
 */
import { studentTQuantile, twoSidedP, welchDf } from "./_statistics.ts";

/** A figure compared: latency percentiles, throughput or error rate. */
export type Metric = "p50" | "p90" | "p95" | "p99" | "p99.9" | "rps" | "error_rate";

/** The latency metrics: the 50th, 90th, 95th, 99th and 99.9th percentiles. */
export const LATENCY_METRICS: readonly Metric[] = ["p50", "p90", "p95", "p99", "p99.9"];

/** One figure of both runs. */
export interface Figure {
  /** Which figure. */
  metric: Metric;
  /** Base run's value (ms, requests/s, or a 0..1 rate). */
  base: number;
  /** Candidate run's value. */
  candidate: number;
  /** candidate - base, in the figure's unit. */
  change: number;
  /** candidate / base - 1, or null when base is 0. */
  relative: number | null;
  /**
   * The (1 - alpha) interval of the change: relative (fractions) for
   * latency and throughput, absolute (0..1) for the error rate; null when not judged.
   */
  interval: [number, number] | null;
  /** Two-sided p-value, or null when not judged. */
  p: number | null;
  /** Whether the change is real (p < alpha). */
  real: boolean;
  /** Why it was not judged, when it was not. */
  notJudged?: string;
  /** The plain sentence, e.g. "p95 is 12.4 % higher (95 % interval 9.8–15.1 %), a real difference". */
  sentence: string;
}

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)} %`;

/** The sentence of a figure. */
function sentence(f: Omit<Figure, "sentence">, alpha: number): string {
  const label = f.metric === "error_rate"
    ? "error rate"
    : f.metric === "rps"
    ? "throughput"
    : f.metric;
  const conf = `${Math.round((1 - alpha) * 100)} %`;
  const isRate = f.metric === "error_rate";
  const size = isRate
    ? `${(Math.abs(f.change) * 100).toFixed(2)} pp`
    : f.relative === null
    ? "changed"
    : pct(Math.abs(f.relative));
  const direction = f.change > 0 ? "higher" : f.change < 0 ? "lower" : "";
  const head = f.change === 0 ? `${label} is unchanged` : `${label} is ${size} ${direction}`;
  if (f.interval === null) return `${head}; not judged (${f.notJudged})`;
  const [lo, hi] = f.interval;
  const range = isRate
    ? `${(lo * 100).toFixed(2)}–${(hi * 100).toFixed(2)} pp`
    : `${(lo * 100).toFixed(1)}–${(hi * 100).toFixed(1)} %`;
  return `${head} (${conf} interval ${range}), ${
    f.real ? "a real difference" : "within noise (not a real difference)"
  }`;
}

/** The test's inputs: the difference, its standard error and degrees of freedom. */
export interface Judged {
  d: number;
  se: number;
  df: number;
  log: boolean;
}

/** A figure from the two values and, when judged, the test's inputs. */
export function figure(
  metric: Metric,
  values: [number, number],
  judged: Judged | string,
  alpha: number,
): Figure {
  const [base, candidate] = values;
  const change = candidate - base;
  const relative = base !== 0 ? candidate / base - 1 : null;
  let f: Omit<Figure, "sentence">;
  if (typeof judged === "string" || !Number.isFinite(judged.se) || !(judged.df > 0)) {
    const why = typeof judged === "string" ? judged : "too few seconds to judge";
    f = { metric, base, candidate, change, relative, interval: null, p: null, real: false };
    f.notJudged = why;
  } else {
    const { d, se, df, log } = judged;
    const p = se > 0 ? twoSidedP(d / se, df) : d === 0 ? 1 : 0;
    const t = studentTQuantile(1 - alpha / 2, df);
    const interval: [number, number] = log
      ? [Math.expm1(d - t * se), Math.expm1(d + t * se)]
      : [d - t * se, d + t * se];
    f = { metric, base, candidate, change, relative, interval, p, real: p < alpha };
  }
  return { ...f, sentence: sentence(f, alpha) };
}

/** The log-scale test of two positive values with their SEs and dfs. */
export function logJudged(values: [number, number], se: [number, number], df: [number, number]) {
  if (!(values[0] > 0 && values[1] > 0)) return "a value is 0";
  return {
    d: Math.log(values[1] / values[0]),
    se: Math.hypot(se[0], se[1]),
    df: welchDf(se[0], df[0], se[1], df[1]),
    log: true,
  };
}
