/**
 * End to end, Lunge fidelity: configs as Lunge users write them, run by the
 * engine (real Workers) against the built-in target server or a recording
 * server started here. In every run the server's request count equals the
 * reported count (minus requests reported as never sent, which are named).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadConfig, validateConfig } from "../../../examples/lunge/config/config.ts";
import { runTest } from "../../../examples/lunge/run/engine.ts";
import {
  startTargetServer,
  type TargetServer,
} from "../../../examples/lunge/demo/target_server.ts";
import type { RunResult } from "../../../examples/lunge/result.ts";

const CORPUS = fileURLToPath(new URL("../../../examples/configs/", import.meta.url));

async function withServer(fn: (server: TargetServer) => Promise<void>): Promise<void> {
  const server = await startTargetServer();
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

function run(doc: Record<string, unknown>, workers = 2): Promise<RunResult> {
  return runTest({ config: validateConfig(doc), workers });
}

/** Requests sent = what the server counted (requests never sent are not in totalRequests). */
function assertCounted(r: RunResult, server: { stats(): { requests: number } }): void {
  assert.equal(r.metrics.totalRequests, server.stats().requests);
}

Deno.test("e2e: login -> token -> profile: every profile request authorised, counts equal", async () => {
  await withServer(async (server) => {
    const r = await run({
      settings: { baseUrl: server.url },
      scenarios: {
        members: {
          executor: "constant-vus",
          vus: 4,
          duration: "1500ms",
          requests: [
            {
              name: "login",
              method: "POST",
              url: "/login",
              body: { user: "vu{{vuId}}" },
              extract: [{ name: "token", source: "json", path: "$.token" }],
            },
            {
              name: "profile",
              url: "/profile",
              headers: { Authorization: "Bearer {{token}}" },
              assertions: [
                { type: "status", condition: "eq", value: 200 },
                { type: "json", path: "$.user", condition: "eq", value: "vu{{vuId}}" },
              ],
            },
          ],
        },
      },
    });
    assertCounted(r, server);
    const byPath = server.stats().byPath;
    assert.ok(byPath["/profile"] > 10, JSON.stringify(byPath));
    assert.equal(
      r.metrics.statusCodes["401"],
      undefined,
      "no profile request went without its token",
    );
    assert.deepEqual(r.metrics.errorsByType, {});
    const checks = r.scenarios.members.checks!;
    assert.deepEqual(checks.map((c) => [c.passes, c.fails]), [
      [byPath["/profile"], 0],
      [byPath["/profile"], 0],
    ]);
  });
});

Deno.test("e2e: assertions failing on every 4th response give exact pass rates", async () => {
  await withServer(async (server) => {
    const label = "ok flag set";
    const r = await run({
      settings: { baseUrl: server.url },
      scenarios: {
        api: {
          executor: "constant-arrival-rate",
          rate: 60,
          duration: "1500ms",
          preAllocatedVUs: 4,
          requests: [{
            name: "cycle",
            url: "/cycle/4",
            assertions: [
              { type: "json", path: "$.ok", condition: "eq", value: "true", message: label },
              { type: "status", condition: "eq", value: 200 },
            ],
          }],
        },
      },
    });
    assertCounted(r, server);
    const n = server.stats().byPath["/cycle/4"];
    const failing = Math.floor(n / 4);
    assert.ok(n >= 60, `${n} requests`);
    const [flag, status] = r.scenarios.api.checks!;
    assert.deepEqual([flag.assertion, flag.passes, flag.fails], [label, n - failing, failing]);
    assert.equal(flag.rate, (n - failing) / n);
    assert.deepEqual([status.passes, status.fails], [n, 0]);
    // A failed assertion marks its request failed with the assertion as error type.
    assert.deepEqual(r.metrics.errorsByType, { [`assertion: ${label}`]: failing });
    assert.equal(r.metrics.failedRequests, failing);
    assert.equal(
      r.passed,
      true,
      "no threshold: assertions alone do not fail the run (as k6 checks)",
    );
  });
});

Deno.test("e2e: a failed extract is an error type; the request needing it is counted as not sent", async () => {
  await withServer(async (server) => {
    const r = await run({
      settings: { baseUrl: server.url },
      scenarios: {
        s: {
          executor: "constant-vus",
          vus: 2,
          duration: "1s",
          pacing: "50ms",
          requests: [
            {
              name: "doc",
              url: "/json",
              extract: [{ name: "nope", source: "json", path: "$.nope" }],
            },
            { name: "use", url: "/p/{{nope}}" },
            { name: "after", url: "/" },
          ],
        },
      },
    }, 1);
    const byPath = server.stats().byPath;
    const iterations = byPath["/json"];
    assert.ok(iterations > 3);
    assert.deepEqual(r.metrics.errorsByType, { "extract: nope": iterations });
    assert.deepEqual(r.metrics.notSent, {
      total: iterations,
      byReason: { "missing variable nope": iterations },
      byName: { use: iterations },
    });
    assert.deepEqual(r.scenarios.s.notSent, r.metrics.notSent);
    assert.equal(r.metrics.byName.use, undefined, "never sent: no latency of its own");
    assert.equal(
      Object.keys(byPath).some((p) => p.startsWith("/p/")),
      false,
      "never sent as {{nope}}",
    );
    assert.equal(byPath["/"], iterations, "the iteration went on");
    assertCounted(r, server);
  });
});

Deno.test("e2e: a run that sent nothing fails naming how many were not sent and why", async () => {
  await withServer(async (server) => {
    const r = await run({
      settings: { baseUrl: server.url },
      scenarios: {
        s: {
          executor: "constant-vus",
          vus: 2,
          duration: "1s",
          pacing: "50ms",
          // A host the test's --allow-net does not grant: refused before any byte.
          requests: [{ name: "denied", url: "http://lunge-denied.invalid/" }],
        },
      },
    }, 1);
    assert.equal(r.metrics.totalRequests, 0);
    assert.equal(server.stats().requests, 0, "the server saw nothing");
    assert.ok(r.metrics.notSent!.total > 3);
    assert.equal(r.passed, false);
    assert.equal(
      r.error,
      `no request was sent: all ${r.metrics.notSent!.total} requests were not sent ` +
        "(most: permission denied)",
    );
  });
});

Deno.test("e2e: startTime offsets are visible in the time series; tags reach the JSON", async () => {
  await withServer(async (server) => {
    const r = await run({
      settings: { baseUrl: server.url },
      scenarios: {
        early: {
          executor: "constant-arrival-rate",
          rate: 5,
          duration: "4s",
          preAllocatedVUs: 2,
          tags: { kind: "trickle" },
          requests: [{ url: "/" }],
        },
        late: {
          executor: "constant-arrival-rate",
          rate: 80,
          duration: "2s",
          startTime: "2s",
          preAllocatedVUs: 4,
          requests: [{ url: "/late" }],
        },
      },
    });
    assertCounted(r, server);
    assert.deepEqual(r.scenarios.early.tags, { kind: "trickle" });
    assert.equal(r.scenarios.late.startTime, 2_000);
    // The schedule's offset 0: the first phase after "init".
    const t0 = r.phases.find((p) => p.phase !== "init")!.timestamp;
    const points = r.timeSeries.points.map((p) => ({ from: p.timestamp - t0, n: p.requests }));
    const shown = JSON.stringify(points);
    // Whole seconds before 2 s: only the 5/s scenario; whole seconds within 2..4 s: 85/s.
    const before = points.filter((p) => p.from + 1000 <= 2_000);
    const after = points.filter((p) => p.from >= 2_000 && p.from + 1000 <= 4_000);
    assert.ok(before.length >= 1 && after.length >= 1, shown);
    for (const p of before) assert.ok(p.n <= 8, shown);
    for (const p of after) assert.ok(p.n >= 60, shown);
    assert.equal(server.stats().byPath["/late"], r.scenarios.late.iterations);
  });
});

/** A server recording when each request arrived (performance ms), per path. */
function recordingServer() {
  const arrivals: { path: string; at: number }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    arrivals.push({ path: new URL(req.url).pathname, at: performance.now() });
    return new Response("ok");
  });
  return { arrivals, url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

Deno.test("e2e: random pacing waits after each iteration, within min..max", async () => {
  const server = recordingServer();
  try {
    const r = await run({
      settings: { baseUrl: server.url },
      scenarios: {
        s: {
          executor: "constant-vus",
          vus: 1,
          duration: "2500ms",
          pacing: { type: "random", min: "100ms", max: "200ms" },
          requests: [{ url: "/" }],
        },
      },
    }, 1);
    assert.equal(r.metrics.totalRequests, server.arrivals.length);
    const gaps = server.arrivals.slice(1).map((a, i) => a.at - server.arrivals[i].at);
    assert.ok(gaps.length >= 8, `${gaps.length} gaps`);
    for (const g of gaps) assert.ok(g >= 99 && g < 200 + 150, `gap ${g.toFixed(1)} ms`);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const spread = Math.max(...gaps) - Math.min(...gaps);
    assert.ok(spread > 10, `random waits vary (spread ${spread.toFixed(1)} ms, mean ${mean})`);
  } finally {
    await server.close();
  }
});

Deno.test("e2e: think time applies between requests, not after an iteration's last", async () => {
  const server = recordingServer();
  try {
    const r = await run({
      settings: { baseUrl: server.url },
      scenarios: {
        s: {
          executor: "constant-vus",
          vus: 1,
          duration: "1500ms",
          requests: [{ url: "/a", thinkTime: "250ms" }, { url: "/b", thinkTime: "250ms" }],
        },
      },
    }, 1);
    assert.equal(r.metrics.totalRequests, server.arrivals.length);
    const a = server.arrivals;
    let checked = 0;
    for (let i = 1; i < a.length; i++) {
      const gap = a[i].at - a[i - 1].at;
      if (a[i].path === "/b") assert.ok(gap >= 249, `a -> b ${gap} ms`);
      else {
        assert.ok(
          gap < 100,
          `b -> next a ${gap.toFixed(1)} ms: no think time after the last request`,
        );
        checked++;
      }
    }
    assert.ok(checked >= 2, `${checked} iteration boundaries`);
  } finally {
    await server.close();
  }
});

Deno.test("e2e: a request's own timeout overrides settings.timeout", async () => {
  await withServer(async (server) => {
    const r = await run({
      settings: { baseUrl: server.url, timeout: "10s" },
      scenarios: {
        s: {
          executor: "constant-vus",
          vus: 2,
          duration: "1s",
          gracefulStop: "5s",
          requests: [{ name: "slow", url: "/delay/3000", timeout: "150ms" }],
        },
      },
    }, 1);
    assertCounted(r, server);
    const n = r.metrics.totalRequests;
    assert.ok(n >= 4, `${n} requests`);
    assert.deepEqual(r.metrics.errorsByType, { timeout: n });
    assert.ok(r.metrics.latency.max < 1_000, `max ${r.metrics.latency.max} ms`);
  });
});

Deno.test("e2e: the corpus config with every Lunge field runs; counts equal", async () => {
  await withServer(async (server) => {
    const config = await loadConfig(`${CORPUS}full_schema.yaml`);
    const base = server.url;
    for (const s of config.scenarios) {
      for (const req of s.requests) {
        req.url = req.url.replace("http://127.0.0.1:8088/", base);
      }
    }
    const r = await runTest({ config, workers: 2 });
    assertCounted(r, server);
    assert.equal(r.error, null);
    const byPath = server.stats().byPath;
    assert.equal(byPath["/profile"], byPath["/login"], "each login followed by its profile");
    const checks = Object.values(r.scenarios).flatMap((s) => s.checks ?? []);
    assert.ok(checks.length >= 13);
    for (const c of checks) assert.equal(c.fails, 0, `${c.request}: ${c.assertion}`);
    assert.deepEqual(r.scenarios.shoppers.tags, { user_type: "browser" });
    assert.deepEqual(r.scenarios.ramp.stages!.map((s) => s.name), ["ramp-up", "ramp-down"]);
  });
});

Deno.test("e2e: the summary and the HTML report show each assertion's pass rate and the tags", async () => {
  const { renderSummary } = await import("../../../examples/lunge/report/summary.ts");
  const { renderHtmlReport } = await import("../../../examples/lunge/outputs/html/page.ts");
  await withServer(async (server) => {
    const r = await run({
      settings: { baseUrl: server.url },
      scenarios: {
        api: {
          executor: "constant-vus",
          vus: 1,
          duration: "500ms",
          tags: { team: "checkout" },
          requests: [{
            name: "cycle",
            url: "/cycle/2",
            assertions: [{ type: "json", path: "$.ok", condition: "eq", value: "true" }],
          }],
        },
      },
    }, 1);
    const n = server.stats().byPath["/cycle/2"];
    const [check] = r.scenarios.api.checks!;
    assert.deepEqual([check.passes, check.fails], [n - Math.floor(n / 2), Math.floor(n / 2)]);
    const text = renderSummary(r, { color: false, quiet: false });
    const { formatCount, formatPercent } = await import(
      "../../../examples/lunge/report/_report_format.ts"
    );
    const pct = formatPercent(check.rate);
    assert.match(text, /\nChecks\n/);
    assert.ok(
      text.includes(
        `✗ api › cycle › json $.ok eq true: ${pct} (${formatCount(check.passes)} / ${
          formatCount(n)
        })`,
      ),
      text,
    );
    const verbose = renderSummary(r, { color: false, quiet: false, verbose: true });
    assert.match(verbose, /api \{team=checkout\}/, "the scenarios table (-v) shows the tags");
    const html = renderHtmlReport(r);
    assert.match(html, /<section id="checks"><h2>Checks<\/h2>/);
    assert.ok(html.includes("json $.ok eq true"));
    assert.ok(html.includes(`<span class="tags">team=checkout</span>`));
  });
});

Deno.test("e2e: the demo's config runs its checks against the built-in target server", async () => {
  const { demoConfig } = await import("../../../examples/lunge/demo/demo.ts");
  await withServer(async (server) => {
    const r = await runTest({ config: demoConfig(server.url.replace(/\/$/, ""), 2), workers: 2 });
    assertCounted(r, server);
    const checks = Object.values(r.scenarios).flatMap((s) => s.checks ?? []);
    assert.deepEqual(checks.map((c) => c.assertion), ["status eq 200", "json $.q eq lunge"]);
    for (const c of checks) assert.ok(c.passes > 0 && c.fails === 0, JSON.stringify(c));
  });
});
