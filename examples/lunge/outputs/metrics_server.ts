/**
 * The `/metrics` output (`--prometheus-listen <host:port>`,
 * `--out metrics=<host:port>`): Prometheus' text format served while the run
 * lasts. The port is bound before the run (a port in use is exit 2 before
 * any request); each scrape sees the figures of the last tick.
 *
 * @module
 */
import type { SharedMetricsCollector } from "@lunge/metrics";
import type { PushFigures } from "../prometheus/remote_write.ts";
import { type MetricsServer, metricsText, serveMetrics } from "../prometheus/metrics_server.ts";
import { pushFigures } from "./_figures.ts";
import {
  oneLine,
  type Output,
  type OutputEnd,
  OutputError,
  type OutputStart,
  type OutputTick,
} from "./output.ts";

/** Serves /metrics on `listen` while the run lasts. */
export class MetricsServerOutput implements Output {
  #listen: string;
  #labels: Record<string, string>;
  #server: MetricsServer | undefined;
  #collector: SharedMetricsCollector | undefined;
  #latest: PushFigures | undefined;

  /** A /metrics server on `listen` (host:port), every series with `labels`. */
  constructor(listen: string, labels: Record<string, string>) {
    this.#listen = listen;
    this.#labels = labels;
  }

  /** `metrics=<host:port>`. */
  get name(): string {
    return `metrics=${this.#listen}`;
  }

  /** The port it listens on, once open. */
  get port(): number | undefined {
    return this.#server?.port;
  }

  /** Binds the port. */
  open(): void {
    try {
      this.#server = serveMetrics(this.#listen, () => this.#text());
    } catch (e) {
      throw new OutputError(`--prometheus-listen ${this.#listen}: ${oneLine(e)}`);
    }
  }

  #text(): string {
    const f = this.#latest ??
      (this.#collector
        ? pushFigures(this.#collector, { activeVUs: 0, scenarios: [] }, Date.now())
        : undefined);
    return f ? metricsText(f, this.#labels) : "";
  }

  /** Keeps the collector. */
  start(run: OutputStart): void {
    this.#collector = run.collector;
  }

  /** The figures a scrape sees from now on. */
  tick(tick: OutputTick): void {
    if (this.#collector) this.#latest = pushFigures(this.#collector, tick.counters, tick.now);
  }

  /** The last figures; the server closes. */
  async end(end: OutputEnd): Promise<string | null> {
    if (this.#collector) {
      this.#latest = pushFigures(this.#collector, end.counters, end.range.toMs);
    }
    await this.close();
    return null;
  }

  /** Stops the server (once). */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }
}
