/**
 * The contract suite: every guarantee of docs/contract.md, written once against
 * `SharedMetricsCollector` and run for each implementation
 * (tests/mutex_collector_test.ts, tests/atomic_collector_test.ts).
 */
import assert from "node:assert/strict";
import {
  attachCollector,
  type CollectorKind,
  type CollectorOptions,
  createCollector,
  type MetricsSnapshot,
  type RequestResult,
  type SharedMetricsCollector,
} from "@lunge/metrics";
import { workloadResult, workloadTotals } from "./_workload.ts";

/** Nearest-rank percentile of sorted values: the definition the contract uses. */
export function exactPercentile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil((q * 1000 * sorted.length) / 100_000)) - 1];
}

/** Assert `actual` is within `tolerance` (relative) of `expected`. */
export function assertClose(actual: number, expected: number, tolerance: number, what: string) {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(
    err <= tolerance,
    `${what}: ${actual} vs ${expected} (error ${(err * 100).toFixed(3)} %)`,
  );
}

/** Run `fn` with a fresh collector of `kind`, always closing it. */
export function withCollector(
  kind: CollectorKind,
  options: CollectorOptions,
  fn: (c: SharedMetricsCollector) => void | Promise<void>,
): () => Promise<void> {
  return async () => {
    const c = createCollector(kind, options);
    try {
      await fn(c);
    } finally {
      c.close();
    }
  };
}

/** Start `n` Workers running tests/_collector_worker.ts. */
export function startWorkers(n: number): Worker[] {
  const url = new URL("./_collector_worker.ts", import.meta.url).href;
  return Array.from({ length: n }, () => new Worker(url, { type: "module" }));
}

/** Resolve when `worker` posts `message`. */
export function nextMessage(worker: Worker, message: string): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.addEventListener("message", function on(e: MessageEvent) {
      if (e.data === message) {
        worker.removeEventListener("message", on);
        resolve();
      }
    });
    worker.addEventListener("error", (e) => {
      e.preventDefault();
      reject(new Error(`worker failed: ${e.message}`));
    });
  });
}

/** The invariants every snapshot keeps, even while other threads record. */
export function assertConsistent(s: MetricsSnapshot, previous?: MetricsSnapshot): void {
  assert.equal(s.successfulRequests + s.failedRequests, s.totalRequests);
  assert.ok(Number.isInteger(s.totalRequests) && Number.isInteger(s.totalBytes));
  const statusSum = Object.values(s.statusCodes).reduce((a, b) => a + b, 0);
  assert.equal(statusSum, s.totalRequests, "status counts add up to the total");
  assert.equal(s.latency.count, s.totalRequests, "every request has a latency sample");
  assert.equal(s.droppedSamples, 0);
  if (previous) {
    assert.ok(s.totalRequests >= previous.totalRequests, "total never goes backwards");
    assert.ok(s.totalBytes >= previous.totalBytes, "bytes never go backwards");
    assert.ok(s.failedRequests >= previous.failedRequests, "failures never go backwards");
  }
}

/** Assert a snapshot counted exactly the workload of tests/_workload.ts. */
export function assertWorkloadCounts(
  s: MetricsSnapshot,
  expected: ReturnType<typeof workloadTotals>,
): void {
  assert.equal(s.totalRequests, expected.total);
  assert.equal(s.failedRequests, expected.failed);
  assert.equal(s.totalBytes, expected.bytes);
  assert.equal(s.errorsByType.timeout, expected.timeouts);
  assert.equal(s.statusCodes["500"], expected.status500);
}

const ok = (over: Partial<RequestResult> = {}): RequestResult => ({
  startTime: Date.now(),
  duration: 10,
  statusCode: 200,
  bytes: 100,
  ...over,
});

/** Register the whole contract suite for `kind`. */
export function contractSuite(kind: CollectorKind): void {
  const test = (name: string, fn: () => Promise<void>) => Deno.test(`${kind}: ${name}`, fn);

  test(
    "counts are exact single-threaded, with the failure rule",
    withCollector(kind, {}, (c) => {
      const cases: [RequestResult, boolean][] = [
        [ok({ statusCode: 200 }), true],
        [ok({ statusCode: 204, bytes: 0 }), true],
        [ok({ statusCode: 302 }), true],
        [ok({ statusCode: 399 }), true],
        [ok({ statusCode: 400 }), false],
        [ok({ statusCode: 503 }), false],
        [ok({ statusCode: 0, bytes: 0, error: "connection refused" }), false],
        [ok({ statusCode: 0, bytes: 0 }), false],
        [ok({ statusCode: 200, error: "body truncated" }), false],
      ];
      for (let round = 0; round < 1000; round++) for (const [r] of cases) c.recordRequest(r);
      const s = c.getSnapshot();
      const successes = cases.filter(([, good]) => good).length * 1000;
      assert.equal(s.totalRequests, cases.length * 1000);
      assert.equal(s.successfulRequests, successes);
      assert.equal(s.failedRequests, cases.length * 1000 - successes);
      assert.equal(s.totalBytes, cases.reduce((a, [r]) => a + r.bytes, 0) * 1000);
      assert.deepEqual(s.statusCodes, {
        "0": 2000,
        "200": 2000,
        "204": 1000,
        "302": 1000,
        "399": 1000,
        "400": 1000,
        "503": 1000,
      });
      assert.deepEqual(s.errorsByStatus, { "400": 1000, "503": 1000 });
      assert.deepEqual(s.errorsByType, { "connection refused": 1000, "body truncated": 1000 });
      assert.equal(s.errorRate, s.failedRequests / s.totalRequests);
      assert.ok(s.elapsed >= 0 && s.timestamp >= s.startTime);
      assertConsistent(s);
    }),
  );

  test(
    "bytes stay exact past 2^32 and 2^53-safe",
    withCollector(kind, {}, (c) => {
      const big = 2 ** 40 + 3;
      for (let i = 0; i < 4096; i++) c.recordRequest(ok({ bytes: big }));
      const s = c.getSnapshot();
      assert.equal(s.totalBytes, 4096 * big);
      assert.ok(s.totalBytes > 2 ** 52);
      assert.equal(s.totalRequests, 4096);
    }),
  );

  test(
    "latency percentiles are within 1 % of the exact ones",
    withCollector(kind, {}, (c) => {
      const values: number[] = [];
      let x = 12345;
      for (let i = 0; i < 50_000; i++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        const u = (x + 1) / 2147483649;
        const v = Math.exp(Math.log(20) + 0.8 * Math.sqrt(-2 * Math.log(u)) * Math.cos(i));
        values.push(v);
        c.recordRequest(ok({ duration: v }));
      }
      const s = c.getSnapshot();
      values.sort((a, b) => a - b);
      for (
        const [q, got] of [[50, s.latency.p50], [90, s.latency.p90], [95, s.latency.p95], [
          99,
          s.latency.p99,
        ], [99.9, s.latency.p999]]
      ) {
        assertClose(got, exactPercentile(values, q), 0.01, `p${q}`);
      }
      assert.equal(s.latency.min, values[0]);
      assert.equal(s.latency.max, values[values.length - 1]);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      assertClose(s.latency.mean, mean, 1e-9, "mean");
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
      assertClose(s.latency.stdDev, sd, 1e-6, "stdDev");
    }),
  );

  test(
    "per-name statistics, and names past maxNames count as other",
    withCollector(kind, { maxNames: 2, maxErrorTypes: 1 }, (c) => {
      for (let i = 1; i <= 100; i++) c.recordRequest(ok({ name: "login", duration: i }));
      for (let i = 1; i <= 10; i++) c.recordRequest(ok({ name: "home", duration: 2 }));
      c.recordRequest(ok({ name: "third", duration: 5 }));
      c.recordRequest(ok({ name: "fourth", duration: 7 }));
      c.recordRequest(ok({ statusCode: 0, error: "timeout" }));
      c.recordRequest(ok({ statusCode: 0, error: "reset" }));
      c.recordRequest(ok({ statusCode: 0, error: "refused" }));
      const s = c.getSnapshot();
      assert.deepEqual(Object.keys(s.byName).sort(), ["home", "login", "other"]);
      assert.equal(s.byName.login.count, 100);
      assert.equal(s.byName.login.min, 1);
      assert.equal(s.byName.login.max, 100);
      assert.equal(s.byName.login.mean, 50.5);
      assertClose(s.byName.login.p50, 50, 0.01, "login p50");
      assertClose(s.byName.login.p99, 99, 0.01, "login p99");
      assert.equal(s.byName.home.stdDev, 0);
      assert.equal(s.byName.home.p95, 2);
      assert.equal(s.byName.other.count, 2);
      assert.equal(s.byName.other.mean, 6);
      assert.deepEqual(s.errorsByType, { timeout: 1, other: 2 });
      assert.equal(s.totalRequests, 115);
    }),
  );

  test(
    "generation rate and efficiency",
    withCollector(kind, {}, async (c) => {
      assert.deepEqual(c.getSnapshot().generation, { rate: 0, efficiency: 0 });
      c.recordGenerationRate(250);
      for (let i = 0; i < 10; i++) c.recordRequest(ok());
      await new Promise((r) => setTimeout(r, 5)); // so that elapsed > 0
      const s = c.getSnapshot();
      assert.equal(s.generation.rate, 250);
      assert.ok(s.generation.efficiency > 0);
      assertClose(s.generation.efficiency, s.requestsPerSecond / 250, 1e-12, "efficiency");
      // The rate lands in the point of the second it was recorded in.
      const second = Math.floor(Date.now() / 1000) * 1000;
      c.recordGenerationRate(250);
      const point = c.getTimeSeries().points.find((p) => p.timestamp === second);
      assert.equal(point?.generationRate, 250);
      assert.throws(() => c.recordGenerationRate(-1), RangeError);
      assert.throws(() => c.recordGenerationRate(NaN), RangeError);
      assert.throws(() => c.recordGenerationRate("5" as unknown as number), TypeError);
      assert.equal(c.getSnapshot().generation.rate, 250);
    }),
  );

  test(
    "time series: one point per second, sums match, no gaps, per-interval latency",
    withCollector(kind, {}, (c) => {
      const t0 = Math.floor(Date.now() / 1000) * 1000 - 10_000;
      // Seconds 0, 1 and 4 get requests; 2 and 3 must appear empty.
      for (let i = 0; i < 100; i++) c.recordRequest(ok({ startTime: t0 + 100, duration: 1 + i }));
      for (let i = 0; i < 50; i++) {
        c.recordRequest(ok({ startTime: t0 + 1000, duration: 500, statusCode: 500, bytes: 7 }));
      }
      c.recordRequest(ok({ startTime: t0 + 4000, duration: 900, bytes: 1 }));
      const { interval, points } = c.getTimeSeries();
      assert.equal(interval, 1000);
      assert.deepEqual(points.map((p) => p.requests), [100, 50, 0, 0, 1]);
      assert.deepEqual(points.map((p) => p.timestamp - t0), [0, 1000, 2000, 3000, 4000]);
      const s = c.getSnapshot();
      assert.equal(points.reduce((a, p) => a + p.requests, 0), s.totalRequests);
      assert.equal(points.reduce((a, p) => a + p.failures, 0), s.failedRequests);
      assert.equal(points.reduce((a, p) => a + p.successes, 0), s.successfulRequests);
      assert.equal(points.reduce((a, p) => a + p.bytes, 0), s.totalBytes);
      // Interval 0 holds durations 1..100 only; interval 1 is all 500 ms and failed.
      assertClose(points[0].latency.p50, 50, 0.01, "interval 0 p50");
      assertClose(points[0].latency.p99, 99, 0.01, "interval 0 p99");
      assert.equal(points[0].latency.max, 100);
      assert.equal(points[0].latency.mean, 50.5);
      assert.equal(points[1].latency.p50, 500);
      assert.equal(points[1].errorRate, 1);
      assert.equal(points[1].requestsPerSecond, 50);
      assert.equal(points[2].latency.max, 0);
      assert.equal(points[4].latency.p99, 900);
    }),
  );

  test(
    "time series keeps the newest timeSeriesCapacity points",
    withCollector(kind, { timeSeriesCapacity: 5 }, (c) => {
      const t0 = Math.floor(Date.now() / 1000) * 1000;
      for (let sec = 0; sec < 12; sec++) {
        for (let i = 0; i <= sec; i++) {
          c.recordRequest(ok({ startTime: t0 + sec * 1000, duration: 10 + sec }));
        }
      }
      const points = c.getTimeSeries().points;
      assert.equal(points.length, 5);
      assert.deepEqual(points.map((p) => (p.timestamp - t0) / 1000), [7, 8, 9, 10, 11]);
      assert.deepEqual(points.map((p) => p.requests), [8, 9, 10, 11, 12]);
      // Percentiles of intervals whose windows were reused are frozen, not lost.
      assert.equal(points[0].latency.p50, 17);
      assert.equal(c.getSnapshot().totalRequests, 78);
    }),
  );

  test(
    "reset forgets everything and restarts the clock",
    withCollector(kind, {}, async (c) => {
      for (let i = 0; i < 100; i++) c.recordRequest(ok({ statusCode: 404, error: "x", name: "n" }));
      c.recordGenerationRate(10);
      const before = c.getSnapshot().startTime;
      await new Promise((r) => setTimeout(r, 5));
      c.reset();
      const s = c.getSnapshot();
      assert.ok(s.startTime > before);
      assert.equal(s.totalRequests, 0);
      assert.equal(s.totalBytes, 0);
      assert.equal(s.latency.count, 0);
      assert.equal(s.latency.p99, 0);
      assert.deepEqual(s.statusCodes, {});
      assert.deepEqual(s.errorsByType, {});
      assert.deepEqual(s.byName, {});
      assert.equal(s.generation.rate, 0);
      assert.deepEqual(c.getTimeSeries().points, []);
      c.recordRequest(ok({ duration: 3, name: "n" }));
      assert.equal(c.getSnapshot().byName.n.count, 1);
      assert.equal(c.getSnapshot().latency.p50, 3);
    }),
  );

  test(
    "invalid input throws naming the field and changes nothing",
    withCollector(kind, {}, (c) => {
      c.recordRequest(ok());
      const before = c.getSnapshot();
      const bad: [unknown, typeof TypeError | typeof RangeError, RegExp][] = [
        [null, TypeError, /object/],
        ["x", TypeError, /object/],
        [42, TypeError, /object/],
        [{ ...ok(), startTime: NaN }, RangeError, /startTime/],
        [{ ...ok(), startTime: -5 }, RangeError, /startTime/],
        [{ ...ok(), startTime: "now" }, TypeError, /startTime/],
        [{ ...ok(), startTime: undefined }, TypeError, /startTime/],
        [{ ...ok(), duration: NaN }, RangeError, /duration/],
        [{ ...ok(), duration: -1 }, RangeError, /duration/],
        [{ ...ok(), duration: Infinity }, RangeError, /duration/],
        [{ ...ok(), duration: "5" }, TypeError, /duration/],
        [{ ...ok(), statusCode: -1 }, RangeError, /statusCode/],
        [{ ...ok(), statusCode: 1000 }, RangeError, /statusCode/],
        [{ ...ok(), statusCode: 200.5 }, RangeError, /statusCode/],
        [{ ...ok(), statusCode: NaN }, RangeError, /statusCode/],
        [{ ...ok(), bytes: -1 }, RangeError, /bytes/],
        [{ ...ok(), bytes: 1.5 }, RangeError, /bytes/],
        [{ ...ok(), bytes: Infinity }, RangeError, /bytes/],
        [{ ...ok(), bytes: null }, TypeError, /bytes/],
        [{ ...ok(), error: 5 }, TypeError, /error/],
        [{ ...ok(), error: "" }, RangeError, /error/],
        [{ ...ok(), name: {} }, TypeError, /name/],
        [{ ...ok(), statusCode: "200" }, TypeError, /statusCode/],
        [{ ...ok(), bytes: "5" }, TypeError, /bytes/],
        [{ ...ok(), bytes: true }, TypeError, /bytes/],
        [{ ...ok(), bytes: [5] }, TypeError, /bytes/],
        [{ ...ok(), duration: { valueOf: () => 5 } }, TypeError, /duration/],
        [{ ...ok(), startTime: new Date() }, TypeError, /startTime/],
      ];
      for (const [input, type, field] of bad) {
        assert.throws(
          () => c.recordRequest(input as RequestResult),
          (e: Error) => e instanceof type && field.test(e.message),
          `input ${JSON.stringify(input)}`,
        );
      }
      const after = c.getSnapshot();
      assert.equal(after.totalRequests, before.totalRequests);
      assert.equal(after.totalBytes, before.totalBytes);
      assert.deepEqual(after.statusCodes, before.statusCodes);
      assert.deepEqual(after.latency, before.latency);
      assert.deepEqual(c.getTimeSeries().points.map((p) => p.requests), [1]);
    }),
  );

  Deno.test(`${kind}: invalid options throw naming the option`, () => {
    for (
      const [options, field] of [
        [{ batchSize: 0 }, /batchSize/],
        [{ timeSeriesCapacity: 1.5 }, /timeSeriesCapacity/],
        [{ maxErrorTypes: -1 }, /maxErrorTypes/],
        [{ maxNames: 5000 }, /maxNames/],
        [{ flushIntervalMs: "10" }, /flushIntervalMs/],
      ] as [CollectorOptions, RegExp][]
    ) {
      assert.throws(() => createCollector(kind, options), (e: Error) => field.test(e.message));
    }
  });

  test(
    "a closed collector refuses to record but can still be read",
    withCollector(kind, {}, (c) => {
      c.recordRequest(ok());
      c.close();
      assert.throws(() => c.recordRequest(ok()), /closed/);
      assert.equal(c.getSnapshot().totalRequests, 1);
    }),
  );

  test(
    "share() is structured-cloneable and attachCollector sees the same counts",
    withCollector(kind, {}, (c) => {
      const handle = structuredClone(c.share());
      const other = attachCollector(handle);
      try {
        other.recordRequest(ok({ bytes: 5 }));
        other.flush();
        c.recordRequest(ok({ bytes: 6 }));
        assert.equal(c.getSnapshot().totalBytes, 11);
        assert.equal(other.getSnapshot().totalBytes, 11);
        assert.equal(other.kind, kind);
      } finally {
        other.close();
      }
      const wrong = kind === "atomic" ? "mutex" : "atomic";
      assert.throws(() => attachCollector({ kind: wrong, buffer: handle.buffer }), /kind/);
      assert.throws(
        () => attachCollector({ kind, buffer: new SharedArrayBuffer(4096) }),
        TypeError,
      );
    }),
  );

  for (const writers of [4]) {
    test(
      `${writers} Workers: exact counts, consistent snapshots while they record`,
      withCollector(kind, {}, async (c) => {
        const count = 50_000;
        const workers = startWorkers(writers);
        try {
          const handle = c.share();
          const t0 = c.getSnapshot().startTime;
          const done = workers.map((w) => nextMessage(w, "done"));
          workers.forEach((w, writer) => w.postMessage({ handle, writer, count, t0 }));
          let finished = false;
          const all = Promise.all(done).then(() => finished = true);
          let previous: MetricsSnapshot | undefined;
          let snapshots = 0;
          while (!finished) {
            const s = c.getSnapshot();
            assertConsistent(s, previous);
            previous = s;
            snapshots++;
            await new Promise((r) => setTimeout(r, 1));
          }
          await all;
          const s = c.getSnapshot();
          assertConsistent(s, previous);
          const expected = workloadTotals(writers, count);
          assertWorkloadCounts(s, expected);
          assert.equal(
            Object.values(s.byName).reduce((a, n) => a + n.count, 0),
            expected.total,
          );
          assert.ok(snapshots > 0);
          const series = c.getTimeSeries().points;
          assert.equal(series.reduce((a, p) => a + p.requests, 0), expected.total);
          // Sanity: the workload is what the worker recorded.
          assert.equal(workloadResult(0, 10, 0).statusCode, 501);
        } finally {
          for (const w of workers) w.terminate();
        }
      }),
    );
  }
}
