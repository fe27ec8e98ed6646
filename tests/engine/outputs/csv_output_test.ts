/**
 * `--out csv=<file>`: one row per recorded request. The CLI runs as a
 * subprocess against the built-in target server; the file is read back with
 * an independent RFC 4180 parser (csv-parse) and checked against the JSON
 * result and the server's own count. Plus the format, the flag's parsing,
 * and the file's own check that it holds one row per request counted.
 */
import assert from "node:assert/strict";
import { READ, runLunge } from "../_cli.ts";
import {
  startTargetServer,
  type TargetServer,
} from "../../../examples/lunge/demo/target_server.ts";
import { parseCli, type RunCommand } from "../../../examples/lunge/cli.ts";
import { CSV_HEADER, csvField, csvRow } from "../../../examples/lunge/report/csv_rows.ts";
import { CsvFile } from "../../../examples/lunge/outputs/csv.ts";
import { validateConfig } from "../../../examples/lunge/config/config.ts";
import { runTest } from "../../../examples/lunge/run/engine.ts";
import type { RunResult } from "../../../examples/lunge/result.ts";
import { type CsvRecord as Row, exactPercentile, parseCsvText, readCsvRows } from "../_csv.ts";

function assertWithin(actual: number, expected: number, tolerance: number, what: string) {
  const err = Math.abs(actual - expected) / expected;
  assert.ok(err <= tolerance, `${what}: ${actual} vs ${expected} (${(err * 100).toFixed(2)} %)`);
}

const lunge = (args: string[], permissions: string[]) => runLunge(args, permissions);

async function withServer(fn: (server: TargetServer, dir: string) => Promise<void>) {
  const server = await startTargetServer({ hostname: "127.0.0.1", port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "lunge-csv-" });
  try {
    await fn(server, dir);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const QUOTED_NAME = 'bytes, "quoted"';

Deno.test("csv: one row per request: rows = JSON total = server count; exact durations; p50/p99 within 1 %; quoting", async () => {
  await withServer(async (server, dir) => {
    await Deno.writeTextFile(
      `${dir}/t.yaml`,
      `name: csv
settings: { baseUrl: "http://127.0.0.1:${server.port}" }
scenarios:
  load:
    executor: constant-arrival-rate
    rate: 200
    duration: 2s
    preAllocatedVUs: 20
    maxVUs: 60
    requests:
      - { name: '${QUOTED_NAME}', url: /bytes/100 }
      - { name: delay, url: /delay/2 }
      - { name: missing, url: /status/404 }
`,
    );
    const csv = `${dir}/r.csv`, json = `${dir}/r.json`;
    const out = await lunge(["-c", `${dir}/t.yaml`, "--out", `csv=${csv}`, "-o", json], [
      `--allow-net=127.0.0.1:${server.port}`,
      `--allow-read=${READ},${dir}/t.yaml`,
      `--allow-write=${json},${csv}`, // the CSV file needs write permission for itself only
    ]);
    assert.equal(out.code, 0, out.stderr);
    const r: RunResult = JSON.parse(await Deno.readTextFile(json));
    const rows = await readCsvRows(csv);
    assert.match(
      out.stdout,
      new RegExp(`^${rows.length} rows written to ${RegExp.escape(csv)}$`, "m"),
    );

    // One row per request: the JSON's total, the server's count.
    assert.equal(rows.length, r.metrics.totalRequests);
    assert.equal(rows.length, server.stats().requests);
    assert.equal(rows.length, 1200);
    // Per name, status and bytes: the same as the collector's counts.
    const count = (f: (row: Row) => boolean) => rows.filter(f).length;
    assert.equal(count((x) => x.name === QUOTED_NAME), r.metrics.byName[QUOTED_NAME].count);
    assert.equal(count((x) => x.name === "delay"), r.metrics.byName.delay.count);
    assert.equal(count((x) => x.status === "404"), r.metrics.statusCodes["404"]);
    assert.equal(count((x) => x.status === "200"), r.metrics.statusCodes["200"]);
    assert.ok(rows.every((x) => x.scenario === "load" && x.error === ""));
    assert.equal(rows.reduce((n, x) => n + Number(x.bytes), 0), r.metrics.totalBytes);
    // Timestamps: epoch ms within the run, 3 decimals.
    const from = Date.parse(r.startTime), to = Date.parse(r.endTime);
    for (const x of rows) {
      assert.match(x.timestamp_ms, /^\d+\.\d{3}$/);
      const t = Number(x.timestamp_ms);
      assert.ok(t >= from && t <= to, `${x.timestamp_ms} outside ${from}..${to}`);
    }

    // Durations parse back (6 decimals: to the ns); min, max and mean as the collector's.
    assert.ok(rows.every((x) => /^\d+\.\d{6}$/.test(x.duration_ms)), "6 decimals");
    const d = Float64Array.from(rows, (x) => Number(x.duration_ms)).sort();
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    assert.ok(Math.abs(d[0] - r.metrics.latency.min) < 1e-5, `min ${d[0]}`);
    assert.ok(Math.abs(d[d.length - 1] - r.metrics.latency.max) < 1e-5, `max ${d.at(-1)}`);
    assert.ok(Math.abs(mean - r.metrics.latency.mean) < 1e-5, `mean ${mean}`);
    // The summary's percentiles within 1 % of the exact ones over the raw samples.
    assertWithin(r.metrics.latency.p50, exactPercentile(d, 50), 0.01, "p50");
    assertWithin(r.metrics.latency.p99, exactPercentile(d, 99), 0.01, "p99");
  });
});

Deno.test("csv: requests cut at gracefulStop get a row each, with error interrupted and status 0", async () => {
  await withServer(async (server, dir) => {
    const csv = `${dir}/r.csv`, json = `${dir}/r.json`;
    await Deno.writeTextFile(
      `${dir}/t.yaml`,
      `settings: { baseUrl: "http://127.0.0.1:${server.port}" }
scenarios:
  slow:
    executor: constant-vus
    vus: 3
    duration: 500ms
    gracefulStop: 200ms
    requests: [{ name: quick, url: / }, { name: stuck, url: /delay/5000 }]
`,
    );
    const out = await lunge(
      ["-c", `${dir}/t.yaml`, "--out", `csv=${csv}`, "-o", json, "--workers", "1", "-q"],
      [
        `--allow-net=127.0.0.1:${server.port}`,
        `--allow-read=${READ},${dir}/t.yaml`,
        `--allow-write=${json},${csv}`,
      ],
    );
    const r: RunResult = JSON.parse(await Deno.readTextFile(json));
    const rows = await readCsvRows(csv);
    assert.equal(r.error, null, out.stderr);
    assert.equal(rows.length, r.metrics.totalRequests);
    assert.equal(rows.length, server.stats().requests);
    const cut = rows.filter((x) => x.error === "interrupted");
    assert.equal(cut.length, 3);
    assert.equal(cut.length, r.metrics.errorsByType.interrupted);
    assert.ok(cut.every((x) => x.name === "stuck" && x.status === "0" && x.bytes === "0"));
    // Timed up to the cut: at least the gracefulStop after the 500 ms end, far below 5 s.
    assert.ok(cut.every((x) => Number(x.duration_ms) >= 150 && Number(x.duration_ms) < 2_000));
  });
});

Deno.test("csv: a path that cannot be written is exit 2 with one line, before any request", async (t) => {
  await withServer(async (server, dir) => {
    const run = (path: string, write: string[]) =>
      lunge(["--url", server.url, "--vus", "1", "--duration", "1s", "--out", `csv=${path}`], [
        `--allow-net=127.0.0.1:${server.port}`,
        `--allow-read=${READ}`,
        ...write,
      ]);
    const cases: [string, string, string[], RegExp][] = [
      ["no such folder", `${dir}/none/r.csv`, [`--allow-write=${dir}`], /cannot write .*r\.csv: /],
      [
        "a folder",
        dir,
        [`--allow-write=${dir}`],
        new RegExp(`cannot write ${RegExp.escape(dir)}: `),
      ],
      ["no write permission", `${dir}/r.csv`, [], /missing permission: .*--allow-write=.*r\.csv/],
    ];
    try {
      await Deno.stat("/dev/full");
      cases.push(["a full device", "/dev/full", ["--allow-write=/dev/full"], /cannot write/]);
    } catch { /* no /dev/full here */ }
    for (const [what, path, write, reason] of cases) {
      await t.step(what, async () => {
        const out = await run(path, write);
        assert.equal(out.code, 2, out.stderr);
        const lines = out.stderr.split("\n").filter((l) => l !== "");
        assert.equal(lines.length, 1, out.stderr);
        assert.match(lines[0], /^lunge: /);
        assert.match(lines[0], reason);
        assert.equal(server.stats().requests, 0, "no request was sent");
      });
    }
  });
});

Deno.test("csv: --out csv=<file> parses; empty, twice, unknown or another output's file: one-line errors", () => {
  const parse = (...args: string[]) => parseCli(["--url", "http://h/", ...args], {}) as RunCommand;
  assert.equal(parse("--out", "csv=r.csv").distributed?.outputs.csvFile, "r.csv");
  assert.equal(parse("--out", "csv=a=b,c.csv").distributed?.outputs.csvFile, "a=b,c.csv");
  assert.equal(parse().distributed?.outputs.csvFile, undefined);
  assert.throws(() => parse("--out", "csv="), /^UsageError: --out csv=: expected csv=<file>$/);
  assert.throws(() => parse("--out", "csv"), /--out csv: expected csv=<file>/);
  assert.throws(
    () => parse("--out", "csv=a.csv", "--out", "csv=b.csv"),
    /--out csv= may be given once/,
  );
  assert.throws(() => parse("--out", "json=x"), /expected csv=<file> or prometheus-rw=<url>/);
  assert.throws(
    () => parse("--out", "csv=r.json", "-o", "r.json"),
    /^UsageError: --out csv=r\.json: that file is already another output$/,
  );
  assert.throws(() => parse("--out", "csv=r.hlog", "--hlog", "r.hlog"), /already another output/);
});

Deno.test("csv: fields with a comma, quote or line end are quoted, quotes doubled", () => {
  assert.equal(csvField("plain name"), "plain name");
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField("cr\r"), '"cr\r"');
  const row = csvRow("s,1", {
    startTime: 1_700_000_000_123.4567,
    duration: 1.0000004,
    statusCode: 0,
    bytes: 0,
    name: 'n "x"',
    error: "a,b",
  });
  assert.equal(row, '1700000000123.457,1.000000,"s,1","n ""x""",0,0,"a,b"\n');
  const back = parseCsvText(CSV_HEADER + row);
  assert.deepEqual(back[0], {
    timestamp_ms: "1700000000123.457",
    duration_ms: "1.000000",
    scenario: "s,1",
    name: 'n "x"',
    status: "0",
    bytes: "0",
    error: "a,b",
  });
});

Deno.test("csv: the file's check: a row short of the requests counted, or rows after close, fail", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lunge-csv-" });
  try {
    const file = CsvFile.open(`${dir}/a.csv`);
    assert.ok(file instanceof CsvFile);
    const r = { startTime: Date.now(), duration: 1, statusCode: 200, bytes: 2, name: "n" };
    file.append(csvRow("s", r) + csvRow("s", r), 2);
    file.append(csvRow("s", r), 1);
    assert.equal(await file.finish(3), null);
    assert.equal(
      await file.finish(4),
      `${dir}/a.csv holds 3 rows but the run counted 4 requests (rows were lost)`,
    );
    file.close();
    assert.equal((await Deno.readTextFile(`${dir}/a.csv`)).split("\n").length, 5);
    file.append(csvRow("s", r), 1);
    assert.equal(await file.finish(3), `1 rows arrived after ${dir}/a.csv was closed`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("csv: a run whose rows do not reach the file fails, naming why", async () => {
  await withServer(async (server, dir) => {
    const file = CsvFile.open(`${dir}/r.csv`);
    assert.ok(file instanceof CsvFile);
    file.close(); // the file is gone before the run: every chunk is refused
    const result = await runTest({
      config: validateConfig({
        scenarios: {
          s: {
            executor: "constant-vus",
            vus: 1,
            duration: "300ms",
            requests: [{ url: server.url }],
          },
        },
      }),
      workers: 1,
      outputs: { labels: {}, opened: [file] }, // the CSV: one of the run's outputs
    });
    assert.ok(result.metrics.totalRequests > 0);
    assert.equal(result.passed, false);
    assert.match(result.error!, /^\d+ rows arrived after .*r\.csv was closed$/);
  });
});
