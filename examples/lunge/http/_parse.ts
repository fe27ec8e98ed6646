/**
 * Private helper: HTTP/1.1 response parsing for the client, byte by byte with
 * no `TextDecoder`, regular expression or header object. The head parser
 * ({@linkcode parseHead}) and the chunk-size parser ({@linkcode parseChunkSize})
 * are pure functions over bytes; the body readers pull more bytes from a
 * {@linkcode ReadBuffer}'s source when they run out, so they can be driven by
 * a socket or by any byte source, split anywhere.
 *
 * @module
 */
import { BodyTooLargeError, EofError, ProtocolError } from "./errors.ts";
import type { BodySink } from "./_body.ts";

export { BodySink } from "./_body.ts";

const CR = 13;
const LF = 10;
const SP = 32;
const HT = 9;
const COLON = 58;
const COMMA = 44;
const SEMICOLON = 59;

/** Bytes of a connection's read buffer at first; a head may grow it up to {@linkcode MAX_HEAD}. */
export const INITIAL_BUFFER = 16 * 1024;
/** The largest response head (and trailer section) accepted. */
export const MAX_HEAD = 256 * 1024;
/** The longest chunk-size or trailer line accepted. */
const MAX_CHUNK_LINE = 4096;

const encoder = new TextEncoder();
const NAME_CONTENT_LENGTH = encoder.encode("content-length");
const NAME_TRANSFER_ENCODING = encoder.encode("transfer-encoding");
const NAME_CONNECTION = encoder.encode("connection");
const NAME_LOCATION = encoder.encode("location");
const TOKEN_CHUNKED = encoder.encode("chunked");
const TOKEN_CLOSE = encoder.encode("close");
const TOKEN_KEEP_ALIVE = encoder.encode("keep-alive");

/** Where a {@linkcode ReadBuffer} gets its bytes: a `Deno.Conn`, or any reader. */
export interface ByteSource {
  /** Reads into `p`; resolves with the count, or null at the end. */
  read(p: Uint8Array): Promise<number | null>;
}

/**
 * A reusable read buffer and the parsed head of the response being read.
 * The client's connections extend it.
 */
export class ReadBuffer {
  /** Where bytes come from. */
  readonly conn: ByteSource;
  /** The buffer; unconsumed bytes are `buf[start, end)`. */
  buf: Uint8Array = new Uint8Array(INITIAL_BUFFER);
  /** First unconsumed byte. */
  start = 0;
  /** One past the last byte read. */
  end = 0;
  /** Bytes read from the source for the current response (plus leftovers it inherited). */
  received = 0;
  /** The parsed status code. */
  status = 0;
  /** Whether the connection may carry another request after this response. */
  keepAlive = true;
  /** The body's Content-Length, or -1 when none applies. */
  contentLength = -1;
  /** Whether the body is chunked. */
  chunked = false;
  /** Scratch while parsing a head: a Transfer-Encoding header was seen. */
  hasTE = false;
  /** Scratch while parsing a head: the connection closes after this response. */
  closes = false;
  /** Scratch while parsing a head: the Content-Length header's value, or -1. */
  lengthHeader = -1;
  /** Where the head being parsed starts in `buf`. */
  headStart = 0;
  /** Scratch while parsing a head: the Location value's bounds in `buf` (start -1: none). */
  locStart = -1;
  /** Scratch while parsing a head: end of the Location value. */
  locEnd = 0;
  /** A redirect's `Location` (status 3xx with one), else null. */
  location: string | null = null;
  /** Where a captured response goes, or null: the body is counted and discarded. */
  sink: BodySink | null = null;

  /** @param conn Where bytes come from. */
  constructor(conn: ByteSource) {
    this.conn = conn;
  }
}

/** Index of the first LF in `b[from, end)`, or -1. */
export function findLF(b: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    if (b[i] === LF) return i;
  }
  return -1;
}

/** Whether `b[at, at + name.length)` equals the lower-case ASCII `name`, ignoring case. */
function equalsLower(b: Uint8Array, at: number, name: Uint8Array): boolean {
  for (let i = 0; i < name.length; i++) {
    const x = b[at + i];
    const t = name[i];
    if (x !== t && !(t >= 97 && t <= 122 && x === t - 32)) return false;
  }
  return true;
}

/** Whether the comma-separated list in `b[from, to)` holds `token` (case-insensitive). */
function hasToken(b: Uint8Array, from: number, to: number, token: Uint8Array): boolean {
  let i = from;
  while (i < to) {
    while (i < to && (b[i] === SP || b[i] === HT || b[i] === COMMA)) i++;
    let j = i;
    while (j < to && b[j] !== COMMA) j++;
    let e = j;
    while (e > i && (b[e - 1] === SP || b[e - 1] === HT)) e--;
    if (e - i === token.length && equalsLower(b, i, token)) return true;
    i = j;
  }
  return false;
}

/** Whether the last element of the comma-separated list in `b[from, to)` is `token`. */
function lastTokenIs(b: Uint8Array, from: number, to: number, token: Uint8Array): boolean {
  let e = to;
  while (e > from && (b[e - 1] === SP || b[e - 1] === HT)) e--;
  let s = e;
  while (s > from && b[s - 1] !== COMMA) s--;
  while (s < e && (b[s] === SP || b[s] === HT)) s++;
  return e - s === token.length && equalsLower(b, s, token);
}

/** The end of the line whose LF is at `lf` (before a CR), for a line starting at `p`. */
function lineEnd(b: Uint8Array, p: number, lf: number): number {
  return lf > p && b[lf - 1] === CR ? lf - 1 : lf;
}

/**
 * Parses a status line `HTTP/1.x SP ddd [SP reason]` in `b[p, le)`.
 *
 * @returns `minor * 1000 + status`, e.g. 1200 for `HTTP/1.1 200 OK`.
 * @throws {ProtocolError} When malformed.
 */
export function parseStatusLine(b: Uint8Array, p: number, le: number): number {
  if (
    le - p < 12 || b[p] !== 72 || b[p + 1] !== 84 || b[p + 2] !== 84 || b[p + 3] !== 80 ||
    b[p + 4] !== 47 || b[p + 5] !== 49 || b[p + 6] !== 46 || b[p + 8] !== SP
  ) throw new ProtocolError("malformed status line");
  const minor = b[p + 7] - 48;
  const d1 = b[p + 9] - 48;
  const d2 = b[p + 10] - 48;
  const d3 = b[p + 11] - 48;
  if (
    (minor !== 0 && minor !== 1) || d1 < 1 || d1 > 9 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9 ||
    (le - p > 12 && b[p + 12] !== SP)
  ) throw new ProtocolError("malformed status line");
  return minor * 1000 + d1 * 100 + d2 * 10 + d3;
}

/** A Content-Length value in `b[vs, ve)`. */
function parseLength(b: Uint8Array, vs: number, ve: number): number {
  if (vs === ve) throw new ProtocolError("empty Content-Length");
  let v = 0;
  for (let i = vs; i < ve; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) throw new ProtocolError("invalid Content-Length");
    v = v * 10 + d;
  }
  if (v > Number.MAX_SAFE_INTEGER) throw new ProtocolError("Content-Length too large");
  return v;
}

/**
 * Applies one header line `b[p, le)` to the head being parsed in `c` (only
 * Content-Length, Transfer-Encoding and Connection matter).
 */
function headerLine(c: ReadBuffer, b: Uint8Array, p: number, le: number, minor: number): void {
  let colon = p;
  while (colon < le && b[colon] !== COLON) colon++;
  if (colon === le || colon === p || b[colon - 1] === SP || b[colon - 1] === HT) {
    throw new ProtocolError("malformed header line");
  }
  const nameLen = colon - p;
  if (nameLen !== 14 && nameLen !== 17 && nameLen !== 10 && nameLen !== 8) return;
  let vs = colon + 1;
  let ve = le;
  while (vs < ve && (b[vs] === SP || b[vs] === HT)) vs++;
  while (ve > vs && (b[ve - 1] === SP || b[ve - 1] === HT)) ve--;
  if (nameLen === 14 && equalsLower(b, p, NAME_CONTENT_LENGTH)) {
    const v = parseLength(b, vs, ve);
    if (c.lengthHeader >= 0 && c.lengthHeader !== v) {
      throw new ProtocolError("conflicting Content-Length headers");
    }
    c.lengthHeader = v;
  } else if (nameLen === 17 && equalsLower(b, p, NAME_TRANSFER_ENCODING)) {
    c.hasTE = true;
    c.chunked = lastTokenIs(b, vs, ve, TOKEN_CHUNKED);
  } else if (nameLen === 10 && equalsLower(b, p, NAME_CONNECTION)) {
    if (hasToken(b, vs, ve, TOKEN_CLOSE)) c.closes = true;
    else if (minor === 0 && hasToken(b, vs, ve, TOKEN_KEEP_ALIVE)) c.closes = false;
  } else if (nameLen === 8 && equalsLower(b, p, NAME_LOCATION)) {
    c.locStart = vs;
    c.locEnd = ve;
  }
}

/**
 * Parses a response head in `c.buf[c.start, c.end)`. Pure: reads no bytes.
 *
 * @param c The buffer holding the head.
 * @returns False when the head is incomplete (nothing consumed); on success
 *   consumes it and sets `status`, `keepAlive`, `contentLength`, `chunked`,
 *   `headStart` and (for a 3xx with one) `location`.
 * @throws {ProtocolError} When malformed.
 */
export function parseHead(c: ReadBuffer): boolean {
  const b = c.buf;
  const end = c.end;
  let p = c.start;
  let lf = findLF(b, p, end);
  if (lf < 0) return false;
  const line = parseStatusLine(b, p, lineEnd(b, p, lf));
  const minor = line >= 1000 ? 1 : 0;
  c.lengthHeader = -1;
  c.locStart = -1;
  c.chunked = false;
  c.hasTE = false;
  c.closes = minor === 0;
  p = lf + 1;
  for (;;) {
    lf = findLF(b, p, end);
    if (lf < 0) return false;
    const le = lineEnd(b, p, lf);
    if (le === p) break;
    const c0 = b[p];
    // Obsolete line folding (a leading space or tab) continues an ignored value.
    if (c0 !== SP && c0 !== HT) headerLine(c, b, p, le, minor);
    p = lf + 1;
  }
  c.headStart = c.start;
  c.start = lf + 1;
  const status = line - minor * 1000;
  c.status = status;
  c.location = status >= 300 && status < 400 && c.locStart >= 0
    ? latin1(b, c.locStart, c.locEnd)
    : null;
  c.contentLength = c.hasTE ? -1 : c.lengthHeader;
  // Transfer-Encoding with Content-Length is a smuggling risk: use TE, then close.
  c.keepAlive = !c.closes && !(c.hasTE && c.lengthHeader >= 0);
  return true;
}

/** The bytes `b[from, to)` as a string, one character per byte. */
function latin1(b: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]);
  return s;
}

/**
 * Parses a chunk-size line `hex [; ext]` in `b[from, lf)`. Pure.
 *
 * @returns The chunk size.
 * @throws {ProtocolError} On an invalid or too large size.
 */
export function parseChunkSize(b: Uint8Array, from: number, lf: number): number {
  let size = 0;
  let i = from;
  for (; i < lf; i++) {
    const x = b[i];
    let d: number;
    if (x >= 48 && x <= 57) d = x - 48;
    else if (x >= 97 && x <= 102) d = x - 87;
    else if (x >= 65 && x <= 70) d = x - 55;
    else break;
    size = size * 16 + d;
  }
  if (i === from) throw new ProtocolError("invalid chunk size");
  if (size > Number.MAX_SAFE_INTEGER) throw new ProtocolError("chunk too large");
  const t = b[i];
  if (i < lf && t !== SEMICOLON && t !== SP && t !== HT && t !== CR) {
    throw new ProtocolError("invalid chunk size");
  }
  return size;
}

/**
 * Reads more bytes into `c.buf[c.end, …)`, compacting or (for a head) growing
 * the buffer when it is full.
 *
 * @throws {EofError} When the source ended.
 * @throws {ProtocolError} When a head or chunk line outgrows the buffer.
 */
export async function fill(c: ReadBuffer, head: boolean): Promise<void> {
  if (c.start === c.end) {
    c.start = c.end = 0;
  } else if (c.end === c.buf.length) {
    if (c.start > 0) {
      c.buf.copyWithin(0, c.start, c.end);
      c.end -= c.start;
      c.start = 0;
    } else if (head && c.buf.length < MAX_HEAD) {
      const bigger = new Uint8Array(c.buf.length * 2);
      bigger.set(c.buf.subarray(0, c.end));
      c.buf = bigger;
    } else {
      throw new ProtocolError("response head or chunk line too large");
    }
  }
  const n = await c.conn.read(c.end === 0 ? c.buf : c.buf.subarray(c.end));
  if (n === null) throw new EofError();
  c.end += n;
  c.received += n;
}

/**
 * Reads the rest of a response (skipping 1xx interim responses), leaving its
 * fields on `c` and `c.start` just past it.
 *
 * @param c The buffer (and its source).
 * @param expectsBody False for a response to `HEAD`.
 * @param haveHead The head in `c` is parsed already.
 */
export async function readResponse(
  c: ReadBuffer,
  expectsBody: boolean,
  haveHead: boolean,
): Promise<void> {
  for (;;) {
    if (!haveHead) {
      while (!parseHead(c)) await fill(c, true);
    }
    haveHead = false;
    const status = c.status;
    if (status >= 200) break;
    if (status === 101) throw new ProtocolError("unexpected 101 Switching Protocols");
    // 1xx interim response: its head is consumed; read the next one.
  }
  const status = c.status;
  const sink = c.sink;
  if (sink !== null) sink.head = c.buf.slice(c.headStart, c.start);
  if (!expectsBody || status === 204 || status === 304) return;
  if (c.chunked) return await readChunked(c);
  if (c.contentLength >= 0) {
    if (sink !== null && c.contentLength > sink.max) throw new BodyTooLargeError(sink.max);
    return await skipBytes(c, c.contentLength);
  }
  // Delimited by the connection closing.
  c.keepAlive = false;
  for (;;) {
    if (sink !== null) sink.push(c.buf.subarray(c.start, c.end));
    c.start = c.end = 0;
    try {
      await fill(c, false);
    } catch (e) {
      if (e instanceof EofError) return;
      throw e;
    }
  }
}

/** Reads the next `n` body bytes: into the sink when capturing, else discarded. */
async function skipBytes(c: ReadBuffer, n: number): Promise<void> {
  let remaining = n;
  for (;;) {
    const avail = c.end - c.start;
    if (avail >= remaining) {
      c.sink?.push(c.buf.subarray(c.start, c.start + remaining));
      c.start += remaining;
      return;
    }
    c.sink?.push(c.buf.subarray(c.start, c.end));
    remaining -= avail;
    c.start = c.end = 0;
    await fill(c, false);
  }
}

/** The index of the next LF at or after `c.start`, reading more as needed (lines up to a limit). */
async function nextLine(c: ReadBuffer, what: string): Promise<number> {
  let lf = findLF(c.buf, c.start, c.end);
  while (lf < 0) {
    if (c.end - c.start > MAX_CHUNK_LINE) throw new ProtocolError(`${what} too long`);
    await fill(c, false);
    lf = findLF(c.buf, c.start, c.end);
  }
  return lf;
}

/** Reads (and discards) a chunked body and its trailers. */
async function readChunked(c: ReadBuffer): Promise<void> {
  for (;;) {
    const lf = await nextLine(c, "chunk size line");
    const size = parseChunkSize(c.buf, c.start, lf);
    c.start = lf + 1;
    if (size === 0) break;
    await skipBytes(c, size);
    // CRLF after the data
    while (c.end - c.start < 2 && !(c.end > c.start && c.buf[c.start] === LF)) {
      await fill(c, false);
    }
    if (c.buf[c.start] === CR && c.buf[c.start + 1] === LF) c.start += 2;
    else if (c.buf[c.start] === LF) c.start += 1;
    else throw new ProtocolError("missing CRLF after chunk data");
  }
  // Trailer section: header lines until an empty line.
  let trailerBytes = 0;
  for (;;) {
    const lf = await nextLine(c, "trailer line");
    const empty = lf === c.start || (lf === c.start + 1 && c.buf[c.start] === CR);
    trailerBytes += lf + 1 - c.start;
    if (trailerBytes > MAX_HEAD) throw new ProtocolError("trailers too large");
    c.start = lf + 1;
    if (empty) return;
  }
}
