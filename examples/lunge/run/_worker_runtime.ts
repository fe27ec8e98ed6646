/**
 * Private helper: a Worker's whole state, in one object
 * ({@linkcode WorkerRuntime}): its HTTP clients (one for the run's timeout,
 * one more per distinct own timeout of a request), the collector attached to
 * the engine's shared memory, its {@linkcode ScenarioRunner}s, the VU
 * numbering, the stats timer and the `--out csv=` rows; what each message
 * of the engine does to it (`init`, `start`, `stop`, `cut`), and the end:
 * once every scenario is idle, flush and close the collector, post the last
 * rows, close the clients and post `done`. `worker.ts` only dispatches the
 * messages to it.
 *
 * @module
 */
import { attachCollector, type SharedMetricsCollector } from "@lunge/metrics";
import { HttpClient, type HttpClientOptions } from "../http/http_client.ts";
import { isArrivalRate } from "./executors.ts";
import type { FromWorker, InitMessage, WorkerCounters } from "./_protocol.ts";
import type { StepTools, VuState } from "./_steps.ts";
import { RowBuffer } from "./_row_buffer.ts";
import { ScenarioRunner, type WorkerTools } from "./_scenario_runner.ts";

/** How often a Worker posts its counters (and its CSV rows), ms. */
const STATS_MS = 250;

/** The HTTP client's options for requests timed out after `timeoutMs`, from the run's settings. */
function clientOptions(s: InitMessage["settings"], timeoutMs: number): HttpClientOptions {
  const pem = s.tlsPem ?? {};
  return {
    timeoutMs,
    maxConnectionsPerHost: s.maxConnectionsPerHost,
    maxIdleConnsPerHost: s.maxIdleConnsPerHost,
    maxIdleConns: s.maxIdleConns,
    idleTimeoutMs: s.idleTimeoutMs,
    userAgent: s.userAgent,
    maxRedirects: s.maxRedirects,
    compression: s.compression,
    // Transport: TLS, HTTP/2, proxy, Unix socket.
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

/** One Worker's state and what the engine's messages do to it (see the module doc). */
export class WorkerRuntime {
  #post: (message: FromWorker) => void;
  #client: HttpClient | undefined;
  #collector: SharedMetricsCollector | undefined;
  #runners: ScenarioRunner[] = [];
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  #finished = false;
  /** `--out csv=`: the rows of this worker's requests, posted in chunks. */
  #rows: RowBuffer | undefined;
  #vuSeq = 0;
  #index = 0;
  #count = 1;
  /** Clients for requests with their own timeout, one per distinct timeout. */
  #extraClients = new Map<number, HttpClient>();
  /** Retries of the extra clients already closed. */
  #closedRetries = 0;

  /** A Worker's runtime that posts its messages with `post`. */
  constructor(post: (message: FromWorker) => void) {
    this.#post = post;
  }

  /** `init`: builds the clients, attaches the collector, prepares every scenario; posts `ready`. */
  init(msg: InitMessage): void {
    const s = msg.settings;
    const client = new HttpClient(clientOptions(s, s.timeoutMs));
    this.#client = client;
    this.#index = msg.index;
    this.#count = msg.count;
    const steps: StepTools = {
      clientFor: (timeoutMs) =>
        timeoutMs === s.timeoutMs ? client : this.#extraClient(s, timeoutMs),
      timeoutMs: s.timeoutMs,
      userAgent: s.userAgent ?? "lunge-deno/0.1",
      worker: msg.index,
    };
    const collector = attachCollector(msg.handle);
    this.#collector = collector;
    if (msg.rows) this.#rows = new RowBuffer(this.#post);
    const tools: WorkerTools = {
      client,
      collector,
      steps,
      newVu: () => this.#newVu(),
      rows: this.#rows,
    };
    const onIdle = () => this.#checkDone();
    this.#runners = msg.scenarios.map((spec) =>
      new ScenarioRunner({ spec, index: msg.index, count: msg.count, tools, onIdle })
    );
    this.#post({ type: "ready" });
  }

  /** `start`: every scenario starts at `startEpochMs` (epoch ms); counters are posted every 250 ms. */
  start(startEpochMs: number): void {
    const t0 = startEpochMs - performance.timeOrigin;
    const begin = () => {
      for (const r of this.#runners) r.start(t0);
      this.#statsTimer = setInterval(() => {
        const now = performance.now();
        for (const r of this.#runners) r.cutIfOverdue(now);
        this.#rows?.flush();
        this.#post({ type: "stats", counters: this.#counters() });
      }, STATS_MS);
      this.#checkDone();
    };
    const wait = t0 - performance.now();
    if (wait > 0) setTimeout(begin, wait);
    else begin();
  }

  /** `stop`: no new iterations; those in flight get their scenario's gracefulStop. */
  stop(): void {
    for (const r of this.#runners) r.stop();
    this.#checkDone();
  }

  /** `cut`: stop, and cut every scenario now. */
  cut(): void {
    for (const r of this.#runners) {
      r.stop();
      r.cutNow();
    }
    this.#checkDone();
  }

  /** A new VU: numbered from 1, unique across this run's workers (`{{vuId}}`). */
  #newVu(): VuState {
    return { vuId: this.#vuSeq++ * this.#count + this.#index + 1, iteration: -1, vars: new Map() };
  }

  /** The client for requests with their own `timeoutMs` (made on first use). */
  #extraClient(s: InitMessage["settings"], timeoutMs: number): HttpClient {
    let c = this.#extraClients.get(timeoutMs);
    if (c === undefined) {
      c = new HttpClient(clientOptions(s, timeoutMs));
      this.#extraClients.set(timeoutMs, c);
    }
    return c;
  }

  /** Retries of the clients for requests with their own timeout (closed ones too). */
  #extraRetries(): number {
    let n = this.#closedRetries;
    for (const c of this.#extraClients.values()) n += c.retries;
    return n;
  }

  #counters(): WorkerCounters {
    const runners = this.#runners;
    let active = 0, sent = 0;
    for (const r of runners) {
      active += r.busy;
      sent += r.sent;
    }
    return {
      requests: sent,
      activeVUs: active,
      iterations: runners.map((r) => r.iterations),
      dropped: runners.map((r) => r.dropped),
      peakVUs: runners.map((r) => r.peak),
      retries: (this.#client?.retries ?? 0) + this.#extraRetries(),
      notSent: runners.map((r) => r.notSent.toJSON()),
    };
  }

  /** Once every scenario is idle: close everything and post `done` (once). */
  #checkDone(): void {
    const runners = this.#runners;
    if (this.#finished || !runners.every((r) => r.idle)) return;
    this.#finished = true;
    const cut = runners.some((r) => r.cut);
    for (const r of runners) r.clearTimers();
    if (this.#statsTimer !== undefined) clearInterval(this.#statsTimer);
    this.#collector?.flush();
    this.#collector?.close();
    this.#rows?.flush(); // every row is posted before done
    this.#client?.close();
    this.#closedRetries = this.#extraRetries();
    for (const c of this.#extraClients.values()) c.close();
    this.#extraClients.clear();
    this.#post({
      type: "done",
      counters: this.#counters(),
      cut,
      lags: runners.map((r) => isArrivalRate(r.spec) ? r.lag.toJSON() : null),
      checks: runners.map((r) => r.checks()),
    });
  }
}
