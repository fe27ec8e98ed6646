/**
 * Requests on keep-alive connections that a real nginx closes while idle
 * (`keepalive_timeout 50ms`), paced so that some are sent just as nginx
 * closes the connection they go on (issue 16, item 1b). As Go's client:
 * a GET that fails before any response byte on a reused connection is
 * retried once on a fresh one and counted as a retry, so every GET succeeds
 * and nginx logs each once; a POST is never resent: it fails as
 * `"reset on reused connection"`, and nginx never logged it. Either way the
 * counts equal nginx's log.
 */
import assert from "node:assert/strict";
import { HttpClient } from "../../../examples/lunge/http/http_client.ts";
import { describeError } from "../../../examples/lunge/http/errors.ts";
import { NGINX_MISSING, startNginx } from "../_nginx.ts";
import { validateConfig } from "../../../examples/lunge/config/config.ts";
import { runTest } from "../../../examples/lunge/run/engine.ts";
import { renderSummary } from "../../../examples/lunge/report/summary.ts";

const ignore = NGINX_MISSING !== undefined;
if (ignore) console.warn(NGINX_MISSING);

const KEEPALIVE_MS = 50;
const CONNECTIONS = 20;
const ROUNDS = 30;

/** Sends `method` ROUNDS times on each of CONNECTIONS loops, waiting about the keep-alive timeout between. */
async function race(method: string) {
  const nginx = await startNginx({
    http: `keepalive_timeout ${KEEPALIVE_MS}ms;`,
    server: 'location = /p { return 200 "ok\\n"; }',
  });
  const client = new HttpClient({ timeoutMs: 3000 });
  try {
    const req = client.prepare({
      method,
      url: `${nginx.origin}/p`,
      body: method === "POST" ? '{"n":1}' : undefined,
    });
    const errors: Record<string, number> = {};
    let ok = 0;
    await Promise.all(Array.from({ length: CONNECTIONS }, async (_, k) => {
      for (let i = 0; i < ROUNDS; i++) {
        const o = await client.send(req);
        if (o.error === undefined) ok++;
        else errors[o.error] = (errors[o.error] ?? 0) + 1;
        // Sweep the wait across the timeout: -3 ms .. +3 ms around it.
        const wait = KEEPALIVE_MS - 3 + ((i * 7 + k * 3) % 60) / 10;
        await new Promise((r) => setTimeout(r, wait));
      }
    }));
    const logged = await nginx.logAtLeast(ok, 2000);
    return { ok, errors, retries: client.retries, logged: logged.length };
  } finally {
    client.close();
    await nginx.close();
  }
}

Deno.test({
  name: "reuse: GETs on connections nginx closes while idle are retried once; counts equal nginx's",
  ignore,
  fn: async () => {
    const r = await race("GET");
    console.log(`GET: ${r.retries} retried after a reset on a reused connection`);
    assert.deepEqual(r.errors, {}, "every GET got its response");
    assert.equal(r.ok, CONNECTIONS * ROUNDS);
    assert.equal(r.logged, r.ok, "nginx logged each GET once");
  },
});

Deno.test({
  name:
    "reuse: POSTs reset by nginx while closing are not resent, and say so; counts equal nginx's",
  ignore,
  fn: async () => {
    const r = await race("POST");
    const resets = r.errors["reset on reused connection"] ?? 0;
    console.log(`POST: ${resets} reset before any response on reused connections`);
    assert.deepEqual(Object.keys(r.errors).filter((e) => e !== "reset on reused connection"), []);
    assert.equal(r.retries, 0, "a POST is never sent twice");
    assert.equal(r.ok + resets, CONNECTIONS * ROUNDS);
    assert.equal(r.logged, r.ok, "nginx never logged the POSTs it reset");
    assert.match(describeError("reset on reused connection")!, /may not have processed them/);
  },
});

Deno.test({
  name:
    "reuse: the engine's POSTs against nginx closing idle connections: counts equal, the summary says what happened",
  ignore,
  fn: async () => {
    const nginx = await startNginx({
      http: `keepalive_timeout ${KEEPALIVE_MS}ms;`,
      server: 'location = /p { return 200 "ok\\n"; }',
    });
    try {
      const r = await runTest({
        config: validateConfig({
          settings: { baseUrl: nginx.origin },
          scenarios: {
            s: {
              executor: "constant-vus",
              vus: 20,
              duration: "1500ms",
              // A wait after each iteration of about nginx's keep-alive timeout.
              pacing: {
                type: "random",
                min: `${KEEPALIVE_MS - 3}ms`,
                max: `${KEEPALIVE_MS + 3}ms`,
              },
              requests: [{ name: "order", method: "POST", url: "/p", body: '{"n":1}' }],
            },
          },
        }),
        workers: 1,
      });
      const m = r.metrics;
      const resets = m.errorsByType["reset on reused connection"] ?? 0;
      console.log(`engine: ${m.totalRequests} POSTs, ${resets} reset on reused connections`);
      const logged = await nginx.logAtLeast(m.totalRequests - resets, 2000);
      assert.equal(m.totalRequests - resets, logged.length, "sent = logged + reset unseen");
      assert.equal(m.failedRequests, resets, JSON.stringify(m.errorsByType));
      assert.equal(m.retries, 0);
      const text = renderSummary(r, { color: false, quiet: false });
      if (resets > 0) {
        assert.match(text, /reset by the server before any response, on reused keep-alive/);
        assert.match(text, /the server may not have processed them/);
      }
    } finally {
      await nginx.close();
    }
  },
});
