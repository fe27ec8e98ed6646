/**
 * {@linkcode toPrometheusText}: a snapshot (and, optionally, its latency
 * histograms) in Prometheus' text exposition format 0.0.4, for a `/metrics`
 * endpoint.
 *
 * @module
 */
import type { MetricsSnapshot } from "./types.ts";
import type { LatencyHistogram } from "./latency_histogram.ts";

/**
 * The fixed classic-bucket upper bounds (`le`, in **seconds**) of latency
 * histograms in {@linkcode toPrometheusText}: 2,201 bounds from 2^14 ns
 * (16.4 µs) to 2^36 ns (68.7 s), each an edge of the collectors' HdrHistogram
 * buckets, each bucket at most 1 % wider than its lower bound (from a bound,
 * the next is the highest histogram edge within 1 % above it).
 *
 * Why so many: `histogram_quantile` finds the classic bucket that holds the
 * sample of the wanted rank and interpolates inside it, so its answer can be
 * anywhere in that bucket. Because every bound is an edge of the histogram's
 * own buckets, the cumulative counts are exact, and the answer is within the
 * bucket's width (at most 1 % of its lower bound, so of the true value) of
 * the exact nearest-rank percentile, for every percentile between 16.4 µs and
 * 68.7 s. A geometric set with the same 1 % guarantee needs at least
 * ln(68.7 s / 16.4 µs) / ln(1.01) ≈ 1,530 bounds; coarser sets
 * (Prometheus' defaults, ×2 steps) give errors of tens of percent.
 *
 * @example Every bucket within 1 % of its lower bound
 * ```ts
 * import { PROMETHEUS_BUCKETS_SECONDS as le } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * assert.equal(le.length, 2201);
 * assert.equal(le[0], 16384e-9);
 * for (let i = 1; i < le.length; i++) {
 *   assert.ok(le[i] > le[i - 1] && le[i] - le[i - 1] <= le[i - 1] * 0.0100001);
 * }
 * ```
 */
export const PROMETHEUS_BUCKETS_SECONDS: readonly number[] = Object.freeze(
  bucketEdgesNs().map((ns) => ns / 1e9),
);

/** The bounds of PROMETHEUS_BUCKETS_SECONDS in ns (integers). */
function bucketEdgesNs(): number[] {
  const edges: number[] = [];
  let e = 2 ** 14;
  while (e < 2 ** 36) {
    edges.push(e);
    const octave = Math.floor(Math.log2(e)), unit = 2 ** (octave - 7); // histogram bucket width
    let next = Math.floor(e * 1.01 / unit) * unit;
    if (next <= e) next = e + unit;
    e = Math.min(next, 2 ** (octave + 1)); // widths change at the octave's end
  }
  edges.push(2 ** 36);
  return edges;
}

/**
 * Options of {@linkcode toPrometheusText}.
 *
 * @example A prefix and a constant label
 * ```ts
 * import {
 *   AtomicMetricsCollector,
 *   type PrometheusTextOptions,
 *   toPrometheusText,
 * } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const c = new AtomicMetricsCollector();
 * const options: PrometheusTextOptions = {
 *   prefix: "app_",
 *   labels: { segment: "1/3" },
 * };
 * const text = toPrometheusText(c.getSnapshot(), options);
 * assert.match(text, /^app_http_req_failed_total\{segment="1\/3"\} 0$/m);
 * c.close();
 * ```
 */
export interface PrometheusTextOptions {
  /** Prefix of every metric name; default `"lunge_"`. */
  prefix?: string;
  /** Labels added to every sample (e.g. `{ instance_segment: "0/3" }`). */
  labels?: Record<string, string>;
  /**
   * Latency histograms (e.g. from `collector.getLatencyHistogram()`): with
   * them, latency is exposed as classic histograms over
   * {@linkcode PROMETHEUS_BUCKETS_SECONDS}; without, as summaries of the
   * snapshot's percentiles (which Prometheus cannot aggregate across
   * instances).
   */
  histograms?: {
    /** All requests: `<prefix>http_req_duration_seconds`. */
    all?: LatencyHistogram;
    /** Per request name: `<prefix>http_req_duration_by_name_seconds{name=…}`. */
    byName?: Record<string, LatencyHistogram>;
  };
}

/**
 * A snapshot in Prometheus' text exposition format (version 0.0.4; serve it
 * with `Content-Type: text/plain; version=0.0.4`). Metric names (with the
 * default prefix):
 *
 * | name | type | labels |
 * |---|---|---|
 * | `lunge_http_reqs_total` | counter | `status` (0: no response) |
 * | `lunge_http_req_failed_total` | counter | |
 * | `lunge_http_errors_total` | counter | `error` |
 * | `lunge_data_received_bytes_total` | counter | |
 * | `lunge_generation_rate` | gauge (requests/s) | |
 * | `lunge_clamped_samples_total` | counter | |
 * | `lunge_unflushed_requests` | gauge | |
 * | `lunge_http_req_duration_seconds` | histogram, or summary without histograms | |
 * | `lunge_http_req_duration_by_name_seconds` | histogram, or summary | `name` |
 *
 * @param snapshot A collector's snapshot.
 * @param options Prefix, constant labels and latency histograms.
 * @returns The exposition text, newline-terminated.
 * @throws {RangeError} When the prefix or a label name is not a valid Prometheus name.
 *
 * @example A snapshot with its histogram
 * ```ts
 * import { AtomicMetricsCollector, toPrometheusText } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const c = new AtomicMetricsCollector();
 * c.recordRequest({
 *   startTime: Date.now(),
 *   duration: 12,
 *   statusCode: 200,
 *   bytes: 100,
 * });
 * c.recordRequest({
 *   startTime: Date.now(),
 *   duration: 30,
 *   statusCode: 503,
 *   bytes: 0,
 * });
 * const all = c.getLatencyHistogram();
 * const text = toPrometheusText(c.getSnapshot(), { histograms: { all } });
 * assert.match(text, /^lunge_http_reqs_total\{status="503"\} 1$/m);
 * assert.match(text, /^lunge_http_req_duration_seconds_bucket\{le="\+Inf"\} 2$/m);
 * assert.match(text, /^lunge_http_req_duration_seconds_count 2$/m);
 * c.close();
 * ```
 */
export function toPrometheusText(
  snapshot: MetricsSnapshot,
  options: PrometheusTextOptions = {},
): string {
  const prefix = options.prefix ?? "lunge_";
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
    throw new RangeError(`toPrometheusText: prefix ${JSON.stringify(prefix)} is not a metric name`);
  }
  const constant = labelPairs(options.labels ?? {});
  const out: string[] = [];
  const family = (name: string, type: string, help: string) => {
    out.push(`# HELP ${prefix}${name} ${help}`, `# TYPE ${prefix}${name} ${type}`);
  };
  const sample = (name: string, labels: [string, string][], value: number) => {
    out.push(`${prefix}${name}${labelText([...constant, ...labels])} ${numberText(value)}`);
  };
  family("http_reqs_total", "counter", "Requests completed, by HTTP status (0: no response).");
  for (const [status, n] of Object.entries(snapshot.statusCodes)) {
    sample("http_reqs_total", [["status", status]], n);
  }
  family("http_req_failed_total", "counter", "Failed requests (an error, no response, or >= 400).");
  sample("http_req_failed_total", [], snapshot.failedRequests);
  family(
    "http_errors_total",
    "counter",
    "Requests that failed without a usable response, by error.",
  );
  for (const [error, n] of Object.entries(snapshot.errorsByType)) {
    sample("http_errors_total", [["error", error]], n);
  }
  family("data_received_bytes_total", "counter", "Bytes received.");
  sample("data_received_bytes_total", [], snapshot.totalBytes);
  family("generation_rate", "gauge", "Requests per second the load generator last reported.");
  sample("generation_rate", [], snapshot.generation.rate);
  family("clamped_samples_total", "counter", "Latencies of 2^42 ns and more (in the last bucket).");
  sample("clamped_samples_total", [], snapshot.clampedSamples);
  family("unflushed_requests", "gauge", "Requests other threads hold and have not merged yet.");
  sample("unflushed_requests", [], snapshot.unflushedRequests);
  const all = options.histograms?.all;
  const byName = options.histograms?.byName;
  const latency = { out, prefix, constant };
  if (all) {
    family("http_req_duration_seconds", "histogram", "Request latency.");
    histogramLines(latency, "http_req_duration_seconds", [], all);
  } else {
    family("http_req_duration_seconds", "summary", "Request latency (nearest-rank percentiles).");
    summaryLines(latency, "http_req_duration_seconds", [], snapshot.latency);
  }
  if (byName) {
    family("http_req_duration_by_name_seconds", "histogram", "Request latency per request name.");
    for (const [name, h] of Object.entries(byName)) {
      histogramLines(latency, "http_req_duration_by_name_seconds", [["name", name]], h);
    }
  } else {
    family("http_req_duration_by_name_seconds", "summary", "Request latency per request name.");
    for (const [name, stats] of Object.entries(snapshot.byName)) {
      summaryLines(latency, "http_req_duration_by_name_seconds", [["name", name]], stats);
    }
  }
  return out.join("\n") + "\n";
}

interface Lines {
  out: string[];
  prefix: string;
  constant: [string, string][];
}

const EDGES_NS = bucketEdgesNs();
const EDGE_TEXT = EDGES_NS.map(secondsText);

function histogramLines(
  to: Lines,
  name: string,
  labels: [string, string][],
  h: LatencyHistogram,
): void {
  const base = [...to.constant, ...labels];
  const buckets = h.buckets();
  let b = 0, below = 0;
  for (let i = 0; i < EDGES_NS.length; i++) {
    // Histogram buckets lie wholly below or above each edge (the edges are theirs).
    while (b < buckets.length && buckets[b].upperNs <= EDGES_NS[i]) below += buckets[b++].count;
    to.out.push(`${to.prefix}${name}_bucket${labelText([...base, ["le", EDGE_TEXT[i]]])} ${below}`);
  }
  const stats = h.stats();
  to.out.push(`${to.prefix}${name}_bucket${labelText([...base, ["le", "+Inf"]])} ${stats.count}`);
  to.out.push(
    `${to.prefix}${name}_sum${labelText(base)} ${numberText(stats.mean * stats.count / 1000)}`,
  );
  to.out.push(`${to.prefix}${name}_count${labelText(base)} ${stats.count}`);
}

function summaryLines(
  to: Lines,
  name: string,
  labels: [string, string][],
  s: MetricsSnapshot["latency"],
): void {
  const base = [...to.constant, ...labels];
  const quantiles: [string, number][] = [
    ["0.5", s.p50],
    ["0.9", s.p90],
    ["0.95", s.p95],
    ["0.99", s.p99],
    ["0.999", s.p999],
  ];
  for (const [q, ms] of quantiles) {
    to.out.push(
      `${to.prefix}${name}${labelText([...base, ["quantile", q]])} ${numberText(ms / 1000)}`,
    );
  }
  to.out.push(`${to.prefix}${name}_sum${labelText(base)} ${numberText(s.mean * s.count / 1000)}`);
  to.out.push(`${to.prefix}${name}_count${labelText(base)} ${s.count}`);
}

function labelPairs(labels: Record<string, string>): [string, string][] {
  return Object.entries(labels).map(([k, v]) => {
    if (
      !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) || k.startsWith("__") || k === "le" || k === "quantile"
    ) {
      throw new RangeError(`toPrometheusText: label name ${JSON.stringify(k)} is not usable`);
    }
    return [k, String(v)];
  });
}

function labelText(pairs: [string, string][]): string {
  if (pairs.length === 0) return "";
  const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
  return `{${pairs.map(([k, v]) => `${k}="${escape(v)}"`).join(",")}}`;
}

function numberText(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? "+Inf" : v < 0 ? "-Inf" : "NaN";
}

/** An integer ns as exact decimal seconds ("0.000016384"). */
function secondsText(ns: number): string {
  const whole = Math.floor(ns / 1e9);
  const frac = String(ns % 1e9).padStart(9, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : String(whole);
}
