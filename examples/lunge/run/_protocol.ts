/**
 * Private helper: the messages the engine (main thread) and its workers
 * exchange. Structured-cloneable plain data only.
 *
 * @module
 */
import type { CollectorHandle } from "@lunge/metrics";
import type { ScenarioSpec, Settings } from "../config/config.ts";
import type { LagState } from "./_lag_histogram.ts";
import type { NotSentTable } from "./_not_sent.ts";
import type { RequestRows } from "../outputs/request_rows.ts";

/** Main -> worker: everything a worker needs, sent once. */
export interface InitMessage {
  /** Message kind. */
  type: "init";
  /** The collector's shared memory. */
  handle: CollectorHandle;
  /** This worker's index, 0-based. */
  index: number;
  /** How many workers share the load. */
  count: number;
  /** Every scenario (each worker runs its share of each). */
  scenarios: ScenarioSpec[];
  /** Shared settings; `maxConnectionsPerHost` is already this worker's share. */
  settings: Settings;
  /** Post every recorded request, in `rows` messages (for an output that takes them: `--out csv=`). */
  rows?: boolean;
}

/** Main -> worker: start the schedule at this epoch time (ms, fractional). */
export interface StartMessage {
  /** Message kind. */
  type: "start";
  /** When the schedule's offset 0 is, in epoch ms. */
  startEpochMs: number;
}

/** Main -> worker: stop issuing now (SIGINT); in-flight iterations get gracefulStop. */
export interface StopMessage {
  /** Message kind. */
  type: "stop";
}

/**
 * Main -> worker: cut now (a second Ctrl-C, or workers that outlived their
 * gracefulStop): record every request in flight as interrupted, close the
 * collector and post `done` without waiting for gracefulStop.
 */
export interface CutMessage {
  /** Message kind. */
  type: "cut";
}

/** Anything the main thread sends. */
export type ToWorker = InitMessage | StartMessage | StopMessage | CutMessage;

/** Counters a worker reports, cumulative since the start. */
export interface WorkerCounters {
  /** Requests sent (started). */
  requests: number;
  /** VUs busy right now (all scenarios). */
  activeVUs: number;
  /** Per scenario, in config order: iterations started. */
  iterations: number[];
  /** Per scenario: arrival-rate iterations dropped (no free VU, or too late). */
  dropped: number[];
  /** Per scenario: most VUs busy at once in this worker. */
  peakVUs: number[];
  /** Requests the worker's HTTP client retried on a fresh connection (`HttpClient.retries`). */
  retries?: number;
  /** Per scenario: requests never sent, `[reason][request name]` (not in `requests`). */
  notSent?: NotSentTable[];
}

/** Worker -> main. */
export type FromWorker =
  | { type: "ready" }
  | { type: "stats"; counters: WorkerCounters }
  /** Recorded requests (`InitMessage.rows`); all of a worker's arrive before its `done`. */
  | { type: "rows"; rows: RequestRows }
  | {
    type: "done";
    counters: WorkerCounters;
    cut: boolean;
    /** Per scenario: the send-lag histogram state (`LagHistogram.toJSON()`), or null. */
    lags: (LagState | null)[];
    /** Per scenario: assertion passes and fails, `[request][assertion]`. */
    checks?: { passes: number[][]; fails: number[][] }[];
  }
  | { type: "error"; message: string };
