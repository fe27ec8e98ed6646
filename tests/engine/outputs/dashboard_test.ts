/**
 * The live dashboard (examples/lunge/outputs/dashboard/): its address,
 * that it listens on the given address only and answers only to its own
 * Host, and, in real headless Chromium against a real run (the engine's
 * Workers and the built-in target server): the page connects and its
 * request count rises during the run, the page then becomes the final
 * report whose numbers equal the result's JSON, nothing external loads, and
 * once the output is closed the port is closed.
 */
import assert from "node:assert/strict";
import { type CdpPage, Chromium, findChromium } from "../_cdp.ts";
import {
  DashboardOutput,
  parseDashboardAddress,
} from "../../../examples/lunge/outputs/dashboard/dashboard.ts";
import { runTest } from "../../../examples/lunge/run/engine.ts";
import { runDurationMs } from "../../../examples/lunge/run/executors.ts";
import { demoConfig } from "../../../examples/lunge/demo/demo.ts";
import { startTargetServer } from "../../../examples/lunge/demo/target_server.ts";
import { RESULT_ELEMENT_ID } from "../../../examples/lunge/outputs/html/page.ts";
import { formatCount } from "../../../examples/lunge/report/_report_format.ts";
import type { RunResult } from "../../../examples/lunge/result.ts";
import { createCollector } from "@lunge/metrics";
import { parseCli } from "../../../examples/lunge/cli/parse.ts";
import {
  buildFrame,
  completedPoints,
  type DashboardFrame,
} from "../../../examples/lunge/outputs/dashboard/_frame.ts";
import { parseThresholds } from "../../../examples/lunge/verdict/thresholds.ts";

Deno.test("parseDashboardAddress: port alone is loopback; host:port; [ipv6]:port; bad input named", () => {
  assert.deepEqual(parseDashboardAddress("5665"), { hostname: "127.0.0.1", port: 5665 });
  assert.deepEqual(parseDashboardAddress("0.0.0.0:80"), { hostname: "0.0.0.0", port: 80 });
  assert.deepEqual(parseDashboardAddress("localhost:0"), { hostname: "localhost", port: 0 });
  assert.deepEqual(parseDashboardAddress("[::1]:5665"), { hostname: "::1", port: 5665 });
  for (const bad of ["", "host", "1.2.3.4:", "127.0.0.1:65536", "a b:1", "::1:80"]) {
    assert.throws(
      () => parseDashboardAddress(bad),
      (e: Error) => e.message.includes("--dashboard") && e.message.includes(JSON.stringify(bad)),
      bad,
    );
  }
});

Deno.test("the CLI: --dashboard and --out dashboard= are one output; bad values are usage errors", () => {
  const url = ["--url", "http://127.0.0.1:9/"];
  const at = (args: string[]) => {
    const cmd = parseCli([...url, ...args], { collector: "atomic" });
    return cmd.kind === "run" ? cmd.dashboard : "not a run";
  };
  assert.equal(at([]), undefined);
  assert.deepEqual(at(["--dashboard", "5665"]), { hostname: "127.0.0.1", port: 5665 });
  assert.deepEqual(at(["--out", "dashboard=[::1]:80"]), { hostname: "::1", port: 80 });
  assert.deepEqual(at(["--dashboard", "5665", "--out", "dashboard=127.0.0.1:5665"]), {
    hostname: "127.0.0.1",
    port: 5665,
  });
  const usage = (args: string[], message: string) =>
    assert.throws(() => at(args), (e: Error) => e.name === "UsageError" && e.message === message);
  usage(["--dashboard", "x"], `--dashboard "x": expected [host:]port, e.g. 127.0.0.1:5665`);
  usage(
    ["--out", "dashboard=x"],
    "--out dashboard=x: expected dashboard=[host:]port, e.g. dashboard=127.0.0.1:5665",
  );
  usage(
    ["--dashboard", "1", "--out", "dashboard=2"],
    "--dashboard 1 and --out dashboard=2 disagree: give one",
  );
});

/** Whether a TCP connection to `hostname:port` is accepted (false: refused; else it throws). */
async function accepts(hostname: string, port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname, port });
    conn.close();
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.ConnectionRefused) return false;
    throw e;
  }
}

/** The status line and headers of `GET /` sent with `Host: host`. */
async function rawGet(port: number, host: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(
      new TextEncoder().encode(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
    );
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf);
    return new TextDecoder().decode(buf.subarray(0, n ?? 0));
  } finally {
    conn.close();
  }
}

function dashboard(address = "127.0.0.1:0"): DashboardOutput {
  return new DashboardOutput({ address, name: "t", thresholds: [], plannedMs: 0 });
}

Deno.test("the dashboard listens on its address only, answers only to its own Host, and its port closes", async () => {
  const d = dashboard();
  d.open();
  const port = d.port!;
  try {
    assert.equal(d.url, `http://127.0.0.1:${port}/`);
    assert.ok(await accepts("127.0.0.1", port));
    // 127.0.0.2 is loopback too on Linux: not bound, so refused (`deno task test` allows it).
    if (Deno.build.os === "linux") assert.equal(await accepts("127.0.0.2", port), false);
    const page = await fetch(d.url!);
    assert.equal(page.status, 200);
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /connect-src 'self'/);
    assert.match(await page.text(), /<h1 id="test-name">t<\/h1>/);
    // fetch sets Host itself: a rebound DNS name is a raw request naming another host.
    assert.match(await rawGet(port, `evil.example:${port}`), /^HTTP\/1\.1 421 /);
    assert.match(await rawGet(port, `localhost:${port}`), /^HTTP\/1\.1 200 /);
    const post = await fetch(d.url!, { method: "POST" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
    // Before the run starts an event stream says hello, and no frame is built.
    const events = await fetch(`${d.url}events`);
    assert.equal(events.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const reader = events.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /^event: hello\ndata: \{"name":"t","startMs":null,"plannedMs":0\}\n\n/);
    const closing = d.close(); // no report: the stream gets "end", then the server stops
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      rest += new TextDecoder().decode(r.value);
    }
    assert.match(rest, /event: end\n/);
    await closing;
  } finally {
    await d.close();
  }
  assert.equal(await accepts("127.0.0.1", port), false, "the port is closed");
});

Deno.test("a busy port is an OutputError naming --dashboard and the address", () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const d = dashboard(`127.0.0.1:${(taken.addr as Deno.NetAddr).port}`);
    assert.throws(
      () => d.open(),
      (e: Error) =>
        e.name === "OutputError" &&
        e.message.startsWith(`--dashboard: cannot listen on 127.0.0.1:${taken.addr.port}`),
    );
  } finally {
    taken.close();
  }
});

Deno.test("no frame is built while no page is open", () => {
  const d = dashboard();
  d.open();
  const collector = createCollector();
  try {
    d.start({ collector, startMs: Date.now() });
    d.tick({ now: Date.now(), counters: { activeVUs: 1, scenarios: [] } });
    assert.equal(d.frames, 0);
  } finally {
    collector.close();
  }
  return d.close();
});

Deno.test("a frame: completed seconds only, the snapshot's figures, thresholds on that snapshot", () => {
  const collector = createCollector();
  try {
    const second = Math.floor(Date.now() / 1000) * 1000;
    const record = (at: number, statusCode: number, name: string) =>
      collector.recordRequest({ startTime: at, duration: 4, statusCode, bytes: 10, name });
    for (let i = 0; i < 6; i++) record(second - 2000 + i, i < 2 ? 500 : 200, "a"); // 2 s ago
    for (let i = 0; i < 3; i++) record(second - 1000 + i, 200, "b"); // 1 s ago
    record(second + 1, 200, "b"); // the second in progress
    collector.flush();
    const now = second + 10;
    const points = completedPoints(collector.getTimeSeries(), now);
    assert.deepEqual(points.map((p) => [p.t, p.requests, p.failures]).slice(-2), [
      [second - 2000, 6, 2],
      [second - 1000, 3, 0],
    ]);
    const snapshot = collector.getSnapshot();
    const frame = buildFrame({
      snapshot,
      points,
      samples: [],
      counters: {
        activeVUs: 3,
        scenarios: [{ name: "s", iterations: 9, dropped: 2, notSent: { why: { a: 1 } } }],
      },
      thresholds: parseThresholds({
        http_reqs: ["count > 100"],
        http_req_failed: ["rate < 0.5"],
        dropped_iterations: ["count == 0"],
      }),
      now,
      startMs: second - 2500,
    });
    assert.equal(frame.requests, 10);
    assert.equal(frame.failures, 2);
    assert.deepEqual(Object.keys(frame.byName).sort(), ["a", "b"]);
    assert.deepEqual(frame.errorsByStatus, { "500": 2 });
    assert.equal(frame.elapsedMs, 2510);
    assert.equal(frame.notSent, 1);
    assert.equal(frame.activeVUs, 3);
    assert.deepEqual(frame.thresholds.map((t) => [t.metric, t.value, t.passed]), [
      ["http_reqs", "10", false],
      ["http_req_failed", "0.2", true],
      ["dropped_iterations", "2", false],
    ]);
  } finally {
    collector.close();
  }
});

const CHROMIUM = findChromium();
if (CHROMIUM === null) {
  console.warn(
    "dashboard_test: no Chromium found (install Debian's `chromium`, or set CHROMIUM_PATH); " +
      "the browser test is IGNORED.",
  );
}

/** Polls `expression` in the page until `ok` holds (at most 5 s). */
async function waitFor(page: CdpPage, expression: string, ok: (v: unknown) => boolean) {
  const deadline = Date.now() + 5000;
  let v: unknown;
  while (Date.now() < deadline) {
    v = await page.evaluate(expression);
    if (ok(v)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${expression} is still ${JSON.stringify(v)}`);
}

/** The first `tick` frame of an event stream (the stream is then cancelled). */
async function firstFrame(url: string): Promise<DashboardFrame> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      text += r.value;
      const m = /event: tick\ndata: (.*)\n\n/.exec(text);
      if (m) return JSON.parse(m[1]);
    }
  } finally {
    await reader.cancel();
  }
  throw new Error(`no tick frame in: ${text.slice(0, 200)}`);
}

/** The live page's figure `id` (its raw number). */
const VALUE = (id: string) =>
  `Number(document.getElementById(${JSON.stringify(id)})?.dataset.value ?? NaN)`;

Deno.test({
  name:
    "in Chromium: live count rises, the page becomes the final report equal to the JSON, the port closes",
  ignore: CHROMIUM === null,
  async fn() {
    const target = await startTargetServer({ hostname: "127.0.0.1", port: 0 });
    const config = demoConfig(target.url.replace(/\/$/, ""), 3);
    const d = new DashboardOutput({
      address: "127.0.0.1:0",
      name: config.name,
      thresholds: config.parsedThresholds,
      plannedMs: runDurationMs(config.scenarios),
      htmlFile: "out/report.html",
    });
    d.open();
    const port = d.port!;
    const browser = await Chromium.launch(CHROMIUM!);
    try {
      const page = await browser.newPage(1280, 900);
      await page.goto(d.url!);
      // Connected before the run: the stream's hello has arrived.
      await waitFor(
        page,
        `document.getElementById("status").textContent`,
        (v) => v === "Waiting for the run to start",
      );
      const run = runTest({
        config,
        workers: 2,
        outputs: { labels: {}, opened: [d.feed()] },
      });
      // During the run: the count shown rises from one second to the next.
      await waitFor(page, VALUE("total-requests"), (v) => (v as number) > 0);
      const first = await page.evaluate<number>(VALUE("total-requests"));
      await new Promise((r) => setTimeout(r, 1100));
      const second = await page.evaluate<number>(VALUE("total-requests"));
      assert.ok(second > first, `count rises: ${first}, then ${second}`);
      assert.match(
        await page.evaluate<string>(`document.getElementById("status").textContent`),
        /^Running · \ds of 3s/,
      );
      assert.ok(
        await page.evaluate<number>(`document.querySelectorAll("#chart-rps path").length`) >= 1,
      );
      assert.equal(
        await page.evaluate<number>(`document.querySelectorAll("#by-name-rows tr").length`),
        new Set(config.scenarios.flatMap((sc) => sc.requests.map((r) => r.name))).size,
        "one row per request name",
      );
      assert.equal(
        await page.evaluate<number>(`document.querySelectorAll("#thresholds-rows tr").length`),
        config.parsedThresholds.length,
      );

      const result: RunResult = await run;
      // The run is over, the report not sent yet: the open page shows the final figures,
      // and a page connecting now gets them too (the engine has closed its collector).
      await waitFor(page, VALUE("total-requests"), (v) => v === result.metrics.totalRequests);
      const late = await firstFrame(`${d.url}events`);
      assert.equal(late.requests, result.metrics.totalRequests);
      assert.equal(late.failures, result.metrics.failedRequests);
      assert.deepEqual(late.errorsByStatus, result.metrics.errorsByStatus);
      d.report(result);
      await d.close();
      assert.equal(await accepts("127.0.0.1", port), false, "the port is closed once closed");

      // The page became the final report, self-contained: its numbers are the JSON's.
      const json = JSON.parse(JSON.stringify(result));
      const embedded = await page.evaluate(
        `JSON.parse(document.getElementById(${JSON.stringify(RESULT_ELEMENT_ID)}).textContent)`,
      );
      assert.deepEqual(embedded, json);
      const cards = await page.evaluate<string[]>(
        `Array.from(document.querySelectorAll(".card-value"), (e) => e.textContent)`,
      );
      assert.equal(cards[0], formatCount(json.metrics.totalRequests));
      assert.equal(
        await page.evaluate(`document.getElementById("badge").textContent`),
        result.passed ? "PASS" : "FAIL",
      );
      assert.match(
        await page.evaluate<string>(`document.getElementById("dashboard-final").textContent`),
        /final report.*Save this report \(also written to out\/report\.html\)/,
      );
      assert.equal(
        await page.evaluate(`document.getElementById("save-report").download`),
        "report.html",
      );
      // The report's own script runs (admitted by hash): the theme toggle is labelled.
      assert.match(
        await page.evaluate<string>(`document.getElementById("theme-toggle").textContent`),
        /theme$/,
      );
      const origin = `http://127.0.0.1:${port}/`;
      assert.deepEqual(
        page.log.requests.filter((u) => !u.startsWith("blob:")),
        [origin, `${origin}events`],
        "nothing but the page and its stream",
      );
      assert.deepEqual(page.log.errors, []);
      // At most one: the page closing its own event stream as the report arrives, if it
      // does so before the server's end of the stream reaches it.
      assert.ok(
        page.log.failed.length <= 1 &&
          page.log.failed.every((f) => f.endsWith(": net::ERR_ABORTED")),
        `failed requests: ${page.log.failed}`,
      );
      await page.close();
    } finally {
      await browser.close();
      await d.close();
      await target.close();
    }
  },
});
