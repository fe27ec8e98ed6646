/**
 * The one evaluator of thresholds: parsed {@linkcode Threshold}s against the
 * figures of a run — a single run's, or a merge of several runs' (both read
 * them from a {@linkcode RunResult} with {@linkcode evaluateResult}) — and
 * the formatting of a measured value in its threshold's unit.
 *
 * @module
 */
import type { MetricsSnapshot } from "@lunge/metrics";
import type { RunResult, ThresholdResult } from "../result.ts";
import type { Threshold, ThresholdOperator } from "./thresholds.ts";
import { formatCount, formatDuration, formatRate } from "../report/_report_format.ts";

/** The snapshot figures a threshold may compare. */
export type ThresholdMetrics = Pick<
  MetricsSnapshot,
  "latency" | "errorRate" | "totalRequests" | "requestsPerSecond" | "elapsed"
>;

/** What a threshold may compare beyond the collector's snapshot: the run's own counters. */
export interface RunCounters {
  /** Arrival-rate iterations dropped, over every scenario. */
  droppedIterations: number;
  /** The run's duration in ms (for per-second rates). */
  durationMs: number;
  /** Requests never sent (not in `totalRequests`); 0 when omitted. */
  notSent?: number;
}

/** Per second of a run of `durationMs` (0 for an empty run). */
function perSecond(count: number, durationMs: number): number {
  return durationMs > 0 ? count / (durationMs / 1000) : 0;
}

/** The measured value a threshold compares, in the threshold's unit. */
function measure(threshold: Threshold, metrics: ThresholdMetrics, run: RunCounters): number {
  const latency = metrics.latency;
  switch (threshold.metric) {
    case "http_req_duration":
      switch (threshold.aggregate) {
        case "min":
          return latency.min;
        case "max":
          return latency.max;
        case "avg":
          return latency.mean;
        case "med":
        case "p50":
          return latency.p50;
        case "p90":
          return latency.p90;
        case "p95":
          return latency.p95;
        case "p99":
          return latency.p99;
        case "p99.9":
          return latency.p999;
      }
      break;
    case "http_req_failed":
      return metrics.errorRate;
    case "http_reqs":
      // What was sent: a request that never left is in http_reqs_not_sent.
      return threshold.aggregate === "count" ? metrics.totalRequests : metrics.requestsPerSecond;
    case "dropped_iterations":
      if (threshold.aggregate === "count") return run.droppedIterations;
      return perSecond(run.droppedIterations, run.durationMs);
    case "http_reqs_not_sent": {
      const notSent = run.notSent ?? 0;
      return threshold.aggregate === "count" ? notSent : perSecond(notSent, run.durationMs);
    }
  }
  throw new Error(`${threshold.path}: cannot evaluate "${threshold.expression}"`);
}

function compare(actual: number, operator: ThresholdOperator, expected: number): boolean {
  switch (operator) {
    case "<":
      return actual < expected;
    case "<=":
      return actual <= expected;
    case ">":
      return actual > expected;
    case ">=":
      return actual >= expected;
    case "==":
      return actual === expected;
    case "!=":
      return actual !== expected;
  }
}

/**
 * The measured value of a threshold, formatted in its unit: `12.3ms` for
 * durations, `0.0123` for the failure rate, `1,234` for a count, `52.1/s`
 * for a rate.
 *
 * @param threshold The threshold's metric and aggregate (a parsed
 *   threshold, or an evaluated one from a result).
 * @param value The measured value, in the metric's base unit.
 * @returns The value as the reports show it.
 *
 * @example
 * ```ts
 * import { formatThresholdValue } from "./evaluate.ts";
 *
 * console.log(formatThresholdValue({ metric: "http_req_duration", aggregate: "p95" }, 12.34)); // 12.3ms
 * ```
 */
export function formatThresholdValue(
  threshold: { metric: string; aggregate: string },
  value: number,
): string {
  switch (threshold.metric) {
    case "http_req_duration":
      return formatDuration(value);
    case "http_req_failed":
      return Number.isFinite(value) ? String(Number(value.toFixed(4))) : "-";
    case "http_reqs":
    case "dropped_iterations":
    case "http_reqs_not_sent":
      return threshold.aggregate === "count" ? formatCount(value) : `${formatRate(value)}/s`;
  }
  return String(value);
}

/**
 * Evaluate every threshold against a snapshot (usually the run's final one).
 *
 * @param thresholds Parsed by `parseThresholds` (./thresholds.ts).
 * @param metrics The snapshot to compare against.
 * @param run The run's dropped iterations, requests not sent and duration;
 *   none dropped or unsent when omitted.
 * @returns One result per threshold, in order; `message` reads like
 *   `p95 < 500 (actual: 12.3ms)`; the parsed form rides along (`aggregate`,
 *   `operator`, `limit`) so that a merge re-evaluates without parsing.
 *
 * @example
 * ```ts ignore
 * import { evaluateThresholds } from "./evaluate.ts";
 * import { parseThresholds } from "./thresholds.ts";
 *
 * const results = evaluateThresholds(
 *   parseThresholds({ http_req_failed: ["rate < 0.01"] }),
 *   collector.getSnapshot(),
 * );
 * const passed = results.every((r) => r.passed);
 * ```
 */
export function evaluateThresholds(
  thresholds: readonly Threshold[],
  metrics: ThresholdMetrics,
  run: RunCounters = { droppedIterations: 0, durationMs: metrics.elapsed },
): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const value = measure(threshold, metrics, run);
    const passed = Number.isFinite(value) && compare(value, threshold.operator, threshold.value);
    return {
      metric: threshold.metric,
      expression: threshold.expression,
      passed,
      value,
      message: `${threshold.expression} (actual: ${formatThresholdValue(threshold, value)})`,
      aggregate: threshold.aggregate,
      operator: threshold.operator,
      limit: threshold.value,
    };
  });
}

/** The figures of `result` that thresholds compare beyond its metrics. */
export function resultCounters(
  result: Pick<RunResult, "scenarios" | "duration" | "metrics">,
): RunCounters {
  return {
    droppedIterations: Object.values(result.scenarios)
      .reduce((n, s) => n + s.droppedIterations, 0),
    durationMs: result.duration,
    // A result of an older lunge has no notSent counts: none.
    notSent: result.metrics.notSent?.total ?? 0,
  };
}

/**
 * Evaluates thresholds on a run's result, whole: a single run's, or a
 * merged one (the one evaluation path of both).
 *
 * @param thresholds The parsed thresholds.
 * @param result The result: its metrics, scenarios (dropped iterations),
 *   duration and requests not sent.
 * @returns One result per threshold, in order.
 *
 * @example
 * ```ts ignore
 * import { evaluateResult } from "./evaluate.ts";
 *
 * result.thresholds = evaluateResult(thresholds, result);
 * ```
 */
export function evaluateResult(
  thresholds: readonly Threshold[],
  result: Pick<RunResult, "scenarios" | "duration" | "metrics">,
): ThresholdResult[] {
  return evaluateThresholds(thresholds, result.metrics, resultCounters(result));
}
