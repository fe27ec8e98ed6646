/**
 * Requests that were never sent, end to end against the counting target
 * server: each path where a step ends before any byte leaves — a variable
 * missing at run time, an invalid rendered header, a DNS failure, a
 * connection Deno's permissions refuse, no file descriptor left, a timeout
 * while still waiting for a connection — is counted as not sent (by reason,
 * name and scenario) in the JSON, the summary and `/metrics`, never in
 * `totalRequests`, which equals the server's count.
 */
import assert from "node:assert/strict";
import {
  startTargetServer,
  type TargetServer,
} from "../../../examples/lunge/demo/target_server.ts";
import { validateConfig } from "../../../examples/lunge/config/config.ts";
import { runTest } from "../../../examples/lunge/run/engine.ts";
import type { RunResult } from "../../../examples/lunge/result.ts";
import { lungeCommand, READ, runLunge } from "../_cli.ts";
import { rawServer } from "../_raw_server.ts";

async function withServer(fn: (server: TargetServer) => Promise<void>): Promise<void> {
  const server = await startTargetServer();
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("not sent: an invalid rendered header is not sent; its assertions are not evaluated", async () => {
  await withServer(async (server) => {
    const r = await runTest({
      config: validateConfig({
        settings: { baseUrl: server.url },
        scenarios: {
          s: {
            executor: "constant-vus",
            vus: 1,
            duration: "600ms",
            pacing: "50ms",
            requests: [
              {
                // The echoed body holds a line break: a header value that cannot be sent.
                name: "echo",
                method: "POST",
                url: "/echo",
                body: "a\r\nInjected: 1",
                extract: [{ name: "v", source: "regex", regex: "([\\s\\S]*)" }],
              },
              {
                name: "use",
                url: "/p",
                headers: { "X-Value": "{{v}}" },
                assertions: [{ type: "status", condition: "eq", value: "200" }],
              },
            ],
          },
        },
      }),
      workers: 1,
    });
    const byPath = server.stats().byPath;
    const iterations = byPath["/echo"];
    assert.ok(iterations >= 3, `${iterations} iterations`);
    assert.equal(byPath["/p"], undefined, "never sent");
    assert.equal(r.metrics.totalRequests, server.stats().requests);
    assert.deepEqual(r.metrics.notSent, {
      total: iterations,
      byReason: { "invalid request": iterations },
      byName: { use: iterations },
    });
    assert.deepEqual(r.scenarios.s.notSent, r.metrics.notSent);
    assert.deepEqual(r.metrics.errorsByType, {}, "not a failed request either");
    const check = r.scenarios.s.checks!.find((c) => c.request === "use")!;
    assert.deepEqual([check.passes, check.fails], [0, 0], "not evaluated: no response");
  });
});

Deno.test({
  name:
    "not sent: out of file descriptors (ulimit -n 120, 300 VUs): the connects that fail are not sent",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withServer(async (server) => {
      const o = await runLunge(
        ["--url", server.url, "--vus", "300", "--duration", "1s", "--workers", "1", "--json", "-q"],
        [`--allow-net=127.0.0.1:${server.port}`, `--allow-read=${READ}`],
        { fileLimit: 120 },
      );
      const r: RunResult = JSON.parse(o.stdout);
      assert.equal(
        r.metrics.totalRequests,
        server.stats().requests,
        "reported = the server's count",
      );
      const local = r.metrics.notSent
        ?.byReason["local network error (e.g. no file descriptor left)"];
      assert.ok((local ?? 0) > 0, JSON.stringify(r.metrics.notSent));
      assert.equal(r.metrics.errorsByType["network error"], undefined);
    });
  },
});

Deno.test("not sent: a timeout while waiting for a connection is not sent; one after writing is a failed request", async () => {
  // A server that reads and never answers; one connection for 2 VUs: one
  // request is written and times out, the other times out still queued.
  let heads = 0;
  const silent = rawServer(async (c) => {
    const buf = new Uint8Array(4096);
    let text = "";
    for (;;) {
      const n = await c.read(buf);
      if (n === null) return;
      text += new TextDecoder().decode(buf.subarray(0, n));
      let i;
      while ((i = text.indexOf("\r\n\r\n")) >= 0) {
        heads++;
        text = text.slice(i + 4);
      }
    }
  });
  try {
    const r = await runTest({
      config: validateConfig({
        settings: { maxConnectionsPerHost: 1, timeout: "300ms" },
        scenarios: {
          s: {
            executor: "constant-vus",
            vus: 2,
            duration: "900ms",
            requests: [{ name: "slow", url: silent.url }],
          },
        },
      }),
      workers: 1,
    });
    await new Promise((res) => setTimeout(res, 100));
    assert.ok(heads >= 1, `${heads} requests reached the server`);
    assert.equal(r.metrics.totalRequests, heads, "reported = what the server read");
    assert.ok((r.metrics.errorsByType.timeout ?? 0) >= 1);
    assert.ok(
      (r.metrics.notSent?.byReason["timeout before sending (connecting)"] ?? 0) >= 1,
      JSON.stringify(r.metrics.notSent),
    );
  } finally {
    await silent.close();
  }
});

Deno.test("not sent: a connection Deno's permissions refuse is not sent (the server counts the rest)", async () => {
  await withServer(async (server) => {
    // The tests may connect to 127.0.0.1 and localhost only: this host is refused before any packet.
    const r = await runTest({
      config: validateConfig({
        scenarios: {
          s: {
            executor: "constant-vus",
            vus: 1,
            duration: "500ms",
            pacing: "50ms",
            requests: [
              { name: "ok", url: server.url },
              { name: "denied", url: "http://lunge-denied.invalid/" },
            ],
          },
        },
      }),
      workers: 1,
    });
    const sent = server.stats().requests;
    assert.ok(sent >= 3, `${sent} sent`);
    assert.equal(r.metrics.totalRequests, sent);
    assert.deepEqual(r.metrics.notSent, {
      total: sent,
      byReason: { "permission denied": sent },
      byName: { denied: sent },
    });
  });
});

Deno.test({
  name: "not sent: a DNS failure is not sent; the JSON, the summary and /metrics say so",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withServer(async (server) => {
      const dir = await Deno.makeTempDir();
      const listen = `127.0.0.1:${freePort()}`;
      try {
        const config = `${dir}/t.json`;
        await Deno.writeTextFile(
          config,
          JSON.stringify({
            scenarios: {
              web: {
                executor: "constant-vus",
                vus: 1,
                duration: "2500ms",
                pacing: "100ms",
                requests: [
                  { name: "ok", url: server.url },
                  // Allowed, but no such name (RFC 2606 reserves .invalid).
                  { name: "dns", url: "http://lunge-test.invalid/" },
                ],
              },
            },
          }),
        );
        const child = lungeCommand(
          ["-c", config, "--json", "--prometheus-listen", listen, "--workers", "1"],
          [
            `--allow-net=127.0.0.1:${server.port},lunge-test.invalid,${listen}`,
            `--allow-read=${READ},${config}`,
          ],
        ).spawn();
        // /metrics while the run lasts (its figures are the last tick's).
        await new Promise((r) => setTimeout(r, 2_000));
        const metrics = await (await fetch(`http://${listen}/metrics`)).text();
        const out = await child.output();
        const stderr = new TextDecoder().decode(out.stderr);
        const r: RunResult = JSON.parse(new TextDecoder().decode(out.stdout));
        const sent = server.stats().requests;
        assert.ok(sent >= 5, `${sent} requests sent`);
        assert.equal(r.metrics.totalRequests, sent, "totalRequests = the server's count");
        const n = r.metrics.notSent!;
        assert.deepEqual(n, {
          total: sent,
          byReason: { "dns error": sent },
          byName: { dns: sent },
        });
        assert.deepEqual(r.scenarios.web.notSent, n);
        assert.deepEqual(Object.keys(r.metrics.byName), ["ok"]);
        assert.match(stderr, new RegExp(`Not Sent:\\s+${sent} `));
        assert.match(stderr, new RegExp(`dns error\\s+${sent}`));
        const line = metrics.split("\n").find((l) =>
          l.startsWith("lunge_http_reqs_not_sent_total{")
        );
        assert.match(line ?? "", /scenario="web",name="dns",reason="dns error"\} [1-9]\d*$/);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  },
});
