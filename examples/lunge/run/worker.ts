/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * The load-generating Web Worker. It owns its share of every scenario's VUs
 * (closed model) or of every scenario's arrival rate (open model, paced by
 * its own {@linkcode Pacer} over the interleaved global schedule), its own
 * {@linkcode HttpClient}, and a collector attached to the engine's shared
 * memory, into which it records every request.
 *
 * Lifecycle: `init` -> `ready`; `start` (an epoch time all workers share) ->
 * run; at each scenario's end, or on `stop`, issue nothing more and let
 * in-flight iterations finish within the scenario's gracefulStop, then cut
 * them: every request still in flight is recorded as failed with error type
 * `"interrupted"` (status 0, timed up to the cut; one still queued for a
 * connection was never sent: it is counted as not sent, `cut before
 * sending`), think-time waits end and no request is sent after the cut, so
 * every request sent is counted once. `cut` (Ctrl-C) cuts at once. A
 * stopped scenario whose every request in flight is past its own timeout by
 * {@linkcode OVERDUE_MS} is cut at once too: the client could not end them
 * (a saturated machine, e.g. 100,000 VUs' connects the kernel has not
 * answered), and waiting out gracefulStop would only hold the run.
 *
 * A request that ends before any byte of it left (a missing variable, an
 * invalid request, a DNS failure, a refused permission: `_not_sent.ts`) is
 * never given to `recordRequest`: it is counted as not sent, per scenario,
 * reason and name, so the collector's `totalRequests` is what was sent. Then flush and close the collector,
 * close the client and post `done`; the engine terminates the worker only
 * after `done` (or when it does not come in time, which the run reports).
 *
 * Every wait (duration, stages, gracefulStop, think time, pacing) is a
 * chunked {@linkcode longTimeout}, so delays past 2^31 - 1 ms work.
 * A VU whose iteration gets no response (refused, reset, out of file
 * descriptors, …) backs off before its next one: 1 ms, doubling up to 1 s,
 * reset by a response, so failing VUs cannot starve the worker's timers.
 *
 * Open-model latency runs from each iteration's *scheduled* time (so a slow
 * server or a busy generator shows up as latency, not as a lower rate — no
 * coordinated omission); later requests of the same iteration are timed
 * from their own start.
 *
 * The per-request path is one `performance.now()` pair around
 * `client.send`, and one `recordRequest` of one reused record
 * (`ScenarioRunner#iteration` -> `#record`); with `--out csv=`, also one
 * CSV row of that record, posted to the main thread in chunks (`_row_buffer.ts`).
 *
 * @module
 */
import { attachCollector, type RequestResult, type SharedMetricsCollector } from "@lunge/metrics";
import {
  type HopOutcome,
  HttpClient,
  type HttpClientOptions,
  type HttpOutcome,
  type PreparedRequest,
} from "../http/http_client.ts";
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
import type { FromWorker, InitMessage, ToWorker, WorkerCounters } from "./_protocol.ts";
import { longTimeout, type LongTimer, wait } from "./_timer.ts";
import { isBare, ScenarioSteps, type StepTools, type VuState } from "./_steps.ts";
import { RowBuffer } from "./_row_buffer.ts";
import { CUT_BEFORE_SENDING, isNotSentError, notSentReason, NotSentTally } from "./_not_sent.ts";

const ORIGIN = performance.timeOrigin;
/** The error type of a request still in flight when its scenario was cut. */
export const INTERRUPTED = "interrupted";
/** Back-off of a VU whose iterations get no response: first and longest wait, ms. */
const BACKOFF_MIN_MS = 1;
const BACKOFF_MAX_MS = 1_000;
/** How far past its timeout a request in flight after the stop may be before the scenario is cut. */
export const OVERDUE_MS = 1_000;

/** A request that was sent and has no outcome yet: request index and start (performance ms). */
interface InFlight {
  i: number;
  start: number;
  /**
   * The redirect hops answered so far (the HTTP client fills it): at the cut
   * they are recorded, each a request the server saw, before the interrupted one.
   */
  hops?: HopOutcome[];
  /** False while the request waits for a connection: at the cut it was never sent. */
  written: boolean;
  /** Set at the cut: a request not yet written is then never sent (HttpClient.send). */
  cancelled: boolean;
}

/** What every scenario of this worker sends with and records into; set by `init`. */
interface WorkerTools {
  /** This worker's HTTP client. */
  client: HttpClient;
  /** The collector attached to the engine's shared memory. */
  collector: SharedMetricsCollector;
  /** What non-bare requests (variables, assertions, extracts, own timeout) send with. */
  steps: StepTools;
}

let tools: WorkerTools | undefined;
let runners: ScenarioRunner[] = [];
let requestsSent = 0;
let statsTimer: ReturnType<typeof setInterval> | undefined;
let finished = false;
/** `--out csv=`: the rows of this worker's requests, posted in chunks. */
let csvRows: RowBuffer | undefined;

function post(message: FromWorker): void {
  self.postMessage(message);
}

/** One scenario's share of the load in this worker. */
class ScenarioRunner {
  readonly spec: ScenarioSpec;
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
    const now = performance.now();
    for (const f of this.#inflight) {
      if (!f.written) {
        f.cancelled = true; // still queued for a connection: never sent
        this.#unsent(f.i, CUT_BEFORE_SENDING);
        continue;
      }
      f.cancelled = true; // a redirect's next hop is not sent after the cut
      this.#record(f.i, f.start, now, {
        statusCode: 0,
        bytes: 0,
        error: INTERRUPTED,
        hops: f.hops,
      });
      this.interrupted++;
    }
    this.#inflight.clear();
    this.#stopped.abort();
    this.#cutOff.abort();
    this.#onIdle();
  }

  /**
   * After the stop: cuts now when every request still in flight is past its
   * own timeout by {@linkcode OVERDUE_MS} at `now` (performance ms).
   */
  cutIfOverdue(now: number): void {
    if (!this.stopping || this.cut || this.#inflight.size === 0) return;
    for (const f of this.#inflight) {
      if (now - f.start <= this.#timeouts[f.i] + OVERDUE_MS) return;
    }
    this.cutNow();
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
    const vu = newVu();
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
    const vu = this.#idleVus.pop() ?? newVu();
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
      requestsSent++;
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
    requestsSent--;
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
      requestsSent += hops.length;
    }
    const r = this.#result;
    r.startTime = ORIGIN + start;
    r.duration = end - start;
    r.statusCode = outcome.statusCode;
    r.bytes = outcome.bytes;
    r.error = outcome.error; // undefined when the request got a response
    r.name = this.#names[i];
    this.#collector.recordRequest(r);
    csvRows?.add(this.spec.name, r); // after recordRequest: only a request it counted
  }
}

let vuSeq = 0;
let workerIndex = 0;
let workerCount = 1;

/** A new VU: numbered from 1, unique across this run's workers (`{{vuId}}`). */
function newVu(): VuState {
  return { vuId: vuSeq++ * workerCount + workerIndex + 1, iteration: -1, vars: new Map() };
}

function counters(): WorkerCounters {
  let active = 0;
  for (const r of runners) active += r.busy;
  return {
    requests: requestsSent,
    activeVUs: active,
    iterations: runners.map((r) => r.iterations),
    dropped: runners.map((r) => r.dropped),
    peakVUs: runners.map((r) => r.peak),
    retries: (tools?.client.retries ?? 0) + extraRetries(),
    notSent: runners.map((r) => r.notSent.toJSON()),
  };
}

function checkDone(): void {
  if (finished || !runners.every((r) => r.idle)) return;
  finished = true;
  const cut = runners.some((r) => r.cut);
  for (const r of runners) r.clearTimers();
  if (statsTimer !== undefined) clearInterval(statsTimer);
  tools?.collector.flush();
  tools?.collector.close();
  csvRows?.flush(); // every row is posted before done
  tools?.client.close();
  closeExtraClients();
  post({
    type: "done",
    counters: counters(),
    cut,
    lags: runners.map((r) => isArrivalRate(r.spec) ? r.lag.toJSON() : null),
    checks: runners.map((r) => r.checks()),
  });
}

/** Clients for requests with their own timeout, one per distinct timeout. */
const extraClients = new Map<number, HttpClient>();

/** Retries of the clients for requests with their own timeout (closed ones too). */
function extraRetries(): number {
  let n = closedRetries;
  for (const c of extraClients.values()) n += c.retries;
  return n;
}
let closedRetries = 0;

function closeExtraClients(): void {
  closedRetries = extraRetries();
  for (const c of extraClients.values()) c.close();
  extraClients.clear();
}

/** The HTTP client's transport options from the run's settings (TLS, HTTP/2, proxy, socket). */
function transportOptions(s: InitMessage["settings"]): Partial<HttpClientOptions> {
  const pem = s.tlsPem ?? {};
  return {
    caCerts: pem.ca !== undefined ? [pem.ca] : undefined,
    cert: pem.cert,
    key: pem.key,
    serverName: s.tls?.serverName,
    insecureSkipVerify: s.insecureSkipVerify || s.tls?.insecureSkipVerify === true,
    http2: s.http2,
    maxConcurrentStreams: s.maxConcurrentStreams,
    proxy: s.proxy,
    unixSocket: s.unixSocket,
  };
}

function init(msg: InitMessage): void {
  const s = msg.settings;
  const client = new HttpClient({
    timeoutMs: s.timeoutMs,
    maxConnectionsPerHost: s.maxConnectionsPerHost,
    maxIdleConnsPerHost: s.maxIdleConnsPerHost,
    maxIdleConns: s.maxIdleConns,
    idleTimeoutMs: s.idleTimeoutMs,
    insecureSkipVerify: s.insecureSkipVerify,
    userAgent: s.userAgent,
    maxRedirects: s.maxRedirects,
    compression: s.compression,
    ...transportOptions(s),
  });
  workerIndex = msg.index;
  workerCount = msg.count;
  const steps: StepTools = {
    clientFor(timeoutMs) {
      if (timeoutMs === s.timeoutMs) return client;
      let c = extraClients.get(timeoutMs);
      if (c === undefined) {
        c = new HttpClient({
          timeoutMs,
          maxConnectionsPerHost: s.maxConnectionsPerHost,
          maxIdleConnsPerHost: s.maxIdleConnsPerHost,
          maxIdleConns: s.maxIdleConns,
          idleTimeoutMs: s.idleTimeoutMs,
          insecureSkipVerify: s.insecureSkipVerify,
          userAgent: s.userAgent,
          maxRedirects: s.maxRedirects,
          compression: s.compression,
          ...transportOptions(s),
        });
        extraClients.set(timeoutMs, c);
      }
      return c;
    },
    timeoutMs: s.timeoutMs,
    userAgent: s.userAgent ?? "lunge-deno/0.1",
    worker: msg.index,
  };
  const t: WorkerTools = { client, collector: attachCollector(msg.handle), steps };
  tools = t;
  if (msg.csv) csvRows = new RowBuffer(post);
  runners = msg.scenarios.map((spec) =>
    new ScenarioRunner({ spec, index: msg.index, count: msg.count, tools: t, onIdle: checkDone })
  );
  post({ type: "ready" });
}

function start(startEpochMs: number): void {
  const t0 = startEpochMs - ORIGIN;
  const begin = () => {
    for (const r of runners) r.start(t0);
    statsTimer = setInterval(() => {
      const now = performance.now();
      for (const r of runners) r.cutIfOverdue(now);
      csvRows?.flush();
      post({ type: "stats", counters: counters() });
    }, 250);
    checkDone();
  };
  const wait = t0 - performance.now();
  if (wait > 0) setTimeout(begin, wait);
  else begin();
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  try {
    switch (msg.type) {
      case "init":
        init(msg);
        break;
      case "start":
        start(msg.startEpochMs);
        break;
      case "stop":
        for (const r of runners) r.stop();
        checkDone();
        break;
      case "cut":
        for (const r of runners) {
          r.stop();
          r.cutNow();
        }
        checkDone();
        break;
    }
  } catch (err) {
    post({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
