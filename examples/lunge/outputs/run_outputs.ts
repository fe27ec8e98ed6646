/**
 * What a run sends beyond its summary, driven by the engine's tick: the
 * per-second histograms (`--histograms-per-second`, `--hlog`), the
 * remote-write pushes (`--out prometheus-rw=<url>`, every `intervalMs` and
 * once at the end) and the `/metrics` server (`--prometheus-listen`).
 *
 * @module
 */
import type { SharedMetricsCollector } from "@lunge/metrics";
import {
  encodeRunHistograms,
  histogramCollector,
  type RunHistograms,
  runHlog,
  SecondHistograms,
} from "../distributed/run_histograms.ts";
import {
  type HistogramMode,
  type PushFigures,
  type PushStats,
  RemoteWriter,
  runSeries,
} from "../prometheus/remote_write.ts";
import { type MetricsServer, metricsText, serveMetrics } from "../prometheus/metrics_server.ts";

/** The outputs a run was asked for. */
export interface OutputOptions {
  /** Keep one histogram per second in the JSON. */
  perSecond?: boolean;
  /** Write HdrHistogram's interval log here. */
  hlogFile?: string;
  /** `--out csv=`: one row per request, here (opened before the run by run_and_report.ts). */
  csvFile?: string;
  /** Push to this remote-write URL. */
  remoteWrite?: { url: string; mode: HistogramMode; intervalMs: number };
  /** Serve /metrics on host:port. */
  listen?: string;
  /** Labels on every pushed or served series (e.g. instance, segment). */
  labels: Record<string, string>;
}

/** The engine's counters at a tick. */
export interface TickCounters {
  /** VUs busy. */
  activeVUs: number;
  /** Per scenario: name, iterations, dropped. */
  scenarios: { name: string; iterations: number; dropped: number }[];
}

/** What the outputs leave for the result. */
export interface OutputsResult {
  /** The histograms for the JSON. */
  histograms: RunHistograms;
  /** Remote-write pushes, when pushing. */
  push?: PushStats;
  /** The final push succeeded (true when not pushing). */
  finalPushOk: boolean;
}

/** The outputs of one run (see the module doc). */
export class RunOutputs {
  #options: OutputOptions;
  #collector: SharedMetricsCollector;
  #seconds?: SecondHistograms;
  #writer?: RemoteWriter;
  #server?: MetricsServer;
  #latest?: PushFigures;
  #lastPush = -Infinity;
  #pushing: Promise<unknown> = Promise.resolve();

  private constructor(options: OutputOptions, collector: SharedMetricsCollector) {
    this.#options = options;
    this.#collector = collector;
  }

  /** Starts the outputs (the /metrics server listens from here on). */
  static start(
    options: OutputOptions,
    collector: SharedMetricsCollector,
    startMs: number,
  ): RunOutputs {
    const o = new RunOutputs(options, collector);
    histogramCollector(collector);
    if (options.perSecond || options.hlogFile) {
      o.#seconds = new SecondHistograms(collector, startMs);
    }
    if (options.remoteWrite) o.#writer = new RemoteWriter(options.remoteWrite.url);
    if (options.listen) {
      o.#server = serveMetrics(options.listen, () => {
        const f = o.#latest ?? o.#figures({ activeVUs: 0, scenarios: [] }, Date.now());
        return metricsText(f, options.labels);
      });
    }
    return o;
  }

  /** The port /metrics listens on, if it does. */
  get listenPort(): number | undefined {
    return this.#server?.port;
  }

  #figures(counters: TickCounters, now: number): PushFigures {
    const c = histogramCollector(this.#collector);
    const snapshot = c.getSnapshot();
    const byName = Object.fromEntries(
      Object.keys(snapshot.byName).map((n) => [n, c.getLatencyHistogram(n)]),
    );
    return {
      snapshot,
      histograms: { all: c.getLatencyHistogram(), byName },
      activeVUs: counters.activeVUs,
      scenarios: counters.scenarios,
      timestamp: now,
    };
  }

  /** Called by the engine once a second. */
  tick(counters: TickCounters, now: number): void {
    this.#seconds?.capture(now);
    const rw = this.#options.remoteWrite;
    if (!this.#server && !rw) return;
    // Ticks come about 1 s apart, a little early or late: allow for it.
    const due = rw !== undefined && now - this.#lastPush >= rw.intervalMs - 100;
    if (this.#server || due) this.#latest = this.#figures(counters, now);
    if (rw && this.#writer && due) {
      this.#lastPush = now;
      const f = this.#latest!;
      const labels = Object.entries(this.#options.labels);
      // One push at a time; a slow endpoint skips ticks rather than piling up.
      this.#pushing = this.#pushing.then(() => this.#writer!.push(runSeries(f, labels, rw.mode)));
    }
  }

  /**
   * At the end: the last seconds, the final push (awaited), the .hlog file,
   * the server closed; returns the histograms and push counts for the result.
   */
  async finish(counters: TickCounters, range: { fromMs: number; toMs: number }): Promise<
    OutputsResult
  > {
    this.#seconds?.finish(range.toMs);
    const final = this.#figures(counters, range.toMs);
    this.#latest = final;
    await this.#pushing;
    const rw = this.#options.remoteWrite;
    let finalPushOk = true;
    if (rw && this.#writer) {
      const labels = Object.entries(this.#options.labels);
      finalPushOk = await this.#writer.push(runSeries(final, labels, rw.mode));
    }
    await this.abort();
    if (this.#options.hlogFile && this.#seconds) {
      await Deno.writeTextFile(this.#options.hlogFile, await runHlog(this.#seconds, range));
    }
    const histograms = await encodeRunHistograms(this.#collector, {
      names: Object.keys(final.snapshot.byName),
      seconds: this.#options.perSecond ? this.#seconds : undefined,
    });
    return { histograms, push: this.#writer?.stats, finalPushOk };
  }

  /** Stops the /metrics server (once; also when the run failed to start). */
  async abort(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }
}
