/**
 * Unequal execution segments through the real CLI (subprocesses): usage
 * errors for a bad `--segment-sequence`, a segment not in it, or unequal
 * parts without one (exit 2, one line); and 3 instances of
 * `--segment 0:1/4 | 1/4:3/4 | 3/4:1 --segment-sequence 0,1/4,3/4,1`
 * against the built-in target server, whose totals add up to the server's
 * count and to the whole schedule's, each instance issuing its share, then
 * merged by `lunge merge`.
 */
import assert from "node:assert/strict";
import { READ, runLunge } from "../_cli.ts";
import { startTargetServer } from "../../../examples/lunge/demo/target_server.ts";
import type { MergeableResult } from "../../../examples/lunge/merge/merge.ts";

const lunge = (args: string[], permissions: string[]) => runLunge(args, permissions);

Deno.test("cli: a bad --segment-sequence, a segment not in it, unequal parts alone: exit 2, one line", async () => {
  const base = ["--url", "http://127.0.0.1:1/", "--duration", "1s"];
  for (
    const [flags, why] of [
      [["--segment", "0:1/4", "--segment-sequence", "0,1/2,1/4,1"], /increase strictly/],
      [["--segment", "0:1/4", "--segment-sequence", "0,1/4,0.9"], /start at 0 and end at 1/],
      [["--segment", "0:1/4", "--segment-sequence", "0,1/4,a,1"], /"a" is not a fraction/],
      [["--segment", "0:1/4", "--segment-sequence", "0,1/3,1"], /not two consecutive points/],
      [["--segment", "1/4:1", "--segment-sequence", "0,1/4,3/4,1"], /not two consecutive/],
      [["--segment", "0.2:0.5"], /not one of n equal parts.*--segment-sequence 0,0\.2,0\.5,1/],
      [["--segment-sequence", "0,1/4,3/4,1"], /--segment-sequence needs --segment/],
      [
        [
          "--segment",
          "0:1/4",
          "--segment-sequence",
          "0,1/4,1",
          "--execution-segment-sequence",
          "0,1/3,1",
        ],
        /disagree/,
      ],
    ] as const
  ) {
    const out = await lunge([...base, ...flags], [`--allow-read=${READ}`]);
    assert.equal(out.code, 2, `${flags.join(" ")}: ${out.stderr}`);
    assert.match(out.stderr, /^lunge: [^\n]+\n$/, flags.join(" "));
    assert.match(out.stderr, why, flags.join(" "));
    assert.equal(out.stdout, "");
  }
});

/** 40 iterations/s for 3 s, one request each: 120 in all. */
function configText(port: number): string {
  return `name: unequal-segments
settings:
  baseUrl: http://127.0.0.1:${port}
scenarios:
  load:
    executor: constant-arrival-rate
    rate: 40
    duration: 3s
    preAllocatedVUs: 8
    maxVUs: 20
    requests:
      - { name: bytes, url: /bytes/64 }
thresholds:
  http_reqs: ["count == 120"]
`;
}

Deno.test("3 unequal segments (1/4, 1/2, 1/4) issue the whole schedule: sum = server count = rate * duration", async () => {
  const server = await startTargetServer({ hostname: "127.0.0.1", port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "lunge-seg-" });
  try {
    await Deno.writeTextFile(`${dir}/test.yaml`, configText(server.port));
    const perms = [
      `--allow-net=127.0.0.1:${server.port}`,
      `--allow-read=${READ},${dir}`,
      `--allow-write=${dir}`,
    ];
    const at = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000).toISOString();
    const bounds = ["0:1/4", "1/4:3/4", "3/4:1"];
    const shares = [1 / 4, 1 / 2, 1 / 4];
    const outcomes = await Promise.all(bounds.map((b, i) =>
      lunge([
        "-c",
        `${dir}/test.yaml`,
        "--segment",
        b,
        "--segment-sequence",
        "0,1/4,3/4,1",
        "--start-at",
        at,
        "--output",
        `${dir}/r${i}.json`,
        "-q",
      ], perms)
    ));
    const parts: MergeableResult[] = await Promise.all(
      bounds.map(async (_, i) => JSON.parse(await Deno.readTextFile(`${dir}/r${i}.json`))),
    );
    const totals = parts.map((p) => p.metrics.totalRequests);
    const served = server.stats().requests;
    outcomes.forEach((o, i) => {
      assert.equal(o.code, 1, o.stderr); // alone, each fails count == 120
      assert.equal(parts[i].error, null);
      assert.deepEqual(parts[i].segment, { index: i, count: 3, sequence: "0,1/4,3/4,1" });
      assert.ok(Math.abs(totals[i] - shares[i] * 120) <= 1, `segment ${bounds[i]}: ${totals[i]}`);
      assert.equal(parts[i].scenarios.load.iterations, totals[i]);
      assert.equal(parts[i].scenarios.load.droppedIterations, 0);
    });
    assert.equal(totals.reduce((a, b) => a + b, 0), served);
    assert.equal(served, 40 * 3);

    const merged = await lunge(
      ["merge", ...bounds.map((_, i) => `${dir}/r${i}.json`), "--output", `${dir}/m.json`],
      [`--allow-read=${dir}`, `--allow-write=${dir}`],
    );
    assert.equal(merged.code, 0, merged.stdout + merged.stderr); // merged, count == 120 passes
    assert.match(merged.stdout, /Merged 3 results \(0:1\/4, 1\/4:3\/4, 3\/4:1\)/);
    const m: MergeableResult = JSON.parse(await Deno.readTextFile(`${dir}/m.json`));
    assert.equal(m.metrics.totalRequests, served);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
