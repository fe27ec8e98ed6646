/**
 * The HTTP client's bounds on idle keep-alive connections and pools (as Go's
 * `net/http` Transport: `MaxIdleConns`, `IdleConnTimeout`): requests to ever
 * new origins (a host filled in per iteration) must not grow the open sockets
 * or the map of pools without bound. Every count of open connections is taken
 * at the servers (accepted and not yet ended by the client).
 */
import assert from "node:assert/strict";
import { DEFAULT_MAX_IDLE_CONNS, HttpClient } from "../../../examples/lunge/http/http_client.ts";
import { rawServer } from "../_raw_server.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const OK_RESPONSE = encoder.encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

/** A keep-alive HTTP/1.1 server on 127.0.0.1 that counts its connections. */
interface CountingServer {
  url: string;
  /** Connections accepted. */
  accepted: number;
  /** Connections accepted and not yet ended by the client. */
  open: number;
  /** Connections the client ended (the server read EOF or a reset). */
  closedByClient: number;
  close(): Promise<void>;
}

/**
 * Answers every request (a head without body) with `200 ok`, after `delayMs`
 * when given, and keeps the connection open until the client ends it.
 */
function countingServer(delayMs = 0): CountingServer {
  let open = 0, closedByClient = 0;
  const raw = rawServer(async (conn) => {
    open++;
    const buf = new Uint8Array(4096);
    let text = "";
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += decoder.decode(buf.subarray(0, n));
        let end;
        while ((end = text.indexOf("\r\n\r\n")) >= 0) {
          text = text.slice(end + 4);
          if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
          await conn.write(OK_RESPONSE);
        }
      }
    } catch {
      // reset by the client, or closed by server.close()
    }
    if (!raw.closing) closedByClient++;
    open--;
  });
  return {
    url: raw.url,
    get accepted() {
      return raw.accepted;
    },
    get open() {
      return open;
    },
    get closedByClient() {
      return closedByClient;
    },
    close: () => raw.close(),
  };
}

/** Waits until `cond()` holds, polling; fails naming `what` after a generous `ms`. */
async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sum = (servers: CountingServer[], f: (s: CountingServer) => number) =>
  servers.reduce((a, s) => a + f(s), 0);

async function get(client: HttpClient, url: string): Promise<void> {
  const out = await client.request({ method: "GET", url });
  assert.equal(out.error, undefined, `GET ${url}: ${out.error}`);
  assert.equal(out.statusCode, 200);
}

Deno.test("many origins: the default cap keeps at most 100 idle connections open, and 100 pools", async () => {
  const servers = Array.from({ length: 150 }, () => countingServer());
  const client = new HttpClient({ timeoutMs: 10_000 });
  try {
    for (const s of servers) await get(client, s.url);
    assert.equal(DEFAULT_MAX_IDLE_CONNS, 100);
    assert.equal(client.idleCount, 100);
    assert.equal(client.poolCount, 100, "the pools of the 50 closed connections are removed");
    assert.equal(sum(servers, (s) => s.accepted), 150);
    await until(() => sum(servers, (s) => s.open) === 100, "servers see 100 connections open");
    assert.equal(sum(servers, (s) => s.closedByClient), 50);
    // The least recently used were closed: the first 50 origins'.
    assert.deepEqual(servers.map((s) => s.open), servers.map((_, i) => i < 50 ? 0 : 1));
  } finally {
    client.close();
    await Promise.all(servers.map((s) => s.close()));
  }
});

Deno.test("maxIdleConns: concurrent requests to 150 origins leave at most the cap open", async () => {
  const servers = Array.from({ length: 150 }, () => countingServer());
  const client = new HttpClient({ timeoutMs: 10_000, maxIdleConns: 20 });
  try {
    // 10 at a time, as 10 VUs with the host filled in per iteration.
    for (let i = 0; i < servers.length; i += 10) {
      await Promise.all(servers.slice(i, i + 10).map((s) => get(client, s.url)));
      assert.ok(client.idleCount <= 20, `idle ${client.idleCount} > 20`);
      assert.ok(client.poolCount <= 20, `pools ${client.poolCount} > 20`);
    }
    assert.equal(client.idleCount, 20);
    assert.equal(client.poolCount, 20);
    await until(() => sum(servers, (s) => s.open) === 20, "servers see 20 connections open");
    assert.equal(sum(servers, (s) => s.closedByClient), 130);
  } finally {
    client.close();
    await Promise.all(servers.map((s) => s.close()));
  }
});

Deno.test("maxIdleConns closes the least recently used idle connection, of any origin", async () => {
  const servers = Array.from({ length: 4 }, () => countingServer());
  const client = new HttpClient({ timeoutMs: 10_000, maxIdleConns: 3 });
  try {
    for (const s of servers.slice(0, 3)) await get(client, s.url);
    await get(client, servers[0].url); // reused: now the most recently used
    await get(client, servers[3].url); // one too many: closes servers[1]'s, not servers[0]'s
    assert.equal(client.idleCount, 3);
    await until(() => servers[1].closedByClient === 1, "servers[1] sees its connection end");
    assert.deepEqual(servers.map((s) => s.open), [1, 0, 1, 1]);
    assert.equal(servers[0].accepted, 1, "servers[0]'s connection was reused, not reopened");
    await get(client, servers[1].url); // reopens in a new pool
    assert.equal(servers[1].accepted, 2);
  } finally {
    client.close();
    await Promise.all(servers.map((s) => s.close()));
  }
});

Deno.test("the default cap keeps a burst's connections for the next burst", async () => {
  const server = countingServer();
  const client = new HttpClient({ timeoutMs: 10_000 });
  try {
    const burst = () => Promise.all(Array.from({ length: 130 }, () => get(client, server.url)));
    await burst();
    assert.equal(server.accepted, 130);
    assert.equal(client.idleCount, 130, "130 in use at once: the cap grew to 130");
    await burst();
    assert.equal(server.accepted, 130, "the second burst reused every connection");
    assert.equal(server.closedByClient, 0);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("pools of origins no longer used are removed once their connections are closed", async () => {
  const refused = countingServer();
  const refusedUrl = refused.url;
  await refused.close();
  const closing = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closingUrl = `http://127.0.0.1:${(closing.addr as Deno.NetAddr).port}/`;
  const closingServed = (async () => {
    const conn = await closing.accept();
    const buf = new Uint8Array(4096);
    await conn.read(buf);
    await conn.write(
      encoder.encode("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    );
    conn.close();
  })();
  const servers = Array.from({ length: 3 }, () => countingServer());
  const client = new HttpClient({ timeoutMs: 10_000, idleTimeoutMs: 200 });
  try {
    const out = await client.request({ method: "GET", url: refusedUrl });
    assert.equal(out.error, "connection refused");
    assert.equal(client.poolCount, 0, "a failed connect leaves no pool");
    await get(client, closingUrl);
    await closingServed;
    assert.equal(client.poolCount, 0, "a connection closed after its response leaves no pool");
    for (const s of servers) await get(client, s.url);
    assert.equal(client.poolCount, 3);
    await until(() => client.poolCount === 0, "idle-timed-out pools removed");
    assert.equal(client.idleCount, 0);
    await get(client, servers[0].url); // a removed pool is recreated on demand
    assert.equal(client.poolCount, 1);
    assert.equal(servers[0].accepted, 2);
  } finally {
    client.close();
    closing.close();
    await Promise.all(servers.map((s) => s.close()));
  }
});

Deno.test("idleTimeoutMs closes idle connections: the server sees the end", async () => {
  const servers = Array.from({ length: 3 }, () => countingServer());
  const client = new HttpClient({ timeoutMs: 10_000, idleTimeoutMs: 200 });
  try {
    const t0 = performance.now();
    for (const s of servers) await get(client, s.url);
    assert.equal(client.idleCount, 3);
    await until(() => sum(servers, (s) => s.closedByClient) === 3, "servers see 3 EOFs");
    assert.ok(performance.now() - t0 >= 190, "not closed before the idle timeout");
    assert.equal(client.idleCount, 0);
    assert.equal(client.poolCount, 0);
    assert.equal(client.idleDropped, 0, "closed by the client, not dropped as the server's");
  } finally {
    client.close();
    await Promise.all(servers.map((s) => s.close()));
  }
});

Deno.test("idleTimeoutMs also applies while other requests are in flight", async () => {
  const fast = countingServer();
  const slow = countingServer(3_000);
  const client = new HttpClient({ timeoutMs: 10_000, idleTimeoutMs: 200 });
  try {
    await get(client, fast.url);
    let slowDone = false;
    const slowRequest = get(client, slow.url).then(() => slowDone = true);
    await until(() => fast.closedByClient === 1, "the idle connection to fast is closed");
    assert.equal(slowDone, false, "closed while the slow request was still in flight");
    await slowRequest;
  } finally {
    client.close();
    await Promise.all([fast.close(), slow.close()]);
  }
});

Deno.test("an idle connection and its timeout timer do not keep the process alive", async () => {
  const server = countingServer();
  const client = new URL("../../../examples/lunge/http/http_client.ts", import.meta.url).href;
  // Default idle timeout (90 s); the client is never closed.
  const code = `import { HttpClient } from ${JSON.stringify(client)};
const c = new HttpClient({ timeoutMs: 10000 });
const out = await c.request({ method: "GET", url: ${JSON.stringify(server.url)} });
console.log(out.statusCode, c.idleCount);`;
  try {
    const t0 = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-check", code],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const ms = performance.now() - t0;
    assert.equal(decoder.decode(out.stderr), "");
    assert.equal(decoder.decode(out.stdout).trim(), "200 1");
    assert.ok(out.success);
    assert.ok(ms < 60_000, `the process exited after ${Math.round(ms)} ms (idle timeout: 90 s)`);
    await until(() => server.closedByClient === 1, "the server sees the process's socket end");
  } finally {
    await server.close();
  }
});

Deno.test("maxIdleConnsPerHost: a burst of 6 to one origin keeps 2 idle, the server sees 4 closed", async () => {
  const server = countingServer(50);
  const client = new HttpClient({ timeoutMs: 10_000, maxIdleConnsPerHost: 2 });
  try {
    await Promise.all(Array.from({ length: 6 }, () => get(client, server.url)));
    assert.equal(server.accepted, 6, "6 concurrent requests, 6 connections");
    assert.equal(client.idleCount, 2);
    await until(() => server.open === 2, "the server sees 2 connections open");
    assert.equal(server.closedByClient, 4);
    // The next burst reuses the 2 and opens 4 again.
    await Promise.all(Array.from({ length: 6 }, () => get(client, server.url)));
    assert.equal(server.accepted, 10);
    assert.equal(client.idleCount, 2);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("maxIdleConnsPerHost: a connection is handed to a waiting request even at the cap", async () => {
  const server = countingServer(20);
  const client = new HttpClient({
    timeoutMs: 10_000,
    maxConnectionsPerHost: 2,
    maxIdleConnsPerHost: 1,
  });
  try {
    // 8 requests over 2 connections: the 6 that queue reuse them, none opens a third.
    await Promise.all(Array.from({ length: 8 }, () => get(client, server.url)));
    assert.equal(server.accepted, 2);
    assert.equal(client.idleCount, 1);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("maxIdleConns and idleTimeoutMs are validated", () => {
  assert.throws(
    () => new HttpClient({ timeoutMs: 1000, maxIdleConnsPerHost: 0 }),
    /maxIdleConnsPerHost must be >= 1, got 0/,
  );
  assert.throws(
    () => new HttpClient({ timeoutMs: 1000, maxIdleConns: 0 }),
    /maxIdleConns must be >= 1, got 0/,
  );
  assert.throws(
    () => new HttpClient({ timeoutMs: 1000, idleTimeoutMs: 0 }),
    /idleTimeoutMs must be positive, got 0/,
  );
  new HttpClient({ timeoutMs: 1000, maxIdleConns: Infinity, idleTimeoutMs: Infinity }).close();
});
