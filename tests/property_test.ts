/**
 * A seeded property test over both collector kinds: random valid and invalid
 * results, plain objects, getters and Proxies whose values change between
 * reads, checked against a simple exact model (counts, bytes, statuses,
 * error types, names) and, on the valid durations, against exact
 * nearest-rank percentiles within 1 %.
 *
 * `deno task test` runs a few hundred cases per kind; `deno task
 * test:property` runs many more (LUNGE_PROPERTY_CASES, LUNGE_PROPERTY_SEED).
 */
import assert from "node:assert/strict";
import { type CollectorKind, createCollector, type RequestResult } from "@lunge/metrics";
import { exactPercentile } from "./_contract_suite.ts";
import { mulberry32 as prng } from "./_prng.ts";

function readEnv(name: string): string | undefined {
  return Deno.permissions.querySync({ name: "env", variable: name }).state === "granted"
    ? Deno.env.get(name)
    : undefined;
}
const CASES = Number(readEnv("LUNGE_PROPERTY_CASES") ?? 400);
const SEED = Number(readEnv("LUNGE_PROPERTY_SEED") ?? 20261128);

type Fields = [unknown, unknown, unknown, unknown, unknown, unknown];
const KEYS = ["startTime", "duration", "statusCode", "bytes", "error", "name"] as const;

/** One field's value: valid most of the time, else one of many wrong values. */
function fieldValue(rnd: () => number, key: typeof KEYS[number], now: number): unknown {
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  if (rnd() < 0.85) {
    switch (key) {
      case "startTime":
        return now - rnd() * 2000;
      case "duration":
        return Math.exp(Math.log(0.001) + rnd() * Math.log(1e7)); // 1 µs .. 10 s, log-uniform
      case "statusCode":
        return pick([0, 200, 200, 200, 201, 204, 301, 404, 429, 500, 503, 999]);
      case "bytes":
        return pick([0, 1, 512, 65_536, 2 ** 32 + 1, 2 ** 36]); // totals stay below 2^53, where float64 sums are exact
      case "error":
        return pick([undefined, undefined, undefined, null, "timeout", "connection refused"]);
      case "name":
        return pick([undefined, undefined, "home", "login", "search"]);
    }
  }
  return pick<unknown>([
    NaN,
    -1,
    Infinity,
    -Infinity,
    1.5,
    "200",
    5n,
    null,
    undefined,
    {},
    "",
    true,
    1e19,
    1000,
    5000,
    performance.now(),
    now + 7_200_000,
  ]);
}

/** What the collector must do with fields read once: the model's verdict. */
function valid(f: Fields, now: number): boolean {
  const [s, d, c, b, e, n] = f;
  if (typeof s !== "number" || typeof d !== "number") return false;
  if (typeof c !== "number" || typeof b !== "number") return false;
  if (!(s >= 0 && s <= 8.64e15 && d >= 0 && d < Infinity)) return false;
  if (!Number.isInteger(c) || c < 0 || c > 999) return false;
  if (!Number.isSafeInteger(b) || b < 0) return false;
  if (e != null && (typeof e !== "string" || e === "")) return false;
  if (n != null && (typeof n !== "string" || n === "")) return false;
  const end = s + d; // the clock window, with a second's slack on each side
  return end <= now + 59_000 && end >= now - 3_599_000;
}

/** The result as a plain object, a getter object or a Proxy; first reads give `first`. */
function wrap(rnd: () => number, first: Fields, later: Fields, reads: number[]): unknown {
  const form = rnd();
  if (form < 0.5) return Object.fromEntries(KEYS.map((k, i) => [k, first[i]]));
  const value = (i: number) => (reads[i]++ === 0 ? first[i] : later[i]);
  if (form < 0.75) {
    const o = {};
    KEYS.forEach((k, i) => Object.defineProperty(o, k, { get: () => value(i), enumerable: true }));
    return o;
  }
  return new Proxy({}, {
    get: (_, k) => {
      const i = KEYS.indexOf(k as typeof KEYS[number]);
      return i < 0 ? undefined : value(i);
    },
  });
}

interface Model {
  total: number;
  failed: number;
  bytes: number;
  statusCodes: Record<string, number>;
  errorsByType: Record<string, number>;
  names: Record<string, number>;
  durations: number[];
}

function runCases(kind: CollectorKind, seed: number, cases: number) {
  const rnd = prng(seed);
  const c = createCollector(kind, { flushIntervalMs: 0, batchSize: 97 });
  const m: Model = {
    total: 0,
    failed: 0,
    bytes: 0,
    statusCodes: {},
    errorsByType: {},
    names: {},
    durations: [],
  };
  try {
    for (let i = 0; i < cases; i++) {
      const now = Date.now();
      if (rnd() < 0.03) {
        const junk = [null, 42, "x", undefined][Math.floor(rnd() * 4)];
        assert.throws(() => c.recordRequest(junk as unknown as RequestResult), TypeError);
        continue;
      }
      const first = KEYS.map((k) => fieldValue(rnd, k, now)) as Fields;
      const later = KEYS.map((k) => fieldValue(rnd, k, now)) as Fields;
      const reads = [0, 0, 0, 0, 0, 0];
      const result = wrap(rnd, first, later, reads) as RequestResult;
      const ok = valid(first, now);
      let threw: unknown;
      try {
        c.recordRequest(result);
      } catch (e) {
        threw = e;
      }
      assert.ok(reads.every((r) => r <= 1), `case ${i}: a field was read twice (${reads})`);
      if (!ok) {
        assert.ok(
          threw instanceof TypeError || threw instanceof RangeError,
          `case ${i}: ${JSON.stringify(first, (_, v) => typeof v === "bigint" ? `${v}n` : v)}`,
        );
        continue;
      }
      assert.equal(threw, undefined, `case ${i}: a valid result was refused: ${threw}`);
      const [, d, s, b, e, n] = first as [number, number, number, number, string?, string?];
      m.total++;
      if (e != null || s === 0 || s >= 400) m.failed++;
      m.bytes += b;
      m.statusCodes[s] = (m.statusCodes[s] ?? 0) + 1;
      if (e != null) m.errorsByType[e] = (m.errorsByType[e] ?? 0) + 1;
      if (n != null) m.names[n] = (m.names[n] ?? 0) + 1;
      m.durations.push(d);
    }
    const snap = c.getSnapshot();
    assert.equal(snap.totalRequests, m.total);
    assert.equal(snap.failedRequests, m.failed);
    assert.equal(snap.successfulRequests, m.total - m.failed);
    assert.equal(snap.totalBytes, m.bytes);
    assert.deepEqual(snap.statusCodes, m.statusCodes);
    assert.deepEqual(snap.errorsByType, m.errorsByType);
    assert.deepEqual(
      Object.fromEntries(Object.entries(snap.byName).map(([k, v]) => [k, v.count])),
      m.names,
    );
    assert.equal(snap.clampedSamples, 0);
    const sorted = m.durations.toSorted((a, b) => a - b);
    assert.equal(snap.latency.min, sorted[0]);
    assert.equal(snap.latency.max, sorted.at(-1));
    for (const q of [50, 90, 95, 99]) {
      const exact = exactPercentile(sorted, q);
      const got = snap.latency[`p${q}` as "p50"];
      // 1 % relative, or 1 ns below 256 ns where buckets are 1 ns wide.
      assert.ok(
        Math.abs(got - exact) <= Math.max(0.01 * exact, 1e-6),
        `${kind} p${q}: ${got} vs exact ${exact}`,
      );
    }
    return m.total;
  } finally {
    c.close();
  }
}

for (const kind of ["atomic", "mutex"] as const) {
  Deno.test(
    `${kind}: property: ${CASES} seeded results (valid, invalid, getters, Proxies) match an exact model`,
    () => {
      const recorded = runCases(kind, SEED, CASES);
      assert.ok(recorded > CASES / 10, `only ${recorded} valid cases: the generator is off`);
    },
  );
}

/**
 * Completions in random order over 3 seconds (so the atomic batch switches
 * between its current, previous and a third interval at random), checked
 * point by point against an exact model: requests, failures, bytes, max,
 * mean, and percentiles within 1 % of the exact nearest-rank ones.
 */
function runSeries(kind: CollectorKind, seed: number, n: number): void {
  const rnd = prng(seed);
  const c = createCollector(kind, { flushIntervalMs: 0, batchSize: 1 + Math.floor(rnd() * 500) });
  try {
    const base = Math.floor(Date.now() / 1000) * 1000 - 5000;
    const model = new Map<number, { failed: number; bytes: number; durations: number[] }>();
    for (let i = 0; i < n; i++) {
      const end = base + rnd() * 3000;
      const duration = Math.exp(Math.log(0.01) + rnd() * Math.log(1e5)); // 10 µs .. 1 s
      const statusCode = [200, 201, 404, 500][Math.floor(rnd() * 4)];
      const bytes = Math.floor(rnd() * 4096);
      c.recordRequest({ startTime: end - duration, duration, statusCode, bytes });
      // The collector's second: of the completion as it computes it (a double sum).
      const k = Math.floor((end - duration + duration) / 1000) * 1000;
      const m = model.get(k) ?? { failed: 0, bytes: 0, durations: [] };
      if (statusCode >= 400) m.failed++;
      m.bytes += bytes;
      m.durations.push(duration);
      model.set(k, m);
    }
    const points = c.getTimeSeries().points;
    assert.deepEqual(points.map((p) => p.timestamp), [...model.keys()].toSorted((a, b) => a - b));
    for (const p of points) {
      const m = model.get(p.timestamp)!;
      const sorted = m.durations.toSorted((a, b) => a - b);
      assert.equal(p.requests, sorted.length, `${kind} ${p.timestamp}: requests`);
      assert.equal(p.failures, m.failed, `${kind} ${p.timestamp}: failures`);
      assert.equal(p.bytes, m.bytes, `${kind} ${p.timestamp}: bytes`);
      assert.equal(p.latency.max, sorted.at(-1), `${kind} ${p.timestamp}: max`);
      const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
      assert.ok(Math.abs(p.latency.mean - mean) <= 1e-9 * mean, `${kind} ${p.timestamp}: mean`);
      for (const q of [50, 90, 95, 99]) {
        const exact = exactPercentile(sorted, q);
        const got = p.latency[`p${q}` as "p50"];
        assert.ok(
          Math.abs(got - exact) <= Math.max(0.01 * exact, 1e-6),
          `${kind} ${p.timestamp} p${q}: ${got} vs exact ${exact}`,
        );
      }
    }
  } finally {
    c.close();
  }
}

for (const kind of ["atomic", "mutex"] as const) {
  Deno.test(`${kind}: property: completions in random order over 3 seconds, point by point`, () => {
    for (let s = 0; s < 20; s++) runSeries(kind, SEED + s, 3000);
  });
}
