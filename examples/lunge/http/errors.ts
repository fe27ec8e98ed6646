/**
 * The HTTP client's errors: the stable labels {@linkcode HttpClient.send}
 * reports (documented here, in one place), the error classes the client
 * raises internally, and the mapping from a thrown value to a label.
 *
 * @module
 */

/**
 * The error types `HttpClient.send` reports, each in one sentence. These
 * strings are what the run's `errorsByType` counts.
 *
 * - `"timeout"`: the request did not complete within `timeoutMs` (waiting for a
 *   connection, connecting, sending and receiving all count).
 * - `"connection refused"`: nothing listens on the port.
 * - `"connection reset"`: the peer reset or closed the connection **before any
 *   byte of the response** arrived. A pooled connection the server closes (or
 *   resets, or sends bytes on) while idle is dropped before any request goes
 *   on it, with no error. One that dies while a request is being sent on it
 *   (the server's close crossed the request) is retried once on a fresh
 *   connection when the request is idempotent or provably not written (see
 *   `HttpClient.send`); otherwise it is labelled this, or, on a reused
 *   connection, `"reset on reused connection"`.
 * - `"reset on reused connection"`: a request that is not idempotent (e.g. a
 *   POST) was sent on a reused keep-alive connection that the server reset or
 *   closed before any byte of the response: most often the server was closing
 *   that idle connection at the same moment. It is not retried (sending it
 *   twice could duplicate it), and the server may not have processed it.
 * - `"incomplete response"`: the peer reset or closed the connection **after
 *   part of the response** arrived (a truncated head or body).
 * - `"body too large"`: a captured response body (read for assertions or
 *   extracts) was longer than the client's `maxBodyBytes`, before or after
 *   decoding. The connection is closed; `bytes` counts what arrived.
 * - `"decode error"`: a captured body's `Content-Encoding` (gzip, deflate, br,
 *   zstd) did not decode.
 * - `"too many redirects"`: the response was still a redirect after
 *   `maxRedirects` redirects were followed (its status is kept).
 * - `"dns error"`: the host name did not resolve.
 * - `"tls error"`: the TLS handshake failed (untrusted certificate, not TLS, …).
 * - `"protocol error"`: a malformed response, or one this client does not
 *   support (e.g. `101 Switching Protocols`, a head over 256 KiB).
 * - `"permission denied"`: Deno's `--allow-net` does not cover the host.
 * - `"invalid request"`: the request could not be encoded (only from
 *   `HttpClient.request`; `HttpClient.prepare` throws instead).
 * - `"aborted"`: `HttpClient.close` was called while the request was pending.
 * - `"network error"`: any other failure.
 */
export type HttpErrorType =
  | "timeout"
  | "connection refused"
  | "connection reset"
  | "incomplete response"
  | "reset on reused connection"
  | "body too large"
  | "decode error"
  | "too many redirects"
  | "dns error"
  | "tls error"
  | "protocol error"
  | "permission denied"
  | "invalid request"
  | "aborted"
  | "network error";

/** A malformed or unsupported response; labelled `"protocol error"`. */
export class ProtocolError extends Error {
  /** @param message What is wrong with the response. */
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

/** A captured body over the cap; labelled `"body too large"`. */
export class BodyTooLargeError extends Error {
  /** @param max The cap, bytes. */
  constructor(max: number) {
    super(`response body larger than ${max} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/** A captured body that did not decode per its Content-Encoding; labelled `"decode error"`. */
export class DecodeError extends Error {
  /** @param message What did not decode. */
  constructor(message: string) {
    super(message);
    this.name = "DecodeError";
  }
}

/** The peer closed the connection; labelled by how much of the response had arrived. */
export class EofError extends Error {
  /** Creates the error. */
  constructor() {
    super("connection closed by peer");
    this.name = "EofError";
  }
}

/** The client's shared timer expired a request; labelled `"timeout"`. */
export class TimeoutError extends Error {
  /** Creates the error. */
  constructor() {
    super("timed out");
    this.name = "TimeoutError";
  }
}

/** The client was closed; labelled `"aborted"`. */
export class AbortedError extends Error {
  /** Creates the error. */
  constructor() {
    super("client closed");
    this.name = "AbortedError";
  }
}

const DNS_RE =
  /lookup address|name or service|no such host|nodename nor servname|getaddrinfo|\bdns\b/i;
const TLS_RE = /certificate|handshake|tls|ssl|alert/i;

/**
 * Whether an error means the connection ended (closed or reset by the peer,
 * or no longer connected). With no response byte received on a reused
 * connection, it means "stale keep-alive socket".
 *
 * @param error The thrown value.
 * @returns True for an end of the connection.
 */
export function isStaleSocketError(error: unknown): boolean {
  return error instanceof EofError ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.UnexpectedEof ||
    error instanceof Deno.errors.NotConnected;
}

/**
 * Maps an error thrown while connecting, writing or reading to a stable
 * {@linkcode HttpErrorType}.
 *
 * @param error The thrown value.
 * @param tls Whether the error happened during a TLS handshake.
 * @param received Response bytes received before the error: an end of the
 *   connection after some is `"incomplete response"`, before any `"connection reset"`.
 * @returns The error type.
 *
 * @example Label an end of connection before and after the first response byte
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyError, EofError } from "./errors.ts";
 *
 * assert.equal(classifyError(new Deno.errors.ConnectionReset("reset")), "connection reset");
 * assert.equal(classifyError(new EofError(), false, 10), "incomplete response");
 * ```
 */
export function classifyError(error: unknown, tls = false, received = 0): HttpErrorType {
  if (error instanceof TimeoutError || error instanceof Deno.errors.TimedOut) return "timeout";
  if (error instanceof AbortedError) return "aborted";
  if (error instanceof ProtocolError) return "protocol error";
  if (error instanceof BodyTooLargeError) return "body too large";
  if (error instanceof DecodeError) return "decode error";
  if (error instanceof Deno.errors.ConnectionRefused) return "connection refused";
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return "permission denied";
  }
  const message = error instanceof Error ? error.message : String(error);
  if (DNS_RE.test(message)) return "dns error";
  if (tls) {
    if (
      error instanceof Deno.errors.ConnectionReset ||
      error instanceof Deno.errors.ConnectionAborted
    ) return "connection reset";
    return "tls error";
  }
  if (TLS_RE.test(message)) return "tls error";
  if (isStaleSocketError(error)) return received > 0 ? "incomplete response" : "connection reset";
  return "network error";
}

/**
 * What an error type means, in words a user can act on (for reports).
 *
 * @param type An error type from {@linkcode HttpErrorType} (others: undefined).
 * @returns One sentence, or undefined for a type this client does not report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeError } from "./errors.ts";
 *
 * assert.match(describeError("reset on reused connection")!, /may not have processed/);
 * ```
 */
export function describeError(type: string): string | undefined {
  return DESCRIPTIONS[type as HttpErrorType];
}

const DESCRIPTIONS: Record<HttpErrorType, string> = {
  "timeout": "no complete response within the timeout",
  "connection refused": "nothing listened on the port",
  "connection reset": "the server reset or closed the connection before any response",
  "reset on reused connection":
    "reset by the server before any response, on reused keep-alive connections the server " +
    "was closing; not idempotent, so not retried: the server may not have processed them",
  "incomplete response": "the connection ended in the middle of the response",
  "body too large": "the response body was larger than the client's body cap",
  "decode error": "the response body did not decode per its Content-Encoding",
  "too many redirects": "still a redirect after the most redirects allowed",
  "dns error": "the host name did not resolve",
  "tls error": "the TLS handshake failed",
  "protocol error": "a malformed or unsupported response",
  "permission denied": "Deno's --allow-net did not cover the host",
  "invalid request": "the request could not be encoded",
  "aborted": "the client was closed while the request was pending",
  "network error": "another network failure",
};
