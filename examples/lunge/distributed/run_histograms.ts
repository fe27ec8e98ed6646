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
  formatHdrLog,
  HISTOGRAM_LAYOUT,
  type HistogramLayout,
  LatencyHistogram,
  type SharedMetricsCollector,
} from "@lunge/metrics";

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

/** One captured second, as the outputs use it. */
export interface CapturedSecond {
  /** Epoch ms of the second's start. */
  timestamp: number;
  /** Its latency histogram, HdrHistogram's V2 compressed encoding, base64. */
  hdr: string;
  /** Its exact largest latency, ms (the .hlog's `Interval_Max`). */
  max: number;
}

/**
 * Copies each wall-clock second's latency histogram out of the collector
 * while its window is open (the collector keeps the 4 newest seconds): call
 * {@linkcode capture} about once a second during the run, and
 * {@linkcode finish} at its end.
 *
 * A second is kept as what its outputs need: its HdrHistogram text and its
 * exact max ({@linkcode CapturedSecond}), encoded in the background as it is
 * captured. That is about 0.6 KB for a second of 5,000 requests, where the
 * histogram itself holds 36.9 KB whatever it counts (133 MB an hour).
 */
export class SecondHistograms {
  #collector: SharedMetricsCollector;
  #next: number;
  #seconds = new Map<number, CapturedSecond>();
  /** The encodings of the seconds captured, one after another. */
  #encoding: Promise<void> = Promise.resolve();
  #error: unknown = undefined;
  #chars = 0;

  /** Captures from the second containing `startMs` on. */
  constructor(collector: SharedMetricsCollector, startMs: number) {
    this.#collector = collector;
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

  /** Characters of HdrHistogram text kept so far: what the captured seconds hold. */
  get retainedChars(): number {
    return this.#chars;
  }

  #upTo(last: number): void {
    for (; this.#next <= last; this.#next++) {
      const h = this.#collector.getIntervalLatencyHistogram(this.#next * 1000);
      if (h !== undefined && h.count > 0) this.#keep(this.#next * 1000, h);
    }
  }

  /** Encodes `h` after the seconds before it; the histogram is dropped once encoded. */
  #keep(timestamp: number, h: LatencyHistogram): void {
    const max = h.stats().max;
    this.#encoding = this.#encoding.then(async () => {
      const hdr = await h.toHdrBase64();
      this.#seconds.set(timestamp, { timestamp, hdr, max });
      this.#chars += hdr.length;
    }).catch((e) => {
      this.#error ??= e; // reported by seconds(); no unhandled rejection meanwhile
    });
  }

  /**
   * The seconds captured, oldest first, once their encodings are done.
   *
   * @throws The error of an encoding that failed.
   */
  async seconds(): Promise<CapturedSecond[]> {
    await this.#encoding;
    if (this.#error !== undefined) throw this.#error;
    return [...this.#seconds.values()].sort((a, b) => a.timestamp - b.timestamp);
  }
}

/** Encodes the run's histograms for its JSON. */
export async function encodeRunHistograms(
  collector: SharedMetricsCollector,
  options: { names: readonly string[]; seconds?: SecondHistograms },
): Promise<RunHistograms> {
  const byName: Record<string, string> = {};
  for (const name of options.names) {
    byName[name] = await collector.getLatencyHistogram(name).toHdrBase64();
  }
  const out: RunHistograms = {
    encoding: "hdr-v2-compressed-base64",
    layout: { ...HISTOGRAM_LAYOUT },
    all: await collector.getLatencyHistogram().toHdrBase64(),
    byName,
  };
  if (options.seconds) {
    out.perSecond = [];
    for (const { timestamp, hdr } of await options.seconds.seconds()) {
      out.perSecond.push({ timestamp, hdr });
    }
  }
  return out;
}

/**
 * HdrHistogram's interval log of the run: one interval per wall-clock
 * second from `fromMs` to `toMs` (seconds without requests as empty
 * histograms), for `HistogramLogProcessor`. The same text
 * {@linkcode formatHdrLog} makes of those intervals, written from the
 * captured seconds' texts: its header, then one line per second.
 */
export async function runHlog(
  seconds: SecondHistograms,
  range: { fromMs: number; toMs: number },
): Promise<string> {
  const have = new Map((await seconds.seconds()).map((s) => [s.timestamp, s]));
  const base = Math.floor(range.fromMs / 1000) * 1000;
  const empty = new LatencyHistogram();
  // formatHdrLog of one interval is the header (which depends on `base` only) and its line.
  const one = await formatHdrLog([{ startTime: base, endTime: base + 1000, histogram: empty }]);
  let out = one.slice(0, one.lastIndexOf("\n", one.length - 2) + 1);
  const emptyHdr = await empty.toHdrBase64();
  for (let t = base; t <= Math.floor(range.toMs / 1000) * 1000; t += 1000) {
    const s = have.get(t);
    // formatHdrLog's line: start (s after base), length (s), max (ms), histogram.
    out += `${((t - base) / 1000).toFixed(3)},1.000,${(s?.max ?? 0).toFixed(3)},` +
      `${s?.hdr ?? emptyHdr}\n`;
  }
  return out;
}
