/**
 * Direct tests of the HTTP client's response parser (`http/_parse.ts`),
 * without sockets: heads and chunk sizes parsed from bytes, and whole
 * responses read from an in-memory byte source split at every position.
 */
import assert from "node:assert/strict";
import {
  type ByteSource,
  parseChunkSize,
  parseHead,
  parseStatusLine,
  ReadBuffer,
  readResponse,
} from "../../../examples/lunge/http/_parse.ts";
import { EofError, ProtocolError } from "../../../examples/lunge/http/errors.ts";

const encoder = new TextEncoder();

/** Serves `pieces` one per read, then the end. */
class Pieces implements ByteSource {
  #pieces: Uint8Array[];
  constructor(pieces: Uint8Array[]) {
    this.#pieces = pieces;
  }
  read(p: Uint8Array): Promise<number | null> {
    const next = this.#pieces.shift();
    if (next === undefined) return Promise.resolve(null);
    const n = Math.min(p.length, next.length);
    p.set(next.subarray(0, n));
    if (n < next.length) this.#pieces.unshift(next.subarray(n));
    return Promise.resolve(n);
  }
}

/** A buffer holding `text` as if it had just been read. */
function holding(text: string): ReadBuffer {
  const c = new ReadBuffer(new Pieces([]));
  const bytes = encoder.encode(text);
  c.buf.set(bytes);
  c.end = bytes.length;
  c.received = bytes.length;
  return c;
}

Deno.test("parseStatusLine: version, code, optional reason; malformed lines throw", () => {
  const line = (t: string) => parseStatusLine(encoder.encode(t), 0, t.length);
  assert.equal(line("HTTP/1.1 200 OK"), 1200);
  assert.equal(line("HTTP/1.0 404 Not Found"), 404);
  assert.equal(line("HTTP/1.1 599"), 1599);
  for (
    const bad of ["HTTP/2.0 200 OK", "HTTP/1.1 2x0 OK", "HTTP/1.1 099 X", "HTTP/1.1 2000", "FOO"]
  ) {
    assert.throws(() => line(bad), ProtocolError, bad);
  }
});

Deno.test("parseHead: status, Content-Length, chunked, keep-alive; consumes exactly the head", () => {
  const c = holding("HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello");
  assert.equal(parseHead(c), true);
  assert.deepEqual([c.status, c.contentLength, c.chunked, c.keepAlive], [201, 5, false, true]);
  assert.equal(c.end - c.start, 5, "the body is left");

  const chunked = holding("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
  assert.equal(parseHead(chunked), true);
  assert.deepEqual([chunked.chunked, chunked.contentLength, chunked.keepAlive], [true, -1, true]);

  // Transfer-Encoding with Content-Length: TE wins and the connection closes.
  const both = holding(
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
  );
  assert.equal(parseHead(both), true);
  assert.deepEqual([both.chunked, both.contentLength, both.keepAlive], [true, -1, false]);

  const close = holding("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, close\r\n\r\n");
  assert.equal(parseHead(close), true);
  assert.equal(close.keepAlive, false);

  const http10 = holding("HTTP/1.0 200 OK\r\nconnection: keep-alive\r\n\r\n");
  assert.equal(parseHead(http10), true);
  assert.equal(http10.keepAlive, true);
  const http10close = holding("HTTP/1.0 200 OK\r\n\r\n");
  assert.equal(parseHead(http10close), true);
  assert.equal(http10close.keepAlive, false);

  // Bare LF line ends and obsolete line folding are accepted.
  const lf = holding("HTTP/1.1 204 No Content\nX-Long: a\n  continued\nContent-Length: 0\n\n");
  assert.equal(parseHead(lf), true);
  assert.deepEqual([lf.status, lf.contentLength, lf.start], [204, 0, lf.end]);
});

Deno.test("parseHead: an incomplete head consumes nothing; malformed heads throw", () => {
  const full = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
  for (let cut = 0; cut < full.length; cut++) {
    const c = holding(full.slice(0, cut));
    assert.equal(parseHead(c), false, `cut at ${cut}`);
    assert.equal(c.start, 0);
  }
  for (
    const bad of [
      "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
      "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
      "HTTP/1.1 200 OK\r\nName : value\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
    ]
  ) {
    assert.throws(() => parseHead(holding(bad)), ProtocolError, JSON.stringify(bad));
  }
});

Deno.test("parseChunkSize: hex sizes, extensions, invalid sizes", () => {
  const size = (t: string) => parseChunkSize(encoder.encode(t), 0, t.length);
  assert.equal(size("0"), 0);
  assert.equal(size("1a\r"), 26);
  assert.equal(size("FF;name=value\r"), 255);
  assert.equal(size("10 \r"), 16);
  assert.throws(() => size("zz\r"), ProtocolError);
  assert.throws(() => size("1g\r"), ProtocolError);
  assert.throws(() => size("\r"), ProtocolError);
  assert.throws(() => size("fffffffffffffffff\r"), ProtocolError);
});

/** Reads one response from `text` delivered in `pieces`; returns the buffer after it. */
async function readAll(pieces: string[], expectsBody = true): Promise<ReadBuffer> {
  const c = new ReadBuffer(new Pieces(pieces.map((p) => encoder.encode(p))));
  await readResponse(c, expectsBody, false);
  return c;
}

Deno.test("readResponse: every framing, split at every byte, reads exactly the response", async () => {
  const responses = [
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n",
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
    "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
  ];
  const next = "HTTP/1.1 200 OK\r\n"; // the start of a pipelined next response: left unread
  for (const response of responses) {
    for (let cut = 1; cut < response.length; cut++) {
      const c = await readAll([response.slice(0, cut), response.slice(cut) + next]);
      assert.equal(c.received - (c.end - c.start), response.length, `${response} cut ${cut}`);
      assert.equal(c.end - c.start, next.length);
      assert.equal(c.keepAlive, true);
    }
  }
});

Deno.test("readResponse: a body delimited by the close; HEAD has no body; truncation is EOF", async () => {
  const closeDelimited = "HTTP/1.1 200 OK\r\n\r\nall of this until the end";
  const c = await readAll([closeDelimited.slice(0, 20), closeDelimited.slice(20)]);
  assert.equal(c.received, closeDelimited.length);
  assert.equal(c.keepAlive, false);

  const head = await readAll(["HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"], false);
  assert.deepEqual([head.status, head.start, head.end], [200, head.end, head.end]);

  await assert.rejects(
    () => readAll(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf"]),
    EofError,
  );
  await assert.rejects(() => readAll(["HTTP/1.1 200 OK\r\nContent-Le"]), EofError);
  await assert.rejects(
    () => readAll(["HTTP/1.1 101 Switching Protocols\r\n\r\n"]),
    ProtocolError,
  );
  await assert.rejects(
    () => readAll(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n"]),
    ProtocolError,
  );
});

Deno.test("readResponse: a head past the initial buffer grows it; past 256 KiB is refused", async () => {
  const big = "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(100_000) +
    "\r\nContent-Length: 2\r\n\r\nok";
  const c = await readAll([big]);
  assert.equal(c.received, big.length);
  const huge = "HTTP/1.1 200 OK\r\nX-Huge: " + "a".repeat(300_000) + "\r\n\r\n";
  await assert.rejects(() => readAll([huge]), ProtocolError);
});
