/**
 * Private helper: one scenario's share of the load in one Worker
 * ({@linkcode ScenarioRunner}): its VUs (closed model) or its arrivals (open
 * model, paced by a {@linkcode Pacer} over this Worker's stripe of the
 * global schedule), the iteration that sends its requests and records them
 * (the hot path: one `performance.now()` pair around `client.send`, one
 * `recordRequest` of one reused record), and the stop and the cut: at
 * gracefulStop, or at once on `cut`, every request in flight is recorded as
 * {@linkcode INTERRUPTED} (one still queued for a connection is counted as
 * not sent), and nothing is sent after it. See `worker.ts` for the whole
 * Worker.
 *
 * @module
 */
import type { RequestResult, SharedMetricsCollector } from "@lunge/metrics";
import type { HttpClient, HttpOutcome, PreparedRequest } from "../http/http_client.ts";
import type { ScenarioSpec } from "../config/config.ts";
import {
  isArrivalRate,
  rateSegments,
  REPLAN_MS,
  scenarioDurationMs,
  shareOf,
  workerVUsAt,
} from "./executors.ts";
import { pace, Pacer } from "./pacer.ts";
import { workerStripe } from "../distributed/stripe.ts";
import { LagHistogram } from "./_lag_histogram.ts";
import { longTimeout, type LongTimer, wait } from "./_timer.ts";
import { isBare, ScenarioSteps, type StepTools, type VuState } from "./_steps.ts";
import type { RowBuffer } from "./_row_buffer.ts";
import { isNotSentError, notSentReason, NotSentTally } from "./_not_sent.ts";
import { allOverdue, cutInFlight, type InFlight } from "./_in_flight.ts";

export { INTERRUPTED, OVERDUE_MS } from "./_in_flight.ts";

const ORIGIN = performance.timeOrigin;
/** Back-off of a VU whose iterations get no response: first and longest wait, ms. */
const BACKOFF_MIN_MS = 1;
const BACKOFF_MAX_MS = 1_000;

/** What every scenario of this worker sends with and records into; set by `init`. */
export interface WorkerTools {
  /** This worker's HTTP client. */
  client: HttpClient;
  /** The collector attached to the engine's shared memory. */
  collector: SharedMetricsCollector;
  /** What non-bare requests (variables, assertions, extracts, own timeout) send with. */
  steps: StepTools;
  /** A new VU, numbered across the run's workers (`{{vuId}}`). */
  newVu: () => VuState;
  /** `--out csv=`: the rows of this worker's requests, posted in chunks. */
  rows?: RowBuffer;
}

/** One scenario's share of the load in this worker. */
export class ScenarioRunner {
  readonly spec: ScenarioSpec;
  /** Requests sent (started, less those found never sent; each redirect hop one). */
  sent = 0;
  iterations = 0;
  dropped = 0;
  busy = 0;
  peak = 0;
  /** Open model: how late iterations were sent. */
  readonly lag: LagHistogram = new LagHistogram();
  /** No new iterations start. */
  stopping = false;
  /** gracefulStop expired: in-flight requests were recorded as interrupted; nothing more is sent. */
  cut = false;
  /** Requests recorded as interrupted at the cut. */
  interrupted = 0;
  /** Requests that were never sent (not recorded). */
  readonly notSent: NotSentTally = new NotSentTally();
  #index: number;
  #count: number;
  /** Bare requests, prepared once; undefined for those {@linkcode ScenarioSteps} runs. */
  #prepared: (PreparedRequest | undefined)[];
  #steps: ScenarioSteps;
  /** VUs of the open model not running an iteration, with their variables. */
  #idleVus: VuState[] = [];
  #startTimer: LongTimer | undefined;
  #names: string[];
  #think: number[];
  /** Each request's timeout, ms (its own, else settings.timeout). */
  #timeouts: number[];
  #t0 = 0;
  #running: boolean[] = [];
  #target = 0;
  #replan: ReturnType<typeof setTimeout> | undefined;
  #pacing = false;
  #allocated = 0;
  #maxVUs = 0;
  #graceTimer: LongTimer | undefined;
  #endTimer: LongTimer | undefined;
  /** Aborted at stop: pacing waits end. */
  #stopped = new AbortController();
  /** Aborted at the cut: think-time and back-off waits end. */
  #cutOff = new AbortController();
  /** Requests sent and not yet answered. */
  #inflight = new Set<InFlight>();
  #onIdle: () => void;
  #client: HttpClient;
  #collector: SharedMetricsCollector;
  #newVu: () => VuState;
  #rows: RowBuffer | undefined;
  /** One reused record: recordRequest copies it synchronously. */
  #result: RequestResult = { startTime: 0, duration: 0, statusCode: 0, bytes: 0, name: "" };

  constructor(options: {
    spec: ScenarioSpec;
    index: number;
    count: number;
    tools: WorkerTools;
    onIdle: () => void;
  }) {
    const { spec, tools } = options;
    this.spec = spec;
    this.#index = options.index;
    this.#count = options.count;
    this.#onIdle = options.onIdle;
    this.#client = tools.client;
    this.#collector = tools.collector;
    this.#newVu = tools.newVu;
    this.#rows = tools.rows;
    this.#prepared = spec.requests.map((r) =>
      isBare(r)
        ? tools.client.prepare({ method: r.method, url: r.url, headers: r.headers, body: r.body })
        : undefined
    );
    this.#steps = new ScenarioSteps(spec, tools.steps);
    this.#names = spec.requests.map((r) => r.name);
    this.#think = spec.requests.map((r) => r.thinkTimeMs);
    this.#timeouts = spec.requests.map((r) => r.timeoutMs ?? tools.steps.timeoutMs);
  }

  /** Whether nothing of this scenario is running any more. */
  get idle(): boolean {
    return this.cut || (this.stopping && this.busy === 0 && !this.#pacing);
  }

  /** Starts at `t0` plus the scenario's startTime (performance ms). */
  start(t0: number): void {
    this.#t0 = t0 + this.spec.startTimeMs;
    const delay = this.#t0 - performance.now();
    if (delay > 0) {
      this.#startTimer = longTimeout(() => this.#begin(), delay);
    } else this.#begin();
  }

  /** Pass and fail counts of each request's assertions. */
  checks(): { passes: number[][]; fails: number[][] } {
    return { passes: this.#steps.tally.passes, fails: this.#steps.tally.fails };
  }

  #begin(): void {
    if (this.stopping) return;
    const t0 = this.#t0;
    if (isArrivalRate(this.spec)) {
      // The pacer's schedule ends the scenario, so its last due iterations are never lost.
      this.#startArrival();
      return;
    }
    this.#retarget();
    this.#replan = setInterval(() => this.#retarget(), REPLAN_MS);
    const endIn = t0 + scenarioDurationMs(this.spec) - performance.now();
    this.#endTimer = longTimeout(() => this.stop(), Math.max(0, endIn));
  }

  /** Stop starting iterations; cut in-flight ones after gracefulStop. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.#stopped.abort();
    if (this.#replan !== undefined) clearInterval(this.#replan);
    this.#target = 0;
    if (this.busy === 0) {
      this.#onIdle();
      return;
    }
    this.#graceTimer = longTimeout(() => this.cutNow(), this.spec.gracefulStopMs);
  }

  /**
   * The cut: records every request in flight as interrupted (status 0, timed
   * up to now), ends think-time waits, and sends nothing more. Their late
   * outcomes, if any, are ignored: each sent request is recorded exactly once.
   */
  cutNow(): void {
    if (this.cut) return;
    this.cut = true;
    this.stopping = true;
    cutInFlight(this.#inflight, performance.now(), {
      unsent: (i, reason) => this.#unsent(i, reason),
      interrupted: (i, start, end, outcome) => {
        this.#record(i, start, end, outcome);
        this.interrupted++;
      },
    });
    this.#stopped.abort();
    this.#cutOff.abort();
    this.#onIdle();
  }

  /**
   * After the stop: cuts now when every request still in flight is past its
   * own timeout by {@linkcode OVERDUE_MS} at `now` (performance ms).
   */
  cutIfOverdue(now: number): void {
    if (this.stopping && !this.cut && allOverdue(this.#inflight, this.#timeouts, now)) {
      this.cutNow();
    }
  }

  clearTimers(): void {
    if (this.#replan !== undefined) clearInterval(this.#replan);
    this.#startTimer?.cancel();
    this.#graceTimer?.cancel();
    this.#endTimer?.cancel();
  }

  // ---- closed model (VU executors) ----

  #retarget(): void {
    if (this.stopping) return;
    // The whole test's target now, the segment's share, this worker's share of that.
    const t = performance.now() - this.#t0;
    const target = workerVUsAt(this.spec, t, this.#index, this.#count);
    this.#target = target;
    for (let id = 0; id < target; id++) {
      if (!this.#running[id]) {
        this.#running[id] = true;
        this.#vu(id);
      }
    }
  }

  async #vu(id: number): Promise<void> {
    this.busy++;
    if (this.busy > this.peak) this.peak = this.busy;
    const { pacing } = this.spec;
    const vu = this.#newVu();
    let backoff = 0;
    while (!this.stopping && id < this.#target) {
      this.iterations++;
      vu.iteration++;
      const answered = await this.#iteration(-1, vu);
      // No response: wait 1 ms, doubling to 1 s, so instant failures cannot spin.
      backoff = answered ? 0 : Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, backoff * 2));
      if (backoff > 0 && !this.stopping) await wait(backoff, this.#stopped.signal);
      // Lunge's pacing: a wait after each iteration (constant, or uniform in min..max).
      if (pacing.type !== "none" && !this.stopping) {
        const ms = pacing.minMs + Math.random() * (pacing.maxMs - pacing.minMs);
        if (ms > 0) await wait(ms, this.#stopped.signal);
      }
    }
    this.#running[id] = false;
    this.busy--;
    if (this.stopping && this.busy === 0 && !this.cut) this.#onIdle();
  }

  // ---- open model (arrival-rate executors) ----

  #startArrival(): void {
    const s = this.spec;
    // Only as many workers as the pool has VUs take part, so none is left without one.
    const workers = Math.min(this.#count, s.maxVUs);
    if (this.#index >= workers) {
      this.stopping = true;
      return;
    }
    this.#allocated = Math.max(1, shareOf(s.preAllocatedVUs, this.#index, workers));
    this.#maxVUs = Math.max(this.#allocated, shareOf(s.maxVUs, this.#index, workers));
    // An execution segment issues the global iterations of its stripe; its
    // workers deal those round-robin: this one takes every workers-th of them.
    const own = workerStripe(s.stripe, this.#index, workers);
    const pacer = new Pacer({
      segments: rateSegments(s),
      stride: own.period,
      offsets: own.residues,
    });
    this.#pacing = true;
    pacer.start(this.#t0);
    pace(pacer, this.#fire, { stopped: () => this.stopping }).then(() => {
      this.dropped += pacer.skipped;
      this.#pacing = false;
      this.stop();
      this.#onIdle();
    });
  }

  #fire = (scheduled: number): void => {
    if (this.busy >= this.#allocated) {
      if (this.#allocated >= this.#maxVUs) {
        this.dropped++;
        return;
      }
      this.#allocated++;
    }
    this.busy++;
    if (this.busy > this.peak) this.peak = this.busy;
    this.iterations++;
    this.#arrival(scheduled);
  };

  async #arrival(scheduled: number): Promise<void> {
    this.lag.record(performance.now() - scheduled);
    const vu = this.#idleVus.pop() ?? this.#newVu();
    vu.iteration++;
    await this.#iteration(scheduled, vu);
    this.#idleVus.push(vu);
    this.busy--;
    if (this.stopping && this.busy === 0 && !this.cut) this.#onIdle();
  }

  // ---- one iteration: the hot path ----

  /**
   * Runs the requests once; the first one's start is `scheduled` when >= 0.
   * The path of one request: `send` -> the outcome -> {@linkcode #record}.
   * Nothing is sent after the cut; a request in flight at the cut was
   * recorded there (as interrupted), so its late outcome is dropped here.
   * Returns false when a request got no response (status 0).
   */
  async #iteration(scheduled: number, vu: VuState): Promise<boolean> {
    const prepared = this.#prepared;
    const last = prepared.length - 1;
    let answered = true;
    for (let i = 0; i <= last && !this.cut; i++) {
      const start = i === 0 && scheduled >= 0 ? scheduled : performance.now();
      // The HTTP client marks a request written (a fetch one counts as written).
      const flight: InFlight = { i, start, written: false, cancelled: false };
      this.#inflight.add(flight);
      this.sent++;
      const bare = prepared[i];
      // Bare requests: the prepared bytes. Others: variables, checks, extracts (_steps.ts).
      let outcome: HttpOutcome;
      let end: number;
      let sent: boolean;
      if (bare !== undefined) {
        outcome = await this.#client.send(bare, flight);
        end = performance.now();
        sent = !isNotSentError(outcome.error, flight.written);
      } else {
        const step = await this.#steps.run(i, vu, { start, signal: this.#cutOff.signal, flight });
        outcome = step;
        end = step.end;
        sent = step.sent;
      }
      if (this.cut) return answered;
      this.#inflight.delete(flight);
      if (outcome.statusCode === 0) answered = false;
      // Nothing left for the target: not an HTTP request (_not_sent.ts).
      if (!sent) this.#unsent(i, notSentReason(outcome.error));
      else this.#record(i, start, end, outcome);
      // As in Lunge, no think time after the iteration's last request.
      const think = this.#think[i];
      if (think > 0 && i < last && !this.stopping) await wait(think, this.#cutOff.signal);
    }
    return answered;
  }

  /** Counts request `i` as never sent, for `reason`: it is not recorded. */
  #unsent(i: number, reason: string): void {
    this.sent--;
    this.notSent.add(reason, this.#names[i]);
  }

  /**
   * Records request `i` of the iteration: timed from `start` to `end` (ms,
   * performance clock). Each redirect hop before its final response is a
   * request of its own (as k6 counts them, and as the server logs them):
   * recorded under the same name, timed from when it was sent (the first
   * from `start`) to the end of its response; the final response from the
   * end of the last hop.
   */
  #record(i: number, start: number, end: number, outcome: HttpOutcome): void {
    const hops = outcome.hops;
    if (hops !== undefined) {
      for (const h of hops) {
        this.#record(i, start, h.end, h);
        start = h.end;
      }
      this.sent += hops.length;
    }
    const r = this.#result;
    r.startTime = ORIGIN + start;
    r.duration = end - start;
    r.statusCode = outcome.statusCode;
    r.bytes = outcome.bytes;
    r.error = outcome.error; // undefined when the request got a response
    r.name = this.#names[i];
    this.#collector.recordRequest(r);
    this.#rows?.add(this.spec.name, r); // after recordRequest: only a request it counted
  }
}
