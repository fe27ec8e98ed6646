/**
 * Running one test on several machines, end to end with the real CLI as
 * subprocesses against the built-in target server: 3 instances with
 * `--segment i/3` and `--start-at`, then `lunge merge`, checked against the
 * union of the instances' raw samples (`--out csv=`); a single run of the
 * whole test beside it; and 2 instances pushing into a real Prometheus 2.42
 * (Debian; skipped with a message without it) while serving /metrics.
 */
import assert from "node:assert/strict";
import { lungeCommand, type Outcome, READ } from "../_cli.ts";
// A test-only dependency (an independent HdrHistogram implementation), pinned here.
// deno-lint-ignore no-import-prefix
import * as hdr from "npm:hdr-histogram-js@3.0.1";
import {
  startTargetServer,
  type TargetServer,
} from "../../../examples/lunge/demo/target_server.ts";
import type { MergeableResult } from "../../../examples/lunge/merge/merge.ts";
import { prometheusInstalled, promtoolCheck, startPrometheus } from "../_prometheus.ts";
import { exactPercentile, readCsvRows } from "../_csv.ts";

const lunge = (args: string[], permissions: string[]) => lungeCommand(args, permissions).spawn();

async function finish(p: Deno.ChildProcess): Promise<Outcome> {
  const out = await p.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** 300 iterations/s for 3 s: 900 requests in all, a threshold only the whole test meets. */
function configText(port: number): string {
  return `name: distributed
settings:
  baseUrl: http://127.0.0.1:${port}
scenarios:
  load:
    executor: constant-arrival-rate
    rate: 300
    duration: 3s
    preAllocatedVUs: 30
    maxVUs: 90
    requests:
      - { name: bytes, url: /bytes/100 }
      - { name: delay, url: /delay/1 }
thresholds:
  http_reqs: ["count == 1800"]
  http_req_failed: ["rate == 0"]
`;
}

function startIn(ms: number): string {
  return new Date(Math.ceil((Date.now() + ms) / 1000) * 1000).toISOString();
}

async function withServer(fn: (server: TargetServer, dir: string) => Promise<void>) {
  const server = await startTargetServer({ hostname: "127.0.0.1", port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "lunge-dist-" });
  try {
    await Deno.writeTextFile(`${dir}/test.yaml`, configText(server.port));
    await fn(server, dir);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function readResult(path: string): Promise<MergeableResult> {
  return JSON.parse(await Deno.readTextFile(path));
}

/** Percentile of several HdrHistogram texts added up by hdr-histogram-js (ms). */
function hdrJsPercentile(texts: string[], p: number): number {
  const sum = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2 ** 42 - 1,
    numberOfSignificantValueDigits: 2,
    bitBucketSize: 64,
    useWebAssembly: false,
  });
  for (const t of texts) sum.add(hdr.decodeFromCompressedBase64(t, 64, false));
  return sum.getValueAtPercentile(p) / 1e6;
}

function assertWithin(actual: number, expected: number, tolerance: number, what: string) {
  const err = Math.abs(actual - expected) / expected;
  assert.ok(err <= tolerance, `${what}: ${actual} vs ${expected} (${(err * 100).toFixed(2)} %)`);
}

Deno.test("3 segments merged: counts equal the server's, percentiles and thresholds as one run", async (t) => {
  await withServer(async (server, dir) => {
    const perms = (port: number) => [
      `--allow-net=127.0.0.1:${port}`,
      `--allow-read=${READ},${dir}`,
      `--allow-write=${dir}`,
    ];
    const at = startIn(4000);
    const runs = [0, 1, 2].map((i) =>
      lunge([
        "-c",
        `${dir}/test.yaml`,
        "--segment",
        `${i}/3`,
        "--start-at",
        at,
        "--histograms-per-second",
        "--hlog",
        `${dir}/r${i}.hlog`,
        "--out",
        `csv=${dir}/r${i}.csv`,
        "--output",
        `${dir}/r${i}.json`,
        "-q",
      ], perms(server.port))
    );
    const outcomes = await Promise.all(runs.map(finish));
    const parts = await Promise.all([0, 1, 2].map((i) => readResult(`${dir}/r${i}.json`)));
    const served = server.stats().requests;

    await t.step("each segment ran its third; alone, it fails the whole-test threshold", () => {
      for (const [i, o] of outcomes.entries()) {
        assert.equal(o.code, 1, o.stderr); // count == 1800 fails on 600
        assert.equal(parts[i].metrics.totalRequests, 600);
        assert.deepEqual(parts[i].segment, { index: i, count: 3 });
        assert.equal(parts[i].error, null);
      }
      assert.equal(new Set(parts.map((p) => p.configHash)).size, 1);
      // Striped iterations: 3 instances of 300/s issue 300/s together, none twice.
      assert.equal(parts.reduce((n, p) => n + p.scenarios.load.iterations, 0), 900);
    });

    const merged = await finish(lunge(
      ["merge", ...[0, 1, 2].map((i) => `${dir}/r${i}.json`), "--output", `${dir}/m.json`],
      [`--allow-read=${dir}`, `--allow-write=${dir}`],
    ));
    const m = await readResult(`${dir}/m.json`);
    /** Every request's duration (ms) from the 3 CSV files, ascending. */
    let samples = new Float64Array(0);

    await t.step("merged counts equal the server's count", () => {
      assert.equal(m.metrics.totalRequests, served);
      assert.equal(m.metrics.totalRequests, 1800);
      assert.equal(m.metrics.statusCodes["200"], 1800);
      assert.equal(m.metrics.byName.bytes.count + m.metrics.byName.delay.count, 1800);
      assert.equal(m.metrics.totalBytes, parts.reduce((n, p) => n + p.metrics.totalBytes, 0));
      assert.equal(
        m.timeSeries.points.reduce((n, p) => n + p.requests, 0),
        parts.reduce((n, p) => n + p.timeSeries.points.reduce((k, q) => k + q.requests, 0), 0),
      );
    });

    await t.step("merged thresholds pass (exit 0), as the whole test's", () => {
      assert.equal(merged.code, 0, merged.stdout + merged.stderr);
      assert.ok(m.passed);
      assert.ok(m.thresholds.every((x) => x.passed));
      assert.match(merged.stdout, /Merged 3 results \(0\/3, 1\/3, 2\/3\)/);
      // Every second's percentiles came from its merged per-second histogram.
      assert.deepEqual(m.merged?.notes, []);
    });

    await t.step("union of the 3 CSV files: rows = merged total = server's count", async () => {
      const rows = await Promise.all([0, 1, 2].map((i) => readCsvRows(`${dir}/r${i}.csv`)));
      for (const [i, r] of rows.entries()) assert.equal(r.length, parts[i].metrics.totalRequests);
      const union = rows.flat();
      assert.equal(union.length, m.metrics.totalRequests);
      assert.equal(union.length, served);
      samples = Float64Array.from(union, (r) => Number(r.duration_ms)).sort();
    });

    await t.step(
      "merged p50/p99 within 1 % of the exact percentiles over the union of samples",
      () => {
        assert.equal(samples.length, 1800);
        for (const [p, v] of [[50, m.metrics.latency.p50], [99, m.metrics.latency.p99]] as const) {
          assertWithin(v, exactPercentile(samples, p), 0.01, `p${p}`);
        }
        // The CSV prints durations to the ns (6 decimals).
        assert.ok(Math.abs(m.metrics.latency.max - samples[samples.length - 1]) <= 1e-6);
      },
    );

    await t.step(
      "the encoding: hdr-histogram-js, summing the 3 histograms, reads p50/p99 within 1 %",
      () => {
        const texts = parts.map((p) => p.histograms!.all);
        for (const [p, v] of [[50, m.metrics.latency.p50], [99, m.metrics.latency.p99]] as const) {
          assertWithin(v, hdrJsPercentile(texts, p), 0.01, `p${p}`);
        }
        assert.equal(m.metrics.latency.count, 1800);
        assert.equal(m.metrics.latency.max, Math.max(...parts.map((p) => p.metrics.latency.max)));
      },
    );

    await t.step("HdrHistogram interval logs: one line per second", async () => {
      const log = await Deno.readTextFile(`${dir}/r0.hlog`);
      const lines = log.split("\n").filter((l) => /^\d/.test(l));
      assert.ok(lines.length >= 3 && lines.length <= 6, `${lines.length} intervals`);
      assert.ok(lines.every((l) => /^\d+\.000,1\.000,\d+\.\d{3},HISTF/.test(l)));
      const jar = "/usr/share/java/hdrhistogram.jar";
      let java = false;
      try {
        await Deno.stat(jar);
        java = (await new Deno.Command("java", { args: ["-version"], stderr: "null" }).output())
          .success;
      } catch { /* not installed */ }
      if (!java) {
        console.log("skipped HistogramLogProcessor: libhdrhistogram-java or java not installed");
        return;
      }
      const out = await new Deno.Command("java", {
        args: [
          "-cp",
          jar,
          "org.HdrHistogram.HistogramLogProcessor",
          "-i",
          `${dir}/r0.hlog`,
          "-o",
          `${dir}/h0`,
        ],
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const hgrm = await Deno.readTextFile(`${dir}/h0.hgrm`);
      assert.equal(Number(hgrm.match(/Total count\s*=\s*(\d+)/)?.[1]), 600);
    });

    await t.step("a single run of the whole test: same count, same exit code", async () => {
      server.resetStats();
      const whole = await finish(lunge(
        ["-c", `${dir}/test.yaml`, "--output", `${dir}/whole.json`, "-q"],
        perms(server.port),
      ));
      const w = await readResult(`${dir}/whole.json`);
      assert.equal(whole.code, merged.code, whole.stderr);
      assert.equal(w.metrics.totalRequests, server.stats().requests);
      assert.equal(w.metrics.totalRequests, m.metrics.totalRequests);
    });

    await t.step(
      "refused with one line: overlapping segment, other config, other layout",
      async () => {
        const merge = (files: string[]) =>
          finish(lunge(["merge", ...files], [`--allow-read=${dir}`]));
        const twice = await merge([`${dir}/r0.json`, `${dir}/r0.json`]);
        assert.equal(twice.code, 2);
        assert.match(twice.stderr, /^lunge: overlapping segment: .* both 0\/3\n$/);
        const other = { ...parts[1], configHash: "0".repeat(64) };
        await Deno.writeTextFile(`${dir}/other.json`, JSON.stringify(other));
        const hash = await merge([`${dir}/r0.json`, `${dir}/other.json`]);
        assert.equal(hash.code, 2);
        assert.match(hash.stderr, /^lunge: .*other\.json: config hash 000000000000 differs .*\n$/);
        const layout = {
          ...parts[1],
          histograms: {
            ...parts[1].histograms!,
            layout: { ...parts[1].histograms!.layout, significantValueDigits: 3 },
          },
        };
        await Deno.writeTextFile(`${dir}/layout.json`, JSON.stringify(layout));
        const lay = await merge([`${dir}/r0.json`, `${dir}/layout.json`]);
        assert.equal(lay.code, 2);
        assert.match(
          lay.stderr,
          /^lunge: .*layout\.json: histogram layout significantValueDigits 3/,
        );
      },
    );
  });
});

Deno.test("2 instances push to a real Prometheus: totals and p99 match the merged result", async () => {
  if (!(await prometheusInstalled())) {
    console.log("skipped: prometheus/promtool not installed (apt-get install prometheus)");
    return;
  }
  const prom = await startPrometheus();
  try {
    await withServer(async (server, dir) => {
      const promPort = new URL(prom.url).port;
      const listen = freePort();
      const at = startIn(3000);
      const runs = [0, 1].map((i) =>
        lunge([
          "-c",
          `${dir}/test.yaml`,
          "--segment",
          `${i}/2`,
          "--start-at",
          at,
          "--out",
          `prometheus-rw=${prom.writeUrl}`,
          "--push-interval",
          "1s",
          ...(i === 0 ? ["--prometheus-listen", `127.0.0.1:${listen}`] : []),
          "--output",
          `${dir}/p${i}.json`,
          "-q",
        ], [
          `--allow-net=127.0.0.1:${server.port},127.0.0.1:${promPort},127.0.0.1:${listen}`,
          `--allow-read=${READ},${dir}`,
          `--allow-write=${dir}`,
        ])
      );
      const text = await scrapeWhileRunning(listen);
      const outcomes = await Promise.all(runs.map(finish));
      for (const o of outcomes) assert.doesNotMatch(o.stderr, /pushes to Prometheus failed/);
      const merged = await finish(lunge(
        ["merge", `${dir}/p0.json`, `${dir}/p1.json`, "--output", `${dir}/pm.json`],
        [`--allow-read=${dir}`, `--allow-write=${dir}`],
      ));
      assert.equal(merged.code, 0, merged.stderr);
      const m = await readResult(`${dir}/pm.json`);
      assert.equal(m.metrics.totalRequests, server.stats().requests);
      const total = await prom.query("sum(lunge_http_reqs_total)");
      assert.equal(Number(total[0].value[1]), m.metrics.totalRequests);
      const p99 = await prom.query(
        "histogram_quantile(0.99, sum(lunge_http_req_duration_seconds))",
      );
      assertWithin(Number(p99[0].value[1]) * 1000, m.metrics.latency.p99, 0.01, "Prometheus p99");
      const check = await promtoolCheck(text);
      assert.ok(check.ok && check.said === "", check.said);
      assert.match(
        text,
        /^lunge_http_reqs_total\{instance="segment-0-of-2",segment="0\/2",status="200"\} \d+$/m,
      );
    });
  } finally {
    await prom.stop();
  }
});

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** The /metrics text, fetched once the instance serves it (within 15 s). */
async function scrapeWhileRunning(port: number): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      const text = await res.text();
      if (res.ok && /lunge_http_reqs_total\{/.test(text)) return text;
    } catch { /* not serving yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("/metrics was never served with requests counted");
}
