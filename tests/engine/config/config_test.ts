import assert from "node:assert/strict";
import {
  ConfigError,
  loadConfig,
  parseConfigText,
  parseDurationMs,
  parseStagesFlag,
  validateConfig,
} from "../../../examples/lunge/config/config.ts";

const YAML = `
name: Checkout
description: The checkout flow
settings:
  baseUrl: http://127.0.0.1:{{port}}
  timeout: 5s
  maxConnectionsPerHost: 20
  headers:
    Accept: application/json
  userAgent: lunge-test
variables:
  port: 8088
  user: alice
  vus: 4
scenarios:
  browse:
    executor: constant-vus
    vus: "{{vus}}"
    duration: 1m30s
    gracefulStop: 5s
    requests:
      - name: home
        url: "{{baseUrl}}/"
        thinkTime: 500ms
      - name: login
        method: post
        url: /login?u={{user}}
        headers:
          accept: text/plain
        body:
          user: "{{user}}"
  api:
    executor: ramping-arrival-rate
    preAllocatedVUs: 5
    maxVUs: 50
    stages:
      - duration: 30s
        target: 100
      - duration: 1m
        target: 100
    requests:
      - url: http://127.0.0.1:9000/api
thresholds:
  http_req_duration: ["p(95) < 500"]
  http_req_failed: ["rate < 0.01"]
`;

Deno.test("config: YAML with variables, baseUrl and defaults", () => {
  const c = parseConfigText(YAML, "test.yaml");
  assert.equal(c.name, "Checkout");
  assert.equal(c.description, "The checkout flow");
  assert.equal(c.settings.baseUrl, "http://127.0.0.1:8088/");
  assert.equal(c.settings.timeoutMs, 5_000);
  assert.equal(c.settings.maxConnectionsPerHost, 20);
  assert.equal(c.settings.userAgent, "lunge-test");
  assert.equal(c.scenarios.length, 2);
  const [browse, api] = c.scenarios;
  assert.equal(browse.vus, 4); // a whole-string placeholder keeps the variable's type
  assert.equal(browse.durationMs, 90_000);
  assert.equal(browse.gracefulStopMs, 5_000);
  assert.equal(browse.requests[0].url, "http://127.0.0.1:8088/");
  assert.equal(browse.requests[0].thinkTimeMs, 500);
  const login = browse.requests[1];
  assert.equal(login.method, "POST");
  assert.equal(login.url, "http://127.0.0.1:8088/login?u=alice");
  assert.equal(login.body, '{"user":"alice"}');
  // The request's own header replaces the settings one case-insensitively.
  assert.deepEqual(login.headers, { accept: "text/plain", "Content-Type": "application/json" });
  assert.equal(api.executor, "ramping-arrival-rate");
  assert.deepEqual(api.stages, [{ durationMs: 30_000, target: 100 }, {
    durationMs: 60_000,
    target: 100,
  }]);
  assert.equal(api.gracefulStopMs, 30_000);
  assert.equal(api.requests[0].name, "GET /api");
  assert.deepEqual(c.thresholds, {
    http_req_duration: ["p(95) < 500"],
    http_req_failed: ["rate < 0.01"],
  });
});

Deno.test("config: JSON by extension gives the same result", () => {
  const doc = {
    name: "J",
    settings: { baseUrl: "http://127.0.0.1:1" },
    scenarios: {
      a: {
        executor: "constant-arrival-rate",
        rate: 20,
        duration: "2s",
        requests: [{ url: "/x" }],
      },
    },
  };
  const c = parseConfigText(JSON.stringify(doc), "t.json");
  assert.equal(c.scenarios[0].rate, 20);
  assert.equal(c.scenarios[0].requests[0].url, "http://127.0.0.1:1/x");
  assert.equal(c.settings.timeoutMs, 30_000);
  // YAML syntax in a .json file is a parse error naming the file.
  assert.throws(() => parseConfigText("name: x", "t.json"), /^ConfigError: t\.json: cannot parse/);
});

Deno.test("config: loadConfig reads files and names unreadable ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/t.yml`;
    await Deno.writeTextFile(path, YAML);
    assert.equal((await loadConfig(path)).name, "Checkout");
    await assert.rejects(() => loadConfig(`${dir}/missing.yaml`), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, `${dir}/missing.yaml: no such file`);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Each bad document and the exact message it must produce. */
const base = (scenario: Record<string, unknown>) => ({
  scenarios: { api: { requests: [{ url: "http://127.0.0.1:1/" }], ...scenario } },
});
const ERRORS: [string, unknown, string][] = [
  ["not a map", [1], "config: must be a map at the top level"],
  ["no scenarios", { name: "x" }, "scenarios: must be a map with at least one scenario"],
  ["unknown top field", { nmae: "x", ...base({ duration: "1s" }) }, "nmae: unknown field"],
  [
    "bad stage duration",
    base({
      executor: "ramping-vus",
      stages: [{ duration: "1s", target: 1 }, { duration: "5x", target: 2 }],
    }),
    'scenarios.api.stages[1].duration: invalid duration "5x"',
  ],
  [
    "unknown executor",
    base({ executor: "shared-iterations", vus: 1, duration: "1s" }),
    'scenarios.api.executor: unknown executor "shared-iterations" (use constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate)',
  ],
  [
    "missing url",
    { scenarios: { api: { executor: "constant-vus", duration: "1s", requests: [{ name: "x" }] } } },
    "scenarios.api.requests[0].url: required",
  ],
  [
    "negative vus",
    base({ executor: "constant-vus", vus: -3, duration: "1s" }),
    "scenarios.api.vus: must be an integer >= 0 (got -3)",
  ],
  [
    "zero vus",
    base({ executor: "constant-vus", vus: 0, duration: "1s" }),
    "scenarios.api.vus: must be a positive integer (got 0)",
  ],
  [
    "missing duration",
    base({ executor: "constant-vus", vus: 1 }),
    "scenarios.api.duration: required for constant-vus",
  ],
  [
    "missing rate",
    base({ executor: "constant-arrival-rate", duration: "1s" }),
    "scenarios.api.rate: required for constant-arrival-rate",
  ],
  [
    "negative rate",
    base({ executor: "constant-arrival-rate", rate: -5, duration: "1s" }),
    "scenarios.api.rate: must be a positive number (got -5)",
  ],
  [
    "maxVUs below preAllocated",
    base({
      executor: "constant-arrival-rate",
      rate: 5,
      duration: "1s",
      preAllocatedVUs: 10,
      maxVUs: 2,
    }),
    "scenarios.api.maxVUs: must be >= preAllocatedVUs (2 < 10)",
  ],
  [
    "missing stages",
    base({ executor: "ramping-arrival-rate" }),
    "scenarios.api.stages: required for ramping-arrival-rate",
  ],
  [
    "fractional VU target",
    base({ executor: "ramping-vus", stages: [{ duration: "1s", target: 1.5 }] }),
    "scenarios.api.stages[0].target: must be an integer number of VUs (got 1.5)",
  ],
  [
    "number as duration",
    base({ executor: "constant-vus", vus: 1, duration: 30 }),
    'scenarios.api.duration: invalid duration 30 (use a unit, e.g. "30s")',
  ],
  [
    "relative url without baseUrl",
    {
      scenarios: {
        api: { executor: "constant-vus", vus: 1, duration: "1s", requests: [{ url: "/x" }] },
      },
    },
    'scenarios.api.requests[0].url: relative URL "/x" needs settings.baseUrl',
  ],
  [
    "non-http url",
    base({ executor: "constant-vus", vus: 1, duration: "1s", requests: [{ url: "ftp://h/" }] }),
    'scenarios.api.requests[0].url: URL must be http or https (got "ftp://h/")',
  ],
  [
    "unknown variable",
    base({
      executor: "constant-vus",
      vus: 1,
      duration: "1s",
      requests: [{ url: "http://127.0.0.1:1/{{nope}}" }],
    }),
    'scenarios.api.requests[0].url: unknown variable "{{nope}}"',
  ],
  [
    "bad timeout",
    { settings: { timeout: "soon" }, ...base({ executor: "constant-vus", duration: "1s" }) },
    'settings.timeout: invalid duration "soon"',
  ],
  [
    "bad method",
    base({
      executor: "constant-vus",
      duration: "1s",
      requests: [{ url: "http://127.0.0.1:1/", method: "GE T" }],
    }),
    'scenarios.api.requests[0].method: invalid method "GE T"',
  ],
  [
    "header with a line break",
    { settings: { headers: { "X-A": "a\r\nX-B: b" } }, ...base({ duration: "1s" }) },
    "settings.headers.X-A: header value has a line break",
  ],
  [
    "unknown scenario field",
    base({ executor: "constant-vus", duration: "1s", vu: 3 }),
    "scenarios.api.vu: unknown field",
  ],
  [
    "bad threshold",
    { ...base({ executor: "constant-vus", duration: "1s" }), thresholds: { http_req_duration: 5 } },
    "thresholds.http_req_duration",
  ],
];

for (const [what, doc, message] of ERRORS) {
  Deno.test(`config: error path: ${what}`, () => {
    assert.throws(() => validateConfig(doc), (e: Error) => {
      assert.ok(e instanceof ConfigError, `not a ConfigError: ${e}`);
      if (what === "bad threshold") assert.ok(e.message.startsWith(message), e.message);
      else assert.equal(e.message, message);
      return true;
    });
  });
}

Deno.test("config: Lunge fields this engine cannot apply are one warning line per field", () => {
  const c = validateConfig({
    settings: { maxIdleConnsPerHost: 100 },
    options: { setupTimeout: "30s", teardownTimeout: "30s", noVUConnectionReuse: true },
    scenarios: {
      a: { duration: "1s", requests: [{ url: "http://127.0.0.1:1/" }] },
      b: { duration: "1s", requests: [{ url: "http://127.0.0.1:1/" }] },
    },
    thresholds: { custom: { a_duration: ["p95 < 300ms"], b_failed: ["rate < 0.1"] } },
  });
  assert.deepEqual(c.warnings.map((w) => w.split(":")[0]), [
    "options.setupTimeout",
    "options.teardownTimeout",
    "options.noVUConnectionReuse",
    "thresholds.custom",
  ]);
});

Deno.test("config: settings.maxIdleConnsPerHost is applied as Go's MaxIdleConnsPerHost (0: 2)", () => {
  const at = (n: unknown) =>
    validateConfig({
      settings: { maxIdleConnsPerHost: n },
      scenarios: { a: { duration: "1s", requests: [{ url: "http://127.0.0.1:1/" }] } },
    });
  assert.equal(at(10).settings.maxIdleConnsPerHost, 10);
  assert.equal(at(0).settings.maxIdleConnsPerHost, 2);
  assert.deepEqual(at(10).warnings.filter((w) => w.startsWith("settings")), []);
  assert.throws(() => at(-1), /settings\.maxIdleConnsPerHost: must be an integer >= 0 \(got -1\)/);
});

Deno.test("config: durations", () => {
  assert.equal(parseDurationMs("500ms"), 500);
  assert.equal(parseDurationMs("30s"), 30_000);
  assert.equal(parseDurationMs("2m"), 120_000);
  assert.equal(parseDurationMs("1h30m"), 5_400_000);
  assert.equal(parseDurationMs("1.5s"), 1_500);
  assert.equal(parseDurationMs("0"), 0);
  for (const bad of ["", "5", "5x", "s", "-1s", "1s 2s", "1d"]) {
    assert.equal(parseDurationMs(bad), undefined, bad);
  }
});

Deno.test("config: --stages syntax", () => {
  assert.deepEqual(parseStagesFlag("30s:10,1m:10,30s:0"), [
    { durationMs: 30_000, target: 10 },
    { durationMs: 60_000, target: 10 },
    { durationMs: 30_000, target: 0 },
  ]);
  assert.throws(() => parseStagesFlag("30s"), /--stages: invalid stage "30s"/);
  assert.throws(() => parseStagesFlag("5x:1"), /--stages: invalid stage "5x:1"/);
  assert.throws(() => parseStagesFlag(""), /--stages/);
});
