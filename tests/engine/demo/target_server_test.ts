import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  MAX_BYTES,
  MAX_DELAY_MS,
  MAX_TRACKED_PATHS,
  startTargetServer,
} from "../../../examples/lunge/demo/target_server.ts";
import { HttpClient } from "../../../examples/lunge/http/http_client.ts";

async function get(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: Uint8Array; headers: Headers }> {
  const res = await fetch(url, init);
  return {
    status: res.status,
    body: new Uint8Array(await res.arrayBuffer()),
    headers: res.headers,
  };
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("endpoints: /, /status, /bytes, /chunked, /echo, 404", async () => {
  const server = await startTargetServer();
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);

    const root = await get(server.url);
    assert.equal(root.status, 200);
    assert.equal(text(root.body), "ok");

    for (const code of [200, 201, 302, 404, 418, 500, 503, 599]) {
      const r = await get(`${server.url}status/${code}`, { redirect: "manual" });
      assert.equal(r.status, code);
      assert.equal(text(r.body), `${code}`);
    }
    const noContent = await get(`${server.url}status/204`);
    assert.equal(noContent.status, 204);
    assert.equal(noContent.body.length, 0);
    assert.equal((await get(`${server.url}status/99`)).status, 400);
    assert.equal((await get(`${server.url}status/600`)).status, 400);
    assert.equal((await get(`${server.url}status/abc`)).status, 400);

    const bytes = await get(`${server.url}bytes/12345`);
    assert.equal(bytes.status, 200);
    assert.equal(bytes.body.length, 12345);
    assert.equal(bytes.headers.get("content-length"), "12345");
    assert.ok(bytes.body.every((b) => b === 120));
    assert.equal((await get(`${server.url}bytes/0`)).body.length, 0);
    assert.equal((await get(`${server.url}bytes/${MAX_BYTES + 1}`)).status, 400);

    const chunked = await get(`${server.url}chunked/5000`);
    assert.equal(chunked.status, 200);
    assert.equal(chunked.body.length, 5000);
    assert.equal(chunked.headers.get("content-length"), null);
    assert.equal(chunked.headers.get("transfer-encoding"), "chunked");

    const echo = await get(`${server.url}echo`, {
      method: "POST",
      body: "héllo wörld",
      headers: { "content-type": "text/x-test" },
    });
    assert.equal(echo.status, 200);
    assert.equal(text(echo.body), "héllo wörld");
    assert.equal(echo.headers.get("content-type"), "text/x-test");

    const missing = await get(`${server.url}nothing/here`);
    assert.equal(missing.status, 404);
  } finally {
    await server.close();
  }
});

Deno.test("/delay waits, bounded; close() answers pending delays at once", async () => {
  const server = await startTargetServer();
  try {
    const t0 = performance.now();
    const r = await get(`${server.url}delay/120`);
    const elapsed = performance.now() - t0;
    assert.equal(r.status, 200);
    assert.ok(elapsed >= 115 && elapsed < 1000, `${elapsed} ms`);
    assert.equal((await get(`${server.url}delay/0`)).status, 200);
    assert.equal((await get(`${server.url}delay/${MAX_DELAY_MS + 1}`)).status, 400);

    const slow = get(`${server.url}delay/${MAX_DELAY_MS}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const t1 = performance.now();
    await server.close();
    const res = await slow;
    assert.equal(res.status, 200);
    assert.ok(performance.now() - t1 < 2000, "close did not wait for the 10 s delay");
  } finally {
    await server.close();
  }
});

Deno.test("stats count every request exactly, per path; /stats is not counted", async () => {
  const server = await startTargetServer();
  const client = new HttpClient({ timeoutMs: 5000 });
  try {
    const root = client.prepare({ method: "GET", url: server.url });
    const notFound = client.prepare({ method: "GET", url: `${server.url}missing?q=1` });
    const status = client.prepare({ method: "GET", url: `${server.url}status/503` });
    const rounds = 250;
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let i = 0; i < rounds; i++) {
        assert.equal((await client.send(root)).statusCode, 200);
        assert.equal((await client.send(notFound)).statusCode, 404);
        assert.equal((await client.send(status)).statusCode, 503);
      }
    }));
    const expected = 16 * rounds;
    assert.deepEqual(server.stats(), {
      requests: 3 * expected,
      byPath: { "/": expected, "/missing": expected, "/status/503": expected },
    });

    const viaHttp = JSON.parse(await (await fetch(`${server.url}stats`)).text());
    assert.deepEqual(viaHttp, server.stats());
    assert.equal(server.stats().requests, 3 * expected, "/stats itself is not counted");

    server.resetStats();
    assert.deepEqual(server.stats(), { requests: 0, byPath: {} });
    await client.send(root);
    assert.deepEqual(server.stats(), { requests: 1, byPath: { "/": 1 } });
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("byPath keeps a bounded number of distinct paths", async () => {
  const server = await startTargetServer();
  const client = new HttpClient({ timeoutMs: 5000 });
  try {
    const extra = 5;
    for (let i = 0; i < MAX_TRACKED_PATHS + extra; i++) {
      await client.request({ method: "GET", url: `${server.url}p/${i}` });
    }
    const stats = server.stats();
    assert.equal(stats.requests, MAX_TRACKED_PATHS + extra);
    assert.equal(Object.keys(stats.byPath).length, MAX_TRACKED_PATHS + 1);
    assert.equal(stats.byPath["(other)"], extra);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("a fixed port, and a port already in use rejects", async () => {
  const first = await startTargetServer();
  try {
    await assert.rejects(() => startTargetServer({ port: first.port }), Deno.errors.AddrInUse);
  } finally {
    await first.close();
  }
});

Deno.test({
  name: "CLI: runs as a separate process and prints its URL first",
  ignore: Deno.permissions.querySync({ name: "run" }).state !== "granted",
  async fn() {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        fileURLToPath(new URL("../../../examples/lunge/demo/target_server.ts", import.meta.url)),
        "--port",
        "0",
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let out = "";
      while (!out.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        out += value;
      }
      const url = out.split("\n")[0].trim();
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const res = await fetch(url);
      assert.equal(await res.text(), "ok");
      const stats = await (await fetch(`${url}stats`)).json();
      assert.deepEqual(stats, { requests: 1, byPath: { "/": 1 } });
      await reader.cancel();
    } finally {
      child.kill();
      await child.status;
    }
  },
});

Deno.test("login issues a token that /profile requires (401 otherwise)", async () => {
  const server = await startTargetServer();
  try {
    const anonymous = await get(`${server.url}profile`);
    assert.equal(anonymous.status, 401);
    assert.deepEqual(JSON.parse(text(anonymous.body)), { error: "unauthorized" });
    assert.equal((await get(`${server.url}login`)).status, 405, "GET /login");
    assert.equal(
      (await get(`${server.url}login`, { method: "POST", body: "{" })).status,
      400,
      "non-JSON body",
    );
    const login = await get(`${server.url}login`, {
      method: "POST",
      body: JSON.stringify({ user: "alice" }),
    });
    assert.equal(login.status, 200);
    const { token, user } = JSON.parse(text(login.body));
    assert.equal(user, "alice");
    assert.match(token, /^[0-9a-f]{32}$/);
    assert.equal(login.headers.get("x-session-id"), `s-${token.slice(0, 8)}`);
    const ok = await get(`${server.url}profile`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(text(ok.body)), { user: "alice", plan: "pro" });
    const forged = await get(`${server.url}profile`, { headers: { Authorization: "Bearer x" } });
    assert.equal(forged.status, 401);
    assert.deepEqual(server.stats().byPath, { "/profile": 3, "/login": 3 });
  } finally {
    await server.close();
  }
});

Deno.test("/cycle/<n> marks every n-th request not ok; /json; /response-headers", async () => {
  const server = await startTargetServer();
  try {
    const oks: boolean[] = [];
    for (let i = 1; i <= 9; i++) {
      const r = await get(`${server.url}cycle/3`);
      const body = JSON.parse(text(r.body));
      assert.equal(body.seq, i);
      assert.equal(r.headers.get("x-seq"), String(i));
      oks.push(body.ok);
    }
    assert.deepEqual(oks, [true, true, false, true, true, false, true, true, false]);
    assert.equal((await get(`${server.url}cycle/0`)).status, 400);
    const doc = JSON.parse(text((await get(`${server.url}json`)).body));
    assert.equal(doc.items[1].price, 20);
    const rh = await get(`${server.url}response-headers?X-Token=abc&X-Other=1`);
    assert.equal(rh.headers.get("x-token"), "abc");
    assert.deepEqual(JSON.parse(text(rh.body)), { "X-Token": "abc", "X-Other": "1" });
    assert.equal(server.stats().requests, 12);
  } finally {
    await server.close();
  }
});
