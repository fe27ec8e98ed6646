/**
 * CLI parity with Lunge's `perf` flags (`internal/cli/perf.go`): its
 * spellings are accepted beside ours, `--json --output r.json` writes only
 * the file, `-q` silences config warnings, and a config with several
 * problems reports all of them in one run.
 */
import assert from "node:assert/strict";
import { parseCli, type RunCommand } from "../../../examples/lunge/cli.ts";
import { startTargetServer } from "../../../examples/lunge/demo/target_server.ts";
import { READ, runLunge } from "../_cli.ts";

const canRun = Deno.permissions.querySync({ name: "run" }).state === "granted";

const parse = (...args: string[]) => parseCli(args, {}) as RunCommand;

Deno.test("cli: Lunge's spellings -o, -t and --format beside ours", () => {
  const a = parse("--url", "http://h/", "-o", "r.json", "-t", "5s");
  assert.equal(a.jsonFile, "r.json");
  assert.equal(a.load.timeoutMs, 5_000);
  assert.equal(parse("--url", "http://h/", "--output", "r.html").htmlFile, "r.html");
  assert.equal(parse("--url", "http://h/", "--format", "json").json, true);
  assert.equal(parse("--url", "http://h/", "--format", "html").htmlFile, "lunge-report.html");
  const text = parse("--url", "http://h/", "--format", "text");
  assert.deepEqual([text.json, text.htmlFile, text.jsonFile], [false, undefined, undefined]);
  assert.throws(
    () => parse("--url", "http://h/", "--format", "xml"),
    /--format must be text, json or html/,
  );
});

Deno.test("cli: --json combines with -o/--output (no extension: both files)", () => {
  assert.equal(parse("--url", "http://h/", "--json").json, true);
  const both = parse("--url", "http://h/", "--json", "--output", "r.json");
  assert.deepEqual([both.json, both.jsonFile], [true, "r.json"]);
  const noExt = parse("--url", "http://h/", "--json", "-o", "out");
  assert.deepEqual([noExt.json, noExt.jsonFile, noExt.htmlFile], [true, "out.json", "out.html"]);
});

Deno.test({
  name: "cli: --json --output r.json writes the file and prints no JSON; -q silences warnings",
  ignore: !canRun,
  async fn() {
    const server = await startTargetServer();
    const dir = await Deno.makeTempDir();
    try {
      const config = `${dir}/c.yaml`;
      await Deno.writeTextFile(
        config,
        `settings: { baseUrl: "${server.url}", maxIdleConnsPerHost: 10 }
scenarios:
  a: { duration: 500ms, vus: 1, requests: [{ url: / }] }
  b: { duration: 500ms, vus: 1, requests: [{ url: / }] }
options: { setupTimeout: 1s, teardownTimeout: 1s }
`,
      );
      const lunge = (...args: string[]) =>
        runLunge(["-c", config, ...args], [
          `--allow-net=127.0.0.1:${server.port}`,
          `--allow-read=${READ},${dir}`,
          `--allow-write=${dir}`,
        ]);
      const out = await lunge("--json", "--output", `${dir}/r.json`);
      const { stdout, stderr } = out;
      assert.equal(out.code, 0, stderr);
      assert.equal(stdout, "", "no JSON on stdout: only the file (console output on stderr)");
      assert.match(stderr, new RegExp(`Report written to ${RegExp.escape(`${dir}/r.json`)}`));
      const result = JSON.parse(await Deno.readTextFile(`${dir}/r.json`));
      assert.equal(result.metrics.totalRequests, server.stats().requests);
      // One warning line per field, however many scenarios.
      assert.deepEqual(
        stderr.trim().split("\n").filter((l) => l.startsWith("lunge: warning:")).map((l) =>
          l.split(":")[2].trim()
        ),
        ["options.setupTimeout", "options.teardownTimeout"],
      );
      const quiet = await lunge("-q");
      assert.equal(quiet.code, 0);
      assert.equal(quiet.stderr, "", "-q: no warnings");
      assert.equal(quiet.stdout.trim(), "PASSED");
    } finally {
      await Deno.remove(dir, { recursive: true });
      await server.close();
    }
  },
});

Deno.test({
  name: "cli: a config with six different errors reports all six in one run, exit 2",
  ignore: !canRun,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const config = `${dir}/bad.yaml`;
      await Deno.writeTextFile(
        config,
        `settings: { timeout: soon }
scenarios:
  api:
    vus: 0
    duration: 1s
    pacing: { type: random, min: 2s }
    requests:
      - url: "http://127.0.0.1:1/{{nope}}"
        assertions: [{ type: status, condition: near, value: 200 }]
thresholds: { http_req_duration: ["p95 <"] }
`,
      );
      const out = await runLunge(["-c", config], [`--allow-read=${READ},${dir}`]);
      const lines = out.stderr.trim().split("\n");
      assert.equal(out.code, 2);
      assert.equal(lines[0], `lunge: ${config}: 6 problems:`);
      assert.deepEqual(lines.slice(1).map((l) => l.trim().split(":")[0]), [
        "settings.timeout",
        "scenarios.api.requests[0].url",
        "scenarios.api.requests[0].assertions[0].condition",
        "scenarios.api.pacing.max",
        "scenarios.api.vus",
        "thresholds.http_req_duration[0]",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
