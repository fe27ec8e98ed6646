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
  type TimeSeriesData,
} from "@lunge/metrics";
import type { ScenarioSpec, Settings, TestConfig } from "../config/config.ts";
import { phaseTimeline, workerCount } from "./executors.ts";
import type { RunResult } from "../result.ts";
import { settleVerdict } from "../verdict/verdict.ts";
import type { ProgressState } from "../report/progress.ts";
import { type RowSink, RunControl, startWorkers } from "./_start.ts";
import { RunView } from "./_run_view.ts";
import { assembleResult, type PhaseMark, type VuSample } from "./_assemble.ts";
import type { Segment } from "../distributed/segment.ts";
import { type OutputOptions, RunOutputs } from "../outputs/run_outputs.ts";
import type { RequestRows } from "../outputs/request_rows.ts";
import { segmentConfig, tickCounters, withDistributed } from "./_distributed.ts";

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
  /**
   * Stop on SIGINT and on SIGTERM where supported (default false), as k6
   * does: the first cuts at once — requests in flight are counted as
   * interrupted (they were sent), ones still waiting for a connection as not
   * sent, nothing more is sent — and the run returns its result within
   * about a second, whatever the timeout and gracefulStop; the second exits
   * the process at once (130).
   */
  handleSignals?: boolean;
  /** Called on each stop signal (1: cutting now, 2: exiting at once) before acting on it. */
  onSignal?: (info: StopSignalInfo) => void;
  /** Run one execution segment of the test (`--segment`): its share of the VUs and iterations. */
  segment?: Segment;
  /** Epoch ms the schedule starts at (`--start-at`; at once when it has passed). */
  startAt?: number;
  /**
   * The outputs fed while the run lasts: per-second histograms, .hlog,
   * Prometheus remote write and /metrics, and those given opened (each fed
   * the start, the ticks and the end; one with `append`, e.g. the CSV, every
   * request recorded). An output's problem at the end fails the run.
   */
  outputs?: OutputOptions;
}

/** What {@linkcode RunOptions.onSignal} is told. */
export interface StopSignalInfo {
  /** 1 for the first signal (cut now, then report), 2 for the second (exit 130 at once). */
  count: number;
  /** The longest gracefulStop, ms: what the end of the schedule (not a signal) waits at most. */
  graceMs: number;
}

export { RunError } from "./_start.ts";

/** Time from "start" being posted to the schedule's offset 0, so every worker begins together. */
const START_LEAD_MS = 25;
/** Extra time past the longest gracefulStop before workers are cut regardless. */
const KILL_GRACE_MS = 5_000;
/** How long the engine waits for cut workers to close their collectors before ending them. */
const END_ACK_MS = 3_000;

/**
 * Installs SIGINT (and SIGTERM where Deno supports it) listeners: the first
 * calls `cut`, the second `exit` and then exits (130). Returns the remover.
 */
function installSignals(o: { cut: () => void; exit: () => void }): () => void {
  let count = 0;
  const onInt = () => {
    count++;
    if (count === 1) o.cut();
    else {
      o.exit();
      Deno.exit(130);
    }
  };
  const signals: Deno.Signal[] = ["SIGINT"];
  if (Deno.build.os !== "windows") signals.push("SIGTERM");
  for (const s of signals) Deno.addSignalListener(s, onInt);
  return () => {
    for (const s of signals) Deno.removeSignalListener(s, onInt);
  };
}

const now = () => performance.timeOrigin + performance.now();

/**
 * Wires the stop requests to `control`: the abort signal (a graceful stop)
 * and, with `handleSignals`, SIGINT/SIGTERM (cut now, then exit 130, each
 * told to `onSignal` first). Returns the remover.
 */
function listenForStops(options: RunOptions, control: RunControl): () => void {
  const onAbort = () => control.interrupt();
  options.signal?.addEventListener("abort", onAbort);
  const graceMs = Math.max(...options.config.scenarios.map((s) => s.gracefulStopMs));
  const removeSignals = options.handleSignals
    ? installSignals({
      cut: () => {
        options.onSignal?.({ count: 1, graceMs });
        control.interrupt();
        control.cutAll();
      },
      exit: () => options.onSignal?.({ count: 2, graceMs }),
    })
    : () => {};
  return () => {
    options.signal?.removeEventListener("abort", onAbort);
    removeSignals();
  };
}

/** One worker's settings: each has its own client and pools, so the connection caps are split (rounding up). */
function workerSettings(settings: Settings, workers: number): Settings {
  const share = (cap: number | undefined) =>
    cap === undefined ? undefined : Math.max(1, Math.ceil(cap / workers));
  return {
    ...settings,
    maxConnectionsPerHost: share(settings.maxConnectionsPerHost),
    maxIdleConnsPerHost: share(settings.maxIdleConnsPerHost),
    maxIdleConns: share(settings.maxIdleConns),
  };
}

/**
 * Where the Workers' recorded requests go: to the run's outputs (`outputs()`,
 * set at the start, before any request is recorded), when one of them takes
 * them (the CSV); else nowhere, and the Workers post none.
 */
function rowSink(
  options: OutputOptions | undefined,
  outputs: () => RunOutputs | undefined,
): RowSink | undefined {
  if (!RunOutputs.takesRows(options)) return undefined;
  return { append: (rows: RequestRows) => outputs()?.append(rows) };
}

/**
 * Runs a test to its end (or until stopped) and returns the result. Throws a
 * {@linkcode RunError} only when the run cannot start (e.g. a worker fails
 * to load); failures during the run end it early with `result.error` set.
 *
 * Three phases: start the Workers ({@linkcode startWorkers}), observe them
 * once a second until they are done ({@linkcode observe}), and build the
 * result from what they left ({@linkcode assembleResult}, pure).
 */
export async function runTest(options: RunOptions): Promise<RunResult> {
  const config = segmentConfig(options.config, options.segment);
  const scenarios = config.scenarios;
  const kind: CollectorKind = options.collector ?? "atomic";
  const nWorkers = workerCount(scenarios, options.workers ?? navigator.hardwareConcurrency ?? 1);
  const thresholds = config.parsedThresholds;
  const collector: SharedMetricsCollector = createCollector(kind);
  const startedAt = Date.now();
  let outputs: RunOutputs | undefined;
  const control = new RunControl(rowSink(options.outputs, () => outputs));
  const removeStops = listenForStops(options, control);
  try {
    await startWorkers({
      control,
      count: nWorkers,
      handle: collector.share(),
      scenarios,
      settings: workerSettings(config.settings, nWorkers),
    });

    // --start-at: the collector's clock starts with the schedule, not with the wait.
    if (options.startAt) await control.sleep(Math.max(0, options.startAt - START_LEAD_MS - now()));
    collector.reset();
    const scheduleStart = Math.max(options.startAt ?? 0, now() + START_LEAD_MS);
    control.start(scheduleStart);
    outputs = RunOutputs.start(options.outputs ?? { labels: {} }, collector, scheduleStart);
    const phases = phaseMarks(scenarios, startedAt, scheduleStart);
    const view = new RunView(config, control, scheduleStart);
    const onTick = (t: number, state?: ProgressState) =>
      outputs?.tick({ now: t, counters: tickCounters(config, control.slots), state });
    const progress = { onProgress: options.onProgress, onTick };
    const samples = await observe({ control, collector, view, ...progress });
    // Every Worker closes its collector before it is ended; one that does not
    // in time shows in the snapshot's unflushedRequests (the run then fails).
    if (!control.allDone()) {
      control.cutAll();
      await control.waitAllDone(END_ACK_MS);
    }

    const endedAt = now();
    const { snapshot, series } = finalFigures(collector, view.requests());
    const state = view.state(snapshot, endedAt);
    options.onProgress?.(state);
    const result = assembleResult({
      name: config.name,
      description: config.description,
      scenarios,
      thresholds,
      collector: kind,
      workers: control.slots,
      snapshot,
      series,
      samples,
      phases,
      startedAt,
      scheduleStart,
      endedAt,
      stopTime: control.stopTime,
      interrupted: control.interrupted,
      error: control.error,
    });
    const pushProblem = await withDistributed(result, {
      outputs,
      counters: tickCounters(config, control.slots),
      range: { fromMs: scheduleStart, toMs: endedAt },
      state,
      config: options.config,
      segment: options.segment,
    });
    // Every output has finished: the verdict is settled once, here.
    return settleVerdict(result, [pushProblem]);
  } finally {
    await outputs?.abort();
    removeStops();
    control.terminate();
    collector.close();
  }
}

/** The run's phases: init at `startedAt`, then the schedule's from `scheduleStart` (epoch ms). */
function phaseMarks(
  scenarios: readonly ScenarioSpec[],
  startedAt: number,
  scheduleStart: number,
): PhaseMark[] {
  const phases: PhaseMark[] = [{ timestamp: startedAt, phase: "init" }];
  for (const p of phaseTimeline(scenarios)) {
    phases.push({ timestamp: scheduleStart + p.offsetMs, phase: p.phase });
  }
  return phases;
}

/** Options of {@linkcode observe}. */
interface ObserveOptions {
  control: RunControl;
  collector: SharedMetricsCollector;
  view: RunView;
  onProgress?: (state: ProgressState) => void;
  /**
   * Called at each tick with its epoch-ms time (per-second histograms,
   * Prometheus) and the live state, until a stop is asked for.
   */
  onTick?: (t: number, state?: ProgressState) => void;
}

/**
 * The tick loop: until every worker is done, once a second record the
 * generation rate, sample VUs and phase, and report progress (not after a
 * stop was asked for: the view then waits quietly). Ends the loop (with an
 * error) when workers outlive the longest gracefulStop by
 * {@linkcode KILL_GRACE_MS}; the caller then cuts them. Returns the samples.
 */
async function observe(options: ObserveOptions): Promise<VuSample[]> {
  const { control, collector, view } = options;
  const start = view.scheduleStart;
  const end = start + view.totalMs;
  const maxGrace = view.maxGraceMs;
  const samples: VuSample[] = [];
  let stopAt = Infinity; // epoch ms after which workers are terminated regardless
  let lastRequests = 0;
  let lastTick = start;
  let tick = 1;
  while (!control.allDone()) {
    const t0 = now();
    const nextTick = start + tick * 1000;
    if (stopAt === Infinity && (control.stopRequested || t0 >= end)) {
      stopAt = Math.min(t0, end) + maxGrace + KILL_GRACE_MS;
    }
    if (t0 >= stopAt) {
      control.fail("workers did not stop within gracefulStop");
      break;
    }
    await control.sleep(Math.max(0, Math.min(nextTick, stopAt) - t0));
    const t = now();
    if (t < nextTick) continue;
    tick = Math.floor((t - start) / 1000) + 1;
    const requests = view.requests();
    const rate = (requests - lastRequests) / ((t - lastTick) / 1000);
    lastRequests = requests;
    lastTick = t;
    collector.recordGenerationRate(Math.round(rate * 10) / 10);
    const s = view.state(collector.getSnapshot(), t);
    samples.push({ timestamp: t, activeVUs: s.activeVUs, phase: s.phase });
    const live = control.stopRequested ? undefined : s; // after a stop, the view waits quietly
    options.onTick?.(t, live);
    if (live) options.onProgress?.(live);
  }
  return samples;
}

/**
 * The collector's final series, then its final snapshot after recording the
 * generation rate over the whole run, so the final efficiency compares like
 * with like. The series is read first: the whole-run rate is no rate of the
 * last second, and in the series it drew a spike at the end of the chart.
 */
function finalFigures(
  collector: SharedMetricsCollector,
  requests: number,
): { snapshot: MetricsSnapshot; series: TimeSeriesData } {
  collector.flush();
  const series = collector.getTimeSeries();
  const before = collector.getSnapshot();
  collector.recordGenerationRate(
    before.elapsed > 0 ? Math.round(requests / (before.elapsed / 1000) * 10) / 10 : 0,
  );
  return { snapshot: collector.getSnapshot(), series };
}
