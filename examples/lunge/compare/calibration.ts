/**
 * `lunge compare`'s calibration by simulation: pairs of synthetic runs whose
 * requests depend on each other the way real ones do (the latency level and
 * the error rate drift from second to second, an AR(1) process), compared
 * by the same test the CLI uses. Drawn from one distribution, a calibrated
 * test flags about alpha of the pairs; with a known shift in the candidate,
 * the share flagged is the detection rate. Used by the calibration test
 * (tests/engine/compare/compare_calibration_test.ts) and the calibration bench
 * (bench/engine/compare_calibration.ts).
 *
 * @module
 */
import { Random } from "./_statistics.ts";
import { bucketIndexOfNs, type Buckets, bucketsOf, type RunSample } from "./_run_sample.ts";
import { type CompareOptions, compareSamples, type Metric } from "./compare.ts";

/** How a synthetic run is drawn. */
export interface RunModel {
  /** Seconds in the run. */
  seconds: number;
  /** Mean requests per second. */
  rate: number;
  /** Median latency, ms. */
  medianMs: number;
  /** Spread of one request's ln(latency) around its second's level. */
  requestSigma: number;
  /** Spread of the per-second ln(latency) level (its stationary SD). */
  levelSigma: number;
  /** Lag-1 autocorrelation of the level from second to second. */
  levelRho: number;
  /** Mean error rate (0..1); a second's rate moves with its latency level. */
  errorRate: number;
}

/** The default model: 20 s at 200 req/s, 20 ms median, level SD 0.15 drifting with rho 0.5, 1 % errors. */
export const DEFAULT_MODEL: RunModel = {
  seconds: 20,
  rate: 200,
  medianMs: 20,
  requestSigma: 0.5,
  levelSigma: 0.15,
  levelRho: 0.5,
  errorRate: 0.01,
};

/** A shift applied to the candidate: relative for latency and throughput, absolute for errors. */
export interface Shift {
  /** Latency multiplied by 1 + latency. */
  latency?: number;
  /** Request rate multiplied by 1 + rps. */
  rps?: number;
  /** Error rate plus errorRate (0..1). */
  errorRate?: number;
}

/** Draws one run of `model` shifted by `shift`. */
export function simulateRun(random: Random, model: RunModel, shift: Shift = {}): RunSample {
  const all = new Map<number, number>();
  const seconds = [];
  const scale = model.medianMs * 1e6 * (1 + (shift.latency ?? 0));
  const innovation = Math.sqrt(1 - model.levelRho ** 2) * model.levelSigma;
  let level = model.levelSigma * random.normal();
  for (let t = 0; t < model.seconds; t++) {
    if (t > 0) level = model.levelRho * level + innovation * random.normal();
    // A slow second serves fewer requests (a closed model), with Poisson-like noise.
    const mean = model.rate * (1 + (shift.rps ?? 0)) * Math.exp(-0.5 * level);
    const requests = Math.max(1, Math.round(mean + Math.sqrt(mean) * random.normal()));
    const errorP = Math.min(
      1,
      Math.max(0, (model.errorRate + (shift.errorRate ?? 0)) * Math.exp(2 * level)),
    );
    const buckets = new Map<number, number>();
    let failures = 0;
    for (let i = 0; i < requests; i++) {
      const ns = scale * Math.exp(level + model.requestSigma * random.normal());
      const index = bucketIndexOfNs(ns);
      buckets.set(index, (buckets.get(index) ?? 0) + 1);
      all.set(index, (all.get(index) ?? 0) + 1);
      if (random.next() < errorP) failures++;
    }
    seconds.push({ requests, failures, buckets: bucketsOf(buckets) });
  }
  const whole: Buckets = bucketsOf(all);
  return { seconds, secondHistograms: true, all: whole, byName: {} };
}

/** Options of {@linkcode calibrate}. */
export interface CalibrationOptions extends CompareOptions {
  /** Pairs of runs. */
  pairs: number;
  /** The runs' model (default {@linkcode DEFAULT_MODEL}). */
  model?: RunModel;
  /** The candidate's shift (none: both from one distribution). */
  shift?: Shift;
  /** Seed of the simulation (the test's own seed is `seed`). */
  simulationSeed?: number;
}

/** The share of pairs flagged real, per figure, and how many pairs. */
export interface CalibrationResult {
  /** Pairs compared. */
  pairs: number;
  /** Share flagged real (p < alpha), per metric. */
  flagged: Record<Metric, number>;
}

/** Compares `pairs` simulated pairs; returns the share flagged real per metric. */
export function calibrate(options: CalibrationOptions): CalibrationResult {
  const model = options.model ?? DEFAULT_MODEL;
  const random = new Random(options.simulationSeed ?? 12345);
  const hits: Record<string, number> = {};
  for (let i = 0; i < options.pairs; i++) {
    const base = simulateRun(random, model);
    const candidate = simulateRun(random, model, options.shift);
    const figures = compareSamples([base, candidate], {
      ...options,
      seed: (options.seed ?? 1) + 2 * i,
    });
    for (const f of figures) hits[f.metric] = (hits[f.metric] ?? 0) + (f.real ? 1 : 0);
  }
  const flagged = Object.fromEntries(
    Object.entries(hits).map(([k, v]) => [k, v / options.pairs]),
  ) as Record<Metric, number>;
  return { pairs: options.pairs, flagged };
}
