/**
 * `lunge merge`'s core: several runs' JSON results (one per machine or
 * execution segment) into one result, as if one machine had run the whole
 * test. Pure but for decoding the histograms (async).
 *
 * - Counts (requests, successes, failures, bytes, status codes, error types,
 *   retries, iterations, dropped iterations, requests not sent) are summed
 *   exactly.
 * - Latency: count, min, max, mean and standard deviation combine exactly
 *   from each run's statistics; percentiles come from the merged HdrHistogram
 *   histograms (whole run, per name), so they keep the histogram's 0.4 %
 *   bound, clamped to the exact min and max.
 * - The time series is aligned by wall-clock second: counts summed, mean
 *   weighted, max the highest; per-second percentiles from merged per-second
 *   histograms when every run carries them, else the highest of the runs'
 *   (an upper bound; `notes` says so).
 * - Thresholds are re-evaluated on the merged figures, from the parsed form
 *   each result's JSON carries (../verdict/thresholds.ts), never from text.
 * - Refused, with a one-line {@linkcode MergeError}: a run without
 *   histograms, another histogram layout or encoding, another config hash,
 *   overlapping segments.
 *
 * @module
 */
import {
  HISTOGRAM_LAYOUT,
  LatencyHistogram,
  type LatencyStats,
  type TimeSeriesPoint,
} from "@lunge/metrics";
import type {
  NotSentCounts,
  RunMetrics,
  RunResult,
  RunTimeSeriesPoint,
  ScenarioResult,
} from "../result.ts";
import { thresholdsFromResult } from "../verdict/thresholds.ts";
import { evaluateResult } from "../verdict/evaluate.ts";
import { decideVerdict, mergedError } from "../verdict/verdict.ts";
import type { RunHistograms } from "../distributed/run_histograms.ts";
import { type Segment, segmentLabel } from "../distributed/segment.ts";

/** A run result with what merging needs (written by the engine). */
export type MergeableResult = RunResult & {
  /** The run's latency histograms. */
  histograms?: RunHistograms;
  /** SHA-256 of the test config. */
  configHash?: string;
  /** The run's execution segment, when it ran one. */
  segment?: Segment;
  /** Set on a merged result: its inputs. */
  merged?: { inputs: { path: string; segment?: string }[]; notes: string[] };
};

/** One input: where it came from (for messages) and its result. */
export interface MergeInput {
  /** The file it was read from. */
  path: string;
  /** The result. */
  result: MergeableResult;
}

/** Why inputs cannot merge; the CLI prints it as one line (exit 2). */
export class MergeError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "MergeError";
  }
}

/** Merges the inputs (at least one) into one result; throws {@linkcode MergeError}. */
export async function mergeResults(inputs: readonly MergeInput[]): Promise<MergeableResult> {
  if (inputs.length === 0) throw new MergeError("nothing to merge: give result files");
  const notes = checkMergeable(inputs);
  const all = await decodeMerged(inputs.map((i) => i.result.histograms!.all));
  const names = [...new Set(inputs.flatMap((i) => Object.keys(i.result.histograms!.byName)))];
  const byName: Record<string, LatencyHistogram> = {};
  for (const name of names) {
    byName[name] = await decodeMerged(
      inputs.map((i) => i.result.histograms!.byName[name]).filter((x) => x !== undefined),
    );
  }
  const perSecond = await mergePerSecond(inputs);
  if (!perSecond) notes.push("per-second percentiles are the highest of the runs' (upper bounds)");
  const rs = inputs.map((i) => i.result);
  const first = [...rs].sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime))[0];
  const endMs = Math.max(...rs.map((r) => Date.parse(r.endTime)));
  const startMs = Math.min(...rs.map((r) => Date.parse(r.endTime) - r.duration));
  const duration = endMs - startMs;
  const metrics = mergeMetrics(rs, { all, byName, elapsed: duration });
  const scenarios = mergeScenarios(rs);
  // Re-evaluated from the parsed form the result carries, never from its text.
  const thresholds = evaluateResult(parsedThresholds(inputs, first), {
    scenarios,
    duration,
    metrics,
  });
  const verdict = decideVerdict({
    thresholds,
    problems: [mergedError(inputs.map((i) => ({ path: i.path, error: i.result.error })), metrics)],
  });
  return {
    ...first,
    startTime: new Date(Math.min(...rs.map((r) => Date.parse(r.startTime)))).toISOString(),
    endTime: new Date(endMs).toISOString(),
    duration,
    scenarios,
    metrics,
    timeSeries: { interval: 1000, points: mergeSeries(rs, perSecond, notes) },
    phases: [
      ...first.phases.filter((p) => p.phase !== "done"),
      { timestamp: endMs, phase: "done" },
    ],
    thresholds,
    ...verdict,
    histograms: await encodeMerged(all, byName, perSecond),
    configHash: first.configHash,
    segment: undefined,
    merged: {
      inputs: inputs.map((i) => ({
        path: i.path,
        segment: i.result.segment ? segmentLabel(i.result.segment) : undefined,
      })),
      notes,
    },
  };
}

/** Refuses inputs that cannot merge; returns notes on what merged with caveats. */
function checkMergeable(inputs: readonly MergeInput[]): string[] {
  const notes: string[] = [];
  const [a] = inputs;
  for (const { path, result } of inputs) {
    const h = result.histograms;
    if (!h || typeof h.all !== "string" || typeof h.byName !== "object") {
      throw new MergeError(`${path}: has no latency histograms (a result of an older lunge?)`);
    }
    if (h.encoding !== "hdr-v2-compressed-base64") {
      throw new MergeError(
        `${path}: histogram encoding ${h.encoding} is not hdr-v2-compressed-base64`,
      );
    }
    for (const k of Object.keys(HISTOGRAM_LAYOUT) as (keyof typeof HISTOGRAM_LAYOUT)[]) {
      if (h.layout?.[k] !== HISTOGRAM_LAYOUT[k]) {
        throw new MergeError(
          `${path}: histogram layout ${k} ${h.layout?.[k]} differs from ${HISTOGRAM_LAYOUT[k]}`,
        );
      }
    }
    if (result.configHash !== a.result.configHash) {
      throw new MergeError(
        `${path}: config hash ${short(result.configHash)} differs from ${a.path}'s ` +
          `${short(a.result.configHash)}: not the same test`,
      );
    }
  }
  checkSegments(inputs, notes);
  return notes;
}

function short(hash: string | undefined): string {
  return hash === undefined ? "(none)" : hash.slice(0, 12);
}

/** Segments must be parts of one split and pairwise distinct; a whole run overlaps any other. */
function checkSegments(inputs: readonly MergeInput[], notes: string[]): void {
  const seen = new Map<number, string>();
  let count: number | undefined, sequence: string | undefined;
  for (const { path, result } of inputs) {
    const s = result.segment;
    if (inputs.length > 1 && s === undefined) {
      throw new MergeError(`overlapping segment: ${path} ran the whole test (no --segment)`);
    }
    if (s === undefined) continue;
    if (count !== undefined && (s.count !== count || s.sequence !== sequence)) {
      throw new MergeError(
        `overlapping segment: ${path} is ${segmentLabel(s)}, the others are parts of ${
          sequence ?? count
        }`,
      );
    }
    [count, sequence] = [s.count, s.sequence];
    const other = seen.get(s.index);
    if (other !== undefined) {
      throw new MergeError(
        `overlapping segment: ${other} and ${path} are both ${segmentLabel(s)}`,
      );
    }
    seen.set(s.index, path);
  }
  if (count !== undefined && seen.size < count) {
    const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
    notes.push(
      `${seen.size} of ${count} segments merged (missing ${
        missing.map((index) => segmentLabel({ index, count: count!, sequence })).join(", ")
      })`,
    );
  }
}

async function decodeMerged(texts: readonly string[]): Promise<LatencyHistogram> {
  const h = new LatencyHistogram();
  for (const t of texts) h.merge(await LatencyHistogram.fromHdrBase64(t));
  return h;
}

/** Per-second histograms merged by timestamp, when every input has them. */
async function mergePerSecond(
  inputs: readonly MergeInput[],
): Promise<Map<number, LatencyHistogram> | undefined> {
  if (inputs.some((i) => i.result.histograms!.perSecond === undefined)) return undefined;
  const out = new Map<number, LatencyHistogram>();
  for (const i of inputs) {
    for (const { timestamp, hdr } of i.result.histograms!.perSecond!) {
      const h = await LatencyHistogram.fromHdrBase64(hdr);
      const have = out.get(timestamp);
      if (have) have.merge(h);
      else out.set(timestamp, h);
    }
  }
  return out;
}

async function encodeMerged(
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

function sumRecords(records: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function mergeMetrics(
  rs: readonly MergeableResult[],
  h: { all: LatencyHistogram; byName: Record<string, LatencyHistogram>; elapsed: number },
): RunMetrics {
  const ms = rs.map((r) => r.metrics);
  const sum = (f: (m: RunMetrics) => number) => ms.reduce((n, m) => n + f(m), 0);
  const totalRequests = sum((m) => m.totalRequests);
  const failedRequests = sum((m) => m.failedRequests);
  const totalBytes = sum((m) => m.totalBytes);
  const seconds = h.elapsed / 1000;
  const requestsPerSecond = seconds > 0 ? totalRequests / seconds : 0;
  const rate = sum((m) => m.generation.rate);
  const byName: Record<string, LatencyStats> = {};
  for (const [name, hist] of Object.entries(h.byName)) {
    byName[name] = mergeStats(ms.map((m) => m.byName[name]).filter((s) => s !== undefined), hist);
  }
  const timestamp = Math.max(...ms.map((m) => m.timestamp));
  const startTime = Math.min(...ms.map((m) => m.startTime));
  return {
    timestamp,
    startTime,
    elapsed: timestamp - startTime,
    totalRequests,
    successfulRequests: sum((m) => m.successfulRequests),
    failedRequests,
    totalBytes,
    requestsPerSecond,
    bytesPerSecond: seconds > 0 ? totalBytes / seconds : 0,
    errorRate: totalRequests > 0 ? failedRequests / totalRequests : 0,
    latency: mergeStats(ms.map((m) => m.latency), h.all),
    statusCodes: sumRecords(ms.map((m) => m.statusCodes)),
    errorsByStatus: sumRecords(ms.map((m) => m.errorsByStatus)),
    errorsByType: sumRecords(ms.map((m) => m.errorsByType)),
    byName,
    generation: { rate, efficiency: rate > 0 ? requestsPerSecond / rate : 0 },
    droppedSamples: sum((m) => m.droppedSamples),
    clampedSamples: sum((m) => m.clampedSamples ?? 0),
    unflushedRequests: sum((m) => m.unflushedRequests ?? 0),
    retries: sum((m) => m.retries ?? 0),
    notSent: mergeNotSent(ms.map((m) => m.notSent)),
  };
}

/** Requests not sent, summed (a result of an older lunge has none). */
function mergeNotSent(parts: readonly (NotSentCounts | undefined)[]): NotSentCounts {
  const ps = parts.filter((p) => p !== undefined);
  return {
    total: ps.reduce((n, p) => n + p.total, 0),
    byReason: sumRecords(ps.map((p) => p.byReason)),
    byName: sumRecords(ps.map((p) => p.byName)),
  };
}

/** Scenarios summed by name (maxVUs: the sum of each run's peak, an upper bound). */
function mergeScenarios(rs: readonly MergeableResult[]): Record<string, ScenarioResult> {
  const out: Record<string, ScenarioResult> = {};
  for (const r of rs) {
    for (const [name, s] of Object.entries(r.scenarios)) {
      const o = out[name];
      if (!o) {
        out[name] = {
          ...s,
          sendLag: s.sendLag ? { ...s.sendLag } : undefined,
          notSent: mergeNotSent([s.notSent]),
        };
        if (!s.sendLag) delete out[name].sendLag;
        continue;
      }
      o.iterations += s.iterations;
      o.droppedIterations += s.droppedIterations;
      o.maxVUs += s.maxVUs;
      o.configuredVUs += s.configuredVUs;
      o.targetRate += s.targetRate;
      o.plannedIterations += s.plannedIterations;
      o.notSent = mergeNotSent([o.notSent, s.notSent]);
      if (o.sendLag && s.sendLag) {
        const n = o.sendLag.count + s.sendLag.count;
        o.sendLag = {
          count: n,
          mean: n > 0
            ? (o.sendLag.mean * o.sendLag.count + s.sendLag.mean * s.sendLag.count) / n
            : 0,
          // Send-lag percentiles carry no histogram: the highest run's, an upper bound.
          p50: Math.max(o.sendLag.p50, s.sendLag.p50),
          p99: Math.max(o.sendLag.p99, s.sendLag.p99),
          max: Math.max(o.sendLag.max, s.sendLag.max),
        };
      }
    }
  }
  return out;
}

/** The series aligned by wall-clock second, with no gaps. */
function mergeSeries(
  rs: readonly MergeableResult[],
  perSecond: Map<number, LatencyHistogram> | undefined,
  notes: string[],
): RunTimeSeriesPoint[] {
  const byTime = new Map<number, RunTimeSeriesPoint[]>();
  for (const r of rs) {
    for (const p of r.timeSeries.points) {
      const list = byTime.get(p.timestamp) ?? [];
      list.push(p);
      byTime.set(p.timestamp, list);
    }
  }
  if (byTime.size === 0) return [];
  const times = [...byTime.keys()];
  const from = Math.min(...times), to = Math.max(...times);
  const out: RunTimeSeriesPoint[] = [];
  let partial = 0;
  for (let t = from; t <= to; t += 1000) {
    const ps = byTime.get(t) ?? [], h = perSecond?.get(t);
    // Exact only when the merged histogram holds every request of the second
    // (a second captured late, or a late sample, is missing from it).
    const exact = h !== undefined && h.count === ps.reduce((n, p) => n + p.requests, 0);
    if (perSecond && !exact && ps.some((p) => p.requests > 0)) partial++;
    out.push(mergePoint(t, ps, exact ? h : undefined));
  }
  if (partial > 0) {
    notes.push(
      `${partial} seconds' percentiles are the highest of the runs' (their histograms were incomplete)`,
    );
  }
  return out;
}

function mergePoint(
  timestamp: number,
  ps: readonly RunTimeSeriesPoint[],
  h: LatencyHistogram | undefined,
): RunTimeSeriesPoint {
  const sum = (f: (p: RunTimeSeriesPoint) => number) => ps.reduce((n, p) => n + f(p), 0);
  const requests = sum((p) => p.requests), failures = sum((p) => p.failures);
  const top = (f: (l: TimeSeriesPoint["latency"]) => number) =>
    ps.reduce((m, p) => Math.max(m, f(p.latency)), 0);
  const max = top((l) => l.max);
  const pct = (p: number, f: (l: TimeSeriesPoint["latency"]) => number) =>
    h !== undefined ? (h.count > 0 ? Math.min(max, h.percentile(p)) : 0) : top(f);
  return {
    timestamp,
    requests,
    successes: sum((p) => p.successes),
    failures,
    bytes: sum((p) => p.bytes),
    requestsPerSecond: sum((p) => p.requestsPerSecond),
    errorRate: requests > 0 ? failures / requests : 0,
    latency: {
      mean: requests > 0 ? sum((p) => p.latency.mean * p.requests) / requests : 0,
      p50: pct(50, (l) => l.p50),
      p90: pct(90, (l) => l.p90),
      p95: pct(95, (l) => l.p95),
      p99: pct(99, (l) => l.p99),
      max,
    },
    generationRate: sum((p) => p.generationRate),
    activeVUs: sum((p) => p.activeVUs),
    phase: ps[0]?.phase ?? "done",
  };
}

/** The thresholds the first run was judged by, rebuilt from its JSON (a MergeError when it cannot be). */
function parsedThresholds(inputs: readonly MergeInput[], first: MergeableResult) {
  const path = inputs.find((i) => i.result === first)!.path;
  try {
    return thresholdsFromResult(first.thresholds, `${path}: thresholds`);
  } catch (e) {
    throw new MergeError(e instanceof Error ? e.message : String(e));
  }
}
