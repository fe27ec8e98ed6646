/**
 * Private helper of the live dashboard: what one update holds. A frame is
 * built once a second from the collector's snapshot and time series and the
 * engine's tick counters (nothing is recomputed from raw requests); the
 * thresholds are evaluated on that snapshot by the one evaluator
 * (../../verdict/evaluate.ts). Every client gets the same frame, except a
 * client that has just connected, which first gets the whole history.
 *
 * @module
 */
import type { LatencyStats, MetricsSnapshot, TimeSeriesData } from "@lunge/metrics";
import { evaluateThresholds, formatThresholdValue } from "../../verdict/evaluate.ts";
import type { Threshold } from "../../verdict/thresholds.ts";
import type { TickCounters } from "../output.ts";

/** One second of the collector's time series, as the page plots it. */
export interface FramePoint {
  /** Epoch ms at the start of the second. */
  t: number;
  /** Requests completed in it. */
  requests: number;
  /** Failed requests completed in it. */
  failures: number;
  /** Latency percentiles of its requests, ms. */
  p50: number;
  /** 95th percentile, ms. */
  p95: number;
  /** 99th percentile, ms. */
  p99: number;
}

/** The engine's counters at one tick, as the page plots them. */
export interface FrameSample {
  /** Epoch ms of the tick. */
  t: number;
  /** VUs busy. */
  activeVUs: number;
  /** Dropped iterations so far, over every scenario. */
  dropped: number;
}

/** One threshold with its value on the current snapshot. */
export interface FrameThreshold {
  /** e.g. `http_req_duration`. */
  metric: string;
  /** e.g. `p(95) < 500`. */
  expression: string;
  /** The current value, formatted in the threshold's unit. */
  value: string;
  /** Whether it holds now. */
  passed: boolean;
}

/** What the page is sent once a second (event `tick`). */
export interface DashboardFrame {
  /** Epoch ms of the tick. */
  t: number;
  /** Ms since the schedule started. */
  elapsedMs: number;
  /** The snapshot's totals. */
  requests: number;
  /** Failed requests. */
  failures: number;
  /** Bytes received. */
  bytes: number;
  /** Whole-run average requests per second. */
  requestsPerSecond: number;
  /** 0..1. */
  errorRate: number;
  /** Latency over the whole run so far. */
  latency: LatencyStats;
  /** Error string -> count. */
  errorsByType: Record<string, number>;
  /** Status >= 400 -> count. */
  errorsByStatus: Record<string, number>;
  /** Request name -> latency (with its count). */
  byName: Record<string, LatencyStats>;
  /** VUs busy now. */
  activeVUs: number;
  /** Requests never sent (not in `requests`). */
  notSent: number;
  /** Per scenario: iterations and drops. */
  scenarios: { name: string; iterations: number; dropped: number }[];
  /** The thresholds, on this snapshot. */
  thresholds: FrameThreshold[];
  /** Completed seconds: the whole series for a new client, else the last few (replace by `t`). */
  points: FramePoint[];
  /** Tick samples: all for a new client, else the newest. */
  samples: FrameSample[];
}

/** Completed seconds re-sent with every frame: the atomic collector's batches may still add to them. */
export const RESENT_SECONDS = 3;

/** The points of `series` whose second has ended by `now`. */
export function completedPoints(series: TimeSeriesData, now: number): FramePoint[] {
  const interval = series.interval > 0 ? series.interval : 1000;
  const out: FramePoint[] = [];
  for (const p of series.points) {
    if (p.timestamp + interval > now) break;
    out.push({
      t: p.timestamp,
      requests: p.requests,
      failures: p.failures,
      p50: p.latency.p50,
      p95: p.latency.p95,
      p99: p.latency.p99,
    });
  }
  return out;
}

/** Requests never sent, summed over the counters' scenarios. */
function notSentTotal(counters: TickCounters): number {
  let n = 0;
  for (const s of counters.scenarios) {
    for (const byName of Object.values(s.notSent ?? {})) {
      for (const v of Object.values(byName)) n += v;
    }
  }
  return n;
}

/** Inputs of {@linkcode buildFrame}. */
export interface FrameInputs {
  /** The collector's snapshot now. */
  snapshot: MetricsSnapshot;
  /** Its completed seconds (see {@linkcode completedPoints}). */
  points: FramePoint[];
  /** The tick samples to send. */
  samples: FrameSample[];
  /** The engine's counters now. */
  counters: TickCounters;
  /** The run's parsed thresholds. */
  thresholds: readonly Threshold[];
  /** Epoch ms of the tick. */
  now: number;
  /** Epoch ms the schedule started. */
  startMs: number;
}

/** One frame (see the module doc). */
export function buildFrame(i: FrameInputs): DashboardFrame {
  const s = i.snapshot;
  const dropped = i.counters.scenarios.reduce((n, c) => n + c.dropped, 0);
  const notSent = notSentTotal(i.counters);
  const elapsedMs = Math.max(0, i.now - i.startMs);
  const evaluated = evaluateThresholds(i.thresholds, s, {
    droppedIterations: dropped,
    durationMs: s.elapsed,
    notSent,
  });
  return {
    t: i.now,
    elapsedMs,
    requests: s.totalRequests,
    failures: s.failedRequests,
    bytes: s.totalBytes,
    requestsPerSecond: s.requestsPerSecond,
    errorRate: s.errorRate,
    latency: s.latency,
    errorsByType: s.errorsByType,
    errorsByStatus: s.errorsByStatus,
    byName: s.byName,
    activeVUs: i.counters.activeVUs,
    notSent,
    scenarios: i.counters.scenarios.map((c) => ({
      name: c.name,
      iterations: c.iterations,
      dropped: c.dropped,
    })),
    thresholds: evaluated.map((r) => ({
      metric: r.metric,
      expression: r.expression,
      value: formatThresholdValue(r, r.value),
      passed: r.passed,
    })),
    points: i.points,
    samples: i.samples,
  };
}
