/**
 * The HTTP client's idle pooled connections: each keeps one read pending, so a
 * server that closes an idle keep-alive connection (its keep-alive timeout) or
 * sends bytes on it is noticed before a request is sent on it.
 */
import assert from "node:assert/strict";
import { HttpClient } from "../../../examples/lunge/http/http_client.ts";
import { hasOpenssl, makeCertificate } from "../_test_cert.ts";
import { rawServer } from "../_raw_server.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const OK_RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
const GARBAGE = "\x00garbage on an idle connection\r\n";

/** What an {@linkcode idleServer} does to a connection idle for `idleMs`. */
type IdlePolicy = "close" | "garbage";

interface IdleServer {
  url: string;
  /** Connections accepted. */
  accepted: number;
  /** Every request received (its head), in order. */
  requests: string[];
  /** Connections whose client closed them (the server read the end). */
  closedByClient: number;
  close(): Promise<void>;
}

/**
 * A raw HTTP/1.1 server on 127.0.0.1 (plain TCP, or TLS with `tls`) that
 * answers every request with {@linkcode OK_RESPONSE}, keeps connections alive,
 * and when a connection has been idle (no request) for `idleMs`, closes it or
 * sends {@linkcode GARBAGE} on it (once) and keeps it open.
 */
function idleServer(
  options: { idleMs: number; policy: IdlePolicy; tls?: { cert: string; key: string } },
): IdleServer {
  const { idleMs, policy, tls } = options;
  const requests: string[] = [];
  let closedByClient = 0;
  const raw = rawServer(async (conn) => {
    const reader = new HeadReader(conn);
    let garbageSent = false;
    for (;;) {
      const next = reader.next();
      next.catch(() => {}); // closed by the server while pending
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<"idle">((resolve) => {
        timer = setTimeout(() => resolve("idle"), idleMs);
      });
      const head = garbageSent ? await next : await Promise.race([next, idle]);
      clearTimeout(timer);
      if (head === "idle") {
        if (policy === "close") break;
        garbageSent = true;
        await conn.write(encoder.encode(GARBAGE));
        const after = await next;
        if (after === null) closedByClient++;
        break; // a client that sends a request after garbage is not what we test
      }
      if (head === null) {
        closedByClient++;
        break;
      }
      requests.push(head);
      await conn.write(encoder.encode(OK_RESPONSE));
    }
  }, { tls });
  return {
    url: raw.url,
    get accepted() {
      return raw.accepted;
    },
    requests,
    get closedByClient() {
      return closedByClient;
    },
    close: () => raw.close(),
  };
}

/** Reads request heads (these tests send bodies only with a Content-Length). */
class HeadReader {
  #conn: Deno.Conn;
  #pending = "";

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** The next request's head (its body read and dropped), or null at the end. */
  async next(): Promise<string | null> {
    const buf = new Uint8Array(4096);
    for (;;) {
      const end = this.#pending.indexOf("\r\n\r\n");
      if (end >= 0) {
        const head = this.#pending.slice(0, end);
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const total = end + 4 + (m ? Number(m[1]) : 0);
        if (this.#pending.length >= total) {
          this.#pending = this.#pending.slice(total);
          return head;
        }
      }
      const n = await this.#conn.read(buf);
      if (n === null) return null;
      this.#pending += decoder.decode(buf.subarray(0, n)); // ASCII in these tests
    }
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("a POST after the server closed the idle connection goes on a fresh one, sent once", async () => {
  const server = idleServer({ idleMs: 200, policy: "close" });
  const client = new HttpClient({ timeoutMs: 2000 });
  try {
    const post = client.prepare({ method: "POST", url: `${server.url}orders`, body: "{}" });
    assert.deepEqual(await client.send(post), { statusCode: 200, bytes: OK_RESPONSE.length });
    await delay(500); // think time longer than the server's keep-alive timeout
    assert.deepEqual(await client.send(post), { statusCode: 200, bytes: OK_RESPONSE.length });
    assert.deepEqual(
      server.requests.map((h) => h.split("\r\n")[0]),
      ["POST /orders HTTP/1.1", "POST /orders HTTP/1.1"],
      "each POST reached the server exactly once",
    );
    assert.equal(server.accepted, 2, "the second POST went on a fresh connection");
    assert.equal(client.retries, 0, "nothing was resent");
    assert.equal(client.idleDropped, 1, "the closed idle connection was dropped");
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("a GET after the server closed the idle connection needs no retry", async () => {
  const server = idleServer({ idleMs: 200, policy: "close" });
  const client = new HttpClient({ timeoutMs: 2000 });
  try {
    const get = client.prepare({ method: "GET", url: `${server.url}item` });
    for (let i = 0; i < 3; i++) {
      if (i > 0) await delay(500);
      assert.deepEqual(await client.send(get), { statusCode: 200, bytes: OK_RESPONSE.length });
    }
    assert.equal(server.requests.length, 3, "each GET reached the server exactly once");
    assert.equal(server.accepted, 3);
    assert.equal(client.retries, 0);
    assert.equal(client.idleDropped, 2);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("bytes sent on an idle connection: it is closed and dropped; the next request succeeds", async () => {
  const server = idleServer({ idleMs: 100, policy: "garbage" });
  const client = new HttpClient({ timeoutMs: 2000 });
  try {
    const get = client.prepare({ method: "GET", url: server.url });
    assert.deepEqual(await client.send(get), { statusCode: 200, bytes: OK_RESPONSE.length });
    await delay(300); // the garbage arrives while the connection is idle
    assert.equal(server.closedByClient, 1, "the client closed the connection that got garbage");
    assert.equal(client.idleDropped, 1);
    assert.deepEqual(await client.send(get), { statusCode: 200, bytes: OK_RESPONSE.length });
    assert.equal(server.accepted, 2);
    assert.equal(server.requests.length, 2);
    assert.equal(client.retries, 0);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("a connection reused within the keep-alive timeout is kept (the idle read loses no byte)", async () => {
  const server = idleServer({ idleMs: 1000, policy: "close" });
  const client = new HttpClient({ timeoutMs: 2000 });
  try {
    const post = client.prepare({ method: "POST", url: server.url, body: "x".repeat(100) });
    for (let i = 0; i < 50; i++) {
      if (i % 10 === 0) await delay(20); // the idle read is pending when the request comes
      assert.deepEqual(await client.send(post), { statusCode: 200, bytes: OK_RESPONSE.length });
    }
    assert.equal(server.accepted, 1);
    assert.equal(server.requests.length, 50);
    assert.equal(client.idleDropped, 0);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test({
  name: "https: a POST after the server closed the idle TLS connection goes on a fresh one",
  ignore: !hasOpenssl(),
  async fn() {
    const pair = await makeCertificate();
    const server = idleServer({ idleMs: 200, policy: "close", tls: pair });
    const client = new HttpClient({ timeoutMs: 5000, caCerts: [pair.ca] });
    try {
      const post = client.prepare({ method: "POST", url: server.url, body: "{}" });
      assert.deepEqual(await client.send(post), { statusCode: 200, bytes: OK_RESPONSE.length });
      assert.deepEqual(await client.send(post), { statusCode: 200, bytes: OK_RESPONSE.length });
      await delay(500);
      assert.deepEqual(await client.send(post), { statusCode: 200, bytes: OK_RESPONSE.length });
      assert.equal(server.requests.length, 3, "each POST reached the server exactly once");
      assert.equal(server.accepted, 2);
      assert.equal(client.retries, 0);
      assert.equal(client.idleDropped, 1);
    } finally {
      client.close();
      await server.close();
    }
  },
});
