/**
 * Private helper: the engine's last phase, pure. From what the run left —
 * the workers' counters and send-lag histograms, the collector's final
 * snapshot and time series, the VU samples and the phase timeline — it builds
 * the {@linkcode RunResult}. No Worker, timer or collector is touched here, so
 * it is tested directly.
 *
 * @module
 */
import type { MetricsSnapshot, TimeSeriesData } from "@lunge/metrics";
import type { ScenarioSpec } from "../config/config.ts";
import type {
  CheckResult,
  Phase,
  RunResult,
  RunTimeSeriesPoint,
  ScenarioResult,
} from "../result.ts";
import type { Threshold } from "../verdict/thresholds.ts";
import { evaluateResult } from "../verdict/evaluate.ts";
import { decideVerdict, runError } from "../verdict/verdict.ts";
import { isArrivalRate, peakRate, peakVUs, plannedIterations } from "./executors.ts";
import type { WorkerCounters } from "./_protocol.ts";
import { LagHistogram, type LagState } from "./_lag_histogram.ts";
import { stripeFraction, stripeShare } from "../distributed/stripe.ts";
import { addNotSent, notSentCounts, type NotSentTable } from "./_not_sent.ts";

/** A phase change: epoch ms and the phase entered. */
export type PhaseMark = { timestamp: number; phase: Phase };

/** Active VUs and the phase, sampled at one tick. */
export interface VuSample {
  /** Epoch ms of the tick. */
  timestamp: number;
  /** VUs busy then, over every worker. */
  activeVUs: number;
  /** The phase then. */
  phase: Phase;
}

/** One worker's report, as far as the result needs it. */
export interface WorkerReport {
  /** Its latest cumulative counters (absent when it never reported). */
  counters?: WorkerCounters;
  /** It has finished: its VUs no longer count as active. */
  done: boolean;
  /** Its send-lag histograms per scenario (from `done`). */
  lags?: (LagState | null)[];
  /** Its assertion passes and fails per scenario, `[request][assertion]` (from `done`). */
  checks?: { passes: number[][]; fails: number[][] }[];
}

/** Counters summed over workers. */
export interface CounterSums {
  /** Requests sent. */
  requests: number;
  /** VUs busy in the workers that are still running. */
  activeVUs: number;
  /** Per scenario: iterations started. */
  iterations: number[];
  /** Per scenario: iterations dropped. */
  dropped: number[];
  /** Per scenario: the sum of each worker's peak VUs. */
  peakVUs: number[];
  /** Requests the workers' HTTP clients retried on a fresh connection. */
  retries: number;
  /** Per scenario: requests never sent, `[reason][name]`. */
  notSent: NotSentTable[];
}

/** Sums the workers' counters; the VUs of finished workers are not active. */
export function sumCounters(workers: readonly WorkerReport[], scenarios: number): CounterSums {
  const total: CounterSums = {
    requests: 0,
    activeVUs: 0,
    iterations: new Array<number>(scenarios).fill(0),
    dropped: new Array<number>(scenarios).fill(0),
    peakVUs: new Array<number>(scenarios).fill(0),
    retries: 0,
    notSent: Array.from({ length: scenarios }, () => ({})),
  };
  for (const s of workers) {
    const c = s.counters;
    if (!c) continue;
    total.requests += c.requests;
    total.retries += c.retries ?? 0;
    if (!s.done) total.activeVUs += c.activeVUs;
    for (let i = 0; i < scenarios; i++) {
      total.iterations[i] += c.iterations[i];
      total.dropped[i] += c.dropped[i];
      total.peakVUs[i] += c.peakVUs[i];
      addNotSent(total.notSent[i], c.notSent?.[i]);
    }
  }
  return total;
}

/**
 * The phase timeline as it happened: planned phases that never came (the run
 * stopped early) go, a stop enters cooldown, and the end enters done.
 */
export function closePhases(
  planned: readonly PhaseMark[],
  endedAt: number,
  stopTime: number | undefined,
): PhaseMark[] {
  const stoppedAt = stopTime ?? Infinity;
  const phases = [
    planned[0],
    ...planned.slice(1).filter((p) => p.timestamp <= Math.min(endedAt, stoppedAt)),
  ];
  if (stoppedAt < endedAt && phases[phases.length - 1].phase !== "cooldown") {
    phases.push({ timestamp: stoppedAt, phase: "cooldown" });
  }
  phases.push({ timestamp: endedAt, phase: "done" });
  return phases;
}

/** Everything {@linkcode assembleResult} reads. */
export interface AssembleInput {
  /** Test name and description. */
  name: string;
  /** Test description. */
  description: string;
  /** The scenarios, in config order. */
  scenarios: readonly ScenarioSpec[];
  /** The parsed thresholds. */
  thresholds: Threshold[];
  /** Which collector recorded the run. */
  collector: "atomic" | "mutex";
  /** Every worker's last report. */
  workers: readonly WorkerReport[];
  /** The collector's final snapshot. */
  snapshot: MetricsSnapshot;
  /** The collector's time series. */
  series: TimeSeriesData;
  /** VUs and phase sampled at each tick, oldest first. */
  samples: readonly VuSample[];
  /** The planned phase timeline, `init` first (from {@linkcode closePhases} it is closed here). */
  phases: readonly PhaseMark[];
  /** Epoch ms the run began (before the workers started). */
  startedAt: number;
  /** Epoch ms of the schedule's offset 0. */
  scheduleStart: number;
  /** Epoch ms the run ended. */
  endedAt: number;
  /** Epoch ms a stop was asked for, if one was. */
  stopTime?: number;
  /** The user stopped the run. */
  interrupted: boolean;
  /** The first error during the run, or null. */
  error: string | null;
}

/**
 * Builds the run's result from what the run left. Pure. Its thresholds are
 * evaluated on the result (../verdict/evaluate.ts) and its verdict decided
 * from them and the run's error (../verdict/verdict.ts); the engine settles
 * the verdict again once every output has finished.
 */
export function assembleResult(input: AssembleInput): RunResult {
  const { snapshot, series, endedAt } = input;
  const phases = closePhases(input.phases, endedAt, input.stopTime);
  const sums = sumCounters(input.workers, input.scenarios.length);
  const result: RunResult = {
    name: input.name,
    description: input.description,
    startTime: new Date(input.startedAt).toISOString(),
    endTime: new Date(endedAt).toISOString(),
    duration: endedAt - input.scheduleStart,
    timeUnit: "ms",
    collector: input.collector,
    scenarios: scenarioResults(input),
    metrics: { ...snapshot, retries: sums.retries, notSent: notSentCounts(sums.notSent) },
    timeSeries: {
      interval: series.interval,
      points: seriesPoints(series, input.samples, phases, endedAt),
    },
    phases,
    passed: false,
    thresholds: [],
    error: null,
  };
  result.thresholds = evaluateResult(input.thresholds, result);
  Object.assign(
    result,
    decideVerdict({
      thresholds: result.thresholds,
      problems: [runError({ ...input, notSent: result.metrics.notSent })],
    }),
  );
  return result;
}

/** The run's error rules live with the verdict (re-exported for the engine's tests). */
export { runError };

/**
 * A scenario's Lunge fields in the result: its tags, startTime and named
 * stages when set, and each assertion's passes and fails summed over workers.
 */
export function lungeFields(
  s: ScenarioSpec,
  index: number,
  workers: readonly WorkerReport[],
): Partial<ScenarioResult> {
  const out: Partial<ScenarioResult> = {};
  if (s.tags && Object.keys(s.tags).length > 0) out.tags = s.tags;
  if (s.startTimeMs) out.startTime = s.startTimeMs;
  if (s.stages.some((st) => st.name !== undefined)) {
    out.stages = s.stages.map((st) => ({
      name: st.name ?? "",
      duration: st.durationMs,
      target: st.target,
    }));
  }
  const checks: CheckResult[] = [];
  (s.requests ?? []).forEach((r, i) => {
    (r.assertions ?? []).forEach((a, j) => {
      let passes = 0, fails = 0;
      for (const w of workers) {
        passes += w.checks?.[index]?.passes[i]?.[j] ?? 0;
        fails += w.checks?.[index]?.fails[i]?.[j] ?? 0;
      }
      const total = passes + fails;
      checks.push({
        request: r.name,
        assertion: a.label,
        passes,
        fails,
        rate: total ? passes / total : 0,
      });
    });
  });
  if (checks.length > 0) out.checks = checks;
  return out;
}

/** Per scenario: its counters summed over workers, its plan and its send lag. */
function scenarioResults(input: AssembleInput): Record<string, ScenarioResult> {
  const sums = sumCounters(input.workers, input.scenarios.length);
  const ranUntil = Math.min(input.endedAt, input.stopTime ?? Infinity) - input.scheduleStart;
  const results: Record<string, ScenarioResult> = {};
  input.scenarios.forEach((s, i) => {
    results[s.name] = {
      executor: s.executor,
      iterations: sums.iterations[i],
      droppedIterations: sums.dropped[i],
      maxVUs: sums.peakVUs[i],
      configuredVUs: peakVUs(s),
      // An execution segment's share: its fraction of the rate, and the
      // planned iterations its stripe owns (shares that add up).
      targetRate: peakRate(s) * stripeFraction(s.stripe),
      plannedIterations: stripeShare(Math.round(plannedIterations(s, ranUntil)), s.stripe),
      notSent: notSentCounts([sums.notSent[i]]),
    };
    Object.assign(results[s.name], lungeFields(s, i, input.workers));
    if (isArrivalRate(s)) {
      const lag = new LagHistogram();
      for (const w of input.workers) {
        const state = w.lags?.[i];
        if (state) lag.merge(state);
      }
      results[s.name].sendLag = lag.stats();
    }
  });
  return results;
}

/**
 * The time series with the engine's fields: each point gets the VUs sampled
 * last within its second, and the phase the run was in at the end of its
 * second (from the phase timeline).
 */
function seriesPoints(
  series: TimeSeriesData,
  samples: readonly VuSample[],
  phases: readonly PhaseMark[],
  endedAt: number,
): RunTimeSeriesPoint[] {
  return series.points.map((p) => {
    const end = Math.min(p.timestamp + series.interval, endedAt - 1e-3);
    let sample = samples[0];
    for (const x of samples) {
      if (x.timestamp <= end) sample = x;
      else break;
    }
    let phase: Phase = "init";
    for (const x of phases) {
      if (x.timestamp <= end && x.phase !== "done") phase = x.phase;
    }
    return { ...p, activeVUs: sample?.activeVUs ?? 0, phase };
  });
}
