/**
 * toPrometheusText: Prometheus' own `promtool check metrics` accepts it
 * (Debian's prometheus package; skipped with a message without it), its
 * counts equal the snapshot's, and Prometheus' `histogram_quantile`
 * arithmetic over its classic buckets is within 1 % of the exact
 * nearest-rank percentiles.
 */
import assert from "node:assert/strict";
import {
  AtomicMetricsCollector,
  LatencyHistogram,
  PROMETHEUS_BUCKETS_SECONDS,
  toPrometheusText,
} from "@lunge/metrics";
import { assertClose, exactPercentile } from "./_contract_suite.ts";
import { mulberry32 as rng } from "./_prng.ts";
import { promtoolCheck } from "./engine/_prometheus.ts";

function sampleLines(text: string, name: string): [Record<string, string>, number][] {
  const out: [Record<string, string>, number][] = [];
  for (const line of text.split("\n")) {
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    out.push([labels, m[3] === "+Inf" ? Infinity : Number(m[3])]);
  }
  return out;
}

/** Prometheus' histogram_quantile over classic buckets (promql/quantile.go, bucketQuantile). */
function histogramQuantile(q: number, buckets: [number, number][]): number {
  buckets.sort((a, b) => a[0] - b[0]);
  const total = buckets[buckets.length - 1][1];
  const rank = q * total;
  let i = buckets.findIndex(([, c]) => c >= rank);
  if (i === buckets.length - 1) return buckets[buckets.length - 2][0];
  if (i < 0) i = buckets.length - 1;
  const lower = i === 0 ? 0 : buckets[i - 1][0];
  const below = i === 0 ? 0 : buckets[i - 1][1];
  return lower + (buckets[i][0] - lower) * ((rank - below) / (buckets[i][1] - below));
}

Deno.test("toPrometheusText: counters equal the snapshot's, by status and error", () => {
  const c = new AtomicMetricsCollector();
  try {
    const now = Date.now();
    for (let i = 0; i < 100; i++) {
      const statusCode = i % 10 === 0 ? 503 : 200;
      c.recordRequest({ startTime: now, duration: 1 + i, statusCode, bytes: 10, name: "home" });
    }
    c.recordRequest({ startTime: now, duration: 5, statusCode: 0, bytes: 0, error: 'say "hi"' });
    const s = c.getSnapshot();
    const text = toPrometheusText(s, { labels: { run: "r1" } });
    const reqs = sampleLines(text, "lunge_http_reqs_total");
    assert.deepEqual(
      Object.fromEntries(reqs.map(([l, v]) => [l.status, v])),
      s.statusCodes,
    );
    assert.ok(reqs.every(([l]) => l.run === "r1"));
    assert.deepEqual(sampleLines(text, "lunge_http_errors_total"), [
      [{ run: "r1", error: 'say \\"hi\\"' }, 1],
    ]);
    assert.equal(sampleLines(text, "lunge_http_req_failed_total")[0][1], 11);
    assert.equal(sampleLines(text, "lunge_data_received_bytes_total")[0][1], 1000);
    // Without histograms: summaries of the snapshot's percentiles.
    assert.match(text, /^# TYPE lunge_http_req_duration_seconds summary$/m);
    const p99 = sampleLines(text, "lunge_http_req_duration_seconds")
      .find(([l]) => l.quantile === "0.99")!;
    assert.equal(p99[1], s.latency.p99 / 1000);
    assert.throws(() => toPrometheusText(s, { prefix: "1bad" }), /prefix/);
    assert.throws(() => toPrometheusText(s, { labels: { le: "x" } }), /label name/);
  } finally {
    c.close();
  }
});

Deno.test("histogram_quantile over the classic buckets is within 1 % of the exact percentile", () => {
  const r = rng(11);
  const values = Array.from({ length: 50_000 }, () => 0.05 * Math.pow(2e5, r())); // 50 µs .. 10 s
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  const c = new AtomicMetricsCollector();
  try {
    const text = toPrometheusText(c.getSnapshot(), { histograms: { all: h } });
    const buckets = sampleLines(text, "lunge_http_req_duration_seconds_bucket")
      .map(([l, v]) => [l.le === "+Inf" ? Infinity : Number(l.le), v] as [number, number]);
    assert.equal(buckets.length, PROMETHEUS_BUCKETS_SECONDS.length + 1);
    assert.equal(buckets[buckets.length - 1][1], values.length);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [50, 90, 95, 99, 99.9]) {
      const seconds = histogramQuantile(p / 100, buckets);
      assertClose(seconds * 1000, exactPercentile(sorted, p), 0.01, `histogram_quantile p${p}`);
    }
    const count = sampleLines(text, "lunge_http_req_duration_seconds_count")[0][1];
    assert.equal(count, values.length);
  } finally {
    c.close();
  }
});

async function promtool(): Promise<boolean> {
  try {
    return (await new Deno.Command("promtool", { args: ["--version"], stdout: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

Deno.test("promtool check metrics accepts toPrometheusText's output", async () => {
  if (!(await promtool())) {
    console.log("skipped: promtool not installed (apt-get install prometheus)");
    return;
  }
  const c = new AtomicMetricsCollector();
  try {
    const now = Date.now();
    for (let i = 0; i < 1000; i++) {
      const name = i % 2 ? "a" : "b";
      c.recordRequest({ startTime: now, duration: 0.1 + i, statusCode: 200, bytes: 5, name });
    }
    c.recordRequest({ startTime: now, duration: 3, statusCode: 0, bytes: 0, error: "timeout" });
    const byName = { a: c.getLatencyHistogram("a"), b: c.getLatencyHistogram("b") };
    for (
      const text of [
        toPrometheusText(c.getSnapshot()),
        toPrometheusText(c.getSnapshot(), { histograms: { all: c.getLatencyHistogram(), byName } }),
      ]
    ) {
      const { ok, said } = await promtoolCheck(text);
      assert.ok(ok, said);
      assert.equal(said, "", "promtool found problems");
    }
  } finally {
    c.close();
  }
});
