/**
 * The engine's one HTTP client against a real Debian nginx (tests/engine/_nginx.ts):
 * every run's request count equals nginx's access log and its bytes equal
 * the sum of nginx's `$bytes_sent` — plain requests, requests whose
 * responses are read for json assertions and extracts, redirects (nginx
 * `return 302`, each hop a request), and gzip (nginx `gzip on`, decoded for
 * an assertion, counted as it came over the wire). Real Workers.
 */
import assert from "node:assert/strict";
import { validateConfig } from "../../../examples/lunge/config/config.ts";
import { runTest } from "../../../examples/lunge/run/engine.ts";
import type { RunResult } from "../../../examples/lunge/result.ts";
import { HttpClient } from "../../../examples/lunge/http/http_client.ts";
import {
  NGINX_MISSING,
  type NginxLogLine,
  type NginxOptions,
  startNginx,
  sumBytes,
} from "../_nginx.ts";

const ignore = NGINX_MISSING !== undefined;
if (ignore) console.warn(NGINX_MISSING);

const USER = JSON.stringify({ user: { id: 42, name: "ada" }, token: "t-123", ok: true });
/** A body gzip shrinks: a JSON list with repeated fields. */
const LIST = JSON.stringify({
  items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i}`, ok: true })),
});

async function withNginx(
  options: NginxOptions,
  fn: (origin: string, log: () => Promise<NginxLogLine[]>) => Promise<void>,
): Promise<void> {
  const nginx = await startNginx({
    ...options,
    files: { "user.json": USER, "list.json": LIST, "ok.txt": "ok\n", ...options.files },
  });
  try {
    await fn(nginx.origin, () => nginx.log());
  } finally {
    await nginx.close();
  }
}

function run(doc: Record<string, unknown>, workers = 2): Promise<RunResult> {
  return runTest({ config: validateConfig(doc), workers });
}

/** The run's requests and bytes equal nginx's log (waiting for its last lines). */
async function assertCountedBy(
  r: RunResult,
  log: () => Promise<NginxLogLine[]>,
): Promise<NginxLogLine[]> {
  let lines = await log();
  for (let i = 0; i < 100 && lines.length < r.metrics.totalRequests; i++) {
    await new Promise((res) => setTimeout(res, 20));
    lines = await log();
  }
  assert.ok(r.metrics.totalRequests > 0, "the run sent requests");
  assert.equal(r.metrics.totalRequests, lines.length, "requests = nginx's access log");
  assert.equal(r.metrics.totalBytes, sumBytes(lines), "bytes = the sum of nginx's $bytes_sent");
  return lines;
}

function scenario(requests: unknown[], extra: Record<string, unknown> = {}) {
  return { executor: "constant-vus", vus: 4, duration: "700ms", requests, ...extra };
}

Deno.test({
  name: "nginx: plain GETs — count and bytes equal nginx's log",
  ignore,
  fn: () =>
    withNginx({}, async (origin, log) => {
      const r = await run({
        settings: { baseUrl: origin },
        scenarios: { s: scenario([{ name: "ok", url: "/ok.txt" }]) },
      });
      await assertCountedBy(r, log);
      assert.equal(r.metrics.failedRequests, 0);
    }),
});

Deno.test({
  name: "nginx: json assertions and extracts read the body on the engine's client; bytes exact",
  ignore,
  fn: () =>
    withNginx({}, async (origin, log) => {
      const r = await run({
        settings: { baseUrl: origin },
        scenarios: {
          s: scenario([
            {
              name: "login",
              url: "/user.json",
              extract: [{ name: "token", source: "json", path: "$.token" }],
              assertions: [
                { type: "json", path: "$.user.name", condition: "eq", value: "ada" },
                { type: "header", path: "content-type", condition: "contains", value: "json" },
              ],
            },
            {
              name: "use",
              url: "/ok.txt?t={{token}}",
              assertions: [{ type: "body", condition: "contains", value: "ok" }],
            },
          ]),
        },
      });
      const lines = await assertCountedBy(r, log);
      assert.equal(r.metrics.failedRequests, 0, JSON.stringify(r.metrics.errorsByType));
      assert.ok(lines.some((l) => l.uri === "/ok.txt?t=t-123"), "the extracted token was sent");
      assert.equal(
        lines.filter((l) => l.uri === "/user.json").length,
        r.metrics.byName.login.count,
      );
    }),
});

Deno.test({
  name: "nginx: a 302 chain is followed (each hop a request), 0 follows none, past the limit fails",
  ignore,
  fn: () =>
    withNginx({
      server: `location = /r1 { return 302 /r2; }
        location = /r2 { return 301 ${"$scheme://$http_host"}/user.json; }
        location ~ ^/loop/(\\d+)$ { return 302 /loop/$1x; }
        location ~ ^/loop/ { return 302 /loop/1; }`,
    }, async (origin, log) => {
      // Followed: /r1 -> /r2 -> /user.json, with a json assertion on the last.
      const r = await run({
        settings: { baseUrl: origin },
        scenarios: {
          s: scenario([{
            name: "chain",
            url: "/r1",
            assertions: [{ type: "json", path: "$.user.id", condition: "eq", value: "42" }],
          }]),
        },
      });
      const lines = await assertCountedBy(r, log);
      const hops = lines.filter((l) => l.uri === "/r1").length;
      assert.ok(hops > 0);
      assert.equal(lines.filter((l) => l.uri === "/r2").length, hops);
      assert.equal(lines.filter((l) => l.uri === "/user.json").length, hops);
      assert.deepEqual(r.metrics.statusCodes, { "200": hops, "301": hops, "302": hops });
      assert.equal(r.metrics.failedRequests, 0, JSON.stringify(r.metrics.errorsByType));
      assert.equal(r.metrics.byName.chain.count, 3 * hops, "every hop is named as its request");
    }),
});

Deno.test({
  name: "nginx: maxRedirects 0 returns the 302; past maxRedirects is 'too many redirects'",
  ignore,
  fn: () =>
    withNginx({
      server: `location = /r1 { return 302 /ok.txt; }
        location ~ ^/loop { return 302 /loop$request_uri; }`,
    }, async (origin, log) => {
      const none = await run({
        settings: { baseUrl: origin, maxRedirects: 0 },
        scenarios: { s: scenario([{ name: "r", url: "/r1" }], { vus: 2 }) },
      }, 1);
      const l1 = await assertCountedBy(none, log);
      assert.deepEqual(none.metrics.statusCodes, { "302": l1.length });
      const before = l1.length;

      const client = new HttpClient({ timeoutMs: 3000, maxRedirects: 3 });
      try {
        const got = await client.request({ method: "GET", url: `${origin}/loop` });
        assert.equal(got.error, "too many redirects");
        assert.equal(got.statusCode, 302);
        assert.equal(got.hops?.length, 3, "3 redirects followed");
        const lines = (await log()).slice(before);
        assert.equal(lines.length, 4, "4 requests reached nginx");
        const bytes = got.bytes + got.hops!.reduce((s, h) => s + h.bytes, 0);
        assert.equal(bytes, sumBytes(lines));
      } finally {
        client.close();
      }
    }),
});

Deno.test({
  name: "nginx: gzip on — the body is decoded for assertions, bytes count the wire",
  ignore,
  fn: () =>
    withNginx({
      server: "gzip on; gzip_min_length 1; gzip_types application/json;",
    }, async (origin, log) => {
      const r = await run({
        settings: { baseUrl: origin, compression: true },
        scenarios: {
          s: scenario([{
            name: "list",
            url: "/list.json",
            assertions: [
              { type: "header", path: "content-encoding", condition: "eq", value: "gzip" },
              { type: "json", path: "$.items[199].name", condition: "eq", value: "item 199" },
              { type: "body", condition: "contains", value: '"name":"item 7"' },
            ],
          }]),
        },
      });
      const lines = await assertCountedBy(r, log);
      assert.equal(r.metrics.failedRequests, 0, JSON.stringify(r.metrics.errorsByType));
      const perResponse = lines[0].bytesSent;
      assert.ok(perResponse < LIST.length / 3, `compressed on the wire: ${perResponse} bytes`);
      const before = lines.length;

      // The request's own Accept-Encoding asks for compression too.
      const own = await run({
        settings: { baseUrl: origin },
        scenarios: {
          s: scenario([{
            name: "list",
            url: "/list.json",
            headers: { "Accept-Encoding": "gzip" },
            assertions: [{ type: "json", path: "$.items[3].id", condition: "eq", value: "3" }],
          }]),
        },
      });
      const all = await log();
      const mine = all.slice(before);
      assert.equal(own.metrics.totalRequests, mine.length);
      assert.equal(own.metrics.totalBytes, sumBytes(mine), "bytes = nginx's, compressed");
      assert.equal(own.metrics.failedRequests, 0, JSON.stringify(own.metrics.errorsByType));
    }),
});

Deno.test({
  name: "nginx: a captured body over maxBodyBytes is 'body too large'; bytes are what arrived",
  ignore,
  fn: () =>
    withNginx({}, async (origin, log) => {
      const client = new HttpClient({ timeoutMs: 3000, maxBodyBytes: 100 });
      try {
        const big = await client.request({
          method: "GET",
          url: `${origin}/list.json`,
          capture: true,
        });
        assert.equal(big.error, "body too large");
        const [sent] = await log();
        assert.ok(
          big.bytes > 0 && big.bytes <= sent.bytesSent,
          `${big.bytes} of ${sent.bytesSent}`,
        );
        const small = await client.request({
          method: "GET",
          url: `${origin}/ok.txt`,
          capture: true,
        });
        assert.equal(small.error, undefined);
        assert.equal(new TextDecoder().decode(small.response!.body), "ok\n");
        assert.equal(small.response!.headers.get("Content-Length"), "3");
        // Not captured: counted and discarded, whatever the size.
        const plain = await client.request({ method: "GET", url: `${origin}/list.json` });
        assert.equal(plain.error, undefined);
        assert.equal(plain.response, undefined);
      } finally {
        client.close();
      }
    }),
});

Deno.test({
  name: "nginx: a run cut in the middle of a redirect chain counts the hops nginx answered",
  ignore,
  fn: () =>
    withNginx({
      files: { "big.bin": "x".repeat(200_000) },
      server: `location = /r { return 302 /big.bin; }
        location = /big.bin { limit_rate 20k; }`,
    }, async (_origin, log) => {
      const origin = _origin;
      const r = await run({
        settings: { baseUrl: origin },
        scenarios: {
          s: scenario([{ name: "slow", url: "/r" }], {
            vus: 3,
            duration: "300ms",
            gracefulStop: "0s",
          }),
        },
      }, 1);
      assert.equal(r.metrics.errorsByType.interrupted, 3, JSON.stringify(r.metrics.errorsByType));
      assert.equal(r.metrics.statusCodes["302"], 3, "each VU's first hop is counted");
      // nginx logs the cut downloads when their connections close.
      const lines = await (async () => {
        for (let i = 0; i < 100; i++) {
          const l = await log();
          if (l.length >= 6) return l;
          await new Promise((res) => setTimeout(res, 30));
        }
        return await log();
      })();
      assert.equal(r.metrics.totalRequests, lines.length, "requests = nginx's access log");
      assert.equal(lines.filter((l) => l.uri === "/r").length, 3);
    }),
});
