/**
 * What one Prometheus remote-write push costs the engine's main thread:
 * copying the snapshot and histograms out of a collector holding a 5,000 RPS
 * minute (300,000 requests, 2 request names), building the series, protobuf
 * and Snappy, for native and classic histograms; and the size sent.
 *
 *   deno run --allow-read=. bench/engine/push_cost.ts
 */
import { AtomicMetricsCollector } from "@lunge/metrics";
import {
  encodeWriteRequest,
  snappyCompress,
} from "../../examples/lunge/prometheus/_remote_write_proto.ts";
import { runSeries } from "../../examples/lunge/prometheus/remote_write.ts";

const c = new AtomicMetricsCollector();
const t0 = Date.now();
for (let i = 0; i < 300_000; i++) {
  const d = 0.3 * Math.exp(1.5 * (Math.random() - 0.5)) + (i % 100 === 0 ? 20 * Math.random() : 0);
  c.recordRequest({
    startTime: t0,
    duration: d,
    statusCode: 200,
    bytes: 100,
    name: i % 2 ? "a" : "b",
  });
}
function build(mode: "native" | "classic"): [number, number] {
  const snapshot = c.getSnapshot();
  const histograms = {
    all: c.getLatencyHistogram(),
    byName: { a: c.getLatencyHistogram("a"), b: c.getLatencyHistogram("b") },
  };
  const s = runSeries(
    {
      snapshot,
      histograms,
      activeVUs: 100,
      scenarios: [{ name: "default", iterations: 1, dropped: 0 }],
      timestamp: Date.now(),
    },
    [["instance", "bench"]],
    mode,
  );
  return [snappyCompress(encodeWriteRequest(s)).length, s.length];
}
for (const mode of ["native", "classic"] as const) {
  let bytes = 0, series = 0;
  const rounds = 50;
  for (let r = 0; r < 5; r++) build(mode); // warm-up
  const start = performance.now();
  for (let r = 0; r < rounds; r++) [bytes, series] = build(mode);
  const ms = (performance.now() - start) / rounds;
  console.log(`${mode}: ${ms.toFixed(2)} ms per push, ${series} series, ${bytes} bytes (snappy)`);
}
c.close();
