/**
 * The run's error rules (`_assemble.ts`'s runError, pure) and the one that
 * guards against lost batches, with a real Worker ended without `close()`.
 */
import assert from "node:assert/strict";
import { createCollector, type MetricsSnapshot } from "@lunge/metrics";
import { validateConfig } from "../../../examples/lunge/config/config.ts";
import { assembleResult, runError } from "../../../examples/lunge/run/_assemble.ts";

function snapshotOf(ok: number): MetricsSnapshot {
  const c = createCollector("atomic");
  try {
    const now = Date.now();
    for (let i = 0; i < ok; i++) {
      c.recordRequest({ startTime: now - 100 + i, duration: 5, statusCode: 200, bytes: 1 });
    }
    c.flush();
    return c.getSnapshot();
  } finally {
    c.close();
  }
}

Deno.test("runError: a run that recorded no request never passes", () => {
  assert.equal(
    runError({ error: null, interrupted: false, snapshot: snapshotOf(0) }),
    "no request was recorded: the run completed no request",
  );
  assert.equal(runError({ error: null, interrupted: false, snapshot: snapshotOf(3) }), null);
});

Deno.test("runError: lost (unflushed) requests fail the run, with their number, beside any other error", () => {
  const lost = { ...snapshotOf(3), unflushedRequests: 7 };
  const msg = runError({ error: null, interrupted: false, snapshot: lost })!;
  assert.equal(
    msg,
    "7 recorded requests were lost: a worker ended without closing its collector " +
      "(the figures are incomplete)",
  );
  assert.equal(
    runError({
      error: "workers did not stop within gracefulStop",
      interrupted: true,
      snapshot: lost,
    }),
    `workers did not stop within gracefulStop; ${msg}`,
  );
});

Deno.test("a real Worker ended without close(): the snapshot counts its batch and the run fails", async () => {
  const collector = createCollector("atomic");
  const worker = new Worker(new URL("../_unclosed_worker.ts", import.meta.url).href, {
    type: "module",
  });
  try {
    const recorded = new Promise<void>((resolve, reject) => {
      worker.onmessage = () => resolve();
      worker.onerror = (e) => reject(e.message);
    });
    worker.postMessage({ handle: collector.share(), n: 25 });
    await recorded;
    worker.terminate();
    const snapshot = collector.getSnapshot();
    assert.equal(snapshot.unflushedRequests, 25);
    assert.equal(snapshot.totalRequests, 0);
    const scenarios = validateConfig({
      scenarios: {
        s: { executor: "constant-vus", vus: 1, duration: "1s", requests: [{ url: "http://h/" }] },
      },
    }).scenarios;
    const now = Date.now();
    const r = assembleResult({
      name: "t",
      description: "",
      scenarios,
      thresholds: [],
      collector: "atomic",
      workers: [{ done: true }],
      snapshot,
      series: collector.getTimeSeries(),
      samples: [],
      phases: [{ timestamp: now - 2_000, phase: "init" }],
      startedAt: now - 2_000,
      scheduleStart: now - 1_900,
      endedAt: now,
      interrupted: false,
      error: null,
    });
    assert.equal(r.passed, false);
    assert.match(r.error!, /^25 recorded requests were lost: a worker ended without closing/);
  } finally {
    worker.terminate();
    collector.close();
  }
});
