/**
 * The engine: runs a validated {@linkcode TestConfig} and returns its
 * {@linkcode RunResult}. It owns control — starting the workers, a shared
 * start time, stopping early (SIGINT, or an `AbortSignal`), cutting workers
 * that outlive their gracefulStop — and observation: once per second it takes
 * a snapshot for progress, records the generation rate (requests actually
 * issued per second, summed over workers) and samples active VUs and the
 * phase for the time series. The load itself runs in `worker.ts`.
 *
 * @module
 */
import {
  type CollectorKind,
  createCollector,
  type MetricsSnapshot,
  type SharedMetricsCollector,
} from "../../../mod.ts";
import type { TestConfig } from "../config/config.ts";
import {
  isArrivalRate,
  peakRate,
  peakVUs,
  phaseAt,
  phaseTimeline,
  plannedIterations,
  runDurationMs,
  stageIndexAt,
  workerCount,
} from "./executors.ts";
import type { Phase, RunResult, RunTimeSeriesPoint, ScenarioResult } from "../result.ts";
import { evaluateThresholds, parseThresholds } from "../report/thresholds.ts";
import type { ProgressState } from "../report/progress.ts";
import type { FromWorker, ToWorker, WorkerCounters } from "./_protocol.ts";
import { LagHistogram, type LagState } from "./_lag_histogram.ts";

/** Options of {@linkcode runTest}. */
export interface RunOptions {
  /** The test to run. */
  config: TestConfig;
  /** Which collector records the run (default "atomic"). */
  collector?: CollectorKind;
  /** Workers to spread VUs over (default `navigator.hardwareConcurrency`; capped by the VUs). */
  workers?: number;
  /** Called about once per second (and once at the end) with the live state. */
  onProgress?: (state: ProgressState) => void;
  /** Aborting stops the run gracefully (as SIGINT does). */
  signal?: AbortSignal;
  /** Stop on SIGINT (second SIGINT exits at once) and on SIGTERM where supported. Default false. */
  handleSignals?: boolean;
}

/** Why a run could not run; the CLI prints the message as one line. */
export class RunError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "RunError";
  }
}

const WORKER_URL = new URL("./worker.ts", import.meta.url).href;
/** Time from "start" being posted to the schedule's offset 0, so every worker begins together. */
const START_LEAD_MS = 25;
/** Extra time past the longest gracefulStop before workers are terminated regardless. */
const KILL_GRACE_MS = 5_000;
const READY_TIMEOUT_MS = 15_000;

interface WorkerSlot {
  worker: Worker;
  counters?: WorkerCounters;
  done: boolean;
  cut: boolean;
  lags?: (LagState | null)[];
}

/** Installs SIGINT (and SIGTERM where Deno supports it) listeners; returns the remover. */
function installSignals(stop: () => void): () => void {
  let count = 0;
  const onInt = () => {
    if (++count > 1) Deno.exit(130);
    stop();
  };
  const signals: Deno.Signal[] = ["SIGINT"];
  if (Deno.build.os !== "windows") signals.push("SIGTERM");
  for (const s of signals) Deno.addSignalListener(s, onInt);
  return () => {
    for (const s of signals) Deno.removeSignalListener(s, onInt);
  };
}

function sumCounters(slots: WorkerSlot[], scenarios: number) {
  const total = {
    requests: 0,
    activeVUs: 0,
    iterations: new Array<number>(scenarios).fill(0),
    dropped: new Array<number>(scenarios).fill(0),
    peakVUs: new Array<number>(scenarios).fill(0),
  };
  for (const s of slots) {
    const c = s.counters;
    if (!c) continue;
    total.requests += c.requests;
    if (!s.done) total.activeVUs += c.activeVUs;
    for (let i = 0; i < scenarios; i++) {
      total.iterations[i] += c.iterations[i];
      total.dropped[i] += c.dropped[i];
      total.peakVUs[i] += c.peakVUs[i];
    }
  }
  return total;
}

/**
 * Runs a test to its end (or until stopped) and returns the result. Throws a
 * {@linkcode RunError} only when the run cannot start (e.g. a worker fails
 * to load); failures during the run end it early with `result.error` set.
 */
export async function runTest(options: RunOptions): Promise<RunResult> {
  const { config } = options;
  const scenarios = config.scenarios;
  const kind: CollectorKind = options.collector ?? "atomic";
  const nWorkers = workerCount(scenarios, options.workers ?? navigator.hardwareConcurrency ?? 1);
  const totalMs = runDurationMs(scenarios);
  const thresholds = config.thresholds === undefined ? [] : parseThresholds(config.thresholds);
  const executorLabel = [...new Set(scenarios.map((s) => s.executor))].join(", ");
  const maxVUs = scenarios.reduce((a, s) => a + peakVUs(s), 0);
  const stageScenario = scenarios.find((s) => s.stages.length > 0) ?? scenarios[0];

  const collector: SharedMetricsCollector = createCollector(kind);
  const handle = collector.share();
  const startedAt = Date.now();
  const phases: { timestamp: number; phase: Phase }[] = [{ timestamp: startedAt, phase: "init" }];
  const samples: { timestamp: number; activeVUs: number; phase: Phase }[] = [];
  const slots: WorkerSlot[] = [];
  let error: string | null = null;
  let stopRequested = false;
  let interrupted = false;
  let scheduleStart = 0; // epoch ms of offset 0

  let wake: () => void = () => {};
  const changed = () => wake();
  const post = (slot: WorkerSlot, msg: ToWorker) => slot.worker.postMessage(msg);

  // Each worker has its own client and pool: split the connection cap (rounding up).
  const perConnShare = config.settings.maxConnectionsPerHost === undefined
    ? undefined
    : Math.max(1, Math.ceil(config.settings.maxConnectionsPerHost / nWorkers));

  let stopTime: number | undefined;
  const stopAll = () => {
    if (stopRequested) return;
    stopRequested = true;
    stopTime = performance.timeOrigin + performance.now();
    for (const s of slots) if (!s.done) post(s, { type: "stop" });
    changed();
  };
  const onAbort = () => {
    interrupted = true;
    stopAll();
  };
  options.signal?.addEventListener("abort", onAbort);
  const removeSignals = options.handleSignals ? installSignals(onAbort) : () => {};

  try {
    // ---- init: start the workers and wait until each is ready ----
    let readyCount = 0;
    const readyOrFailed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new RunError("workers did not start within 15 s")),
        READY_TIMEOUT_MS,
      );
      for (let i = 0; i < nWorkers; i++) {
        let worker: Worker;
        try {
          worker = new Worker(WORKER_URL, { type: "module" });
        } catch (e) {
          clearTimeout(timer);
          reject(e);
          return;
        }
        const slot: WorkerSlot = { worker, done: false, cut: false };
        slots.push(slot);
        worker.onmessage = (e: MessageEvent<FromWorker>) => {
          const m = e.data;
          if (m.type === "ready") {
            if (++readyCount === nWorkers) {
              clearTimeout(timer);
              resolve();
            }
          } else if (m.type === "stats") {
            slot.counters = m.counters;
          } else if (m.type === "done") {
            slot.counters = m.counters;
            slot.lags = m.lags;
            slot.done = true;
            slot.cut = m.cut;
            changed();
          } else if (m.type === "error") {
            clearTimeout(timer);
            error ??= `worker ${i}: ${m.message}`;
            reject(new RunError(error));
            stopAll();
          }
        };
        worker.onerror = (e: ErrorEvent) => {
          e.preventDefault();
          clearTimeout(timer);
          const message = e.message ?? String(e.error);
          error ??= `worker ${i} failed: ${message}`;
          slot.done = true;
          reject(new RunError(error));
          stopAll();
        };
        post(slot, {
          type: "init",
          handle,
          index: i,
          count: nWorkers,
          scenarios,
          settings: { ...config.settings, maxConnectionsPerHost: perConnShare },
        });
      }
    });
    try {
      await readyOrFailed;
    } catch (e) {
      throw e instanceof RunError ? e : new RunError(e instanceof Error ? e.message : String(e));
    }

    // ---- run ----
    collector.reset();
    scheduleStart = performance.timeOrigin + performance.now() + START_LEAD_MS;
    for (const s of slots) post(s, { type: "start", startEpochMs: scheduleStart });
    for (const p of phaseTimeline(scenarios)) {
      phases.push({ timestamp: scheduleStart + p.offsetMs, phase: p.phase });
    }

    const maxGrace = Math.max(...scenarios.map((s) => s.gracefulStopMs));
    let stopAt = Infinity; // epoch ms after which workers are terminated regardless
    let lastRequests = 0;
    let lastTick = scheduleStart;
    let tick = 1;
    const state = (snapshot: MetricsSnapshot, now: number): ProgressState => {
      const offset = Math.max(0, now - scheduleStart);
      const sums = sumCounters(slots, scenarios.length);
      return {
        name: config.name,
        executor: executorLabel,
        elapsedMs: offset,
        totalMs,
        stageIndex: stageIndexAt(stageScenario, offset),
        stageCount: stageScenario.stages.length,
        phase: stopRequested ? "cooldown" : phaseAt(scenarios, offset),
        activeVUs: sums.activeVUs,
        maxVUs,
        snapshot,
      };
    };

    while (!slots.every((s) => s.done)) {
      const now = performance.timeOrigin + performance.now();
      const nextTick = scheduleStart + tick * 1000;
      if (stopAt === Infinity && (stopRequested || now >= scheduleStart + totalMs)) {
        stopAt = Math.min(now, scheduleStart + totalMs) + maxGrace + KILL_GRACE_MS;
      }
      if (now >= stopAt) {
        error ??= "workers did not stop within gracefulStop";
        break;
      }
      const waitMs = Math.max(0, Math.min(nextTick, stopAt) - now);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          wake = () => {};
          resolve();
        }, waitMs);
        wake = () => {
          clearTimeout(timer);
          wake = () => {};
          resolve();
        };
      });
      const t = performance.timeOrigin + performance.now();
      if (t >= nextTick) {
        tick = Math.floor((t - scheduleStart) / 1000) + 1;
        const sums = sumCounters(slots, scenarios.length);
        const rate = (sums.requests - lastRequests) / ((t - lastTick) / 1000);
        lastRequests = sums.requests;
        lastTick = t;
        collector.recordGenerationRate(Math.round(rate * 10) / 10);
        const s = state(collector.getSnapshot(), t);
        samples.push({ timestamp: t, activeVUs: s.activeVUs, phase: s.phase });
        options.onProgress?.(s);
      }
    }

    // ---- report ----
    const endedAt = performance.timeOrigin + performance.now();
    const sums = sumCounters(slots, scenarios.length);
    // Phases that never came (stopped early) go; a stop enters cooldown.
    const stoppedAt = stopTime ?? Infinity;
    for (let i = phases.length - 1; i > 0; i--) {
      if (phases[i].timestamp > Math.min(endedAt, stoppedAt)) phases.splice(i, 1);
    }
    if (stoppedAt < endedAt && phases[phases.length - 1].phase !== "cooldown") {
      phases.push({ timestamp: stoppedAt, phase: "cooldown" });
    }
    collector.flush();
    // The generation rate over the whole run, so the final efficiency compares like with like.
    const before = collector.getSnapshot();
    collector.recordGenerationRate(
      before.elapsed > 0 ? Math.round(sums.requests / (before.elapsed / 1000) * 10) / 10 : 0,
    );
    const snapshot = collector.getSnapshot();
    options.onProgress?.(state(snapshot, endedAt));
    const series = collector.getTimeSeries();
    phases.push({ timestamp: endedAt, phase: "done" });
    if (interrupted) error ??= "interrupted: stopped before the end of the schedule";
    // No response at all: the target is unreachable, which is a failed run
    // whatever the thresholds say.
    const noResponse = snapshot.statusCodes["0"] ?? 0;
    if (snapshot.totalRequests > 0 && noResponse === snapshot.totalRequests) {
      const [type] = Object.entries(snapshot.errorsByType).sort((a, b) => b[1] - a[1])[0] ??
        ["no response"];
      error ??=
        `no response from the target: all ${snapshot.totalRequests} requests failed (${type})`;
    }

    const scenarioResults: Record<string, ScenarioResult> = {};
    scenarios.forEach((s, i) => {
      scenarioResults[s.name] = {
        executor: s.executor,
        iterations: sums.iterations[i],
        droppedIterations: sums.dropped[i],
        maxVUs: sums.peakVUs[i],
        targetRate: peakRate(s),
        plannedIterations: Math.round(
          plannedIterations(s, Math.min(endedAt, stoppedAt) - scheduleStart),
        ),
      };
      if (isArrivalRate(s)) {
        const lag = new LagHistogram();
        for (const slot of slots) {
          const state = slot.lags?.[i];
          if (state) lag.merge(state);
        }
        scenarioResults[s.name].sendLag = lag.stats();
      }
    });

    // Each point gets the VUs sampled last within its second, and the phase
    // the run was in at the end of its second (from the phase timeline).
    const points: RunTimeSeriesPoint[] = series.points.map((p) => {
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
    const thresholdResults = evaluateThresholds(thresholds, snapshot);
    return {
      name: config.name,
      description: config.description,
      startTime: new Date(startedAt).toISOString(),
      endTime: new Date(endedAt).toISOString(),
      duration: endedAt - scheduleStart,
      timeUnit: "ms",
      collector: kind,
      scenarios: scenarioResults,
      metrics: snapshot,
      timeSeries: { interval: series.interval, points },
      phases,
      passed: error === null && thresholdResults.every((t) => t.passed),
      thresholds: thresholdResults,
      error,
    };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    removeSignals();
    for (const s of slots) s.worker.terminate();
    collector.close();
  }
}
