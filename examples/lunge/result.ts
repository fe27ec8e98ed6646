/**
 * The engine's run result: what the JSON output holds and what every
 * reporter (console summary, JSON file, HTML report) reads. Owned here so the
 * reporters and the engine agree on one shape.
 *
 * Time unit: every duration and latency in this file is in **milliseconds**
 * (fractional); every point in time is epoch milliseconds, except
 * `startTime`/`endTime` of the run, which are ISO-8601 strings.
 *
 * @module
 */
import type { MetricsSnapshot, TimeSeriesPoint } from "@lunge/metrics";
import type { RunHistograms } from "./distributed/run_histograms.ts";

/** The phase a run is in (Lunge's phases). */
export type Phase = "init" | "warmup" | "ramp-up" | "steady" | "ramp-down" | "cooldown" | "done";

/** A time-series point with the engine's extra per-second fields. */
export interface RunTimeSeriesPoint extends TimeSeriesPoint {
  /** Virtual users active at the end of this second. */
  activeVUs: number;
  /** Phase the run was in at the end of this second. */
  phase: Phase;
}

/** How one scenario ran. */
export interface ScenarioResult {
  /** Executor name, e.g. "constant-vus". */
  executor: string;
  /** Iterations (requests sequences) started. */
  iterations: number;
  /** Arrival-rate executors: iterations due when no VU was free. */
  droppedIterations: number;
  /** Peak busy VUs: the most VUs running an iteration at once (summed over workers). */
  maxVUs: number;
  /**
   * The VUs configured: constant-vus' `vus`, ramping-vus' highest stage
   * target (or start), arrival-rate executors' `maxVUs` (the pool's limit).
   */
  configuredVUs: number;
  /** Arrival-rate executors: the configured (peak) rate in iterations/s; 0 for VU executors. */
  targetRate: number;
  /** Arrival-rate executors: iterations the schedule called for over the time
   * that ran (the integral of its rate); 0 for VU executors. */
  plannedIterations: number;
  /**
   * Arrival-rate executors: how late the generator sent iterations (actual
   * send minus scheduled time, ms; 0.1 ms resolution). Latency includes this
   * lag, since it is measured from the scheduled time. Absent for VU executors.
   */
  sendLag?: { count: number; mean: number; p50: number; p99: number; max: number };
  /** Lunge's `tags` of the scenario, when it has any. */
  tags?: Record<string, string>;
  /** Lunge's `startTime`: ms after the run's start the scenario began, when not 0. */
  startTime?: number;
  /** The stages (duration in ms), when any is named (Lunge's `stages[].name`). */
  stages?: { name: string; duration: number; target: number }[];
  /** Each assertion's passes and fails, when the scenario has assertions. */
  checks?: CheckResult[];
  /**
   * This scenario's requests that were never sent (see
   * {@linkcode NotSentCounts}); a run always writes it (absent: none).
   */
  notSent?: NotSentCounts;
}

/**
 * Requests that were never sent: each ended before any byte of it left for
 * the target (a missing variable, an invalid request, a DNS failure, a
 * permission Deno refused, or still waiting for a connection at the cut).
 * They are not HTTP requests: none is in `totalRequests`, the latency, the
 * error rate or `http_reqs`, so `totalRequests` equals what the server can
 * count. Their assertions are not evaluated (there was no response), and
 * their iteration goes on with its next request.
 */
export interface NotSentCounts {
  /** How many in all. */
  total: number;
  /** Per reason, e.g. `"missing variable userId"`, `"cut before sending"`. */
  byReason: Record<string, number>;
  /** Per request name. */
  byName: Record<string, number>;
}

/** One assertion's outcome over the run (Lunge's `assertions`, counted like k6 checks). */
export interface CheckResult {
  /** The request's name. */
  request: string;
  /** The assertion's `message`, or its expression (e.g. "status eq 200"). */
  assertion: string;
  /** Responses it held for. */
  passes: number;
  /** Responses it failed for (including requests that got no response). */
  fails: number;
  /** passes / (passes + fails); 0 when never evaluated. */
  rate: number;
}

/** One evaluated threshold. */
export interface ThresholdResult {
  /** e.g. "http_req_duration". */
  metric: string;
  /** e.g. "p(95) < 500". */
  expression: string;
  /** Whether it held. */
  passed: boolean;
  /** The measured value (ms for durations, 0..1 for rates, counts/s for http_reqs). */
  value: number;
  /** A one-line human message. */
  message: string;
  /** Parsed form: the aggregate compared, normalised (e.g. "p95" for `p(95)`). */
  aggregate: string;
  /** Parsed form: the operator (`<`, `<=`, `>`, `>=`, `==`, `!=`). */
  operator: string;
  /** Parsed form: the right-hand side in the metric's base unit (ms, 0..1, count, per second). */
  limit: number;
}

/** The collector's final snapshot plus what the engine's HTTP client counted. */
export interface RunMetrics extends MetricsSnapshot {
  /**
   * Requests sent a second time because a reused keep-alive connection
   * turned out to be dead before any response byte arrived. Only idempotent
   * requests (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) or requests provably
   * not written are retried; each retry is counted here (the server saw
   * `totalRequests + retries` requests at most).
   */
  retries: number;
  /**
   * Requests never sent: not in `totalRequests` (see
   * {@linkcode NotSentCounts}); a run always writes it (absent: none).
   */
  notSent?: NotSentCounts;
}

/** The whole JSON result of a run. */
export interface RunResult {
  /** Test name. */
  name: string;
  /** Test description ("" when none). */
  description: string;
  /** ISO-8601 start. */
  startTime: string;
  /** ISO-8601 end. */
  endTime: string;
  /** Run duration in ms. */
  duration: number;
  /** The unit of every duration and latency in this document: always "ms". */
  timeUnit: "ms";
  /** Which collector recorded the run. */
  collector: "atomic" | "mutex";
  /** Per scenario name. */
  scenarios: Record<string, ScenarioResult>;
  /** The collector's final snapshot, plus the client's retries and the requests not sent. */
  metrics: RunMetrics;
  /** One point per second, oldest first, no gaps. */
  timeSeries: { interval: number; points: RunTimeSeriesPoint[] };
  /** Phase changes, for charts: epoch ms and the phase entered. */
  phases: { timestamp: number; phase: Phase }[];
  /** Whether every threshold held and the run did not error. */
  passed: boolean;
  /** Every threshold evaluated. */
  thresholds: ThresholdResult[];
  /** Why the run failed to run (not a threshold failure), or null. */
  error: string | null;
  /**
   * Latency histograms (HdrHistogram V2 compressed, base64, values in ns):
   * the whole run, per request name, per second with
   * `--histograms-per-second`. What `lunge merge` merges.
   */
  histograms?: RunHistograms;
  /** SHA-256 of the test config: `lunge merge` merges only equal hashes. */
  configHash?: string;
  /**
   * The execution segment this run was (`--segment`), if any: part `index`
   * of `count`, equal parts unless `sequence` (`0,1/4,3/4,1`) says otherwise.
   */
  segment?: { index: number; count: number; sequence?: string };
  /** Remote-write pushes (`--out prometheus-rw=`): how many, failures, bytes sent. */
  push?: { pushes: number; failures: number; bytes: number; lastError?: string };
}
