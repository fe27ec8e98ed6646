/**
 * Private helper: the engine's start-up phase and the state it shares with the
 * tick loop. {@linkcode RunControl} holds everything that changes while a run
 * goes on (the worker slots, the first error, the stop request), so that the
 * engine's phases read and write it through one explicit object instead of
 * closures; {@linkcode startWorkers} spawns the Workers, wires their messages
 * to it and waits until every one is ready.
 *
 * @module
 */
import type { CollectorHandle } from "@lunge/metrics";
import type { ScenarioSpec, Settings } from "../config/config.ts";
import type { FromWorker, ToWorker, WorkerCounters } from "./_protocol.ts";
import type { LagState } from "./_lag_histogram.ts";
import type { RequestRows } from "../outputs/request_rows.ts";

/** Why a run could not run; the CLI prints the message as one line. */
export class RunError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "RunError";
  }
}

const WORKER_URL = new URL("./worker.ts", import.meta.url).href;
const READY_TIMEOUT_MS = 15_000;

/** One Worker and what it last reported. */
export interface WorkerSlot {
  /** The Worker. */
  worker: Worker;
  /** Its latest cumulative counters (absent until its first report). */
  counters?: WorkerCounters;
  /** It posted `done` (or failed). */
  done: boolean;
  /** It cut in-flight iterations at gracefulStop. */
  cut: boolean;
  /** Its send-lag histograms, per scenario, from `done`. */
  lags?: (LagState | null)[];
  /** Its assertion passes and fails, per scenario, from `done`. */
  checks?: { passes: number[][]; fails: number[][] }[];
}

/** Where the Workers' recorded requests go (the outputs that take them): each batch, in the order it arrives. */
export interface RowSink {
  /** Takes one batch of a Worker's recorded requests. */
  append(rows: RequestRows): void;
}

/** The mutable state of one run, shared by the start-up, the tick loop and the stop paths. */
export class RunControl {
  /** Where the recorded requests go (`--out csv=`); without a sink, the Workers post none. */
  readonly rows: RowSink | undefined;
  /** Every Worker, in index order. */
  readonly slots: WorkerSlot[] = [];
  /** The first error of the run, or null. */
  error: string | null = null;
  /** A stop was asked for (SIGINT, abort, a worker error). */
  stopRequested = false;
  /** The stop came from the user (SIGINT or the abort signal). */
  interrupted = false;
  /** Epoch ms of the stop request, when there was one. */
  stopTime: number | undefined = undefined;
  #wake: () => void = () => {};

  /** A run's state; `rows` takes the Workers' recorded requests, when given. */
  constructor(rows?: RowSink) {
    this.rows = rows;
  }

  /** Records `message` as the run's error unless one is recorded already. */
  fail(message: string): string {
    this.error ??= message;
    return this.error;
  }

  /** Asks every running Worker to stop (once), and wakes the tick loop. */
  stopAll(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.stopTime = performance.timeOrigin + performance.now();
    for (const s of this.slots) if (!s.done) post(s, { type: "stop" });
    this.changed();
  }

  /** A stop from the user: the run is interrupted. */
  interrupt(): void {
    this.interrupted = true;
    this.stopAll();
  }

  /**
   * Asks every running Worker to cut now: in-flight requests are recorded as
   * interrupted, the collector closed, `done` posted (no gracefulStop wait).
   */
  cutAll(): void {
    this.stopAll();
    for (const s of this.slots) if (!s.done) post(s, { type: "cut" });
    this.changed();
  }

  /**
   * Waits until every Worker posted `done` (it closed its collector), at most
   * `ms`; resolves whether they all did.
   */
  async waitAllDone(ms: number): Promise<boolean> {
    const until = performance.now() + ms;
    while (!this.allDone()) {
      const left = until - performance.now();
      if (left <= 0) return false;
      await this.sleep(left);
    }
    return true;
  }

  /** Something the tick loop waits for happened: wake it now. */
  changed(): void {
    this.#wake();
  }

  /** Waits `ms`, or less when {@linkcode changed} is called meanwhile. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = () => {};
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = () => {};
        resolve();
      };
    });
  }

  /** Whether every Worker has finished. */
  allDone(): boolean {
    return this.slots.every((s) => s.done);
  }

  /** Tells every Worker when the schedule's offset 0 is. */
  start(startEpochMs: number): void {
    for (const s of this.slots) post(s, { type: "start", startEpochMs });
  }

  /**
   * Ends every Worker (whether done or not). The engine calls it after
   * {@linkcode waitAllDone}: a Worker ended before `done` may leave unmerged
   * requests, which the final snapshot counts in `unflushedRequests`.
   */
  terminate(): void {
    for (const s of this.slots) s.worker.terminate();
  }
}

function post(slot: WorkerSlot, msg: ToWorker): void {
  slot.worker.postMessage(msg);
}

/** Options of {@linkcode startWorkers}. */
export interface StartOptions {
  /** The run's state; the Workers are added to its slots. */
  control: RunControl;
  /** How many Workers share the load. */
  count: number;
  /** The collector's shared memory. */
  handle: CollectorHandle;
  /** Every scenario (each Worker runs its share of each). */
  scenarios: ScenarioSpec[];
  /** Settings, with `maxConnectionsPerHost` already one Worker's share. */
  settings: Settings;
}

/**
 * Spawns the Workers, sends each its `init`, and resolves once all are
 * ready. Rejects with a {@linkcode RunError} when one fails to load, reports
 * an error, or none of that happens within 15 s.
 */
export async function startWorkers(options: StartOptions): Promise<void> {
  const { control, count } = options;
  let readyCount = 0;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new RunError("workers did not start within 15 s")),
      READY_TIMEOUT_MS,
    );
    const fail = (e: unknown) => {
      clearTimeout(timer);
      reject(e);
    };
    const onReady = () => {
      if (++readyCount === count) {
        clearTimeout(timer);
        resolve();
      }
    };
    for (let i = 0; i < count; i++) {
      let worker: Worker;
      try {
        worker = new Worker(WORKER_URL, { type: "module" });
      } catch (e) {
        fail(e);
        return;
      }
      const slot: WorkerSlot = { worker, done: false, cut: false };
      control.slots.push(slot);
      attach({ slot, index: i, control, onReady, onFail: fail });
      post(slot, {
        type: "init",
        handle: options.handle,
        index: i,
        count,
        scenarios: options.scenarios,
        settings: options.settings,
        rows: control.rows !== undefined,
      });
    }
  });
  try {
    await ready;
  } catch (e) {
    throw e instanceof RunError ? e : new RunError(e instanceof Error ? e.message : String(e));
  }
}

/** Wires one Worker's messages and errors to the run's state. */
function attach(o: {
  slot: WorkerSlot;
  index: number;
  control: RunControl;
  onReady: () => void;
  onFail: (e: RunError) => void;
}): void {
  const { slot, index, control } = o;
  slot.worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    if (m.type === "ready") {
      o.onReady();
    } else if (m.type === "stats") {
      slot.counters = m.counters;
    } else if (m.type === "rows") {
      control.rows?.append(m.rows);
    } else if (m.type === "done") {
      slot.counters = m.counters;
      slot.lags = m.lags;
      slot.checks = m.checks;
      slot.done = true;
      slot.cut = m.cut;
      control.changed();
    } else if (m.type === "error") {
      o.onFail(new RunError(control.fail(`worker ${index}: ${m.message}`)));
      control.stopAll();
    }
  };
  slot.worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    const message = e.message ?? String(e.error);
    const error = control.fail(`worker ${index} failed: ${message}`);
    slot.done = true;
    o.onFail(new RunError(error));
    control.stopAll();
  };
}
