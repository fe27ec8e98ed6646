/**
 * Private helper: `lunge merge`'s histograms — the runs' HdrHistogram
 * histograms decoded and merged (whole run, per name, per second by
 * timestamp), encoded back for the merged result, and the latency
 * statistics of several runs ({@linkcode mergeStats}: exact count, min, max,
 * mean and standard deviation; percentiles from the merged histogram).
 *
 * @module
 */
import { HISTOGRAM_LAYOUT, LatencyHistogram, type LatencyStats } from "@lunge/metrics";
import type { RunHistograms } from "../distributed/run_histograms.ts";

/** The histograms `texts` (HdrHistogram, compressed, base64), merged into one. */
export async function decodeMerged(texts: readonly string[]): Promise<LatencyHistogram> {
  const h = new LatencyHistogram();
  for (const t of texts) h.merge(await LatencyHistogram.fromHdrBase64(t));
  return h;
}

/** Per-second histograms merged by timestamp, when every run has them. */
export async function mergePerSecond(
  runs: readonly RunHistograms[],
): Promise<Map<number, LatencyHistogram> | undefined> {
  if (runs.some((h) => h.perSecond === undefined)) return undefined;
  const out = new Map<number, LatencyHistogram>();
  for (const h of runs) {
    for (const { timestamp, hdr } of h.perSecond!) {
      const h = await LatencyHistogram.fromHdrBase64(hdr);
      const have = out.get(timestamp);
      if (have) have.merge(h);
      else out.set(timestamp, h);
    }
  }
  return out;
}

/** The merged histograms as the JSON result carries them. */
export async function encodeMerged(
  all: LatencyHistogram,
  byName: Record<string, LatencyHistogram>,
  perSecond: Map<number, LatencyHistogram> | undefined,
): Promise<RunHistograms> {
  const out: RunHistograms = {
    encoding: "hdr-v2-compressed-base64",
    layout: { ...HISTOGRAM_LAYOUT },
    all: await all.toHdrBase64(),
    byName: {},
  };
  for (const [name, h] of Object.entries(byName)) out.byName[name] = await h.toHdrBase64();
  if (perSecond) {
    out.perSecond = [];
    for (const [timestamp, h] of [...perSecond].sort((a, b) => a[0] - b[0])) {
      out.perSecond.push({ timestamp, hdr: await h.toHdrBase64() });
    }
  }
  return out;
}

/**
 * Latency statistics of several runs: count, min, max, mean and standard
 * deviation exactly from theirs, percentiles from the merged histogram
 * (clamped to the exact min and max).
 */
export function mergeStats(parts: readonly LatencyStats[], merged: LatencyHistogram): LatencyStats {
  const ps = parts.filter((p) => p.count > 0);
  const count = ps.reduce((n, p) => n + p.count, 0);
  if (count === 0) return { ...merged.stats(), count: 0 };
  const min = Math.min(...ps.map((p) => p.min)), max = Math.max(...ps.map((p) => p.max));
  const mean = ps.reduce((s, p) => s + p.mean * p.count, 0) / count;
  // Pooled population variance: E[x^2] - mean^2, each part's E[x^2] = sd^2 + mean^2.
  const square = ps.reduce((s, p) => s + p.count * (p.stdDev ** 2 + (p.mean - mean) ** 2), 0);
  const clamp = (v: number) => Math.min(max, Math.max(min, v));
  return {
    count,
    min,
    max,
    mean,
    stdDev: Math.sqrt(Math.max(0, square / count)),
    p50: clamp(merged.percentile(50)),
    p90: clamp(merged.percentile(90)),
    p95: clamp(merged.percentile(95)),
    p99: clamp(merged.percentile(99)),
    p999: clamp(merged.percentile(99.9)),
  };
}
