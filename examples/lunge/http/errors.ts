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
 *   `HttpClient.send`); otherwise it is labelled this.
 * - `"incomplete response"`: the peer reset or closed the connection **after
 *   part of the response** arrived (a truncated head or body).
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

const DNS_RE = /lookup address|name or service|no such host|nodename nor servname|getaddrinfo|dns/i;
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
