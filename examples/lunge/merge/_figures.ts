/**
 * Private helper: `lunge merge`'s figures — the runs' metrics (counts
 * summed exactly, latency from the merged histograms), scenarios (summed by
 * name) and time series (aligned by wall-clock second) as one run's.
 *
 * @module
 */
import type { LatencyHistogram, LatencyStats, TimeSeriesPoint } from "@lunge/metrics";
import type {
  NotSentCounts,
  RunMetrics,
  RunResult,
  RunTimeSeriesPoint,
  ScenarioResult,
} from "../result.ts";
import { mergeStats } from "./_histograms.ts";

function sumRecords(records: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** The runs' metrics summed, latency from the merged histograms `h`, over `h.elapsed` ms. */
export function mergeMetrics(
  rs: readonly RunResult[],
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
export function mergeScenarios(rs: readonly RunResult[]): Record<string, ScenarioResult> {
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
export function mergeSeries(
  rs: readonly RunResult[],
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
