/**
 * End to end: the CLI as a subprocess with narrow permissions, against a
 * counting target server started here. Each run lasts 1-2 s.
 */
import assert from "node:assert/strict";
import {
  startTargetServer,
  type TargetServer,
} from "../../../examples/lunge/demo/target_server.ts";
import type { RunResult } from "../../../examples/lunge/result.ts";
import { lungeCommand, type Outcome, READ as READ_PATHS, ROOT, runLunge } from "../_cli.ts";

const READ = `--allow-read=${READ_PATHS}`;

async function lunge(
  args: string[],
  permissions: string[],
  cwd?: string,
): Promise<Outcome & { result?: RunResult }> {
  const out = await runLunge(args, permissions, { cwd });
  let result: RunResult | undefined;
  if (args.includes("--json") && out.stdout.trim().startsWith("{")) result = JSON.parse(out.stdout);
  return { ...out, result };
}

/** Runs against a fresh server; `hostPort` is the server's `127.0.0.1:port`. */
async function withServer(fn: (server: TargetServer, hostPort: string) => Promise<void>) {
  const server = await startTargetServer({ hostname: "127.0.0.1", port: 0 });
  try {
    await fn(server, `127.0.0.1:${server.port}`);
  } finally {
    await server.close();
  }
}

function checkCommon(r: RunResult, server: TargetServer) {
  assert.equal(r.timeUnit, "ms");
  assert.equal(r.error, null);
  assert.equal(typeof r.startTime, "string");
  assert.ok(r.duration > 0);
  // Every request the server saw is in the report, and nothing else.
  assert.equal(r.metrics.totalRequests, server.stats().requests);
  assert.equal(r.metrics.successfulRequests + r.metrics.failedRequests, r.metrics.totalRequests);
  assert.ok(r.timeSeries.points.length >= 1);
  for (const p of r.timeSeries.points) {
    assert.equal(typeof p.activeVUs, "number");
    assert.equal(typeof p.phase, "string");
  }
  assert.equal(r.phases[0].phase, "init");
  assert.equal(r.phases[r.phases.length - 1].phase, "done");
  assert.equal(r.metrics.droppedSamples, 0);
}

Deno.test("e2e: constant-vus from --url, JSON result fields, count equals the server's", async () => {
  await withServer(async (server, host) => {
    const o = await lunge(
      ["--url", `${server.url}bytes/100`, "--vus", "4", "--duration", "1s", "--json", "-q"],
      [`--allow-net=${host}`, READ],
    );
    assert.equal(o.code, 0, o.stderr);
    const r = o.result!;
    checkCommon(r, server);
    assert.equal(r.passed, true);
    assert.equal(r.collector, "atomic");
    const s = r.scenarios.default;
    assert.equal(s.executor, "constant-vus");
    assert.equal(s.iterations, r.metrics.totalRequests);
    assert.ok(s.maxVUs >= 1 && s.maxVUs <= 4);
    assert.ok(r.metrics.totalRequests > 50, `only ${r.metrics.totalRequests} requests`);
    assert.deepEqual(Object.keys(r.metrics.statusCodes), ["200"]);
    assert.ok(r.metrics.totalBytes >= 100 * r.metrics.totalRequests);
    assert.ok(r.metrics.byName["GET /bytes/100"].count === r.metrics.totalRequests);
    assert.match(o.stderr, /PASSED/);
  });
});

Deno.test("e2e: ramping-vus from --stages ramps up and down", async () => {
  await withServer(async (server, host) => {
    const o = await lunge(
      ["--url", server.url, "--stages", "600ms:4,600ms:0", "--json", "-q", "--collector", "mutex"],
      [`--allow-net=${host}`, READ],
    );
    assert.equal(o.code, 0, o.stderr);
    const r = o.result!;
    checkCommon(r, server);
    assert.equal(r.collector, "mutex");
    assert.equal(r.scenarios.default.executor, "ramping-vus");
    assert.ok(r.scenarios.default.maxVUs <= 4);
    const phases = r.phases.map((p) => p.phase);
    assert.deepEqual(phases.slice(1, 3), ["ramp-up", "ramp-down"]);
  });
});

Deno.test("e2e: constant-arrival-rate issues exactly rate x duration, timed from the schedule", async () => {
  await withServer(async (server, host) => {
    const o = await lunge(
      ["--url", `${server.url}delay/5`, "--rate", "200", "--duration", "1s", "--json", "-q"],
      [`--allow-net=${host}`, READ],
    );
    assert.equal(o.code, 0, o.stderr);
    const r = o.result!;
    checkCommon(r, server);
    const s = r.scenarios.default;
    assert.equal(s.executor, "constant-arrival-rate");
    assert.equal(s.targetRate, 200);
    assert.equal(s.droppedIterations, 0);
    assert.equal(s.iterations, 200);
    assert.equal(r.metrics.totalRequests, 200);
    // Latency runs from the scheduled start, so it is at least the server's delay.
    assert.ok(r.metrics.latency.min >= 4.5, `min ${r.metrics.latency.min}`);
    assert.ok(r.metrics.generation.rate > 0);
    // The generator's own lateness is measured too (it is part of the latency).
    assert.equal(s.sendLag?.count, 200);
    assert.ok(s.sendLag!.p50 <= s.sendLag!.p99 && s.sendLag!.p99 <= s.sendLag!.max + 0.1);
    assert.ok(s.sendLag!.p50 < 50, `send lag p50 ${s.sendLag!.p50} ms`);
  });
});

Deno.test("e2e: iterations due when no VU is free are dropped, not queued", async () => {
  await withServer(async (server, host) => {
    const o = await lunge(
      [
        "--url",
        `${server.url}delay/50`,
        "--rate",
        "100",
        "--duration",
        "1s",
        "--pre-allocated-vus",
        "1",
        "--max-vus",
        "2",
        "--json",
        "-q",
      ],
      [`--allow-net=${host}`, READ],
    );
    assert.equal(o.code, 0, o.stderr);
    const r = o.result!;
    checkCommon(r, server);
    const s = r.scenarios.default;
    // Two VUs, each busy 50 ms per iteration, manage ~40 of the 100 due.
    assert.equal(s.iterations + s.droppedIterations, 100);
    assert.ok(s.droppedIterations >= 40, `dropped ${s.droppedIterations}`);
    assert.ok(s.maxVUs <= 2);
    assert.equal(r.metrics.totalRequests, s.iterations);
  });
});

Deno.test("e2e: ramping-arrival-rate from a YAML config ramps from 0; thresholds pass", async () => {
  await withServer(async (server, host) => {
    const dir = await Deno.makeTempDir();
    try {
      const config = `${dir}/ramp.yaml`;
      await Deno.writeTextFile(
        config,
        `name: ramp
settings:
  baseUrl: ${server.url}
variables:
  page: status/201
scenarios:
  api:
    executor: ramping-arrival-rate
    preAllocatedVUs: 4
    maxVUs: 20
    stages:
      - { duration: 1s, target: 100 }
      - { duration: 500ms, target: 100 }
    requests:
      - name: created
        url: "{{baseUrl}}/{{page}}"
thresholds:
  http_req_failed: ["rate < 0.01"]
  http_reqs: ["count >= 100"]
`,
      );
      const o = await lunge(["-c", config, "--json", "-q"], [
        `--allow-net=${host}`,
        READ,
        `--allow-read=${READ_PATHS},${config}`,
      ]);
      assert.equal(o.code, 0, o.stderr);
      const r = o.result!;
      checkCommon(r, server);
      // 0 -> 100/s over 1 s is 50 iterations, then 50 more in 0.5 s at 100/s.
      assert.equal(r.scenarios.api.iterations, 100);
      assert.equal(r.metrics.statusCodes["201"], 100);
      assert.equal(r.metrics.byName.created.count, 100);
      assert.equal(r.passed, true);
      assert.deepEqual(r.thresholds.map((t) => t.passed), [true, true]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("e2e: a failed threshold exits 1; --output without extension writes JSON and HTML", async () => {
  await withServer(async (server, host) => {
    const dir = await Deno.makeTempDir();
    try {
      const config = `${dir}/strict.json`;
      await Deno.writeTextFile(
        config,
        JSON.stringify({
          name: "strict",
          scenarios: {
            s: {
              executor: "constant-vus",
              vus: 2,
              duration: "1s",
              requests: [{ url: `${server.url}delay/20` }],
            },
          },
          thresholds: { http_req_duration: ["p(95) < 1"] },
        }),
      );
      const o = await lunge(["-c", config, "--output", `${dir}/report`, "-q"], [
        `--allow-net=${host}`,
        `--allow-read=${READ_PATHS},${config}`,
        `--allow-write=${dir}`,
      ]);
      assert.equal(o.code, 1, o.stderr);
      assert.match(o.stdout, /FAILED/);
      const r: RunResult = JSON.parse(await Deno.readTextFile(`${dir}/report.json`));
      checkCommon(r, server);
      assert.equal(r.passed, false);
      assert.equal(r.thresholds[0].passed, false);
      assert.ok(r.thresholds[0].value >= 20);
      const html = await Deno.readTextFile(`${dir}/report.html`);
      assert.match(html, /^<!DOCTYPE html>/i);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("e2e: a refused connection is counted under errorsByType", async () => {
  // A port with nothing listening: bind one, then close it.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const o = await lunge(
    ["--url", `http://127.0.0.1:${port}/`, "--rate", "50", "--duration", "1s", "--json", "-q"],
    [`--allow-net=127.0.0.1:${port}`, READ],
  );
  const r = o.result!;
  assert.ok(r, o.stderr);
  assert.equal(r.metrics.totalRequests, 50);
  assert.equal(r.metrics.failedRequests, 50);
  assert.deepEqual(r.metrics.errorsByType, { "connection refused": 50 });
  assert.deepEqual(r.metrics.statusCodes, { "0": 50 });
  // An unreachable target fails the run (exit 1) with the reason.
  assert.equal(o.code, 1);
  assert.equal(r.passed, false);
  assert.match(
    r.error ?? "",
    /no response from the target: all 50 requests failed \(connection refused\)/,
  );
});

Deno.test("e2e: server errors (POST with -H and --body) are counted under errorsByStatus", async () => {
  await withServer(async (server, host) => {
    const o = await lunge(
      [
        "--url",
        `${server.url}status/500`,
        "--method",
        "POST",
        "-H",
        "X-Test: 1",
        "--body",
        "x",
        "--vus",
        "2",
        "--duration",
        "1s",
        "--json",
        "-q",
      ],
      [`--allow-net=${host}`, READ],
    );
    const r = o.result!;
    assert.ok(r, o.stderr);
    checkCommon(r, server);
    assert.equal(r.metrics.failedRequests, r.metrics.totalRequests);
    assert.deepEqual(r.metrics.errorsByStatus, { "500": r.metrics.totalRequests });
    assert.deepEqual(r.metrics.errorsByType, {});
  });
});

Deno.test("e2e: bad flags and bad configs exit 2 with one line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.yaml`, "scenarios:\n  a:\n    executor: warp\n");
    await Deno.writeTextFile(`${dir}/broken.yaml`, "scenarios: [\n");
    const perms = [`--allow-read=${READ_PATHS},${dir}`];
    const cases: [string[], RegExp][] = [
      [["--url", "http://127.0.0.1:1/", "--vus", "abc"], /--vus must be a positive integer/],
      [["-c", `${dir}/bad.yaml`], /scenarios\.a\.executor: unknown executor "warp"/],
      [["-c", `${dir}/broken.yaml`], /broken\.yaml: cannot parse/],
      [["-c", `${dir}/none.yaml`], /none\.yaml: no such file/],
      // Network permission missing: one line naming the flag to add.
      [
        ["--url", "http://127.0.0.1:9/", "--duration", "1s"],
        /run Deno with --allow-net=127\.0\.0\.1:9/,
      ],
    ];
    for (const [args, message] of cases) {
      const o = await lunge(args, perms);
      assert.equal(o.code, 2, `${args}: ${o.stderr}`);
      assert.match(o.stderr, /^lunge: [^\n]+\n$/);
      assert.match(o.stderr, message);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("e2e: the demo runs with exactly the deno task permissions", async () => {
  // Exactly `deno task demo`: from the repository root, --allow-read=.
  const o = await lunge(["demo", "--duration", "2s", "--json"], [
    "--allow-net=127.0.0.1",
    "--allow-read=.",
    "--allow-env=LUNGE_COLLECTOR,NO_COLOR,FORCE_COLOR",
  ], ROOT);
  assert.equal(o.code, 0, o.stderr);
  const r = o.result!;
  assert.equal(r.name, "Lunge demo");
  assert.deepEqual(Object.keys(r.scenarios).sort(), ["api", "browse"]);
  for (const name of ["home", "slow", "asset", "search", "broken"]) {
    assert.ok(r.metrics.byName[name]?.count > 0, `no ${name} requests`);
  }
  assert.ok(r.metrics.byName.slow.min >= 25);
  assert.ok(r.metrics.errorsByStatus["500"] > 0);
  assert.match(o.stderr, /Lunge demo - Completed/);
});

Deno.test({
  name: "e2e: SIGINT stops gracefully and still reports",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withServer(async (server, host) => {
      const child = lungeCommand(
        ["--url", server.url, "--vus", "2", "--duration", "30s", "--json", "-q"],
        [`--allow-net=${host}`, READ],
      ).spawn();
      await new Promise((r) => setTimeout(r, 1_500));
      const t0 = performance.now();
      child.kill("SIGINT");
      const out = await child.output();
      assert.ok(performance.now() - t0 < 5_000);
      const r: RunResult = JSON.parse(new TextDecoder().decode(out.stdout));
      assert.equal(out.code, 1);
      assert.match(r.error!, /interrupted/);
      assert.ok(r.metrics.totalRequests > 0);
      assert.equal(r.metrics.totalRequests, server.stats().requests);
    });
  },
});
