/**
 * Assertions, extracts and request steps (run/_assertions.ts, run/_extract.ts,
 * run/_steps.ts), directly, against the built-in target server.
 */
import assert from "node:assert/strict";
import { validateConfig } from "../../../examples/lunge/config/config.ts";
import type {
  AssertionSpec,
  ExtractSpec,
  ScenarioSpec,
} from "../../../examples/lunge/config/config.ts";
import { AssertionTally, checkAssertion } from "../../../examples/lunge/run/_assertions.ts";
import { extractValue, runExtracts } from "../../../examples/lunge/run/_extract.ts";
import { CapturedResponse } from "../../../examples/lunge/run/_response.ts";
import { isBare, ScenarioSteps, type VuState } from "../../../examples/lunge/run/_steps.ts";
import { HttpClient } from "../../../examples/lunge/http/http_client.ts";
import { startTargetServer } from "../../../examples/lunge/demo/target_server.ts";

/** The validated assertions and extracts of one request written as in a config. */
function specOf(request: Record<string, unknown>, baseUrl = "http://127.0.0.1:1") {
  const c = validateConfig({
    settings: { baseUrl },
    scenarios: { s: { duration: "1s", requests: [{ url: "/", ...request }] } },
  });
  return c.scenarios[0];
}
const assertions = (...list: Record<string, unknown>[]): AssertionSpec[] =>
  specOf({ assertions: list }).requests[0].assertions;
const extracts = (...list: Record<string, unknown>[]): ExtractSpec[] =>
  specOf({ extract: list }).requests[0].extract;

const response = (body: string, headers: Record<string, string> = {}, status = 200, ms = 12) =>
  new CapturedResponse(status, ms, new Headers(headers), body);

const JSON_BODY = JSON.stringify({ id: 7, name: "lunge", tags: ["a", "b"], ok: true, none: null });

Deno.test("assertions: every type and condition", () => {
  const r = response(JSON_BODY, { "Content-Type": "application/json", "X-Count": "5" }, 201, 120);
  const cases: [Record<string, unknown>, boolean][] = [
    [{ type: "status", condition: "eq", value: 201 }, true],
    [{ type: "status", condition: "eq", value: "200" }, false],
    [{ type: "status", condition: "ne", value: 500 }, true],
    [{ type: "status", condition: "lt", value: 300 }, true],
    [{ type: "status", condition: "lte", value: 201 }, true],
    [{ type: "status", condition: "gt", value: 201 }, false],
    [{ type: "status", condition: "gte", value: 201 }, true],
    [{ type: "status", condition: "matches", value: "^2\\d\\d$" }, true],
    [{ type: "duration", condition: "lt", value: "1s" }, true],
    [{ type: "responseTime", condition: "lt", value: "100ms" }, false],
    [{ type: "responseTime", condition: "gte", value: 120 }, true],
    [{ type: "header", path: "content-type", condition: "contains", value: "json" }, true],
    [{ type: "header", path: "X-Count", condition: "gt", value: 4 }, true],
    [{ type: "header", path: "X-Missing", condition: "exists" }, false],
    [{ type: "header", path: "X-Missing", condition: "exists", value: "false" }, true],
    [{ type: "header", path: "X-Missing", condition: "ne", value: "x" }, false],
    [{ type: "body", condition: "contains", value: '"name":"lunge"' }, true],
    [{ type: "body", condition: "matches", value: '"id":\\d+' }, true],
    [{ type: "body", path: "$.id", condition: "eq", value: "7" }, true],
    [{ type: "json", path: "$.id", condition: "eq", value: 7.0 }, true],
    [{ type: "json", path: "$.name", condition: "ne", value: "other" }, true],
    [{ type: "json", path: "$.tags", condition: "contains", value: "b" }, true],
    [{ type: "json", path: "$.tags[0]", condition: "eq", value: "a" }, true],
    [{ type: "json", path: "$.ok", condition: "eq", value: "true" }, true],
    [{ type: "json", path: "$.none", condition: "exists" }, false],
    [{ type: "json", path: "$.name", condition: "gt", value: 1 }, false],
    [{ type: "json", path: "$.nope", condition: "eq", value: "" }, false],
  ];
  for (const [raw, expected] of cases) {
    const [a] = assertions(raw);
    assert.equal(checkAssertion(a, r, a.value), expected, JSON.stringify(raw));
  }
  // A body that is not JSON: every JSON assertion fails, text ones still work.
  const [j] = assertions({ type: "json", path: "$.id", condition: "exists" });
  assert.equal(checkAssertion(j, response("not json"), ""), false);
});

Deno.test("assertions: the tally counts each; the first failure names the error type", () => {
  const list = assertions(
    { type: "status", condition: "eq", value: 200 },
    { type: "json", path: "$.ok", condition: "eq", value: "true", message: "ok flag" },
  );
  const tally = new AssertionTally([list.length]);
  const good = response('{"ok":true}');
  const bad = response('{"ok":false}', {}, 500);
  assert.equal(tally.evaluate(0, list, good, (j) => list[j].value), undefined);
  assert.equal(tally.evaluate(0, list, bad, (j) => list[j].value), "assertion: status eq 200");
  assert.equal(
    tally.evaluate(0, list, response('{"ok":0}'), (j) => list[j].value),
    "assertion: ok flag",
  );
  tally.failAll(0);
  assert.deepEqual(tally.passes, [[2, 1]]);
  assert.deepEqual(tally.fails, [[2, 3]]);
});

Deno.test("extract: header, status, body, json, regex; a failure removes the variable", () => {
  const r = response(JSON_BODY, { "X-Token": "Bearer abc123" }, 201);
  const list = extracts(
    { name: "tok", source: "header", path: "x-token", regex: "Bearer (\\w+)" },
    { name: "code", source: "status" },
    { name: "id", source: "body", path: "$.id" },
    { name: "tags", source: "json", path: "$.tags" },
    { name: "nm", source: "regex", regex: '"name":"(\\w+)"' },
    { name: "all", source: "body" },
  );
  assert.deepEqual(list.map((e) => extractValue(e, r)), [
    "abc123",
    "201",
    "7",
    '["a","b"]',
    "lunge",
    JSON_BODY,
  ]);
  const vars = new Map([["stale", "old"]]);
  const failing = extracts(
    { name: "stale", source: "json", path: "$.missing" },
    { name: "h", source: "header", path: "X-None" },
  );
  assert.equal(runExtracts(failing, r, vars), "extract: stale");
  assert.equal(vars.has("stale"), false, "a failed extract never leaves a stale value");
  assert.equal(runExtracts(list.slice(0, 2), r, vars), undefined);
  assert.deepEqual([...vars], [["tok", "abc123"], ["code", "201"]]);
});

function tools(client: HttpClient, timeoutMs = 5_000) {
  const clients = new Map<number, HttpClient>([[timeoutMs, client]]);
  return {
    clientFor: (t: number) => {
      let c = clients.get(t);
      if (!c) clients.set(t, c = new HttpClient({ timeoutMs: t }));
      return c;
    },
    timeoutMs,
    userAgent: "lunge-test",
    worker: 0,
    close: () => clients.forEach((c) => c.close()),
  };
}

Deno.test("steps: login -> token -> profile, built-ins rendered, server counts each request", async () => {
  const server = await startTargetServer();
  const client = new HttpClient({ timeoutMs: 5_000 });
  const t = tools(client);
  try {
    const spec: ScenarioSpec = specOf({}, server.url);
    spec.requests = validateConfig({
      settings: { baseUrl: server.url },
      scenarios: {
        s: {
          duration: "1s",
          requests: [
            {
              name: "login",
              method: "POST",
              url: "/login",
              body: { user: "u{{vuId}}-{{iteration}}" },
              extract: [{ name: "token", source: "json", path: "$.token" }],
              assertions: [{ type: "status", condition: "eq", value: 200 }],
            },
            {
              name: "profile",
              url: "/profile?r={{requestId}}",
              headers: { Authorization: "Bearer {{token}}" },
              assertions: [{
                type: "json",
                path: "$.user",
                condition: "eq",
                value: "u{{vuId}}-{{iteration}}",
              }],
            },
            { name: "plain", url: "/" },
          ],
        },
      },
    }).scenarios[0].requests;
    assert.deepEqual(spec.requests.map(isBare), [false, false, true]);
    const steps = new ScenarioSteps(spec, t);
    const vu: VuState = { vuId: 3, iteration: 0, vars: new Map() };
    const signal = new AbortController().signal;
    for (let it = 0; it < 2; it++) {
      vu.iteration = it;
      const login = await steps.run(0, vu, { start: performance.now(), signal });
      assert.equal(login.statusCode, 200);
      assert.equal(login.error, undefined);
      assert.match(vu.vars.get("token")!, /^[0-9a-f]{32}$/);
      const profile = await steps.run(1, vu, { start: performance.now(), signal });
      assert.equal(profile.error, undefined, "the token was accepted and the user matched");
      assert.ok(profile.bytes > 0);
    }
    assert.deepEqual(steps.tally.passes, [[2], [2], []]);
    // Without the token: reported, never sent.
    const fresh: VuState = { vuId: 4, iteration: 0, vars: new Map() };
    const missing = await steps.run(1, fresh, { start: performance.now(), signal });
    assert.deepEqual([missing.statusCode, missing.error, missing.sent], [
      0,
      "missing variable token",
      false,
    ]);
    // Not sent: its assertion is not evaluated (no response to check), neither passed nor failed.
    assert.deepEqual(steps.tally.fails, [[0], [0], []]);
    assert.deepEqual(steps.tally.passes, [[2], [2], []]);
    assert.deepEqual(server.stats().byPath, { "/login": 2, "/profile": 2 });
  } finally {
    t.close();
    await server.close();
  }
});

Deno.test("steps: a failed assertion is the request's error; per-request timeout overrides settings", async () => {
  const server = await startTargetServer();
  const client = new HttpClient({ timeoutMs: 5_000 });
  const t = tools(client);
  try {
    const spec = validateConfig({
      settings: { baseUrl: server.url, timeout: "5s" },
      scenarios: {
        s: {
          duration: "1s",
          requests: [
            { url: "/status/503", assertions: [{ type: "status", condition: "lt", value: 500 }] },
            { url: "/delay/3000", timeout: "100ms" },
            {
              url: "/delay/400",
              timeout: "100ms",
              assertions: [{ type: "body", condition: "eq", value: "ok" }],
            },
          ],
        },
      },
    }).scenarios[0];
    const steps = new ScenarioSteps(spec, t);
    const vu: VuState = { vuId: 1, iteration: 0, vars: new Map() };
    const signal = new AbortController().signal;
    const failed = await steps.run(0, vu, { start: performance.now(), signal });
    assert.deepEqual([failed.statusCode, failed.error], [503, "assertion: status lt 500"]);
    for (const i of [1, 2]) {
      const t0 = performance.now();
      const slow = await steps.run(i, vu, { start: t0, signal });
      assert.equal(slow.error, "timeout", `request ${i}`);
      assert.ok(slow.end - t0 < 2_000, `request ${i} timed out after ${slow.end - t0} ms`);
    }
  } finally {
    t.close();
    await server.close();
  }
});
