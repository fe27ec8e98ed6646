/**
 * `lunge compare` end to end: real runs of the CLI against the built-in
 * target server, a base (two segments merged by `lunge merge`), a second
 * run of the same test, and a run against a slowed route; then the CLI's
 * compare with a `--fail-on` gate and its exit codes (0 no rule failed, 1 a
 * rule broken and real, 2 a bad rule or inputs that do not compare).
 */
import assert from "node:assert/strict";
import { lungeCommand, type Outcome, READ, runLunge } from "../_cli.ts";
import { startTargetServer } from "../../../examples/lunge/demo/target_server.ts";
import type { CompareOutput } from "../../../examples/lunge/compare/compare_command.ts";

function config(port: number, delayMs: number, rate: number): string {
  return `name: compare-e2e
settings:
  baseUrl: http://127.0.0.1:${port}
scenarios:
  load:
    executor: constant-arrival-rate
    rate: ${rate}
    duration: 3s
    preAllocatedVUs: 20
    maxVUs: 80
    requests:
      - { name: api, url: /delay/${delayMs} }
`;
}

async function finish(p: Deno.ChildProcess): Promise<Outcome> {
  const out = await p.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const RULES = "p95 > +100%, error_rate > +5pp, rps < -30%";

Deno.test("lunge compare: same target passes, a slowed target fails the gate, bad inputs exit 2", async (t) => {
  const server = await startTargetServer({ hostname: "127.0.0.1", port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "lunge-compare-" });
  const perms = [
    `--allow-net=127.0.0.1:${server.port}`,
    `--allow-read=${READ},${dir}`,
    `--allow-write=${dir}`,
  ];
  const io = [`--allow-read=${dir}`, `--allow-write=${dir}`];
  const run = (file: string, out: string, extra: string[] = []) =>
    lungeCommand(
      [
        "-c",
        `${dir}/${file}`,
        "--histograms-per-second",
        "--output",
        `${dir}/${out}`,
        "-q",
        ...extra,
      ],
      perms,
    ).spawn();
  try {
    await Deno.writeTextFile(`${dir}/base.yaml`, config(server.port, 5, 200));
    await Deno.writeTextFile(`${dir}/slow.yaml`, config(server.port, 40, 200));
    await t.step("the runs: base as 2 merged segments, a second run, a slowed run", async () => {
      const at = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000).toISOString();
      const segs = await Promise.all(
        [0, 1].map((i) =>
          finish(run("base.yaml", `s${i}.json`, ["--segment", `${i}/2`, "--start-at", at]))
        ),
      );
      for (const s of segs) assert.equal(s.code, 0, s.stderr);
      const merged = await runLunge(
        ["merge", `${dir}/s0.json`, `${dir}/s1.json`, "--output", `${dir}/base.json`, "-q"],
        io,
      );
      assert.equal(merged.code, 0, merged.stderr);
      const again = await finish(run("base.yaml", "again.json"));
      assert.equal(again.code, 0, again.stderr);
      const slow = await finish(run("slow.yaml", "slow.json"));
      assert.equal(slow.code, 0, slow.stderr);
    });

    await t.step("same target: exit 0, figures equal the inputs'", async () => {
      const o = await runLunge(
        [
          "compare",
          `${dir}/base.json`,
          `${dir}/again.json`,
          "--fail-on",
          RULES,
          "--output",
          `${dir}/same.json`,
        ],
        io,
      );
      assert.equal(o.code, 0, o.stdout + o.stderr);
      assert.match(o.stdout, /PASSED/);
      const c: CompareOutput = JSON.parse(await Deno.readTextFile(`${dir}/same.json`));
      const base = JSON.parse(await Deno.readTextFile(`${dir}/base.json`));
      const again = JSON.parse(await Deno.readTextFile(`${dir}/again.json`));
      const p95 = c.figures.find((f) => f.metric === "p95")!;
      assert.equal(p95.base, base.metrics.latency.p95);
      assert.equal(p95.candidate, again.metrics.latency.p95);
      assert.equal(c.base.merged, true);
      assert.equal(c.base.requests, base.metrics.totalRequests);
      assert.deepEqual(c.scenarios.map((s) => s.base?.iterations), [
        base.scenarios.load.iterations,
      ]);
      assert.deepEqual(c.byName.map((n) => n.name), ["api"]);
      assert.equal(c.exitCode, 0);
      assert.ok(c.rules!.every((r) => !r.failed));
      assert.deepEqual(c.warnings, []); // same config: same hash
    });

    await t.step(
      "slowed target: exit 1, p95 higher, a real difference; a hash warning",
      async () => {
        const o = await runLunge(
          [
            "compare",
            `${dir}/base.json`,
            `${dir}/slow.json`,
            "--fail-on",
            RULES,
            "--output",
            `${dir}/slow-cmp`,
          ],
          io,
        );
        assert.equal(o.code, 1, o.stdout + o.stderr);
        assert.match(o.stdout, /FAILED: p95 > \+100%/);
        assert.match(o.stdout, /warning: the config hashes differ/);
        const c: CompareOutput = JSON.parse(await Deno.readTextFile(`${dir}/slow-cmp.json`));
        const p95 = c.figures.find((f) => f.metric === "p95")!;
        assert.ok(p95.real && p95.relative! > 1, p95.sentence);
        assert.match(
          p95.sentence,
          /^p95 is [\d.]+ % higher \(95 % interval [\d.]+–[\d.]+ %\), a real difference$/,
        );
        assert.ok(p95.interval![0] > 1, "the interval excludes +100 %");
        assert.deepEqual(c.rules!.map((r) => r.failed), [true, false, false]);
        assert.ok((await Deno.stat(`${dir}/slow-cmp.html`)).size > 1000);
        // Without --fail-on nothing gates: exit 0 even for the slowed run.
        const plain = await runLunge(["compare", `${dir}/base.json`, `${dir}/slow.json`], io);
        assert.equal(plain.code, 0, plain.stderr);
      },
    );

    await t.step(
      "exit 2 with one line: a bad rule, another layout, no per-second histograms",
      async () => {
        const bad = await runLunge(
          ["compare", `${dir}/base.json`, `${dir}/again.json`, "--fail-on", "p95 > 10"],
          io,
        );
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /^lunge: --fail-on: bad rule "p95 > 10"/);
        assert.equal(bad.stderr.trim().split("\n").length, 1);
        const again = JSON.parse(await Deno.readTextFile(`${dir}/again.json`));
        again.histograms.layout = { ...again.histograms.layout, significantValueDigits: 3 };
        await Deno.writeTextFile(`${dir}/layout.json`, JSON.stringify(again));
        const layout = await runLunge(["compare", `${dir}/base.json`, `${dir}/layout.json`], io);
        assert.equal(layout.code, 2);
        assert.equal(
          layout.stderr,
          `lunge: ${dir}/layout.json: histogram layout significantValueDigits 3 differs from 2\n`,
        );
        const slow = JSON.parse(await Deno.readTextFile(`${dir}/slow.json`));
        delete slow.histograms.perSecond;
        await Deno.writeTextFile(`${dir}/nosec.json`, JSON.stringify(slow));
        const nosec = await runLunge(
          ["compare", `${dir}/base.json`, `${dir}/nosec.json`, "--fail-on", "p95 > +10%"],
          io,
        );
        assert.equal(nosec.code, 2);
        assert.match(
          nosec.stderr,
          /cannot judge whether the change is real: candidate: no per-second histograms/,
        );
        // ... while a throughput rule still judges from the time series.
        const rps = await runLunge(
          ["compare", `${dir}/base.json`, `${dir}/nosec.json`, "--fail-on", "rps < -30%"],
          io,
        );
        assert.equal(rps.code, 0, rps.stderr);
        const missing = await runLunge(["compare", `${dir}/base.json`, `${dir}/none.json`], io);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /^lunge: cannot read .*none\.json/);
      },
    );
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
