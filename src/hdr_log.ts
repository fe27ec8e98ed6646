/**
 * {@linkcode formatHdrLog}: HdrHistogram's interval log (`.hlog`, log
 * format 1.3), the file `HistogramLogProcessor` and hdr-histogram-js's
 * `HistogramLogReader` read.
 *
 * @module
 */
import type { LatencyHistogram } from "./latency_histogram.ts";

/**
 * One interval of an HdrHistogram interval log.
 *
 * @example One second
 * ```ts
 * import { type HdrLogInterval, LatencyHistogram } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const t = Date.now();
 * const i: HdrLogInterval = {
 *   startTime: t,
 *   endTime: t + 1000,
 *   histogram: new LatencyHistogram(),
 * };
 * assert.equal(i.endTime - i.startTime, 1000);
 * ```
 */
export interface HdrLogInterval {
  /** Start of the interval, epoch ms. */
  startTime: number;
  /** End of the interval, epoch ms (after `startTime`). */
  endTime: number;
  /** The latencies of the interval. */
  histogram: LatencyHistogram;
  /** Optional tag (HdrHistogram `Tag=`): letters, digits, `_`, `-`, `.`, `/` only. */
  tag?: string;
}

/**
 * The text of an HdrHistogram interval log (format 1.3): a `StartTime` and
 * `BaseTime` header (the first interval's start), then one line per interval:
 * start and length in seconds relative to the base time, the interval's max
 * in ms, and the histogram in V2 compressed encoding (values in ns, see
 * {@linkcode LatencyHistogram.toHdrBase64}).
 *
 * @param intervals The intervals, in time order (may be empty).
 * @returns The log text, newline-terminated.
 * @throws {RangeError} When an interval's times are not finite with
 * `endTime > startTime`, or a tag has characters outside `[A-Za-z0-9_./-]`.
 *
 * @example Two one-second intervals
 * ```ts
 * import { formatHdrLog, LatencyHistogram } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const a = new LatencyHistogram(), b = new LatencyHistogram();
 * a.record(1);
 * b.record(2);
 * const t0 = Date.UTC(2026, 0, 1);
 * const text = await formatHdrLog([
 *   { startTime: t0, endTime: t0 + 1000, histogram: a },
 *   { startTime: t0 + 1000, endTime: t0 + 2000, histogram: b },
 * ]);
 * const lines = text.trimEnd().split("\n");
 * assert.equal(lines[0], "#[Histogram log format version 1.3]");
 * assert.match(lines[4], /^0\.000,1\.000,1\.\d{3},HISTF/);
 * assert.match(lines[5], /^1\.000,1\.000,2\.\d{3},HISTF/);
 * ```
 */
export async function formatHdrLog(intervals: readonly HdrLogInterval[]): Promise<string> {
  const base = intervals.length > 0 ? intervals[0].startTime : Date.now();
  let out = "#[Histogram log format version 1.3]\n" +
    `#[StartTime: ${(base / 1000).toFixed(3)} (seconds since epoch), ${
      new Date(base).toUTCString()
    }]\n` +
    `#[BaseTime: ${(base / 1000).toFixed(3)} (seconds since epoch)]\n` +
    '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"\n';
  for (const { startTime, endTime, histogram, tag } of intervals) {
    if (!Number.isFinite(startTime) || !Number.isFinite(endTime) || endTime <= startTime) {
      throw new RangeError(
        `formatHdrLog: an interval needs finite startTime < endTime, got ${startTime}..${endTime}`,
      );
    }
    if (tag !== undefined && !/^[A-Za-z0-9_./-]+$/.test(tag)) {
      throw new RangeError(
        `formatHdrLog: tag ${JSON.stringify(tag)} has characters outside [A-Za-z0-9_./-]`,
      );
    }
    const max = histogram.count > 0 ? histogram.stats().max : 0;
    out += (tag !== undefined ? `Tag=${tag},` : "") +
      `${((startTime - base) / 1000).toFixed(3)},${((endTime - startTime) / 1000).toFixed(3)},` +
      `${max.toFixed(3)},${await histogram.toHdrBase64()}\n`;
  }
  return out;
}
