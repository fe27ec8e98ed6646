/**
 * The percentile engine against exact sorted percentiles, on the
 * distributions the contract cares about, and its bucket arithmetic against
 * the error bound derived in src/_histogram.ts.
 */
import assert from "node:assert/strict";
import {
  BUCKET_COUNT,
  bucketIndex,
  bucketMidpoint,
  clearRecorder,
  latencyBucket,
  mergeRecorder,
  RECORDER_WORDS,
  recorderStats,
  recordLatency,
} from "./_histogram.ts";
import { assertClose, exactPercentile } from "../tests/_contract_suite.ts";
import { mulberry32 as rng } from "../tests/_prng.ts";

function record(values: number[]): Float64Array {
  const f = new Float64Array(RECORDER_WORDS);
  for (const v of values) recordLatency(f, 0, v, latencyBucket(v));
  return f;
}

function assertPercentiles(values: number[], what: string): void {
  const stats = recorderStats(record(values), 0);
  const sorted = [...values].sort((a, b) => a - b);
  const pairs: [number, number][] = [[50, stats.p50], [90, stats.p90], [95, stats.p95], [
    99,
    stats.p99,
  ], [99.9, stats.p999]];
  for (const [q, got] of pairs) assertClose(got, exactPercentile(sorted, q), 0.01, `${what} p${q}`);
  assert.equal(stats.count, values.length);
  assert.equal(stats.min, sorted[0]);
  assert.equal(stats.max, sorted[sorted.length - 1]);
}

const normal = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

Deno.test("histogram: uniform 1..1000 ms", () => {
  const r = rng(1);
  assertPercentiles(Array.from({ length: 100_000 }, () => 1 + 999 * r()), "uniform");
});

Deno.test("histogram: log-normal around 25 ms", () => {
  const r = rng(2);
  assertPercentiles(
    Array.from({ length: 100_000 }, () => 25 * Math.exp(0.9 * normal(r))),
    "lognormal",
  );
});

Deno.test("histogram: bimodal (2 ms cache hits, 300 ms misses)", () => {
  const r = rng(3);
  const values = Array.from(
    { length: 100_000 },
    () => r() < 0.85 ? 2 + 0.2 * normal(r) ** 2 : 300 + 40 * Math.abs(normal(r)),
  );
  assertPercentiles(values, "bimodal");
});

Deno.test("histogram: a constant distribution comes back exact, stdDev 0", () => {
  const stats = recorderStats(record(Array(10_000).fill(42.125)), 0);
  assert.deepEqual(
    [stats.p50, stats.p90, stats.p99, stats.p999, stats.min, stats.max, stats.mean, stats.stdDev],
    [42.125, 42.125, 42.125, 42.125, 42.125, 42.125, 42.125, 0],
  );
});

Deno.test("histogram: the extremes, 1 µs and 1 h, and values in between", () => {
  assertPercentiles([0.001, 0.001, 0.001, 3_600_000, 3_600_000], "extremes");
  const r = rng(4);
  // Spread over the whole range: 10^(-3..6.6) ms.
  assertPercentiles(Array.from({ length: 50_000 }, () => 10 ** (-3 + 9.55 * r())), "wide");
  const one = recorderStats(record([3_600_000]), 0);
  assert.equal(one.p99, 3_600_000);
});

Deno.test("histogram: a single sample is every percentile", () => {
  const stats = recorderStats(record([7.3]), 0);
  assert.deepEqual([stats.p50, stats.p999, stats.min, stats.max, stats.mean], [
    7.3,
    7.3,
    7.3,
    7.3,
    7.3,
  ]);
  assert.deepEqual(recorderStats(new Float64Array(RECORDER_WORDS), 0).p99, 0);
});

Deno.test("histogram: every bucket's midpoint is within 1/256 of every latency in it", () => {
  let previous = -1;
  // Walk the range by ~0.1 % steps, plus the values just around each power
  // of two, checking index monotonicity and the derived bound.
  const values: number[] = [];
  for (let v = 1; v < 2 ** 42; v = Math.max(v + 0.37, v * 1.001)) values.push(v);
  for (let e = 8; e < 42; e++) values.push(2 ** e - 1e-6, 2 ** e, 2 ** e + 1e-6);
  values.sort((a, b) => a - b);
  for (const v of values) {
    const i = bucketIndex(v);
    assert.ok(i >= previous && i < BUCKET_COUNT, `index of ${v}`);
    previous = i;
    const mid = bucketMidpoint(i);
    if (v >= 256) assert.ok(Math.abs(mid - v) / v <= 1 / 256, `midpoint ${mid} of ${v}`);
    else assert.ok(Math.abs(mid - v) <= 1, `midpoint ${mid} of ${v}`);
  }
  assert.equal(bucketIndex(0), 0);
  assert.equal(bucketIndex(0.4), 0);
  assert.equal(bucketIndex(254.9), 255);
  assert.equal(bucketIndex(256), 256);
  assert.equal(bucketIndex(511.9), 383);
  assert.equal(bucketIndex(2 ** 42 - 1), BUCKET_COUNT - 1);
  assert.equal(bucketIndex(2 ** 50), BUCKET_COUNT - 1);
});

Deno.test("histogram: merging two recorders equals recording everything into one", () => {
  const r = rng(5);
  const a = Array.from({ length: 5_000 }, () => 5 + 10 * r());
  const b = Array.from({ length: 7_000 }, () => 200 * r() ** 3);
  const f = new Float64Array(3 * RECORDER_WORDS);
  for (const v of a) recordLatency(f, 0, v, latencyBucket(v));
  for (const v of b) recordLatency(f, RECORDER_WORDS, v, latencyBucket(v));
  mergeRecorder(f, 0, f, RECORDER_WORDS);
  for (const v of [...a, ...b]) recordLatency(f, 2 * RECORDER_WORDS, v, latencyBucket(v));
  const merged = recorderStats(f, 0), direct = recorderStats(f, 2 * RECORDER_WORDS);
  for (const k of ["count", "min", "max", "p50", "p90", "p99", "p999"] as const) {
    assert.equal(merged[k], direct[k], k);
  }
  assertClose(merged.mean, direct.mean, 1e-12, "mean");
  assertClose(merged.stdDev, direct.stdDev, 1e-9, "stdDev");
  // Merging into an empty recorder copies.
  clearRecorder(f, 0);
  mergeRecorder(f, 0, f, 2 * RECORDER_WORDS);
  assert.deepEqual(recorderStats(f, 0), direct);
});
