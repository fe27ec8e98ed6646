/**
 * End to end: `lunge --dashboard 127.0.0.1:<port>` as a subprocess with the
 * narrowest permissions, against a counting target server, watched by a
 * real headless Chromium: the page connects and its request count rises
 * during the run; when the run ends the page is the final report and its
 * numbers equal the JSON on stdout (and the server's count); the process is
 * gone and so is the port. Without `--allow-net` for the dashboard the
 * permission check names it. With LUNGE_SCREENSHOT_DIR set, the live page
 * is saved there mid-run (dashboard.png) and at the end (dashboard-final.png);
 * LUNGE_DASHBOARD_SECONDS sets the run's length (default 4).
 */
import assert from "node:assert/strict";
import { type CdpPage, Chromium, findChromium } from "../_cdp.ts";
import { lungeCommand, READ, runLunge } from "../_cli.ts";
import { startTargetServer } from "../../../examples/lunge/demo/target_server.ts";
import { RESULT_ELEMENT_ID } from "../../../examples/lunge/outputs/html/page.ts";
import { formatCount } from "../../../examples/lunge/report/_report_format.ts";
import type { RunResult } from "../../../examples/lunge/result.ts";

/** A port nothing listens on now. */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Whether 127.0.0.1:`port` accepts a connection (false: refused; else it throws). */
async function accepts(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.ConnectionRefused) return false;
    throw e;
  }
}

async function waitFor(page: CdpPage, expression: string, ok: (v: unknown) => boolean) {
  const deadline = Date.now() + 15_000;
  let v: unknown;
  while (Date.now() < deadline) {
    v = await page.evaluate(expression).catch(() => undefined); // the page may be swapping
    if (ok(v)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${expression} is still ${JSON.stringify(v)}`);
}

/** Reads `stream` until a line matches `pattern`; keeps draining it into `all` after. */
function lineMatching(stream: ReadableStream<Uint8Array>, pattern: RegExp, all: string[]) {
  const { promise, resolve, reject } = Promise.withResolvers<RegExpExecArray>();
  const done = (async () => {
    let text = "";
    let found = false;
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const m = pattern.exec(text);
      if (m && !found) {
        found = true;
        resolve(m);
      }
    }
    all.push(text);
    if (!found) reject(new Error(`no line matching ${pattern} in:\n${text}`));
  })();
  return { match: promise, done };
}

Deno.test("e2e: --dashboard without --allow-net for it names the flag to add (exit 2)", async () => {
  const port = freePort();
  const out = await runLunge(
    ["--url", "http://127.0.0.1:9/", "--duration", "1s", "--dashboard", String(port)],
    ["--allow-net=127.0.0.1:9", `--allow-read=${READ}`],
  );
  assert.equal(out.code, 2);
  assert.equal(
    out.stderr,
    `lunge: missing permission: run Deno with --allow-net=127.0.0.1:${port}\n`,
  );
});

const CHROMIUM = findChromium();
if (CHROMIUM === null) {
  console.warn(
    "dashboard_e2e_test: no Chromium found (install Debian's `chromium`, or set CHROMIUM_PATH); " +
      "the browser test is IGNORED.",
  );
}

/** A test of five names over two scenarios, with failures, drops possible, and thresholds. */
function config(baseUrl: string) {
  return {
    name: "Dashboard e2e",
    settings: { baseUrl, timeout: "5s" },
    scenarios: {
      browse: {
        executor: "constant-vus",
        vus: 4,
        duration: "4s",
        requests: [
          { name: "home", url: "/", thinkTime: "20ms" },
          { name: "slow", url: "/delay/20" },
          { name: "asset", url: "/bytes/2048", thinkTime: "30ms" },
        ],
      },
      api: {
        executor: "constant-arrival-rate",
        rate: 60,
        duration: "4s",
        preAllocatedVUs: 4,
        maxVUs: 8,
        requests: [
          { name: "search", method: "POST", url: "/echo", body: { q: "lunge" } },
          { name: "broken", url: "/status/500" },
        ],
      },
    },
    thresholds: {
      http_req_duration: ["p(95) < 500", "avg < 200"],
      http_req_failed: ["rate < 0.5"],
    },
  };
}

const VALUE = `Number(document.getElementById("total-requests")?.dataset.value ?? NaN)`;

Deno.test({
  name:
    "e2e in Chromium: live count rises; the page ends as the report, equal to the JSON; port closed",
  ignore: CHROMIUM === null,
  async fn() {
    const shots = Deno.env.get("LUNGE_SCREENSHOT_DIR");
    const seconds = Number(Deno.env.get("LUNGE_DASHBOARD_SECONDS") ?? 4);
    const target = await startTargetServer({ hostname: "127.0.0.1", port: 0 });
    const port = freePort();
    const dir = await Deno.makeTempDir({ prefix: "lunge-dashboard-" });
    const configFile = `${dir}/test.json`;
    await Deno.writeTextFile(configFile, JSON.stringify(config(target.url.replace(/\/$/, ""))));
    const browser = await Chromium.launch(CHROMIUM!);
    let child: Deno.ChildProcess | undefined;
    try {
      child = lungeCommand(
        [
          "-c",
          configFile,
          "--duration",
          `${seconds}s`,
          "--json",
          "--dashboard",
          `127.0.0.1:${port}`,
        ],
        [
          `--allow-net=127.0.0.1:${target.port},127.0.0.1:${port}`,
          `--allow-read=${READ},${configFile}`,
        ],
      ).spawn();
      const stderr: string[] = [];
      const listening = lineMatching(child.stderr, /lunge: live dashboard at (\S+)\n/, stderr);
      const stdout = new Response(child.stdout).text();
      const url = (await listening.match)[1];
      assert.equal(url, `http://127.0.0.1:${port}/`);
      const page = await browser.newPage(1280, 1000);
      await page.goto(url);
      await waitFor(page, VALUE, (v) => (v as number) > 0);
      const first = await page.evaluate<number>(VALUE);
      await new Promise((r) => setTimeout(r, 1100));
      const second = await page.evaluate<number>(VALUE);
      assert.ok(second > first, `the count rises: ${first}, then ${second}`);
      if (shots) {
        await new Promise((r) => setTimeout(r, Math.max(0, seconds - 3.2) * 1000));
        await page.screenshot(`${shots}/dashboard.png`);
      }

      const status = await child.status;
      await listening.done;
      assert.equal(status.code, 0, stderr.join(""));
      const json: RunResult = JSON.parse(await stdout);
      assert.equal(json.metrics.totalRequests, target.stats().requests);
      assert.equal(await accepts(port), false, "the run is over: the port is closed");

      await waitFor(
        page,
        `!!document.getElementById(${JSON.stringify(RESULT_ELEMENT_ID)})`,
        Boolean,
      );
      const embedded = await page.evaluate(
        `JSON.parse(document.getElementById(${JSON.stringify(RESULT_ELEMENT_ID)}).textContent)`,
      );
      assert.deepEqual(embedded, json, "the page's final figures are the JSON's");
      if (shots) await page.screenshot(`${shots}/dashboard-final.png`);
      const cards = await page.evaluate<string[]>(
        `Array.from(document.querySelectorAll(".card-value"), (e) => e.textContent)`,
      );
      assert.equal(cards[0], formatCount(json.metrics.totalRequests));
      assert.equal(
        await page.evaluate<number>(`document.querySelectorAll("#by-name tbody tr").length`),
        Object.keys(json.metrics.byName).length,
      );
      assert.equal(
        await page.evaluate<number>(`document.querySelectorAll("#thresholds tbody tr").length`),
        json.thresholds.length,
      );
      assert.deepEqual(page.log.errors, []);
      // At most one: the page closing its own event stream as the report arrives, if it
      // does so before the server's end of the stream reaches it.
      assert.ok(
        page.log.failed.length <= 1 &&
          page.log.failed.every((f) => f.endsWith(": net::ERR_ABORTED")),
        `failed requests: ${page.log.failed}`,
      );
      assert.deepEqual(
        page.log.requests.filter((u) => !u.startsWith("blob:")),
        [url, `${url}events`],
      );
    } finally {
      if (child) {
        try {
          child.kill();
        } catch {
          // already exited
        }
        await child.status;
      }
      await browser.close();
      await target.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
