/**
 * Private helper: sending a request whose response must be read — its body
 * (body/json assertions, body/json/regex extracts) or its headers (header
 * assertions and extracts). The engine's own client discards bodies and
 * parses only the headers it needs, so these requests go through `fetch`,
 * which reads both. Plain requests never come here.
 *
 * Differences from the engine's client, stated in the README: `fetch` keeps
 * its own connection pool (settings.maxConnectionsPerHost does not bound
 * it), and `bytes` counts the body plus the status line and headers as
 * received (`Accept-Encoding: identity` is sent unless the request sets it,
 * so the body is counted as sent on the wire).
 *
 * @module
 */
import { classifyError } from "../http/http_client.ts";

/** One request to capture. */
export interface CaptureRequest {
  /** Method, upper case. */
  method: string;
  /** Absolute URL. */
  url: string;
  /** Headers to send. */
  headers: Record<string, string>;
  /** Body, if any. */
  body?: string;
}

/** What a captured request gave. */
export interface Captured {
  /** Status (0 when no response arrived). */
  statusCode: number;
  /** Bytes received: status line, headers and body. */
  bytes: number;
  /** The error type when no response arrived. */
  error?: string;
  /** Response headers (empty on error). */
  headers: Headers;
  /** Body text ("" on error). */
  body: string;
}

const decoder = new TextDecoder();
const NO_HEADERS = new Headers();

/** The error type of a fetch failure (the engine client's labels). */
function errorType(e: unknown, timedOut: boolean, aborted: boolean): string {
  if (timedOut) return "timeout";
  if (aborted) return "aborted";
  const text = `${e instanceof Error ? e.message : e} ${
    e instanceof Error && e.cause instanceof Error ? e.cause.message : ""
  }`;
  if (/refused/i.test(text)) return "connection refused";
  if (/invalid url|url parse|relative url/i.test(text)) return "invalid request";
  if (/reset|connection closed|broken pipe|unexpected eof/i.test(text)) return "connection reset";
  return classifyError(e instanceof Error && e.cause !== undefined ? e.cause : e);
}

/**
 * Sends `req` with `fetch`, reading the whole response. Never throws.
 *
 * @param req The request.
 * @param options Timeout (ms), User-Agent, and a signal that aborts it (the scenario's cut).
 */
export async function capture(
  req: CaptureRequest,
  options: { timeoutMs: number; userAgent: string; signal: AbortSignal },
): Promise<Captured> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  const headers = new Headers(req.headers);
  if (!headers.has("user-agent") && options.userAgent !== "") {
    headers.set("user-agent", options.userAgent);
  }
  if (!headers.has("accept-encoding")) headers.set("accept-encoding", "identity");
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers,
      body: req.body,
      redirect: "manual",
      signal: AbortSignal.any([timeout.signal, options.signal]),
    });
    const buf = new Uint8Array(await res.arrayBuffer());
    let bytes = 17 + res.statusText.length + buf.length; // "HTTP/1.1 200 OK\r\n" ... "\r\n"
    for (const [k, v] of res.headers) bytes += k.length + v.length + 4;
    return { statusCode: res.status, bytes, headers: res.headers, body: decoder.decode(buf) };
  } catch (e) {
    const error = errorType(e, timeout.signal.aborted, options.signal.aborted);
    return { statusCode: 0, bytes: 0, error, headers: NO_HEADERS, body: "" };
  } finally {
    clearTimeout(timer);
  }
}
