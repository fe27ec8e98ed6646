/**
 * Private helper: HTTP/2 framing (RFC 9113 §4, §6) for the client's
 * sessions — frame types, flags, error codes, the client's window sizes, a
 * frame builder, and one stream's state (`Stream`, `H2Result`).
 *
 * @module
 */

export const PREFACE = new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

export const DATA = 0;
export const HEADERS = 1;
export const RST_STREAM = 3;
export const SETTINGS = 4;
export const PUSH_PROMISE = 5;
export const PING = 6;
export const GOAWAY = 7;
export const WINDOW_UPDATE = 8;
export const CONTINUATION = 9;

export const END_STREAM = 0x1;
export const ACK = 0x1;
export const END_HEADERS = 0x4;
export const PADDED = 0x8;
export const PRIORITY_FLAG = 0x20;

/** RST_STREAM / GOAWAY codes we send or test for. */
export const CANCEL = 0x8;
export const REFUSED_STREAM = 0x7;
export const NO_ERROR = 0x0;

/** Our receive window per stream (SETTINGS_INITIAL_WINDOW_SIZE) and for the connection. */
export const STREAM_WINDOW = 1 << 24;
export const CONN_WINDOW = 1 << 30;
/** The largest frame we accept (the default SETTINGS_MAX_FRAME_SIZE, which we keep). */
export const MAX_FRAME = 16_384;

/** What became of one stream. */
export interface H2Result {
  /** The final status, or 0. */
  status: number;
  /** Bytes of the stream's frames received (see the module doc). */
  bytes: number;
  /** An error type of `errors.ts`, when there is no complete response. */
  error?:
    | "timeout"
    | "aborted"
    | "connection reset"
    | "incomplete response"
    | "protocol error"
    | "body too large";
  /** The final response's header fields (pseudo-headers included), when one arrived. */
  fields?: [string, string][];
  /** The body's DATA payloads (padding removed), when the request captures it. */
  body?: Uint8Array[];
  /**
   * The server never processed the request (it was past a GOAWAY's last
   * stream, or refused with REFUSED_STREAM): safe to send again.
   */
  retry?: boolean;
}

/** One request in flight on a session. */
export class Stream {
  status = 0;
  bytes = 0;
  /** Body bytes not yet sent (flow control), and where they start. */
  body: Uint8Array | undefined;
  sent = 0;
  sendWindow: number;
  /** Received DATA not yet given back with a WINDOW_UPDATE. */
  unacked = 0;
  /** The final response's fields. */
  fields: [string, string][] | undefined;
  /** Body parts kept (capture), their size, and the cap (-1: not captured). */
  parts: Uint8Array[] | undefined;
  kept = 0;
  constructor(
    readonly id: number,
    readonly deadline: number,
    readonly resolve: (r: H2Result) => void,
    sendWindow: number,
    readonly maxBody: number,
  ) {
    this.sendWindow = sendWindow;
    if (maxBody >= 0) this.parts = [];
  }

  /** The outcome of a complete response. */
  done(): H2Result {
    if (this.status === 0) return { status: 0, bytes: this.bytes, error: "protocol error" };
    return { status: this.status, bytes: this.bytes, fields: this.fields, body: this.parts };
  }
}

/** A 9-byte frame header and payload, as one array. */
export function frame(
  type: number,
  flags: number,
  id: number,
  payload: Uint8Array | number[],
): Uint8Array {
  const n = payload.length;
  const f = new Uint8Array(9 + n);
  f[0] = n >>> 16;
  f[1] = (n >>> 8) & 255;
  f[2] = n & 255;
  f[3] = type;
  f[4] = flags;
  f[5] = (id >>> 24) & 127;
  f[6] = (id >>> 16) & 255;
  f[7] = (id >>> 8) & 255;
  f[8] = id & 255;
  f.set(payload, 9);
  return f;
}

/** `v` as 4 big-endian bytes. */
export function u32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

/** The big-endian 32-bit number at `b[p]`. */
export function readU32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}
