import assert from "node:assert/strict";
import { createCollector, type MetricsSnapshot } from "@lunge/metrics";
import { parseThresholds, type Threshold } from "../../../examples/lunge/verdict/thresholds.ts";
import {
  evaluateThresholds,
  formatThresholdValue,
} from "../../../examples/lunge/verdict/evaluate.ts";

/** A real snapshot of the given (duration, status) pairs. */
function snapshotOf(requests: [number, number][]): MetricsSnapshot {
  const collector = createCollector("atomic", { flushIntervalMs: 0 });
  try {
    const now = Date.now();
    for (const [duration, statusCode] of requests) {
      collector.recordRequest({ startTime: now, duration, statusCode, bytes: 100 });
    }
    collector.flush();
    return collector.getSnapshot();
  } finally {
    collector.close();
  }
}

/** The error `fn` throws; fails the test when it returns. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof Error, `threw a non-Error: ${String(error)}`);
    return error;
  }
  assert.fail("expected an error to be thrown");
}

function summary(t: Threshold): string {
  return `${t.metric} ${t.aggregate} ${t.operator} ${t.value}`;
}

Deno.test("parseThresholds reads the documented configuration shape", () => {
  const thresholds = parseThresholds({
    http_req_duration: ["p95 < 500", "p(99)<1000", "avg < 200", "med <= 100"],
    http_req_failed: ["rate < 0.01"],
    http_reqs: ["count > 100", "rate >= 50"],
  });
  assert.deepEqual(thresholds.map(summary), [
    "http_req_duration p95 < 500",
    "http_req_duration p99 < 1000",
    "http_req_duration avg < 200",
    "http_req_duration med <= 100",
    "http_req_failed rate < 0.01",
    "http_reqs count > 100",
    "http_reqs rate >= 50",
  ]);
  assert.deepEqual(thresholds[1].expression, "p(99)<1000");
  assert.deepEqual(thresholds[1].path, "thresholds.http_req_duration[1]");
  assert.deepEqual(thresholds[6].path, "thresholds.http_reqs[1]");
});

Deno.test("parseThresholds converts duration units to milliseconds", () => {
  const values = parseThresholds({
    http_req_duration: [
      "p95 < 2s",
      "p99 < 1.5 s",
      "max < 750ms",
      "min > 500us",
      "p50 > 250µs", // U+00B5 micro sign
      "p90 > 125μs", // U+03BC Greek mu
      "avg < 1e3",
      "p(99.9) < 3s",
      "p999 < 4s",
    ],
  }).map((t) => [t.aggregate, t.value]);
  assert.deepEqual(values, [
    ["p95", 2000],
    ["p99", 1500],
    ["max", 750],
    ["min", 0.5],
    ["p50", 0.25],
    ["p90", 0.125],
    ["avg", 1000],
    ["p99.9", 3000],
    ["p99.9", 4000],
  ]);
});

Deno.test("parseThresholds accepts every operator, a % failure rate and a single string", () => {
  const ops = parseThresholds({
    http_reqs: ["count<1", "count<=1", "count>1", "count>=1", "count==1", "count!=1"],
  }).map((t) => t.operator);
  assert.deepEqual(ops, ["<", "<=", ">", ">=", "==", "!="]);
  const [pct] = parseThresholds({ http_req_failed: ["rate < 1.5%"] });
  assert.deepEqual(pct.value, 0.015);
  const single = parseThresholds({ http_req_failed: "rate<0.1" });
  assert.deepEqual(single.map(summary), ["http_req_failed rate < 0.1"]);
  assert.deepEqual(single[0].path, "thresholds.http_req_failed");
  assert.deepEqual(parseThresholds(undefined), []);
  assert.deepEqual(parseThresholds(null), []);
  assert.deepEqual(parseThresholds({}), []);
});

Deno.test("parseThresholds names the path and the text of every error", () => {
  const cases: [unknown, string][] = [
    [
      { http_req_duration: ["p95 < 500", "p97x < 100"] },
      'thresholds.http_req_duration[1]: unknown aggregate "p97x"',
    ],
    [
      { http_req_duration: ["p(97) < 100"] },
      'thresholds.http_req_duration[0]: unknown aggregate "p(97)"',
    ],
    [
      { http_req_failed: ["p95 < 1"] },
      'thresholds.http_req_failed[0]: aggregate "p95" does not apply',
    ],
    [{ http_reqs: ["avg < 1"] }, 'thresholds.http_reqs[0]: aggregate "avg" does not apply'],
    [
      { http_req_blocked: ["avg < 1"] },
      'thresholds.http_req_blocked: unknown metric "http_req_blocked"',
    ],
    [
      { http_req_duration: ["p95 500"] },
      'thresholds.http_req_duration[0]: no comparison operator in "p95 500"',
    ],
    [
      { http_req_duration: ["p95 = 500"] },
      "thresholds.http_req_duration[0]: no comparison operator",
    ],
    [{ http_req_duration: ["< 500"] }, "thresholds.http_req_duration[0]: missing aggregate"],
    [{ http_req_duration: ["p95 <"] }, "thresholds.http_req_duration[0]: missing value"],
    [
      { http_req_duration: ["p95 < fast"] },
      'thresholds.http_req_duration[0]: invalid value "fast"',
    ],
    [
      { http_req_duration: ["p95 < 5m"] },
      'thresholds.http_req_duration[0]: unknown duration unit "m"',
    ],
    [{ http_reqs: ["count > 10ms"] }, 'thresholds.http_reqs[0]: unexpected unit "ms"'],
    [{ http_req_failed: ["rate < 1s"] }, 'thresholds.http_req_failed[0]: unexpected unit "s"'],
    [{ http_req_duration: [""] }, "thresholds.http_req_duration[0]: empty threshold expression"],
    [{ http_req_duration: [42] }, "thresholds.http_req_duration[0]: expected an expression string"],
    [
      { http_req_duration: { p95: 1 } },
      "thresholds.http_req_duration: expected a list of expressions",
    ],
    [["p95 < 1"], "thresholds: expected a mapping"],
    ["p95 < 1", "thresholds: expected a mapping"],
  ];
  for (const [spec, message] of cases) {
    const error = thrown(() => parseThresholds(spec));
    assert.ok(
      error.message.startsWith(message),
      `for ${JSON.stringify(spec)}: expected "${message}…", got "${error.message}"`,
    );
  }
  const custom = thrown(
    () => parseThresholds({ http_reqs: ["rate ~ 3"] }, "config.thresholds"),
  );
  assert.ok(custom.message.startsWith("config.thresholds.http_reqs[0]: "), custom.message);
});

Deno.test("evaluateThresholds compares against a real snapshot", () => {
  // Skewed on purpose: the median (1 ms) is far from the mean (~20.8 ms).
  const snapshot = snapshotOf([[1, 200], [1, 200], [1, 200], [1, 500], [100, 200]]);
  assert.deepEqual(snapshot.totalRequests, 5);
  const results = evaluateThresholds(
    parseThresholds({
      http_req_duration: ["med < 5", "avg < 5", "max <= 100", "max < 100", "min == 1", "p99 != 1"],
      http_req_failed: ["rate < 0.1", "rate <= 20%"],
      http_reqs: ["count == 5", "count > 5", `rate >= ${snapshot.requestsPerSecond}`],
    }),
    snapshot,
  );
  assert.deepEqual(
    results.map((r) => [r.metric, r.expression, r.passed]),
    [
      ["http_req_duration", "med < 5", true], // real median, not Lunge's mean
      ["http_req_duration", "avg < 5", false],
      ["http_req_duration", "max <= 100", true],
      ["http_req_duration", "max < 100", false],
      ["http_req_duration", "min == 1", true],
      ["http_req_duration", "p99 != 1", true],
      ["http_req_failed", "rate < 0.1", false],
      ["http_req_failed", "rate <= 20%", true],
      ["http_reqs", "count == 5", true],
      ["http_reqs", "count > 5", false],
      ["http_reqs", `rate >= ${snapshot.requestsPerSecond}`, true],
    ],
  );
  assert.deepEqual(results[0].value, snapshot.latency.p50);
  assert.deepEqual(results[1].value, snapshot.latency.mean);
  assert.ok(Math.abs(results[1].value - 20.8) < 1e-9, `mean ${results[1].value}`);
  assert.deepEqual(results[6].value, 0.2);
  assert.deepEqual(results[8].value, 5);
  assert.deepEqual(results[10].value, snapshot.requestsPerSecond);
});

Deno.test("evaluateThresholds messages show the expression and the actual value", () => {
  const snapshot = snapshotOf([[12.34, 200], [12.34, 200], [0.4, 503]]);
  const results = evaluateThresholds(
    parseThresholds({
      http_req_duration: ["p95 < 500", "min < 1ms"],
      http_req_failed: ["rate < 0.01"],
      http_reqs: ["count > 1000"],
    }),
    snapshot,
  );
  assert.ok(/^p95 < 500 \(actual: 12\.\d+ms\)$/.test(results[0].message), results[0].message);
  assert.ok(/^min < 1ms \(actual: 4\d\dµs\)$/.test(results[1].message), results[1].message);
  assert.deepEqual(results[2].message, "rate < 0.01 (actual: 0.3333)");
  assert.deepEqual(results[2].passed, false);
  assert.deepEqual(results[3].message, "count > 1000 (actual: 3)");
});

Deno.test("evaluateThresholds on an empty snapshot compares zeros", () => {
  const snapshot = snapshotOf([]);
  const results = evaluateThresholds(
    parseThresholds({ http_reqs: ["count > 0"], http_req_failed: ["rate == 0"] }),
    snapshot,
  );
  assert.deepEqual(results.map((r) => r.passed), [false, true]);
});

Deno.test("formatThresholdValue uses the unit of the metric", () => {
  const [duration, failed, count, rate] = parseThresholds({
    http_req_duration: ["p95 < 1"],
    http_req_failed: ["rate < 1"],
    http_reqs: ["count > 1", "rate > 1"],
  });
  assert.deepEqual(formatThresholdValue(duration, 1500), "1.50s");
  assert.deepEqual(formatThresholdValue(failed, 0.012345), "0.0123");
  assert.deepEqual(formatThresholdValue(count, 1234567), "1,234,567");
  assert.deepEqual(formatThresholdValue(rate, 52.25), "52.3/s");
});

Deno.test("parseThresholds accepts dropped_iterations with count and rate", () => {
  const thresholds = parseThresholds({ dropped_iterations: ["count<1", "rate <= 0.5"] });
  assert.deepEqual(thresholds.map(summary), [
    "dropped_iterations count < 1",
    "dropped_iterations rate <= 0.5",
  ]);
  assert.equal(thresholds[1].path, "thresholds.dropped_iterations[1]");
  assert.match(
    thrown(() => parseThresholds({ dropped_iterations: ["p95 < 1"] })).message,
    /^thresholds\.dropped_iterations\[0\]: aggregate "p95" does not apply to dropped_iterations \(dropped_iterations supports count, rate\)$/,
  );
  assert.match(
    thrown(() => parseThresholds({ dropped_iterations: ["count < 1ms"] })).message,
    /^thresholds\.dropped_iterations\[0\]: unexpected unit "ms" .*plain number/,
  );
});

Deno.test("evaluateThresholds: dropped_iterations count, and rate per second of the run", () => {
  const snapshot = snapshotOf([[10, 200], [20, 200]]);
  const thresholds = parseThresholds({
    dropped_iterations: ["count < 1", "count <= 91", "rate < 10", "rate < 5"],
  });
  const results = evaluateThresholds(thresholds, snapshot, {
    droppedIterations: 91,
    durationMs: 10_000,
  });
  assert.deepEqual(results.map((r) => [r.expression, r.passed, r.value]), [
    ["count < 1", false, 91],
    ["count <= 91", true, 91],
    ["rate < 10", true, 9.1],
    ["rate < 5", false, 9.1],
  ]);
  assert.equal(results[0].message, "count < 1 (actual: 91)");
  assert.equal(results[2].message, "rate < 10 (actual: 9.1/s)");
  // Without the run's counters, nothing was dropped.
  assert.deepEqual(evaluateThresholds(thresholds, snapshot).map((r) => r.value), [0, 0, 0, 0]);
});
