/**
 * The live dashboard output (`--dashboard [host:]port`): while the run
 * lasts, a page at `http://<host>:<port>/` shows requests per second,
 * latency percentiles per second, errors by type, active VUs and dropped
 * iterations, the per-name table and the thresholds with their current
 * values, updated once a second over Server-Sent Events from the collector's
 * snapshot and time series (./_frame.ts; nothing is recomputed from raw
 * requests, and nothing is computed while no page is open). When the run is
 * over the page becomes the final HTML report (the one `--html` writes),
 * which it holds in itself, and the server stops: the port is closed when
 * the run's outputs are closed.
 *
 * The engine feeds it through {@linkcode DashboardOutput.feed} (start and
 * ticks; the engine closes its outputs before the verdict), and the
 * reporting side calls `report` with the settled result, then `close`.
 *
 * @module
 */
import type { SharedMetricsCollector } from "@lunge/metrics";
import type { RunResult } from "../../result.ts";
import type { Threshold } from "../../verdict/thresholds.ts";
import { renderHtmlReport } from "../html/page.ts";
import {
  oneLine,
  type Output,
  type OutputEnd,
  OutputError,
  type OutputStart,
  type OutputTick,
  type TickCounters,
} from "../output.ts";
import {
  buildFrame,
  completedPoints,
  type DashboardFrame,
  type FrameSample,
  RESENT_SECONDS,
} from "./_frame.ts";
import { dashboardPolicy, renderDashboardPage } from "./page.ts";
import {
  addressHost,
  type DashboardAddress,
  type DashboardPage,
  DashboardServer,
  parseDashboardAddress,
  sseEvent,
} from "./server.ts";

export { addressHost, type DashboardAddress, parseDashboardAddress } from "./server.ts";

/** Options of {@linkcode DashboardOutput}. */
export interface DashboardOptions {
  /** Where to listen: `[host:]port` text or a parsed address. */
  address: string | DashboardAddress;
  /** The test's name. */
  name: string;
  /** The run's parsed thresholds (shown with their current values). */
  thresholds: readonly Threshold[];
  /** The planned run length, ms (0: unknown). */
  plannedMs: number;
  /** The `--html` file, named on the final page when there is one. */
  htmlFile?: string;
  /** Told the page's URL once it listens (default: nothing). */
  onListen?: (url: string) => void;
}

/** What a page is told first (event `hello`). */
interface Hello {
  name: string;
  startMs: number | null;
  plannedMs: number;
}

/** The live dashboard (see the module doc). */
export class DashboardOutput implements Output {
  #options: DashboardOptions;
  #address: DashboardAddress;
  #server?: DashboardServer;
  #collector?: SharedMetricsCollector;
  #startMs: number | null = null;
  #counters: TickCounters = { activeVUs: 0, scenarios: [] };
  #samples: FrameSample[] = [];
  /** The last event (`report`, or `end` without one), once sent. */
  #last?: string;
  #reportHtml?: string;
  /** The whole-history frame at the run's end, for pages that connect before the report. */
  #final?: string;
  #frames = 0;

  /** A dashboard on `options.address`; throws a one-line `Error` on a bad address. */
  constructor(options: DashboardOptions) {
    this.#options = options;
    this.#address = typeof options.address === "string"
      ? parseDashboardAddress(options.address)
      : options.address;
  }

  /** `dashboard=<host:port>`. */
  get name(): string {
    return `dashboard=${addressHost(this.#address)}`;
  }

  /** The page's URL, once open. */
  get url(): string | undefined {
    return this.#server?.url;
  }

  /** The port it listens on, once open (the chosen one for port 0). */
  get port(): number | undefined {
    return this.#server?.port;
  }

  /** Frames built so far (none while no page is open). */
  get frames(): number {
    return this.#frames;
  }

  /** Binds the address; an {@linkcode OutputError} when it cannot. */
  open(): void {
    try {
      this.#server = DashboardServer.listen({
        address: this.#address,
        page: () => this.#page(),
        greet: () => this.#greet(),
      });
    } catch (e) {
      throw new OutputError(
        `--dashboard: cannot listen on ${addressHost(this.#address)}: ${oneLine(e)}`,
      );
    }
    this.#options.onListen?.(this.#server.url);
  }

  /**
   * The engine's side of the dashboard: start and ticks go to it, and its
   * `close` does nothing (the engine closes its outputs before the verdict;
   * the dashboard stays up until {@linkcode DashboardOutput.report}).
   */
  feed(): Output {
    return {
      name: this.name,
      open: () => {},
      start: (run) => this.start(run),
      tick: (tick) => this.tick(tick),
      end: (end) => this.end(end),
      close: () => {},
    };
  }

  /** The schedule starts: pages are told when. */
  start(run: OutputStart): void {
    this.#collector = run.collector;
    this.#startMs = run.startMs;
    this.#server?.send(sseEvent("hello", this.#hello()));
  }

  /** Once a second: a frame to every open page (none built while no page is open). */
  tick(tick: OutputTick): void {
    this.#counters = tick.counters;
    const dropped = tick.counters.scenarios.reduce((n, s) => n + s.dropped, 0);
    const sample = { t: tick.now, activeVUs: tick.counters.activeVUs, dropped };
    this.#samples.push(sample);
    const server = this.#server;
    if (!server || server.clients === 0 || !this.#collector) return;
    server.send(sseEvent("tick", this.#frame(tick.now, RESENT_SECONDS, [sample])));
  }

  /**
   * The run is over (the collector is still open): pages get a last frame,
   * and one is kept for pages that connect until the report; the collector
   * is not read again (the engine closes it next).
   */
  end(end: OutputEnd): Promise<null> {
    this.#counters = end.counters;
    if (!this.#collector) return Promise.resolve(null);
    const now = end.range.toMs;
    if (this.#server && this.#server.clients > 0) {
      this.#server.send(sseEvent("tick", this.#frame(now, RESENT_SECONDS, [])));
    }
    this.#final = sseEvent("tick", this.#frame(now, Infinity, this.#samples));
    this.#collector = undefined;
    return Promise.resolve(null);
  }

  /** The final report: every page becomes it; pages opened from now on get it too. */
  report(result: RunResult): void {
    const html = renderHtmlReport(result);
    const fileName = this.#options.htmlFile?.split(/[\\/]/).pop() || "lunge-report.html";
    this.#last = sseEvent("report", { html, fileName, htmlFile: this.#options.htmlFile ?? null });
    this.#reportHtml = html;
    this.#server?.finish(this.#last);
  }

  /** Stops the server once the pages have the report (or at most 2 s); the port is closed then. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    if (this.#last === undefined) {
      this.#last = sseEvent("end", { message: "The run ended without a report" });
      server.finish(this.#last);
    }
    await server.close();
  }

  #hello(): Hello {
    return { name: this.#options.name, startMs: this.#startMs, plannedMs: this.#options.plannedMs };
  }

  /** A frame of the collector now, with its last `seconds` completed seconds and `samples`. */
  #frame(now: number, seconds: number, samples: FrameSample[]): DashboardFrame {
    const collector = this.#collector!;
    this.#frames++;
    const points = completedPoints(collector.getTimeSeries(), now);
    return buildFrame({
      snapshot: collector.getSnapshot(),
      points: seconds === Infinity ? points : points.slice(-seconds),
      samples,
      counters: this.#counters,
      thresholds: this.#options.thresholds,
      now,
      startMs: this.#startMs ?? now,
    });
  }

  #page(): DashboardPage {
    if (this.#reportHtml !== undefined) {
      // The run is over: the page is the report itself, under its own policy.
      return { html: this.#reportHtml, csp: dashboardPolicy(true) };
    }
    return { html: renderDashboardPage(this.#options.name), csp: dashboardPolicy(true) };
  }

  #greet(): { events: string[]; last: boolean } {
    const events = [sseEvent("hello", this.#hello())];
    if (this.#last !== undefined) return { events: [...events, this.#last], last: true };
    if (this.#final !== undefined) events.push(this.#final);
    else if (this.#collector) {
      events.push(sseEvent("tick", this.#frame(Date.now(), Infinity, this.#samples)));
    }
    return { events, last: false };
  }
}
