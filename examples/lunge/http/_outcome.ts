/**
 * Private helper: what the HTTP client reports for a request — its outcome,
 * the redirect hops before it, the redirect chain being followed — and the
 * hand-over of a captured response (headers, and the body decoded when the
 * request asked for compression).
 *
 * @module
 */
import { type BodySink, type CapturedBody, decodeBody, ResponseHeaders } from "./_body.ts";

import type { PreparedRequest } from "./_pool.ts";
import { classifyError } from "./errors.ts";

/** One redirect response of a followed chain (see {@linkcode HttpOutcome.hops}). */
export interface HopOutcome {
  /** Its status (301, 302, 303, 307 or 308). */
  statusCode: number;
  /** Bytes received for it on the wire. */
  bytes: number;
  /** When its response ended (`performance.now()` ms): the next hop was sent then. */
  end: number;
}

/**
 * A caller's view of one request in flight (see `HttpClient.send`): the
 * client sets `written` just before its first byte goes to a socket, and
 * `hops` to the redirects answered so far; once the caller sets `cancelled`,
 * nothing more of it is sent.
 */
export interface SendProgress {
  /** Set true just before the request's first byte goes to a socket. */
  written: boolean;
  /** Set by the caller: a request (or a redirect hop) not yet written never will be. */
  cancelled: boolean;
  /** The redirect hops answered so far, in order (set by the client). */
  hops?: HopOutcome[];
}

/** What became of one request. */
export interface HttpOutcome {
  /** The final status code, or 0 when no complete response arrived. */
  statusCode: number;
  /** Bytes received on the wire for this response (heads, framing and body). */
  bytes: number;
  /** Why there is no usable response: one of {@linkcode HttpErrorType} (see `errors.ts`). */
  error?: string;
  /** The headers and body, when the request asked for them (`capture`) and they arrived. */
  response?: CapturedBody;
  /**
   * The redirects followed before this response, in order; absent when none.
   * Each was a request on the wire (and in the server's log): record each as
   * one. The outcome's own fields are the last response's.
   */
  hops?: HopOutcome[];
}

/** A redirect chain being followed: its first request and the hops so far. */
export interface Chain {
  first: PreparedRequest;
  hops: HopOutcome[];
}

/**
 * Hands a captured response over on `outcome`: its headers and its body,
 * decoded per `Content-Encoding` when the request asked for compression. A
 * body that does not decode (or decodes past the cap) makes the outcome an error.
 */
export function captured(outcome: HttpOutcome, sink: BodySink, decode: boolean): void {
  const headers = new ResponseHeaders(sink.head);
  let body = sink.bytes();
  const coding = decode ? headers.get("content-encoding") : null;
  if (coding !== null) {
    try {
      body = decodeBody(body, coding, sink.max);
    } catch (e) {
      outcome.error = classifyError(e);
    }
  }
  outcome.response = { headers, body };
}
