/**
 * The outputs the engine feeds while a run lasts, as one: the
 * {@linkcode Output}s it is given or that its options ask for (`.hlog`,
 * remote write, `/metrics`; each its own file here), told of the start,
 * each tick, every request recorded (those that take them: the CSV) and the
 * end; and the result's latency histograms (whole run, per
 * name, per second with `--histograms-per-second`: what `lunge merge` merges).
 *
 * @module
 */
import type { SharedMetricsCollector } from "@lunge/metrics";
import {
  encodeRunHistograms,
  type RunHistograms,
  SecondHistograms,
} from "../distributed/run_histograms.ts";
import type { HistogramMode } from "../prometheus/remote_write.ts";
import type { Output, OutputEnd, OutputTick, RequestRows } from "./output.ts";
import { HlogOutput } from "./hlog.ts";
import { RemoteWriteOutput } from "./remote_write.ts";
import { MetricsServerOutput } from "./metrics_server.ts";

export type { TickCounters } from "./output.ts";

/** The outputs a run was asked for. */
export interface OutputOptions {
  /** Keep one histogram per second in the JSON. */
  perSecond?: boolean;
  /** Write HdrHistogram's interval log here. */
  hlogFile?: string;
  /** `--out csv=`: one row per request, here (opened before the run by the caller). */
  csvFile?: string;
  /** Push to this remote-write URL. */
  remoteWrite?: { url: string; mode: HistogramMode; intervalMs: number };
  /** Serve /metrics on host:port. */
  listen?: string;
  /** Labels on every pushed or served series (e.g. instance, segment). */
  labels: Record<string, string>;
  /**
   * The outputs already built and opened by the caller (from
   * {@linkcode streamOutputs}); when absent, they are built from the fields
   * above and opened at the start.
   */
  opened?: Output[];
}

/** What the outputs leave for the result. */
export interface OutputsResult {
  /** The histograms for the JSON. */
  histograms: RunHistograms;
  /** The outputs' problems (each fails the run). */
  problems: string[];
}

/** The `.hlog`, remote-write and `/metrics` outputs `options` asks for (not opened). */
export function streamOutputs(options: OutputOptions): Output[] {
  const out: Output[] = [];
  if (options.hlogFile !== undefined) out.push(new HlogOutput(options.hlogFile));
  if (options.remoteWrite) {
    out.push(new RemoteWriteOutput({ ...options.remoteWrite, labels: options.labels }));
  }
  if (options.listen !== undefined) {
    out.push(new MetricsServerOutput(options.listen, options.labels));
  }
  return out;
}

/** The outputs of one run (see the module doc). */
export class RunOutputs {
  #options: OutputOptions;
  #collector: SharedMetricsCollector;
  #outputs: Output[];
  /** Those of #outputs that take every recorded request. */
  #rowOutputs: Output[];
  #seconds?: SecondHistograms;

  private constructor(
    options: OutputOptions,
    collector: SharedMetricsCollector,
    outputs: Output[],
  ) {
    this.#options = options;
    this.#collector = collector;
    this.#outputs = outputs;
    this.#rowOutputs = outputs.filter((o) => o.append !== undefined);
  }

  /**
   * Whether one of the outputs `options` gives takes every recorded request
   * (has `append`): the engine then has the Workers post them.
   */
  static takesRows(options: OutputOptions | undefined): boolean {
    return options?.opened?.some((o) => o.append !== undefined) ?? false;
  }

  /** Starts the outputs at the schedule's start (opening those not opened yet). */
  static start(
    options: OutputOptions,
    collector: SharedMetricsCollector,
    startMs: number,
  ): RunOutputs {
    let outputs = options.opened;
    if (outputs === undefined) {
      outputs = streamOutputs(options);
      for (const o of outputs) o.open();
    }
    const run = new RunOutputs(options, collector, outputs);
    if (options.perSecond) run.#seconds = new SecondHistograms(collector, startMs);
    for (const o of outputs) o.start?.({ collector, startMs });
    return run;
  }

  /** The port /metrics listens on, if it does. */
  get listenPort(): number | undefined {
    return this.#outputs.find((o) => o instanceof MetricsServerOutput)?.port;
  }

  /** Called by the engine with each batch of a Worker's recorded requests. */
  append(rows: RequestRows): void {
    for (const o of this.#rowOutputs) o.append?.(rows);
  }

  /** Called by the engine once a second (`state`: the live view's, until a stop is asked for). */
  tick(tick: OutputTick): void {
    this.#seconds?.capture(tick.now);
    for (const o of this.#outputs) o.tick?.(tick);
  }

  /**
   * At the end: each output's last work (final push, .hlog, the server
   * closed), then the histograms for the result; returns them and the
   * outputs' problems.
   */
  async finish(end: OutputEnd): Promise<OutputsResult> {
    this.#seconds?.finish(end.range.toMs);
    const problems: string[] = [];
    for (const o of this.#outputs) {
      const problem = await o.end?.(end);
      if (problem) problems.push(problem);
    }
    const histograms = await encodeRunHistograms(this.#collector, {
      names: Object.keys(this.#collector.getSnapshot().byName),
      seconds: this.#options.perSecond ? this.#seconds : undefined,
    });
    return { histograms, problems };
  }

  /** Closes the outputs (also when the run failed to start). */
  async abort(): Promise<void> {
    for (const o of this.#outputs) await o.close();
  }
}
