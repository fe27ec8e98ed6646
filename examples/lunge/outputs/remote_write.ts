/**
 * The Prometheus remote-write output (`--out prometheus-rw=<url>`): the
 * run's series pushed every `intervalMs` (one push at a time: a slow
 * endpoint skips ticks rather than piling them up) and once at the end. A
 * final push that fails fails the run: its metrics did not reach Prometheus.
 *
 * @module
 */
import type { SharedMetricsCollector } from "@lunge/metrics";
import { type HistogramMode, RemoteWriter, runSeries } from "../prometheus/remote_write.ts";
import { pushFigures } from "./_figures.ts";
import type { Output, OutputEnd, OutputStart, OutputTick } from "./output.ts";

/** Options of {@linkcode RemoteWriteOutput}. */
export interface RemoteWriteOptions {
  /** The remote-write endpoint. */
  url: string;
  /** Latency as a native histogram or classic buckets. */
  mode: HistogramMode;
  /** Time between pushes, ms. */
  intervalMs: number;
  /** Labels on every series (instance, segment). */
  labels: Record<string, string>;
}

/** Pushes the run to a Prometheus remote-write endpoint. */
export class RemoteWriteOutput implements Output {
  #options: RemoteWriteOptions;
  #writer: RemoteWriter;
  #collector: SharedMetricsCollector | undefined;
  #lastPush = -Infinity;
  #pushing: Promise<unknown> = Promise.resolve();

  /** An output pushing to `options.url`. */
  constructor(options: RemoteWriteOptions) {
    this.#options = options;
    this.#writer = new RemoteWriter(options.url);
  }

  /** `prometheus-rw=<url>`. */
  get name(): string {
    return `prometheus-rw=${this.#options.url}`;
  }

  /** Nothing to open: each push connects. */
  open(): void {}

  /** Keeps the collector. */
  start(run: OutputStart): void {
    this.#collector = run.collector;
  }

  /** Pushes when an interval has passed (ticks come about 1 s apart: allow for it). */
  tick(tick: OutputTick): void {
    if (!this.#collector || tick.now - this.#lastPush < this.#options.intervalMs - 100) return;
    this.#lastPush = tick.now;
    const series = runSeries(
      pushFigures(this.#collector, tick.counters, tick.now),
      Object.entries(this.#options.labels),
      this.#options.mode,
    );
    this.#pushing = this.#pushing.then(() => this.#writer.push(series));
  }

  /** The final push (after any in flight); its counts go in the result's `push`. */
  async end(end: OutputEnd): Promise<string | null> {
    await this.#pushing;
    if (!this.#collector) return null;
    const final = pushFigures(this.#collector, end.counters, end.range.toMs);
    const ok = await this.#writer.push(
      runSeries(final, Object.entries(this.#options.labels), this.#options.mode),
    );
    const stats = this.#writer.stats;
    end.result.push = { ...stats };
    return ok ? null : `the final push to Prometheus failed (${stats.lastError ?? "unknown"})`;
  }

  /** Waits for a push in flight. */
  async close(): Promise<void> {
    await this.#pushing;
  }
}
