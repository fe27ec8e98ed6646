/**
 * Private helper: the request path's module functions on one connection —
 * the rest of a short write, and the first read of a response (most small
 * responses arrive whole in it). Module functions, not methods: no
 * private-field access on the hot path.
 *
 * @module
 */
import { parseHead } from "./_parse.ts";
import type { Connection } from "./_pool.ts";

/** {@linkcode firstRead}: the response is complete. */
export const DONE = 0;
/** {@linkcode firstRead}: its head is parsed; the rest must be read. */
export const HAVE_HEAD = 1;
/** {@linkcode firstRead}: its head is incomplete. */
export const NEED_HEAD = 2;

/**
 * Takes the first `r` bytes read for a response into `c` and parses what it
 * can. Returns {@linkcode DONE} when they hold the whole response (the
 * common case: a small body with a Content-Length), else how to go on.
 */
export function firstRead(c: Connection, r: number, expectsBody: boolean): number {
  c.end = r;
  c.received = r;
  if (!parseHead(c)) return NEED_HEAD;
  if (c.sink !== null) return HAVE_HEAD; // capturing: readResponse keeps the head and body
  const status = c.status;
  if (status >= 200 && !c.chunked) {
    if (!expectsBody || status === 204 || status === 304) return DONE;
    if (c.contentLength >= 0 && c.end - c.start >= c.contentLength) {
      c.start += c.contentLength;
      return DONE;
    }
  }
  return HAVE_HEAD;
}

export async function writeRest(c: Connection, wire: Uint8Array, written: number): Promise<void> {
  while (written < wire.length) written += await c.conn.write(wire.subarray(written));
}
