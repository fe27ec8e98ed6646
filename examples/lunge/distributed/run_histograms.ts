/**
 * The latency histograms a run's JSON carries, so that results of several
 * machines merge exactly (`lunge merge`): the whole run, per request name,
 * and (with `--histograms-per-second`, or `--hlog`) one per wall-clock
 * second of the time series. Each is HdrHistogram's V2 compressed encoding,
 * base64, values in **nanoseconds**, layout {@linkcode HISTOGRAM_LAYOUT}
 * (lowest 1 ns, highest 2^42 - 1 ns, 2 significant digits).
 *
 * @module
 */
import {
  BaseMetricsCollector,
  formatHdrLog,
  HISTOGRAM_LAYOUT,
  type HistogramLayout,
  LatencyHistogram,
  type SharedMetricsCollector,
} from "../../../mod.ts";

/** The histograms of a run, as its JSON holds them. */
export interface RunHistograms {
  /** The encoding of every histogram below. */
  encoding: "hdr-v2-compressed-base64";
  /** The bucket layout (HdrHistogram parameters; values in ns). */
  layout: HistogramLayout;
  /** Every request. */
  all: string;
  /** Per request name. */
  byName: Record<string, string>;
  /**
   * Per wall-clock second with requests (`timestamp`: epoch ms of its
   * start), when asked for; seconds without requests are left out.
   */
  perSecond?: { timestamp: number; hdr: string }[];
}

/** The collector as the class that can export histograms. */
export function histogramCollector(c: SharedMetricsCollector): BaseMetricsCollector {
  if (!(c instanceof BaseMetricsCollector)) {
    throw new TypeError("the collector cannot export latency histograms");
  }
  return c;
}

/**
 * Copies each wall-clock second's latency histogram out of the collector
 * while its window is open (the collector keeps the 4 newest seconds): call
 * {@linkcode capture} about once a second during the run, and
 * {@linkcode finish} at its end.
 */
export class SecondHistograms {
  #collector: BaseMetricsCollector;
  #next: number;
  #seconds = new Map<number, LatencyHistogram>();

  /** Captures from the second containing `startMs` on. */
  constructor(collector: SharedMetricsCollector, startMs: number) {
    this.#collector = histogramCollector(collector);
    this.#next = Math.floor(startMs / 1000);
  }

  /** Copies every second that ended at least 1 s before `now` (epoch ms). */
  capture(now: number): void {
    this.#upTo(Math.floor(now / 1000) - 2);
  }

  /** Copies every remaining second up to the one containing `endMs`. */
  finish(endMs: number): void {
    this.#upTo(Math.floor(endMs / 1000));
  }

  #upTo(last: number): void {
    for (; this.#next <= last; this.#next++) {
      const h = this.#collector.getIntervalLatencyHistogram(this.#next * 1000);
      if (h !== undefined && h.count > 0) this.#seconds.set(this.#next, h);
    }
  }

  /** Seconds captured, oldest first: epoch-ms start and histogram. */
  seconds(): { timestamp: number; histogram: LatencyHistogram }[] {
    return [...this.#seconds].sort((a, b) => a[0] - b[0])
      .map(([k, histogram]) => ({ timestamp: k * 1000, histogram }));
  }
}

/** Encodes the run's histograms for its JSON. */
export async function encodeRunHistograms(
  collector: SharedMetricsCollector,
  options: { names: readonly string[]; seconds?: SecondHistograms },
): Promise<RunHistograms> {
  const c = histogramCollector(collector);
  const byName: Record<string, string> = {};
  for (const name of options.names) byName[name] = await c.getLatencyHistogram(name).toHdrBase64();
  const out: RunHistograms = {
    encoding: "hdr-v2-compressed-base64",
    layout: { ...HISTOGRAM_LAYOUT },
    all: await c.getLatencyHistogram().toHdrBase64(),
    byName,
  };
  if (options.seconds) {
    out.perSecond = [];
    for (const { timestamp, histogram } of options.seconds.seconds()) {
      out.perSecond.push({ timestamp, hdr: await histogram.toHdrBase64() });
    }
  }
  return out;
}

/**
 * HdrHistogram's interval log of the run: one interval per wall-clock
 * second from `fromMs` to `toMs` (seconds without requests as empty
 * histograms), for `HistogramLogProcessor`.
 */
export async function runHlog(
  seconds: SecondHistograms,
  range: { fromMs: number; toMs: number },
): Promise<string> {
  const have = new Map(seconds.seconds().map((s) => [s.timestamp, s.histogram]));
  const intervals = [];
  for (let k = Math.floor(range.fromMs / 1000); k <= Math.floor(range.toMs / 1000); k++) {
    const t = k * 1000;
    intervals.push({
      startTime: t,
      endTime: t + 1000,
      histogram: have.get(t) ?? new LatencyHistogram(),
    });
  }
  return await formatHdrLog(intervals);
}
