/**
 * `lunge merge`'s latency statistics: count, min, max, mean and standard
 * deviation combined exactly from each run's, percentiles from the merged
 * histogram, against one histogram of the union of the samples.
 */
import assert from "node:assert/strict";
import { LatencyHistogram } from "@lunge/metrics";
import { mergeStats } from "../../../examples/lunge/merge/merge.ts";

function histogramOf(values: number[]): LatencyHistogram {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  return h;
}

Deno.test("mergeStats equals the statistics of the union of the samples", () => {
  const parts = [
    Array.from({ length: 1000 }, (_, i) => 1 + (i % 97) * 0.37),
    Array.from({ length: 10 }, (_, i) => 250 + i),
    [0.05],
    [],
  ];
  const hs = parts.map(histogramOf);
  const merged = new LatencyHistogram();
  for (const h of hs) merged.merge(h);
  const union = histogramOf(parts.flat()).stats();
  const got = mergeStats(hs.map((h) => h.stats()), merged);
  assert.equal(got.count, union.count);
  assert.equal(got.min, union.min);
  assert.equal(got.max, union.max);
  assert.ok(Math.abs(got.mean - union.mean) <= 1e-9 * union.mean, `${got.mean} vs ${union.mean}`);
  assert.ok(Math.abs(got.stdDev - union.stdDev) <= 1e-9 * union.stdDev);
  for (const k of ["p50", "p90", "p95", "p99", "p999"] as const) assert.equal(got[k], union[k], k);
  assert.equal(mergeStats([], new LatencyHistogram()).count, 0);
});
