/**
 * The contract suite for the atomic collector, plus what its design adds:
 * no sample lost at any rate, consistent snapshots and a reset while 2, 4
 * and 8 real Workers record, and its writer slots.
 */
import assert from "node:assert/strict";
import { AtomicMetricsCollector, attachCollector, type MetricsSnapshot } from "../mod.ts";
import {
  assertClose,
  assertConsistent,
  contractSuite,
  exactPercentile,
  nextMessage,
  startWorkers,
  withCollector,
} from "./_contract_suite.ts";
import { workloadTotals } from "./_workload.ts";
import { Layout } from "../src/_layout.ts";
import { Shards } from "../src/_sample_ring.ts";

contractSuite("atomic");

Deno.test(
  "atomic: 10 M results in a tight loop, no timer able to fire: nothing dropped, p99 within 1 %",
  withCollector("atomic", {}, (c) => {
    const n = 10_000_000;
    const t0 = Date.now();
    // 1000 distinct durations 0.1..100 ms, so exact percentiles are known.
    for (let i = 0; i < n; i++) {
      c.recordRequest({
        startTime: t0,
        duration: ((i * 7919) % 1000 + 1) / 10,
        statusCode: 200,
        bytes: 1,
      });
    }
    const s = c.getSnapshot();
    assert.equal(s.droppedSamples, 0);
    assert.equal(s.totalRequests, n);
    assert.equal(s.totalBytes, n);
    assert.equal(s.latency.count, n);
    const values = Array.from({ length: 1000 }, (_, i) => (i + 1) / 10);
    // Every value occurs n / 1000 times: the exact percentile of the whole
    // sample equals that of one copy of the 1000 values.
    for (const [q, got] of [[50, s.latency.p50], [90, s.latency.p90], [99, s.latency.p99]]) {
      assertClose(got, exactPercentile(values, q), 0.01, `p${q}`);
    }
  }),
);

for (const writers of [2, 4, 8]) {
  Deno.test(
    `atomic: ${writers} Workers record while the main thread snapshots and resets`,
    withCollector("atomic", { ringSize: 1024 }, async (c) => {
      const count = 40_000, after = 10_000;
      const workers = startWorkers(writers);
      try {
        const handle = c.share();
        const t0 = c.getSnapshot().startTime;
        const paused = workers.map((w) => nextMessage(w, "paused"));
        workers.forEach((w, writer) => w.postMessage({ handle, writer, count, t0, after }));
        // Snapshot continuously while the first phase records; reset midway.
        let previous: MetricsSnapshot | undefined;
        let phaseDone = false;
        const first = Promise.all(paused).then(() => phaseDone = true);
        let resets = 0;
        while (!phaseDone) {
          const s = c.getSnapshot();
          assertConsistent(s, previous);
          previous = s;
          if (resets === 0 && s.totalRequests > 0) {
            c.reset();
            resets++;
            previous = undefined; // a reset may go backwards, once
          }
          await new Promise((r) => setTimeout(r, 1));
        }
        await first;
        const mid = c.getSnapshot();
        assertConsistent(mid, previous);
        // Everything published before the reset is gone, the rest is exact.
        const whole = workloadTotals(writers, count);
        assert.ok(mid.totalRequests <= whole.total, "reset discarded what came before it");
        // Second phase: a reset with nobody recording, then exact counts.
        c.reset();
        const done = workers.map((w) => nextMessage(w, "done"));
        for (const w of workers) w.postMessage("go");
        await Promise.all(done);
        const s = c.getSnapshot();
        assertConsistent(s);
        const expected = workloadTotals(writers, after);
        assert.equal(s.totalRequests, expected.total);
        assert.equal(s.failedRequests, expected.failed);
        assert.equal(s.totalBytes, expected.bytes);
        assert.equal(s.errorsByType.timeout, expected.timeouts);
        assert.equal(s.statusCodes["500"], expected.status500);
        assert.equal(
          c.getTimeSeries().points.reduce((a, p) => a + p.requests, 0),
          expected.total,
        );
        assert.ok(resets === 1);
      } finally {
        for (const w of workers) w.terminate();
      }
    }),
  );
}

Deno.test("atomic: writer slots run out with a clear error and come back on close()", () => {
  const c = new AtomicMetricsCollector({ maxWriters: 2 });
  const attached = attachCollector(c.share());
  try {
    assert.throws(() => attachCollector(c.share()), /writer slots.*maxWriters/);
    attached.recordRequest({ startTime: Date.now(), duration: 1, statusCode: 200, bytes: 3 });
    attached.close(); // drains, then frees its slot
    const again = attachCollector(c.share());
    again.recordRequest({ startTime: Date.now(), duration: 1, statusCode: 200, bytes: 4 });
    again.close();
    assert.equal(c.getSnapshot().totalBytes, 7);
  } finally {
    attached.close();
    c.close();
  }
});

Deno.test("atomic: a tiny ring still loses nothing (it drains itself when full)", () => {
  const c = new AtomicMetricsCollector({ ringSize: 1, flushIntervalMs: 0 });
  try {
    for (let i = 0; i < 1000; i++) {
      c.recordRequest({ startTime: Date.now(), duration: i % 7, statusCode: 200, bytes: 1 });
    }
    assert.equal(c.getSnapshot().totalRequests, 1000);
  } finally {
    c.close();
  }
});

Deno.test("atomic: the flush timer moves a writer's ring into the analysis on its own", async () => {
  const c = new AtomicMetricsCollector({ flushIntervalMs: 5 });
  try {
    // White-box: look at the creator's ring (shard 0) without draining it.
    const layout = Layout.read(c.share().buffer, "atomic");
    const shards = new Shards(c.share().buffer, layout);
    const pending = () =>
      Atomics.load(shards.ints, shards.headIndex(0)) !==
        Atomics.load(shards.ints, shards.tailIndex(0));
    c.recordRequest({ startTime: Date.now(), duration: 1, statusCode: 200, bytes: 1 });
    assert.ok(pending(), "the sample waits in the ring");
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(!pending(), "the timer drained the ring");
    assert.equal(c.getSnapshot().totalRequests, 1);
  } finally {
    c.close();
  }
});
