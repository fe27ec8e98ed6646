/**
 * The client's captured-response pieces on their own: decoding per
 * `Content-Encoding` (gzip, deflate zlib-wrapped and raw, br, zstd, stacked
 * codings) within the cap, headers looked up from the raw head, and the next
 * request of a redirect as Go builds it. Plus br and zstd end to end, from a
 * real server on loopback (Debian's nginx has neither module).
 */
import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { decodeBody, ResponseHeaders } from "../../../examples/lunge/http/_body.ts";
import { nextHop } from "../../../examples/lunge/http/_redirect.ts";
import { BodyTooLargeError, DecodeError } from "../../../examples/lunge/http/errors.ts";
import { HttpClient } from "../../../examples/lunge/http/http_client.ts";

const text = JSON.stringify({ items: Array.from({ length: 300 }, (_, i) => ({ i, s: `v${i}` })) });
const raw = new TextEncoder().encode(text);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("decodeBody: gzip, deflate (zlib and raw), br, zstd, and stacked codings", () => {
  assert.equal(decode(decodeBody(zlib.gzipSync(raw), "gzip", 1e6)), text);
  assert.equal(decode(decodeBody(zlib.deflateSync(raw), "deflate", 1e6)), text);
  assert.equal(decode(decodeBody(zlib.deflateRawSync(raw), "deflate", 1e6)), text);
  assert.equal(decode(decodeBody(zlib.brotliCompressSync(raw), "br", 1e6)), text);
  assert.equal(decode(decodeBody(zlib.zstdCompressSync(raw), "zstd", 1e6)), text);
  // Applied in order gzip then br: undone br first.
  const stacked = zlib.brotliCompressSync(zlib.gzipSync(raw));
  assert.equal(decode(decodeBody(stacked, "gzip, br", 1e6)), text);
  assert.equal(decode(decodeBody(raw, "identity", 1e6)), text);
  assert.equal(decode(decodeBody(raw, "x-unknown", 1e6)), text, "left as it is, as Go does");
});

Deno.test("decodeBody: past the cap is BodyTooLargeError; a corrupt body is DecodeError", () => {
  assert.throws(() => decodeBody(zlib.gzipSync(raw), "gzip", 100), BodyTooLargeError);
  assert.throws(() => decodeBody(zlib.brotliCompressSync(raw), "br", 100), BodyTooLargeError);
  assert.throws(() => decodeBody(raw, "gzip", 1e6), DecodeError);
});

Deno.test("ResponseHeaders: case-insensitive, repeated headers joined, from the raw head", () => {
  const head = new TextEncoder().encode(
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: a=1\r\n" +
      "set-cookie: b=2\r\nX-Empty:\r\n\r\n",
  );
  const h = new ResponseHeaders(head);
  assert.equal(h.get("content-type"), "application/json");
  assert.equal(h.get("CONTENT-TYPE"), "application/json");
  assert.equal(h.get("Set-Cookie"), "a=1, b=2");
  assert.equal(h.get("x-empty"), "");
  assert.equal(h.get("missing"), null);
});

Deno.test("nextHop: 301/302/303 turn a POST into a GET without body; 307/308 keep both", () => {
  const client = new HttpClient({ timeoutMs: 1000 });
  try {
    const post = client.prepare({
      method: "POST",
      url: "http://a.test/x",
      headers: { "Content-Type": "application/json", Authorization: "t", Host: "a.test" },
      body: "{}",
    });
    for (const status of [301, 302, 303]) {
      const n = nextHop(post, post, status, "/y");
      assert.equal(n.method, "GET");
      assert.equal(n.body, undefined);
      assert.equal(String(n.url), "http://a.test/y");
      assert.deepEqual(n.headers, { Authorization: "t" }, "no Content-Type, no Host");
    }
    for (const status of [307, 308]) {
      const n = nextHop(post, post, status, "http://a.test/z");
      assert.equal(n.method, "POST");
      assert.equal(decode(n.body as Uint8Array), "{}");
    }
    const away = nextHop(post, post, 307, "http://b.test/z");
    assert.deepEqual(
      Object.keys(away.headers!),
      ["Content-Type"],
      "Authorization dropped off-host",
    );
    assert.throws(() => nextHop(post, post, 302, "ftp://a.test/"), /unsupported scheme/);
  } finally {
    client.close();
  }
});

Deno.test("br and zstd bodies from a real server are decoded; bytes count the wire", async () => {
  const ac = new AbortController();
  let wire = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    (req) => {
      const coding = new URL(req.url).pathname.slice(1);
      const body = coding === "br" ? zlib.brotliCompressSync(raw) : zlib.zstdCompressSync(raw);
      wire = body.length;
      return new Response(new Uint8Array(body), {
        headers: { "content-encoding": coding, "content-type": "application/json" },
      });
    },
  );
  const client = new HttpClient({ timeoutMs: 3000, compression: true });
  try {
    for (const coding of ["br", "zstd"]) {
      const url = `http://127.0.0.1:${server.addr.port}/${coding}`;
      const got = await client.request({ method: "GET", url, capture: true });
      assert.equal(got.error, undefined, coding);
      assert.equal(decode(got.response!.body), text, coding);
      assert.ok(got.bytes > wire && got.bytes < wire + 400, `${coding}: ${got.bytes} vs ${wire}`);
    }
  } finally {
    client.close();
    ac.abort();
    await server.finished;
  }
});
