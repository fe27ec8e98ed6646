/**
 * The contract suite for the atomic collector, plus what its design adds:
 * no sample lost at any rate, consistent snapshots and a reset while 2, 4
 * and 8 real Workers record, and when a thread's batch becomes visible.
 */
import assert from "node:assert/strict";
import { AtomicMetricsCollector, attachCollector, type MetricsSnapshot } from "@lunge/metrics";
import {
  assertClose,
  assertConsistent,
  assertWorkloadCounts,
  contractSuite,
  exactPercentile,
  nextMessage,
  startWorkers,
  withCollector,
} from "./_contract_suite.ts";
import { workloadTotals } from "./_workload.ts";

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
    withCollector("atomic", { batchSize: 1024 }, async (c) => {
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
        assertWorkloadCounts(s, expected);
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

Deno.test("atomic: a thread's batch is visible to others after batchSize requests or flush()", () => {
  const c = new AtomicMetricsCollector({ batchSize: 100, flushIntervalMs: 0 });
  const reader = attachCollector(c.share());
  try {
    const r = { startTime: Date.now(), duration: 1, statusCode: 200, bytes: 1 };
    for (let i = 0; i < 99; i++) c.recordRequest(r);
    assert.equal(reader.getSnapshot().totalRequests, 0, "batch not merged yet");
    c.recordRequest(r); // the 100th fills the batch: merged synchronously
    assert.equal(reader.getSnapshot().totalRequests, 100);
    c.recordRequest(r);
    assert.equal(reader.getSnapshot().totalRequests, 100);
    c.flush();
    assert.equal(reader.getSnapshot().totalRequests, 101);
    assert.equal(c.getSnapshot().totalRequests, 101);
  } finally {
    reader.close();
    c.close();
  }
});

Deno.test("atomic: batchSize 1 publishes every request at once", () => {
  const c = new AtomicMetricsCollector({ batchSize: 1, flushIntervalMs: 0 });
  const reader = attachCollector(c.share());
  try {
    for (let i = 1; i <= 100; i++) {
      c.recordRequest({ startTime: Date.now(), duration: i % 7, statusCode: 200, bytes: 1 });
      assert.equal(reader.getSnapshot().totalRequests, i);
    }
  } finally {
    reader.close();
    c.close();
  }
});

Deno.test("atomic: the flush timer merges a thread's batch with nobody asking", async () => {
  const c = new AtomicMetricsCollector({ flushIntervalMs: 5 });
  const reader = attachCollector(c.share());
  try {
    c.recordRequest({ startTime: Date.now(), duration: 1, statusCode: 200, bytes: 1 });
    // The reader's snapshot merges only the reader's own batch.
    assert.equal(reader.getSnapshot().totalRequests, 0, "still in the writer's batch");
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(reader.getSnapshot().totalRequests, 1, "the writer's timer merged it");
  } finally {
    reader.close();
    c.close();
  }
});

Deno.test("atomic: out-of-order completions across seconds keep per-interval percentiles", () => {
  const c = new AtomicMetricsCollector({ flushIntervalMs: 0 });
  try {
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    // 10 seconds, completions arriving up to 2 s out of order (as requests
    // from many VUs and Workers do); each second has its own latency.
    const counts = Array(10).fill(0);
    for (let i = 0; i < 1000; i++) {
      const sec = Math.min(9, Math.max(0, Math.floor(i / 100) + ((i * 7) % 5) - 2));
      counts[sec]++;
      c.recordRequest({
        startTime: t0 + sec * 1000,
        duration: 10 * (sec + 1),
        statusCode: 200,
        bytes: 1,
      });
    }
    const points = c.getTimeSeries().points;
    assert.deepEqual(points.map((p) => p.requests), counts);
    points.forEach((p, sec) => {
      assert.equal(p.latency.p50, 10 * (sec + 1), `second ${sec} p50`);
      assert.equal(p.latency.p99, 10 * (sec + 1), `second ${sec} p99`);
    });
  } finally {
    c.close();
  }
});
