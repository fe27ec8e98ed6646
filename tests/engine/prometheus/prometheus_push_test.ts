/**
 * The engine's Prometheus outputs against a real Prometheus 2.42 (Debian;
 * skipped with a message without it): remote-write pushes (hand-written
 * protobuf + Snappy) of two instances are accepted, summed and queried back
 * (counters exactly, histogram_quantile within 1 % of the exact p99 over the
 * union of samples, native and classic); the /metrics text passes
 * `promtool check metrics`.
 */
import assert from "node:assert/strict";
import { AtomicMetricsCollector, LatencyHistogram } from "@lunge/metrics";
import {
  type HistogramMode,
  type PushFigures,
  RemoteWriter,
  runSeries,
} from "../../../examples/lunge/prometheus/remote_write.ts";
import { metricsText, serveMetrics } from "../../../examples/lunge/prometheus/metrics_server.ts";
import { prometheusInstalled, promtoolCheck, startPrometheus } from "../_prometheus.ts";
import { mulberry32 as rng } from "../../_prng.ts";

/** A collector with `n` requests of log-uniform latency (0.1 .. 200 ms); its samples. */
function instance(n: number, seed: number): { c: AtomicMetricsCollector; samples: number[] } {
  const c = new AtomicMetricsCollector(), r = rng(seed), samples: number[] = [];
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const d = 0.1 * Math.pow(2000, r());
    samples.push(d);
    c.recordRequest({
      startTime: now,
      duration: d,
      statusCode: i % 20 ? 200 : 503,
      bytes: 7,
      name: "home",
    });
  }
  return { c, samples };
}

function figures(c: AtomicMetricsCollector): PushFigures {
  return {
    snapshot: c.getSnapshot(),
    histograms: { all: c.getLatencyHistogram(), byName: { home: c.getLatencyHistogram("home") } },
    activeVUs: 2,
    scenarios: [{ name: "default", iterations: c.getSnapshot().totalRequests, dropped: 0 }],
    timestamp: Date.now(),
  };
}

function nearestRank(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

Deno.test("remote write: Prometheus 2.42 sums two instances' pushes and their histograms", async (t) => {
  if (!(await prometheusInstalled())) {
    console.log("skipped: prometheus/promtool not installed (apt-get install prometheus)");
    return;
  }
  const prom = await startPrometheus();
  const parts = [instance(30_000, 1), instance(20_000, 2)];
  try {
    for (const mode of ["native", "classic"] as HistogramMode[]) {
      await t.step(`${mode} histograms`, async () => {
        const writer = new RemoteWriter(prom.writeUrl);
        for (const [i, p] of parts.entries()) {
          const labels: [string, string][] = [["instance", `${mode}-${i}`], ["job", mode]];
          assert.ok(
            await writer.push(runSeries(figures(p.c), labels, mode)),
            writer.stats.lastError,
          );
        }
        const total = await prom.query(`sum(lunge_http_reqs_total{job="${mode}"})`);
        assert.equal(Number(total[0].value[1]), 50_000);
        const failed = await prom.query(`sum(lunge_http_req_failed_total{job="${mode}"})`);
        assert.equal(Number(failed[0].value[1]), 1500 + 1000);
        const q = mode === "native"
          ? `histogram_quantile(0.99, sum(lunge_http_req_duration_seconds{job="${mode}"}))`
          : `histogram_quantile(0.99, sum by (le) (lunge_http_req_duration_seconds_bucket{job="${mode}"}))`;
        const p99 = Number((await prom.query(q))[0].value[1]) * 1000;
        const union = parts.flatMap((p) => p.samples).sort((a, b) => a - b);
        const exact = nearestRank(union, 99);
        assert.ok(Math.abs(p99 - exact) / exact <= 0.01, `p99 ${p99} vs exact ${exact}`);
      });
    }
  } finally {
    for (const p of parts) p.c.close();
    await prom.stop();
  }
});

Deno.test("/metrics: served while running, promtool check metrics clean", async () => {
  const { c } = instance(5000, 3);
  const live = serveMetrics(
    `127.0.0.1:${freePort()}`,
    () => metricsText(figures(c), { segment: "0/2" }),
  );
  try {
    const res = await fetch(`http://127.0.0.1:${live.port}/metrics`);
    assert.match(res.headers.get("content-type") ?? "", /version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^lunge_http_reqs_total\{segment="0\/2",status="200"\} 4750$/m);
    assert.match(text, /^lunge_vus\{segment="0\/2"\} 2$/m);
    const notFound = await fetch(`http://127.0.0.1:${live.port}/other`);
    assert.equal(notFound.status, 404);
    await notFound.body?.cancel();
    if (!(await prometheusInstalled())) {
      console.log("skipped promtool: not installed (apt-get install prometheus)");
      return;
    }
    const check = await promtoolCheck(text);
    assert.ok(check.ok && check.said === "", check.said);
  } finally {
    await live.close();
    c.close();
  }
});

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("native histogram buckets: schema 8 keeps every quantile within 1 %", () => {
  // Checked without Prometheus: the quantile of the native buckets (upper
  // bound of the bucket holding the rank) against the exact one.
  const h = new LatencyHistogram(), r = rng(4), samples: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const v = 0.01 * Math.pow(1e5, r());
    samples.push(v);
    h.record(v);
  }
  samples.sort((a, b) => a - b);
  const c = new AtomicMetricsCollector();
  const series = runSeries({ ...figures(c), histograms: { all: h, byName: {} } }, [], "native");
  c.close();
  const native = series.find((s) => s.histogram)!.histogram!;
  assert.equal(native.count, 20_000);
  for (const p of [50, 90, 99, 99.9]) {
    const rank = Math.ceil((p / 100) * native.count);
    let below = native.zeroCount, upper = 0;
    for (const [i, n] of native.buckets) {
      below += n;
      upper = 2 ** (i / 256);
      if (below >= rank) break;
    }
    const exact = nearestRank(samples, p) / 1000;
    assert.ok(Math.abs(upper - exact) / exact <= 0.01, `p${p}: ${upper} vs ${exact}`);
  }
});
