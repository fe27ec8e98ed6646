import assert from "node:assert/strict";
import { createCollector } from "@lunge/metrics";
import {
  errorRateTone,
  latencyRows,
  noResponseCount,
  sortedCounts,
  statusLabel,
  successRateTone,
} from "../../../examples/lunge/report/_report_format.ts";

Deno.test("the success-rate tone: bad below 95 %, warn below 99 %, else good", () => {
  assert.deepEqual(
    [0, 0.9499, 0.95, 0.9899, 0.99, 1].map(successRateTone),
    ["bad", "bad", "warn", "warn", "good", "good"],
  );
});

Deno.test("the error-rate tone: bad above 5 %, warn above 1 %, else good", () => {
  assert.deepEqual(
    [0, 0.01, 0.0101, 0.05, 0.0501, 1].map(errorRateTone),
    ["good", "good", "warn", "warn", "bad", "bad"],
  );
});

Deno.test("sortedCounts: largest first, ties by key", () => {
  assert.deepEqual(sortedCounts({ b: 2, a: 2, c: 5, d: 1 }), [["c", 5], ["a", 2], ["b", 2], [
    "d",
    1,
  ]]);
});

Deno.test("latencyRows: one order and one set of labels, p99.9 on request", () => {
  const c = createCollector("atomic");
  try {
    for (let i = 1; i <= 100; i++) {
      c.recordRequest({ startTime: Date.now(), duration: i, statusCode: 200, bytes: 1 });
    }
    const l = c.getSnapshot().latency;
    assert.deepEqual(latencyRows(l).map(([k]) => k), [
      "Min",
      "P50",
      "P90",
      "P95",
      "P99",
      "Max",
      "Avg",
      "StdDev",
    ]);
    const verbose = latencyRows(l, true);
    assert.deepEqual(verbose[5], ["P99.9", l.p999]);
    assert.deepEqual(verbose[7], ["Avg", l.mean]);
  } finally {
    c.close();
  }
});

Deno.test("status 0 is 'no response': counted and labelled in one place", () => {
  const c = createCollector("atomic");
  try {
    const now = Date.now();
    c.recordRequest({ startTime: now, duration: 1, statusCode: 0, bytes: 0, error: "timeout" });
    c.recordRequest({ startTime: now, duration: 1, statusCode: 0, bytes: 0 });
    c.recordRequest({ startTime: now, duration: 1, statusCode: 200, bytes: 0 });
    assert.equal(noResponseCount(c.getSnapshot()), 2);
  } finally {
    c.close();
  }
  assert.equal(statusLabel("0"), "0 (no response)");
  assert.equal(statusLabel("503"), "503");
});
