/**
 * Private helper: encoding an {@linkcode HttpRequest} once into the bytes the
 * client sends (a {@linkcode PreparedRequest}): validation of the method and
 * headers, the managed headers (`Host`, `User-Agent`, `Content-Length`,
 * `Accept-Encoding` when the client asks for compression), and the wire bytes.
 *
 * @module
 */
import { PreparedRequest } from "./_pool.ts";

/** One HTTP request, before encoding. */
export interface HttpRequest {
  /** The method, e.g. `"GET"`; sent as given (upper-case it yourself). */
  method: string;
  /** An absolute `http:` or `https:` URL. The fragment is not sent. */
  url: string | URL;
  /**
   * Extra headers. A `Host` or `User-Agent` given here replaces the default;
   * `Content-Length`, `Transfer-Encoding` and `Connection` are managed by the
   * client and ignored here. An `Accept-Encoding` given here asks for
   * compression: a captured body is then decoded (see `capture`).
   */
  headers?: Record<string, string>;
  /** The request body, sent with a `Content-Length`. Strings are UTF-8 encoded. */
  body?: string | Uint8Array;
  /**
   * Keep the response's head (all its headers) and body, for assertions and
   * extracts: {@linkcode HttpOutcome.response}. The body is capped at the
   * client's `maxBodyBytes`; it is decoded (gzip, deflate, br, zstd) when the
   * request asked for compression. Default false: headers beyond the framing
   * ones are skipped and the body is counted and discarded.
   */
  capture?: boolean;
}

/** The `Accept-Encoding` sent for `compression: true`: every coding the client decodes. */
export const ALL_ENCODINGS = "gzip, deflate, br, zstd";

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE_RE = /[\r\n\0]/;
const encoder = new TextEncoder();

/** What the client adds to every request it encodes. */
export interface EncodeDefaults {
  /** The `User-Agent` (`""`: none). */
  userAgent: string;
  /** The `Accept-Encoding` to send when the request sets none (`""`: none). */
  acceptEncoding: string;
  /**
   * Through an http proxy: the absolute-form target for `url` and extra
   * head lines (`Proxy-Authorization`), else undefined (origin-form).
   */
  proxied?: (url: URL) => { target: string; lines: string } | undefined;
}

/**
 * Encodes `req` once.
 *
 * @throws {TypeError} On a bad URL, scheme, method or header.
 */
export function encodeRequest(req: HttpRequest, defaults: EncodeDefaults): PreparedRequest {
  const url = req.url instanceof URL ? new URL(req.url.href) : new URL(req.url);
  let tls: boolean;
  if (url.protocol === "http:") tls = false;
  else if (url.protocol === "https:") tls = true;
  else throw new TypeError(`unsupported URL scheme "${url.protocol}" in ${url.href}`);
  const method = req.method;
  if (!TOKEN_RE.test(method)) throw new TypeError(`invalid HTTP method "${method}"`);
  let hostname = url.hostname;
  if (hostname.startsWith("[") && hostname.endsWith("]")) hostname = hostname.slice(1, -1);
  const port = url.port === "" ? (tls ? 443 : 80) : Number(url.port);

  const body = req.body === undefined
    ? undefined
    : typeof req.body === "string"
    ? encoder.encode(req.body)
    : req.body;

  let host = url.host;
  let userAgent = defaults.userAgent;
  let acceptEncoding = defaults.acceptEncoding;
  let asked = false;
  let extra = "";
  const headers = req.headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN_RE.test(name)) throw new TypeError(`invalid header name "${name}"`);
    const v = String(value);
    if (BAD_VALUE_RE.test(v)) throw new TypeError(`invalid value for header "${name}"`);
    const lower = name.toLowerCase();
    if (lower === "host") host = v;
    else if (lower === "user-agent") userAgent = v;
    else if (lower === "accept-encoding") {
      acceptEncoding = "";
      asked = !/^\s*identity\s*$/i.test(v);
      extra += `${name}: ${v}\r\n`;
    } else if (
      lower === "content-length" || lower === "transfer-encoding" || lower === "connection"
    ) continue;
    else extra += `${name}: ${v}\r\n`;
  }
  const proxied = tls ? undefined : defaults.proxied?.(url);
  const target = proxied?.target ?? `${url.pathname || "/"}${url.search}`;
  let head = `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\n${proxied?.lines ?? ""}`;
  if (userAgent !== "") head += `User-Agent: ${userAgent}\r\n`;
  if (acceptEncoding !== "") {
    head += `Accept-Encoding: ${acceptEncoding}\r\n`;
    asked = true;
  }
  head += extra;
  if (body !== undefined) head += `Content-Length: ${body.length}\r\n`;
  else if (method === "POST" || method === "PUT" || method === "PATCH") {
    head += "Content-Length: 0\r\n";
  }
  head += "\r\n";
  const headBytes = encoder.encode(head);
  let wire = headBytes;
  if (body !== undefined && body.length > 0) {
    wire = new Uint8Array(headBytes.length + body.length);
    wire.set(headBytes, 0);
    wire.set(body, headBytes.length);
  }
  return new PreparedRequest({
    method,
    url,
    wire,
    expectsBody: method !== "HEAD",
    hostname,
    port,
    tls,
    capture: req.capture === true,
    decode: asked,
    headers,
    body,
  });
}
