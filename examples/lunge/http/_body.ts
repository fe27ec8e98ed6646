/**
 * Private helper: a captured response as the client hands it over — its
 * headers, looked up by name from the raw head as received, and its body,
 * decoded per `Content-Encoding` (gzip, deflate, br, zstd, through
 * `node:zlib`) when the request asked for compression, within the body cap.
 *
 * @module
 */
import * as zlib from "node:zlib";
import { BodyTooLargeError, DecodeError } from "./errors.ts";

/**
 * Where a captured response goes: its final head (raw bytes) and its body,
 * copied out of the read buffer, up to `max` body bytes.
 */
export class BodySink {
  /** Most body bytes kept; more is a {@linkcode BodyTooLargeError}. */
  readonly max: number;
  /** The final response head as received (status line, headers, blank line). */
  head: Uint8Array = new Uint8Array(0);
  /** Body bytes so far. */
  size = 0;
  #parts: Uint8Array[] = [];

  /** @param max Most body bytes kept. */
  constructor(max: number) {
    this.max = max;
  }

  /** Copies `bytes` (a view of the read buffer) into the body. */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.size += bytes.length;
    if (this.size > this.max) throw new BodyTooLargeError(this.max);
    this.#parts.push(bytes.slice());
  }

  /** The body, in one array. */
  bytes(): Uint8Array {
    if (this.#parts.length === 1) return this.#parts[0];
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Response headers by name (case-insensitive), parsed from the raw head on first use. */
export class ResponseHeaders {
  /** The head as received: status line, header lines, blank line. */
  readonly raw: Uint8Array;
  #map: Map<string, string> | undefined = undefined;

  /** @param raw The head as received. */
  constructor(raw: Uint8Array) {
    this.raw = raw;
  }

  /**
   * A header's value (repeated headers joined with `", "`), or null.
   *
   * @param name The header name, any case.
   */
  get(name: string): string | null {
    return this.#parsed().get(name.toLowerCase()) ?? null;
  }

  /** Every header, names lower case. */
  entries(): IterableIterator<[string, string]> {
    return this.#parsed().entries();
  }

  #parsed(): Map<string, string> {
    if (this.#map !== undefined) return this.#map;
    const map = new Map<string, string>();
    const text = new TextDecoder("latin1").decode(this.raw);
    const lines = text.split("\n");
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i].replace(/\r$/, "");
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      const had = map.get(name);
      map.set(name, had === undefined ? value : `${had}, ${value}`);
    }
    this.#map = map;
    return map;
  }
}

/** A captured response: headers and body (decoded when asked). */
export interface CapturedBody {
  /** The final response's headers. */
  headers: ResponseHeaders;
  /** The body: decoded per `Content-Encoding` when the request asked for compression. */
  body: Uint8Array;
}

/**
 * Decodes `body` per `contentEncoding` (codings applied in order, undone in
 * reverse), each step capped at `max` bytes. `identity` and an unknown coding
 * leave the bytes as they are (as Go's client leaves what it cannot decode).
 *
 * @throws {BodyTooLargeError} When a decoded body is over `max`.
 * @throws {DecodeError} When a body does not decode.
 */
export function decodeBody(body: Uint8Array, contentEncoding: string, max: number): Uint8Array {
  const codings = contentEncoding.split(",").map((c) => c.trim().toLowerCase()).filter((c) =>
    c !== "" && c !== "identity"
  );
  let out = body;
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i];
    const opts = { maxOutputLength: max };
    try {
      if (coding === "gzip" || coding === "x-gzip") out = zlib.gunzipSync(out, opts);
      else if (coding === "deflate") out = inflate(out, opts);
      else if (coding === "br") out = zlib.brotliDecompressSync(out, opts);
      else if (coding === "zstd") out = zlib.zstdDecompressSync(out, opts);
      else return out;
    } catch (e) {
      if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
        throw new BodyTooLargeError(max);
      }
      throw new DecodeError(`${coding} body did not decode: ${(e as Error).message}`);
    }
    out = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  return out;
}

/** `deflate` is zlib-wrapped (RFC 9110); some servers send it raw. */
function inflate(b: Uint8Array, opts: { maxOutputLength: number }): Uint8Array {
  // A zlib stream starts with CMF/FLG whose 16-bit value is a multiple of 31.
  if (b.length >= 2 && (b[0] & 0x0f) === 8 && ((b[0] << 8) | b[1]) % 31 === 0) {
    return zlib.inflateSync(b, opts);
  }
  return zlib.inflateRawSync(b, opts);
}
