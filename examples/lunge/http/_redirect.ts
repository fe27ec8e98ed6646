/**
 * Private helper: the next request of a redirect, as Go's `net/http` client
 * builds it. 301, 302 and 303 turn a request other than GET or HEAD into a
 * GET without a body; 307 and 308 keep the method and the body. The headers
 * go along, except a `Host` the caller set (the new URL names the host) and,
 * when the redirect leaves the original host, `Authorization`, `Cookie` and
 * `WWW-Authenticate`. A `Location` is resolved against the current URL.
 *
 * @module
 */
import type { PreparedRequest } from "./_pool.ts";
import type { HttpRequest } from "./_request.ts";
import { ProtocolError } from "./errors.ts";

/** The statuses followed (others, 300 and 304 among them, are the final response). */
export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 ||
    status === 308;
}

const SENSITIVE = new Set(["authorization", "cookie", "www-authenticate", "cookie2"]);

/**
 * The request that follows `from`'s `status` response with `location`.
 *
 * @param original The first request of the chain (its host decides what is sensitive).
 * @throws {ProtocolError} When the location is not an http(s) URL.
 */
export function nextHop(
  from: PreparedRequest,
  original: PreparedRequest,
  status: number,
  location: string,
): HttpRequest {
  let url: URL;
  try {
    url = new URL(location.trim(), from.url);
  } catch {
    throw new ProtocolError(`redirect to an invalid location "${location}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ProtocolError(`redirect to an unsupported scheme "${url.protocol}"`);
  }
  let method = from.method;
  let body = from.body;
  if (status === 301 || status === 302 || status === 303) {
    if (method !== "GET" && method !== "HEAD") method = "GET";
    body = undefined;
  }
  const sameHost = url.hostname === original.url.hostname;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(from.headers)) {
    const lower = name.toLowerCase();
    if (lower === "host") continue;
    if (body === undefined && (lower === "content-type" || lower === "content-encoding")) continue;
    if (!sameHost && SENSITIVE.has(lower)) continue;
    headers[name] = value;
  }
  return { method, url, headers, body, capture: from.capture };
}
