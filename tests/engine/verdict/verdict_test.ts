/**
 * The verdict (examples/lunge/verdict/): a threshold is parsed once, at
 * config validation, and the engine evaluates that parsed form; a result's
 * JSON carries the parsed form, and `lunge merge` re-evaluates from it, never
 * from the text; `http_reqs_not_sent` counts requests that never left;
 * passed/error come from one function, outputs' problems included.
 */
import assert from "node:assert/strict";
import { validateConfig } from "../../../examples/lunge/config/config.ts";
import { runTest } from "../../../examples/lunge/run/engine.ts";
import { startTargetServer } from "../../../examples/lunge/demo/target_server.ts";
import { MergeError, mergeResults } from "../../../examples/lunge/merge/merge.ts";
import type { RunResult } from "../../../examples/lunge/result.ts";
import {
  parseThresholds,
  thresholdsFromResult,
} from "../../../examples/lunge/verdict/thresholds.ts";
import { evaluateResult, evaluateThresholds } from "../../../examples/lunge/verdict/evaluate.ts";
import { decideVerdict, settleVerdict } from "../../../examples/lunge/verdict/verdict.ts";

Deno.test("verdict: config validation parses the thresholds once, each beside its source text", () => {
  const c = validateConfig({
    settings: { baseUrl: "http://127.0.0.1:1" },
    scenarios: {
      s: { executor: "constant-vus", vus: 1, duration: "1s", requests: [{ url: "/" }] },
    },
    thresholds: { http_req_duration: ["p(95) < 1s"], http_reqs_not_sent: ["count == 0"] },
  });
  assert.deepEqual(c.parsedThresholds, parseThresholds(c.thresholds));
  assert.deepEqual(
    c.parsedThresholds.map((t) => [t.expression, t.path, t.aggregate, t.operator, t.value]),
    [
      ["p(95) < 1s", "thresholds.http_req_duration[0]", "p95", "<", 1000],
      ["count == 0", "thresholds.http_reqs_not_sent[0]", "count", "==", 0],
    ],
  );
});

Deno.test("verdict: http_reqs_not_sent compares the requests never sent, count and per second", () => {
  const t = parseThresholds({
    http_reqs_not_sent: ["count < 1", "rate <= 2"],
    http_reqs: ["count == 3"],
  });
  const metrics = { ...zeroMetrics(), totalRequests: 3 };
  const [count, rate, sent] = evaluateThresholds(t, metrics, {
    droppedIterations: 0,
    durationMs: 2_000,
    notSent: 5,
  });
  assert.deepEqual([count.passed, count.value, count.message], [
    false,
    5,
    "count < 1 (actual: 5)",
  ]);
  assert.deepEqual([rate.passed, rate.value], [false, 2.5]);
  // http_reqs counts what was sent: the 5 that never left are not in it.
  assert.deepEqual([sent.passed, sent.value], [true, 3]);
  const none = evaluateThresholds(t, metrics, { droppedIterations: 0, durationMs: 2_000 });
  assert.deepEqual(none.map((r) => r.passed), [true, true, true]);
  assert.throws(
    () => parseThresholds({ http_reqs_not_sent: ["p95 < 1"] }),
    /thresholds\.http_reqs_not_sent\[0\]: aggregate "p95" does not apply to http_reqs_not_sent/,
  );
});

Deno.test("verdict: the JSON's parsed form rebuilds the thresholds; an entry without it is refused by field", () => {
  const parsed = parseThresholds({
    http_req_duration: ["med <= 100ms"],
    http_req_failed: ["rate<1%"],
  });
  const stored = JSON.parse(JSON.stringify(evaluateThresholds(parsed, zeroMetrics())));
  assert.deepEqual(
    thresholdsFromResult(stored).map((t) => [t.metric, t.aggregate, t.operator, t.value]),
    parsed.map((t) => [t.metric, t.aggregate, t.operator, t.value]),
  );
  const { limit: _, ...old } = stored[1];
  assert.throws(
    () => thresholdsFromResult([stored[0], old], "a.json: thresholds"),
    /^Error: a\.json: thresholds\[1\]: no parsed form/,
  );
  assert.throws(
    () => thresholdsFromResult([{ ...stored[0], operator: "=<" }]),
    /thresholds\[0\]\.operator: not a comparison \("=<"\)/,
  );
  assert.throws(
    () => thresholdsFromResult([{ ...stored[0], aggregate: "rate" }]),
    /thresholds\[0\]\.aggregate: "rate" does not apply to http_req_duration/,
  );
});

Deno.test("verdict: one function decides passed and error; outputs' problems join the run's", () => {
  const ok = { passed: true }, failed = { passed: false };
  assert.deepEqual(decideVerdict({ thresholds: [ok], problems: [null, undefined] }), {
    passed: true,
    error: null,
  });
  assert.deepEqual(decideVerdict({ thresholds: [ok, failed], problems: [] }), {
    passed: false,
    error: null,
  });
  const result = { thresholds: [ok], passed: true, error: "interrupted" as string | null };
  settleVerdict(result, [null, "out.csv holds 3 rows but the run counted 4 requests"]);
  assert.deepEqual(result, {
    thresholds: [ok],
    passed: false,
    error: "interrupted; out.csv holds 3 rows but the run counted 4 requests",
  });
});

Deno.test("verdict: the engine judges by the parsed thresholds, and merge re-judges by the JSON's parsed form, not its text", async () => {
  const server = await startTargetServer();
  try {
    const config = validateConfig({
      settings: { baseUrl: `http://127.0.0.1:${server.port}` },
      scenarios: {
        s: {
          executor: "constant-arrival-rate",
          rate: 20,
          duration: "1s",
          preAllocatedVUs: 2,
          requests: [{ name: "root", url: "/" }],
        },
      },
      thresholds: { http_reqs: ["count >= 10", "count > 1000"] },
    });
    // The raw text is not read again after validation.
    config.thresholds = { http_reqs: ["this is not a threshold"] };
    const result = await runTest({ config, workers: 1 });
    const n = result.metrics.totalRequests;
    assert.equal(n, server.stats().requests);
    assert.deepEqual(result.thresholds.map((t) => [t.expression, t.passed, t.value]), [
      ["count >= 10", true, n],
      ["count > 1000", false, n],
    ]);
    assert.equal(result.passed, false);
    assert.equal(result.error, null);

    const json: RunResult = JSON.parse(JSON.stringify(result));
    json.thresholds[0].expression = "(text merge must not parse)";
    json.thresholds[1].limit = n - 1; // now "count > n-1": holds
    const merged = await mergeResults([{ path: "a.json", result: json }]);
    assert.deepEqual(merged.thresholds.map((t) => [t.expression, t.passed, t.value]), [
      ["(text merge must not parse)", true, n],
      ["count > 1000", true, n],
    ]);
    assert.equal(merged.passed, true);
    assert.deepEqual(
      merged.thresholds,
      evaluateResult(thresholdsFromResult(json.thresholds), merged),
    );

    const old = JSON.parse(JSON.stringify(json));
    delete old.thresholds[0].aggregate;
    await assert.rejects(
      () => mergeResults([{ path: "old.json", result: old }]),
      (e) =>
        e instanceof MergeError &&
        /^old\.json: thresholds\[0\]: no parsed form/.test(e.message),
    );
  } finally {
    await server.close();
  }
});

/** A snapshot's threshold figures, all zero. */
function zeroMetrics() {
  const latency = {
    count: 0,
    min: 0,
    max: 0,
    mean: 0,
    stdDev: 0,
    p50: 0,
    p90: 0,
    p95: 0,
    p99: 0,
    p999: 0,
  };
  return { latency, errorRate: 0, totalRequests: 0, requestsPerSecond: 0, elapsed: 0 };
}

Deno.test("verdict: on a real run, http_reqs counts what was sent and http_reqs_not_sent what never left", async () => {
  const server = await startTargetServer();
  try {
    const result = await runTest({
      config: validateConfig({
        settings: { baseUrl: server.url },
        scenarios: {
          s: {
            executor: "constant-vus",
            vus: 1,
            duration: "500ms",
            pacing: "50ms",
            requests: [
              {
                name: "echo",
                method: "POST",
                url: "/echo",
                body: "a\r\nInjected: 1",
                extract: [{ name: "v", source: "regex", regex: "([\\s\\S]*)" }],
              },
              { name: "use", url: "/p", headers: { "X-Value": "{{v}}" } },
            ],
          },
        },
        thresholds: {
          http_reqs: ["count < 1000"],
          http_reqs_not_sent: ["count == 0", "count > 0", "rate > 0"],
        },
      }),
      workers: 1,
    });
    const sent = server.stats().requests;
    const notSent = result.metrics.notSent?.total ?? 0;
    assert.ok(notSent >= 3, `${notSent} not sent`);
    assert.equal(result.metrics.totalRequests, sent);
    assert.deepEqual(
      result.thresholds.map((t) => [t.metric, t.expression, t.passed, t.value]),
      [
        ["http_reqs", "count < 1000", true, sent],
        ["http_reqs_not_sent", "count == 0", false, notSent],
        ["http_reqs_not_sent", "count > 0", true, notSent],
        ["http_reqs_not_sent", "rate > 0", true, notSent / (result.duration / 1000)],
      ],
    );
    assert.equal(result.passed, false);
    assert.equal(result.error, null);
  } finally {
    await server.close();
  }
});
