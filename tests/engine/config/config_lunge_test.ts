/**
 * Lunge fidelity of the config loader: every field of Lunge's v2 perf
 * schema loads, every problem is reported at once, variables and `${ENV}`
 * resolve as Lunge users write them.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  ConfigError,
  loadConfig,
  parseConfigText,
  validateConfig,
} from "../../../examples/lunge/config/config.ts";
import { compileTemplate, renderTemplate } from "../../../examples/lunge/config/template.ts";
import { parseJsonPath, selectJsonPath } from "../../../examples/lunge/config/json_path.ts";
import { ROOT, runLunge } from "../_cli.ts";

const CORPUS = fileURLToPath(new URL("../../../examples/configs/", import.meta.url));

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `not a ConfigError: ${e}`);
    return e.problems;
  }
  assert.fail("no ConfigError");
}

const ok = (scenario: Record<string, unknown>, top: Record<string, unknown> = {}) =>
  validateConfig({
    settings: { baseUrl: "http://127.0.0.1:1" },
    ...top,
    scenarios: { s: { duration: "1s", requests: [{ url: "/" }], ...scenario } },
  });

Deno.test("config corpus: every file in examples/configs loads", async () => {
  let files = 0;
  for await (const entry of Deno.readDir(CORPUS)) {
    if (!/\.(ya?ml|json)$/.test(entry.name)) continue;
    const c = await loadConfig(`${CORPUS}${entry.name}`);
    assert.ok(c.scenarios.length > 0, entry.name);
    files++;
  }
  assert.ok(files >= 2, `${files} corpus files`);
});

Deno.test("config corpus: full_schema.yaml acts on every field, warns once per inapplicable one", async () => {
  const c = await loadConfig(`${CORPUS}full_schema.yaml`);
  assert.equal(c.name, "Full schema: corpus");
  assert.equal(c.settings.userAgent, "lunge-corpus/1.0");
  assert.equal(c.settings.maxConnectionsPerHost, 50);
  assert.equal(c.settings.maxIdleConnsPerHost, 50);
  assert.deepEqual(c.settings.headers, { Accept: "application/json", "X-Env": "corpus" });
  const byName = Object.fromEntries(c.scenarios.map((s) => [s.name, s]));
  const { shoppers, buyers, ramp, spike } = byName;
  assert.deepEqual(shoppers.pacing, { type: "random", minMs: 10, maxMs: 50 });
  assert.equal(shoppers.gracefulStopMs, 2_000);
  assert.equal(
    buyers.gracefulStopMs,
    10_000,
    "options.iterationsTimeout is the default gracefulStop",
  );
  assert.deepEqual([shoppers.startTimeMs, buyers.startTimeMs, ramp.startTimeMs], [0, 1_000, 500]);
  assert.deepEqual(shoppers.tags, { user_type: "browser" });
  assert.deepEqual(ramp.stages.map((s) => s.name), ["ramp-up", "ramp-down"]);
  assert.deepEqual(ramp.pacing, { type: "constant", minMs: 20, maxMs: 20 });
  assert.equal(spike.requests[0].assertions[0].label, "status eq 404");
  const [login, profile] = shoppers.requests;
  assert.equal(login.timeoutMs, 2_000);
  assert.equal(login.templated, true);
  assert.equal(login.body, '{"user": "alice", "vu": "{{vuId}}", "at": {{timestamp}}}');
  assert.deepEqual(login.extract.map((e) => [e.name, e.source]), [
    ["token", "json"],
    ["sessionId", "header"],
    ["tokenPrefix", "regex"],
  ]);
  assert.equal(login.assertions[3].type, "responseTime", "Lunge's `duration` type");
  assert.equal(login.assertions[3].valueMs, 1_000);
  assert.equal(login.assertions[3].label, "login under a second");
  // Tags are scenario variables (as in Lunge); run-time names stay for the worker.
  assert.equal(profile.url, "http://127.0.0.1:8088/profile?tag=browser&iter={{iteration}}");
  assert.equal(profile.headers.Authorization, "Bearer {{token}}");
  assert.equal(profile.assertions[1].value, "alice");
  assert.equal(profile.readBody, true);
  assert.equal(buyers.requests[0].body, '{"amount": 42, "by": "buyer"}');
  assert.equal(buyers.requests[0].templated, false);
  assert.equal(c.warnings.filter((w) => w.startsWith("options.setupTimeout")).length, 1);
  assert.deepEqual(
    c.warnings.map((w) => w.split(":")[0]).filter((w) => w !== "environment"),
    [
      "options.setupTimeout",
      "options.teardownTimeout",
      "thresholds.custom",
    ],
  );
});

Deno.test("config: five different errors are reported together, each with its path", () => {
  const problems = problemsOf(() =>
    parseConfigText(
      `
settings: { timeout: soon }
scenarios:
  api:
    executor: constant-vus
    vus: -1
    duration: 5x
    requests:
      - url: "http://127.0.0.1:1/{{nope}}"
        method: GE T
        assertions: [{ type: size, condition: eq, value: 1 }]
`,
      "bad.yaml",
    )
  );
  assert.deepEqual(problems, [
    'settings.timeout: invalid duration "soon"',
    'scenarios.api.requests[0].url: unknown variable "{{nope}}"',
    'scenarios.api.requests[0].method: invalid method "GE T"',
    'scenarios.api.requests[0].assertions[0].type: unknown type "size" (use status, header, body, json, responseTime)',
    "scenarios.api.vus: must be an integer >= 0 (got -1)",
    'scenarios.api.duration: invalid duration "5x"',
  ]);
});

Deno.test("config: every field Lunge issue 7 listed as rejected now loads", () => {
  const c = validateConfig({
    settings: { baseUrl: "http://127.0.0.1:1", maxIdleConnsPerHost: 10 },
    scenarios: {
      s: {
        executor: "ramping-vus",
        tags: { team: "a" },
        startTime: "2s",
        stages: [{ duration: "1s", target: 1, name: "up" }],
        pacing: { type: "random", min: "1s", max: "2s" },
        requests: [{ url: "/", timeout: "3s" }],
      },
    },
    thresholds: { custom: { s_duration: ["p95 < 300ms"] } },
    options: { sequential: true, iterationsTimeout: "9s", noVUConnectionReuse: false },
  });
  const s = c.scenarios[0];
  assert.deepEqual([s.startTimeMs, s.tags, s.stages[0].name, s.requests[0].timeoutMs], [
    2_000,
    { team: "a" },
    "up",
    3_000,
  ]);
  assert.equal(s.gracefulStopMs, 9_000);
});

Deno.test("config: options.sequential starts each scenario when the previous one's duration ends", () => {
  const c = validateConfig({
    settings: { baseUrl: "http://127.0.0.1:1" },
    options: { sequential: true },
    scenarios: {
      a: { duration: "2s", requests: [{ url: "/" }] },
      b: {
        executor: "ramping-vus",
        stages: [{ duration: "3s", target: 1 }],
        requests: [{ url: "/" }],
      },
      c: { startTime: "1s", duration: "1s", requests: [{ url: "/" }] },
    },
  });
  assert.deepEqual(c.scenarios.map((s) => s.startTimeMs), [0, 2_000, 6_000]);
});

Deno.test("config: pacing forms and their errors", () => {
  assert.deepEqual(ok({ pacing: "100ms" }).scenarios[0].pacing, {
    type: "constant",
    minMs: 100,
    maxMs: 100,
  });
  assert.deepEqual(ok({ pacing: { type: "none" } }).scenarios[0].pacing.type, "none");
  assert.deepEqual(problemsOf(() => ok({ pacing: { type: "random", min: "2s", max: "1s" } })), [
    "scenarios.s.pacing: min must be <= max (2s > 1s)",
  ]);
  assert.deepEqual(problemsOf(() => ok({ pacing: { type: "random", min: "1s" } })), [
    "scenarios.s.pacing.max: required for random pacing",
  ]);
  assert.deepEqual(problemsOf(() => ok({ pacing: { type: "poisson" } })), [
    'scenarios.s.pacing.type: must be none, constant or random (got "poisson")',
  ]);
  const arrival = ok({ executor: "constant-arrival-rate", rate: 1, pacing: "1s" });
  assert.match(arrival.warnings.join("\n"), /^scenarios\.s\.pacing: not applied: arrival-rate/m);
});

Deno.test("config: a second YAML document or a functional-test config gets one line", () => {
  // An empty (comment-only) trailing document, as in Lunge's v2-integration-test.yaml, is fine.
  const single = "scenarios:\n  a: { duration: 1s, requests: [{ url: 'http://127.0.0.1:1/' }] }\n";
  assert.equal(
    parseConfigText(`${single}---\n# name: alternative\n`, "a.yaml").scenarios.length,
    1,
  );
  assert.throws(
    () => parseConfigText(`${single}---\nname: second\n`, "two.yaml"),
    (e: Error) =>
      e.message ===
        "two.yaml: holds 2 YAML documents (the second starts at line 4); a config is one " +
          "document: put each test in its own file",
  );
  const functional = "name: API\nbaseURL: https://x\nenvironments: {}\nrequests: {}\nsuites: {}\n";
  assert.throws(() => parseConfigText(functional, "f.yaml"), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.problems.length, 1);
    assert.match(e.message, /^this is a Lunge functional-test config \(`lunge run` format: /);
    assert.match(e.message, /expected a `scenarios` map/);
    return true;
  });
});

Deno.test("config: built-ins and extracted names are run-time variables; unknown names are errors", () => {
  const c = ok({
    requests: [
      {
        url: "/login",
        method: "POST",
        extract: [{ name: "token", source: "json", path: "$.token" }],
      },
      {
        url: "/u/{{vuId}}/{{iteration}}",
        headers: { Authorization: "Bearer {{token}}", "X-Id": "{{requestId}}-{{uuid}}" },
        body: { at: "{{timestamp}}" },
      },
    ],
  });
  const r = c.scenarios[0].requests[1];
  assert.equal(r.url, "http://127.0.0.1:1/u/{{vuId}}/{{iteration}}");
  assert.equal(r.body, '{"at":"{{timestamp}}"}');
  assert.equal(r.templated, true);
  assert.equal(c.scenarios[0].requests[0].templated, false);
  // A name an extract of a *later* request defines is not a load-time error either.
  ok({
    requests: [{ url: "/{{later}}" }, { url: "/", extract: [{ name: "later", source: "status" }] }],
  });
  // An extract of another scenario does not define names here.
  assert.deepEqual(
    problemsOf(() =>
      validateConfig({
        settings: { baseUrl: "http://127.0.0.1:1" },
        scenarios: {
          a: {
            duration: "1s",
            requests: [{ url: "/", extract: [{ name: "t", source: "status" }] }],
          },
          b: { duration: "1s", requests: [{ url: "/{{t}}" }] },
        },
      })
    ),
    ['scenarios.b.requests[0].url: unknown variable "{{t}}"'],
  );
  // Run-time names make no sense outside requests' url, headers, body and assertion values.
  assert.deepEqual(problemsOf(() => ok({ duration: "{{iteration}}" })), [
    'scenarios.s.duration: "{{iteration}}" is set per request at run time; it can be used only ' +
    "in a request's url, headers, body and assertion values",
  ]);
});

Deno.test("config: {{constructor}} and other inherited names are unknown (own keys only)", () => {
  for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
    assert.deepEqual(problemsOf(() => ok({ requests: [{ url: `/?q={{${name}}}` }] })), [
      `scenarios.s.requests[0].url: unknown variable "{{${name}}}"`,
    ]);
  }
  assert.equal(selectJsonPath({ a: 1 }, ["constructor"]), undefined);
  assert.equal(selectJsonPath({ a: 1 }, ["__proto__"]), undefined);
});

Deno.test("config: a body nested 100,000 deep is a config error naming the field", () => {
  let body: unknown = 1;
  for (let i = 0; i < 100_000; i++) body = { a: body };
  assert.deepEqual(problemsOf(() => ok({ requests: [{ url: "/", body }] })), [
    "scenarios.s.requests[0].body: nested deeper than 64 levels (a config may nest at most 64)",
  ]);
  const deepJson =
    `{"scenarios":{"s":{"duration":"1s","requests":[{"url":"http://127.0.0.1:1/","body":` +
    "[".repeat(100_000) + "]".repeat(100_000) + "}]}}}";
  assert.throws(
    () => parseConfigText(deepJson, "deep.json"),
    /^ConfigError: deep\.json: scenarios\.s\.requests\[0\]\.body: nested deeper than 64/,
  );
  assert.throws(
    () => parseConfigText("a: " + "[".repeat(100_000) + "]".repeat(100_000), "deep.yaml"),
    /^ConfigError: deep\.yaml: cannot parse: nested too deeply/,
  );
});

Deno.test("config: ${ENV:-default} expands from the environment in any string field", () => {
  Deno.env.set("LUNGE_TEST_BASE", "http://127.0.0.1:7");
  Deno.env.delete("LUNGE_TEST_UNSET");
  try {
    const c = validateConfig({
      settings: { baseUrl: "${LUNGE_TEST_BASE:-http://127.0.0.1:9}" },
      variables: { key: "${LUNGE_TEST_UNSET:-fallback}", literal: "$${NOT_ENV}" },
      scenarios: {
        s: {
          vus: "${LUNGE_TEST_UNSET:-3}",
          duration: "1s",
          requests: [{ url: "/{{key}}?x={{literal}}" }],
        },
      },
    });
    assert.equal(c.settings.baseUrl, "http://127.0.0.1:7/");
    assert.equal(c.scenarios[0].vus, 3, "a numeric string counts as a number");
    assert.equal(c.scenarios[0].requests[0].url, "http://127.0.0.1:7/fallback?x=${NOT_ENV}");
    assert.deepEqual(
      problemsOf(() =>
        validateConfig({
          settings: { baseUrl: "${LUNGE_TEST_UNSET}" },
          scenarios: { s: { duration: "1s", requests: [{ url: "/" }] } },
        })
      )[0],
      "environment: LUNGE_TEST_UNSET not set and no default (${NAME:-default})",
    );
  } finally {
    Deno.env.delete("LUNGE_TEST_BASE");
  }
});

Deno.test({
  name: "CLI: ${ENV} reads only the variables the config names; missing ones in one line, exit 2",
  ignore: Deno.permissions.querySync({ name: "run" }).state !== "granted",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/env.yaml`;
      await Deno.writeTextFile(
        path,
        `settings: { baseUrl: "\${LUNGE_A}", headers: { X-B: "\${LUNGE_B}", X-C: "\${LUNGE_C:-c}" } }
scenarios: { s: { duration: 1s, requests: [{ url: / }] } }
`,
      );
      const out = await runLunge(["-c", path], [
        `--allow-read=${ROOT},${dir}`,
        "--allow-env=LUNGE_A",
      ], {
        env: { LUNGE_A: "http://127.0.0.1:1" },
      });
      const err = out.stderr.trim();
      assert.equal(out.code, 2, err);
      assert.equal(
        err,
        `lunge: ${path}: environment: LUNGE_B not readable: run Deno with --allow-env=LUNGE_B`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "CLI: a JSON body nested 100,000 deep is exit 2 with the field named",
  ignore: Deno.permissions.querySync({ name: "run" }).state !== "granted",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/deep.json`;
      await Deno.writeTextFile(
        path,
        `{"scenarios":{"s":{"duration":"1s","requests":[{"url":"http://127.0.0.1:1/","body":` +
          "[".repeat(100_000) + "]".repeat(100_000) + "}]}}}",
      );
      const out = await runLunge(["-c", path], [`--allow-read=${ROOT},${dir}`]);
      const err = out.stderr.trim();
      assert.equal(out.code, 2, err);
      assert.equal(
        err,
        `lunge: ${path}: scenarios.s.requests[0].body: nested deeper than 64 levels ` +
          "(a config may nest at most 64)",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("config: assertion and extract fields, and their errors", () => {
  const c = ok({
    requests: [{
      url: "/",
      assertions: [
        { type: "header", path: "Content-Type", condition: "exists" },
        { type: "json", path: "$.items[-1].price", condition: "gt", value: 10 },
        { type: "body", condition: "contains", value: "ok" },
        { type: "duration", condition: "lt", value: "250ms" },
      ],
      extract: [
        { name: "id", source: "body", path: "$.id" },
        { name: "code", source: "status" },
        { name: "tok", source: "header", path: "X-Token", regex: "^(\\w+)" },
      ],
    }],
  });
  const r = c.scenarios[0].requests[0];
  assert.deepEqual(r.assertions.map((a) => a.label), [
    "header Content-Type exists",
    "json $.items[-1].price gt 10",
    "body contains ok",
    "duration lt 250ms",
  ]);
  assert.deepEqual(r.assertions[1].jsonPath, ["items", -1, "price"]);
  assert.equal(r.assertions[3].valueMs, 250);
  assert.deepEqual(r.extract[0].jsonPath, ["id"]);
  assert.equal(r.extract[2].header, "x-token");
  assert.equal(r.readBody, true);
  assert.equal(
    ok({ requests: [{ url: "/", assertions: [{ type: "status", value: 200 }] }] })
      .scenarios[0].requests[0].readBody,
    false,
    "status-only assertions need no body",
  );
  const problems = problemsOf(() =>
    ok({
      requests: [{
        url: "/",
        assertions: [
          { type: "json", condition: "eq", value: 1 },
          { type: "body", condition: "matches", value: "(" },
          { type: "status", condition: "near", value: 1 },
          { type: "status", condition: "eq" },
        ],
        extract: [
          { name: "a", source: "json", path: "$..deep" },
          { name: "b", source: "xml" },
          { name: "c", source: "regex" },
        ],
      }],
    })
  );
  assert.deepEqual(problems.map((p) => p.split(":")[0]).sort(), [
    "scenarios.s.requests[0].assertions[0].path",
    "scenarios.s.requests[0].assertions[1].value",
    "scenarios.s.requests[0].assertions[2].condition",
    "scenarios.s.requests[0].assertions[3].value",
    "scenarios.s.requests[0].extract[0].path",
    "scenarios.s.requests[0].extract[1].source",
    "scenarios.s.requests[0].extract[2].regex",
  ]);
});

Deno.test("template: compiled rendering and JSONPath subset", () => {
  const t = compileTemplate("/u/{{ id }}/x{{n}}");
  assert.deepEqual(t, { parts: ["/u/", "/x", ""], names: ["id", "n"] });
  const vars = new Map([["id", "7"], ["n", "0"]]);
  assert.equal(renderTemplate(t, (n) => vars.get(n)), "/u/7/x0");
  assert.deepEqual(renderTemplate(t, (n) => (n === "id" ? "1" : undefined)), { missing: "n" });
  assert.equal(renderTemplate(compileTemplate("plain"), () => undefined), "plain");
  assert.deepEqual(parseJsonPath("data.items[0]['a-b']"), ["data", "items", 0, "a-b"]);
  assert.deepEqual(parseJsonPath("$"), []);
  for (const bad of ["$..x", "$.a[*]", "$[?(@.a)]", "$.", "$[1:2]"]) {
    assert.equal(parseJsonPath(bad), undefined, bad);
  }
  assert.equal(selectJsonPath({ a: [{ b: 2 }] }, ["a", 0, "b"]), 2);
  assert.equal(selectJsonPath({ a: [1, 2, 3] }, ["a", -1]), 3);
  assert.equal(selectJsonPath({ a: null }, ["a", "b"]), undefined);
});

Deno.test("executors: startTime shifts the run's length, its phases and planned iterations", async () => {
  const { phaseAt, phaseTimeline, plannedIterations, runDurationMs, stageIndexAt } = await import(
    "../../../examples/lunge/run/executors.ts"
  );
  const c = validateConfig({
    settings: { baseUrl: "http://127.0.0.1:1" },
    scenarios: {
      late: {
        executor: "ramping-arrival-rate",
        startTime: "2s",
        stages: [{ duration: "1s", target: 10 }, { duration: "1s", target: 10 }],
        requests: [{ url: "/" }],
      },
    },
  });
  const [late] = c.scenarios;
  assert.equal(runDurationMs(c.scenarios), 4_000);
  assert.equal(phaseAt(c.scenarios, 1_000), "init", "nothing runs yet");
  assert.equal(phaseAt(c.scenarios, 2_500), "ramp-up");
  assert.equal(phaseAt(c.scenarios, 3_500), "steady");
  assert.equal(phaseAt(c.scenarios, 4_000), "cooldown");
  assert.deepEqual(phaseTimeline(c.scenarios).map((p) => [p.offsetMs, p.phase]), [
    [0, "init"],
    [2_000, "ramp-up"],
    [3_000, "steady"],
    [4_000, "cooldown"],
  ]);
  assert.equal(stageIndexAt(late, 3_500), 1);
  assert.equal(plannedIterations(late, 2_000), 0);
  assert.equal(plannedIterations(late, 4_000), 15);
});
