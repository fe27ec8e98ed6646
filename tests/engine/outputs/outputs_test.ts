/**
 * The outputs (examples/lunge/outputs/): `--out kind=target` for every
 * output, mapped onto the same outputs as Lunge's spellings; every output
 * opened before the run, so a path that cannot be written or a port in use
 * is exit 2, one line, before any request reaches the target.
 */
import assert from "node:assert/strict";
import { parseCli, type RunCommand } from "../../../examples/lunge/cli.ts";
import { startTargetServer } from "../../../examples/lunge/demo/target_server.ts";
import { READ, runLunge } from "../_cli.ts";

const parse = (...args: string[]) => parseCli(["--url", "http://h/", ...args], {}) as RunCommand;

Deno.test("outputs: --out kind=target names every output; Lunge's spellings are the same outputs", () => {
  const a = parse("--out", "json=r.json", "--out", "html=r.html", "--out", "hlog=r.hlog");
  assert.deepEqual([a.jsonFile, a.htmlFile, a.distributed?.outputs.hlogFile], [
    "r.json",
    "r.html",
    "r.hlog",
  ]);
  const b = parse("-o", "r", "--hlog", "r.hlog");
  assert.deepEqual([b.jsonFile, b.htmlFile, b.distributed?.outputs.hlogFile], [
    a.jsonFile,
    a.htmlFile,
    a.distributed?.outputs.hlogFile,
  ]);
  assert.equal(
    parse("--out", "metrics=127.0.0.1:9464").distributed?.outputs.listen,
    "127.0.0.1:9464",
  );
  assert.equal(
    parse("--prometheus-listen", "127.0.0.1:9464").distributed?.outputs.listen,
    "127.0.0.1:9464",
  );
  // The same output twice by both spellings is one output; two different ones are refused.
  assert.equal(parse("-o", "r.json", "--out", "json=r.json").jsonFile, "r.json");
  assert.throws(
    () => parse("-o", "a.json", "--out", "json=b.json"),
    /^UsageError: --out json=b\.json: -o\/--html already write a\.json$/,
  );
  assert.throws(
    () => parse("--hlog", "a.hlog", "--out", "hlog=b.hlog"),
    /--hlog a\.hlog is already given/,
  );
  assert.throws(() => parse("--out", "json=r.txt"), /a json file must end in \.json/);
  assert.throws(() => parse("--out", "metrics=nohost"), /UsageError/);
  assert.throws(
    () => parse("--out", "xml=r.xml"),
    /^UsageError: --out xml=r\.xml: expected csv=<file> or prometheus-rw=<url>, json=/,
  );
});

Deno.test("outputs: a bad .hlog path or a /metrics port in use is exit 2 before any request", async () => {
  const server = await startTargetServer();
  const dir = await Deno.makeTempDir();
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const base = ["--url", server.url, "--vus", "1", "--duration", "1s", "-q"];
    const perms = [`--allow-read=${READ}`, `--allow-net=127.0.0.1`, `--allow-write=${dir}`];
    for (
      const [flags, why] of [
        [["--out", `hlog=${dir}/none/r.hlog`], /^lunge: cannot write .*r\.hlog: [^\n]+\n$/],
        [["--hlog", `${dir}/none/r.hlog`], /^lunge: cannot write .*r\.hlog: [^\n]+\n$/],
        [
          ["--out", `metrics=127.0.0.1:${(busy.addr as Deno.NetAddr).port}`],
          /^lunge: --prometheus-listen 127\.0\.0\.1:\d+: [^\n]+\n$/,
        ],
        [["--out", `json=${dir}/none/r.json`], /^lunge: cannot write .*r\.json: [^\n]+\n$/],
      ] as const
    ) {
      const out = await runLunge([...base, ...flags], perms);
      assert.equal(out.code, 2, `${flags.join(" ")}: ${out.stderr}`);
      assert.match(out.stderr, why, flags.join(" "));
      assert.equal(
        server.stats().requests,
        0,
        `${flags.join(" ")}: no request before the outputs open`,
      );
    }
    // And a good one: --out json= holds the run, counted as the server counted it.
    const out = await runLunge([...base, "--out", `json=${dir}/r.json`], perms);
    assert.equal(out.code, 0, out.stderr);
    const result = JSON.parse(await Deno.readTextFile(`${dir}/r.json`));
    assert.equal(result.metrics.totalRequests, server.stats().requests);
  } finally {
    busy.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
