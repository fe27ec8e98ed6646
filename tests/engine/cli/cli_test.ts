import assert from "node:assert/strict";
import { buildConfig, parseCli, type RunCommand, UsageError } from "../../../examples/lunge/cli.ts";
import { ROOT, runLunge } from "../_cli.ts";

function run(args: string[]): RunCommand {
  const cmd = parseCli(args, {});
  assert.ok(cmd.kind === "run" || cmd.kind === "demo");
  return cmd;
}

Deno.test("cli: --url alone is one GET, constant-vus, 10 VUs, 30 s", async () => {
  const cmd = run(["--url", "http://127.0.0.1:8088/x"]);
  assert.equal(cmd.collector, "atomic");
  const c = await buildConfig(cmd);
  assert.equal(c.scenarios.length, 1);
  const s = c.scenarios[0];
  assert.equal(s.executor, "constant-vus");
  assert.equal(s.vus, 10);
  assert.equal(s.durationMs, 30_000);
  assert.equal(s.requests[0].method, "GET");
  assert.equal(s.requests[0].url, "http://127.0.0.1:8088/x");
  assert.equal(c.name, "GET http://127.0.0.1:8088/x");
});

Deno.test("cli: a leading perf word is optional; flags map onto the scenario", async () => {
  const cmd = run([
    "perf",
    "--url=http://127.0.0.1:1/post",
    "--rate",
    "50",
    "--duration",
    "1m30s",
    "--pre-allocated-vus",
    "3",
    "--max-vus",
    "9",
    "--method",
    "post",
    "-H",
    "X-A: 1",
    "--header",
    "Content-Type: text/plain",
    "--body",
    "hi",
    "--timeout",
    "2s",
    "--json",
    "-q",
    "--collector",
    "mutex",
    "--workers",
    "3",
  ]);
  assert.equal(cmd.json, true);
  assert.equal(cmd.quiet, true);
  assert.equal(cmd.collector, "mutex");
  assert.equal(cmd.workers, 3);
  const c = await buildConfig(cmd);
  const s = c.scenarios[0];
  assert.equal(s.executor, "constant-arrival-rate");
  assert.equal(s.rate, 50);
  assert.equal(s.durationMs, 90_000);
  assert.equal(s.preAllocatedVUs, 3);
  assert.equal(s.maxVUs, 9);
  assert.equal(s.requests[0].method, "POST");
  assert.equal(s.requests[0].body, "hi");
  assert.deepEqual(s.requests[0].headers, { "X-A": "1", "Content-Type": "text/plain" });
  assert.equal(c.settings.timeoutMs, 2_000);
});

Deno.test("cli: --stages picks ramping-vus, or ramping-arrival-rate with a pool", async () => {
  const vus = await buildConfig(run(["--url", "http://h/", "--stages", "1s:5,2s:0"]));
  assert.equal(vus.scenarios[0].executor, "ramping-vus");
  const rate = await buildConfig(run(["--url", "http://h/", "--stages", "1s:5", "--max-vus", "4"]));
  assert.equal(rate.scenarios[0].executor, "ramping-arrival-rate");
});

Deno.test("cli: LUNGE_COLLECTOR is the default, --collector wins", () => {
  assert.equal(parseCli(["--url", "http://h/"], { collector: "mutex" }).kind, "run");
  assert.equal(
    (parseCli(["--url", "http://h/"], { collector: "mutex" }) as RunCommand).collector,
    "mutex",
  );
  assert.equal(
    (parseCli(["--url", "http://h/", "--collector", "atomic"], {
      collector: "mutex",
    }) as RunCommand)
      .collector,
    "atomic",
  );
  assert.throws(
    () => parseCli(["--url", "http://h/"], { collector: "fast" }),
    /LUNGE_COLLECTOR must be "atomic" or "mutex" \(got "fast"\)/,
  );
});

Deno.test("cli: --output by extension, --html default path", () => {
  const a = run(["--url", "http://h/", "--output", "out/r.json"]);
  assert.deepEqual([a.jsonFile, a.htmlFile], ["out/r.json", undefined]);
  const b = run(["--url", "http://h/", "--output", "r.html"]);
  assert.deepEqual([b.jsonFile, b.htmlFile], [undefined, "r.html"]);
  const c = run(["--url", "http://h/", "--output", "report"]);
  assert.deepEqual([c.jsonFile, c.htmlFile], ["report.json", "report.html"]);
  const d = run(["--url", "http://h/", "--html"]);
  assert.deepEqual([d.jsonFile, d.htmlFile], [undefined, "lunge-report.html"]);
  const e = run(["--url", "http://h/", "--html", "--output", "x.json"]);
  assert.deepEqual([e.jsonFile, e.htmlFile], ["x.json", "x.html"]);
});

Deno.test("cli: help, version and demo", () => {
  assert.equal(parseCli(["--help"], {}).kind, "help");
  assert.equal(parseCli(["-h"], {}).kind, "help");
  assert.equal(parseCli(["--version"], {}).kind, "version");
  assert.equal(parseCli(["demo", "-q"], {}).kind, "demo");
});

/** Bad command lines and the one-line message each must give. */
const BAD: [string[], string][] = [
  [["--vus", "abc", "--url", "http://h/"], '--vus must be a positive integer (got "abc")'],
  [["--vus", "0", "--url", "http://h/"], '--vus must be a positive integer (got "0")'],
  [["--vus", "-3", "--url", "http://h/"], "--vus needs a value"],
  [
    ["--url", "http://h/", "--duration", "5x"],
    '--duration must be a duration like 500ms, 30s, 2m or 1h30m (got "5x")',
  ],
  [
    ["--url", "http://h/", "--timeout", "0s"],
    '--timeout must be a duration like 500ms, 30s, 2m or 1h30m (got "0s")',
  ],
  [["--url", "http://h/", "--rate", "fast"], '--rate must be a positive number (got "fast")'],
  [["--url", "http://h/", "--max-vus", "1.5"], '--max-vus must be a positive integer (got "1.5")'],
  [
    ["--url", "http://h/", "--pre-allocated-vus", "x"],
    '--pre-allocated-vus must be a positive integer (got "x")',
  ],
  [["--url", "http://h/", "--workers", "0"], '--workers must be a positive integer (got "0")'],
  [
    ["--url", "http://h/", "--stages", "30s"],
    '--stages: invalid stage "30s" (want <duration>:<target>, e.g. 30s:10)',
  ],
  [
    ["--url", "http://h/", "--executor", "per-vu"],
    '--executor must be one of constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate (got "per-vu")',
  ],
  [
    ["--url", "http://h/", "--collector", "lockfree"],
    '--collector must be "atomic" or "mutex" (got "lockfree")',
  ],
  [["--url", "not a url"], '--url must be an http(s) URL (got "not a url")'],
  [["--url", "ftp://h/"], '--url must be an http(s) URL (got "ftp://h/")'],
  [["--url", "http://h/", "-H", "NoColon"], '--header must be "Name: value" (got "NoColon")'],
  [
    ["--url", "http://h/", "--method", "G T"],
    '--method must be an HTTP method like GET or POST (got "G T")',
  ],
  [
    ["--url", "http://h/", "--output", "r.txt"],
    '--output must end in .json or .html, or have no extension (got "r.txt")',
  ],
  [["--url", "http://h/", "--bogus"], 'unknown flag "--bogus" (see --help)'],
  [["--url"], "--url needs a value"],
  [["--url", "http://h/", "--json=yes"], "--json takes no value"],
  [["--url", "http://h/", "extra"], 'unexpected argument "extra" (see --help)'],
  [[], "give --url <url> or -c <config file> (see --help)"],
  [["demo", "--url", "http://h/"], "--url cannot be used with demo"],
];

for (const [args, message] of BAD) {
  Deno.test(`cli: bad usage ${JSON.stringify(args)}`, () => {
    assert.throws(() => parseCli(args, {}), (e: Error) => {
      assert.ok(e instanceof UsageError, String(e));
      assert.equal(e.message, message);
      return true;
    });
  });
}

Deno.test("cli: flags that only fail against the executor name the flag", async () => {
  await assert.rejects(
    () => buildConfig(run(["--url", "http://h/", "--executor", "constant-arrival-rate"])),
    /--executor constant-arrival-rate needs --rate/,
  );
  await assert.rejects(
    () => buildConfig(run(["--url", "http://h/", "--executor", "ramping-vus"])),
    /--executor ramping-vus needs --stages/,
  );
  await assert.rejects(
    () =>
      buildConfig(run([
        "--url",
        "http://h/",
        "--rate",
        "5",
        "--pre-allocated-vus",
        "10",
        "--max-vus",
        "2",
      ])),
    /--max-vus: must be >= preAllocatedVUs \(2 < 10\)/,
  );
});

Deno.test("cli: as a process, every usage error exits 2 with exactly one stderr line", async () => {
  const cases: string[][] = [
    ["--vus", "abc", "--url", "http://127.0.0.1:1/"],
    ["--bogus"],
    ["-c", `${ROOT}tests/no-such-config.yaml`],
    ["--url", "http://127.0.0.1:1/", "--stages", "5x:1"],
  ];
  await Promise.all(cases.map(async (args) => {
    const out = await runLunge(args, [`--allow-read=${ROOT}`]);
    const err = out.stderr;
    assert.equal(out.code, 2, err);
    assert.match(err, /^lunge: [^\n]+\n$/);
    assert.equal(out.stdout.length, 0);
  }));
});

Deno.test("cli: with -c, flags override every scenario and --url replaces baseUrl", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/t.yaml`;
    await Deno.writeTextFile(
      path,
      `settings:
  baseUrl: http://127.0.0.1:1
  headers: { X-A: a }
scenarios:
  one:
    executor: constant-vus
    vus: 5
    duration: 1m
    requests: [{ url: "{{baseUrl}}/one" }]
  two:
    executor: constant-vus
    vus: 2
    duration: 2m
    requests: [{ url: /two }]
`,
    );
    const c = await buildConfig(run([
      "-c",
      path,
      "--url",
      "http://127.0.0.1:2",
      "--vus",
      "3",
      "--duration",
      "5s",
      "-H",
      "X-B: b",
      "--timeout",
      "1s",
    ]));
    assert.deepEqual(c.scenarios.map((s) => [s.vus, s.durationMs]), [[3, 5_000], [3, 5_000]]);
    assert.deepEqual(c.scenarios.map((s) => s.requests[0].url), [
      "http://127.0.0.1:2/one",
      "http://127.0.0.1:2/two",
    ]);
    assert.deepEqual(c.scenarios[0].requests[0].headers, { "X-A": "a", "X-B": "b" });
    assert.equal(c.settings.timeoutMs, 1_000);
    // Config errors name the file and each field, all of them at once.
    await assert.rejects(
      () => buildConfig(run(["-c", path, "--executor", "ramping-vus"])),
      (e: Error) =>
        e.message === `${path}: 2 problems:\n  scenarios.one.stages: required for ramping-vus\n` +
            "  scenarios.two.stages: required for ramping-vus",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
