/**
 * Private helper: the HTTP client's options — what each means, its default,
 * and the validation that turns them into the settings the client runs with.
 *
 * @module
 */
import { ALL_ENCODINGS, type EncodeDefaults } from "./_request.ts";
import type { TransportOptions } from "./_transport.ts";

/**
 * Options of an `HttpClient`; the transport ones (TLS client certificate,
 * `serverName`, `http2`, `maxConcurrentStreams`, `proxy`, `unixSocket`) are
 * documented in `_transport.ts`.
 */
export interface HttpClientOptions extends TransportOptions {
  /**
   * Per-request timeout in ms. It covers waiting for a pooled connection,
   * connecting (TCP and TLS handshake), sending, and receiving the whole
   * response, and every hop of a redirect chain (as Go's `Client.Timeout`).
   * It is enforced by one timer per client that ticks every
   * `clamp(timeoutMs / 10, 2, 50)` ms, so a request times out between
   * `timeoutMs` and `timeoutMs` plus one tick.
   */
  timeoutMs: number;
  /** Most connections open (or opening) to one origin at once. Default: unlimited. */
  maxConnectionsPerHost?: number;
  /**
   * Skip TLS certificate verification. Deno's TLS API cannot skip chain
   * verification per connection: this option only disables the host name check
   * (`unsafelyDisableHostnameVerification`). To accept an untrusted chain, run Deno
   * with `--unsafely-ignore-certificate-errors[=host]`, or pass the server's
   * certificate (or its CA) in `caCerts`.
   */
  insecureSkipVerify?: boolean;
  /** Extra trusted CA certificates (PEM) for https, e.g. a test server's self-signed one. */
  caCerts?: string[];
  /** The `User-Agent` header. Default `"lunge-deno/0.1"`; `""` sends none. */
  userAgent?: string;
  /**
   * Most idle keep-alive connections in all pools together (Go's
   * `MaxIdleConns`). When one more becomes idle, the least recently used idle
   * connection (of any origin) is closed. `Infinity` for no cap. Default: the
   * largest of {@linkcode DEFAULT_MAX_IDLE_CONNS} (100), `maxConnectionsPerHost`
   * and the most connections in use at once so far; the last keeps a burst's
   * connections for the next burst, while requests to many origins stay capped.
   */
  maxIdleConns?: number;
  /**
   * Most idle keep-alive connections to one origin (Go's
   * `MaxIdleConnsPerHost`): a connection whose response is read while its
   * pool already holds this many idle ones is closed instead of kept.
   * Default: unlimited (up to `maxConnectionsPerHost`).
   */
  maxIdleConnsPerHost?: number;
  /**
   * An idle keep-alive connection unused this long (ms) is closed (Go's
   * `IdleConnTimeout`). `Infinity` for never. Default
   * {@linkcode DEFAULT_IDLE_TIMEOUT_MS}. Checked by the client's timer, or,
   * when no request is in flight, by one unref'd timer armed only while a
   * connection is idle.
   */
  idleTimeoutMs?: number;
  /**
   * Most redirects (301, 302, 303, 307, 308 with a `Location`) followed for
   * one request; each hop is a request of its own on the wire and in
   * `HttpOutcome.hops`. `0`: none is followed (the 3xx is the response).
   * Past the limit the request fails with `"too many redirects"`. Default
   * {@linkcode DEFAULT_MAX_REDIRECTS} (10).
   */
  maxRedirects?: number;
  /**
   * Ask for compressed responses: `true` sends `Accept-Encoding: gzip,
   * deflate, br, zstd`, a string sends that value, on every request that sets
   * no `Accept-Encoding` of its own. A captured body is then decoded (a
   * request's own `Accept-Encoding` has the same effect on it). `bytes`
   * counts what came over the wire. Default: none.
   */
  compression?: boolean | string;
  /**
   * Most bytes of a captured response body (before and after decoding);
   * a longer one fails with `"body too large"`. Bodies that are not captured
   * are counted and discarded, whatever their size. Default
   * {@linkcode DEFAULT_MAX_BODY_BYTES} (16 MiB).
   */
  maxBodyBytes?: number;
}

/** The floor of the default `maxIdleConns`, as Go's `DefaultTransport`. */
export const DEFAULT_MAX_IDLE_CONNS = 100;
/** The default `idleTimeoutMs`: 90 s, as Go's `DefaultTransport`. */
export const DEFAULT_IDLE_TIMEOUT_MS = 90_000;
/** The default `maxRedirects`: 10, as Go's client and k6. */
export const DEFAULT_MAX_REDIRECTS = 10;
/** The default `maxBodyBytes`: 16 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The options after validation, with defaults applied. */
export interface ClientSettings extends EncodeDefaults {
  timeoutMs: number;
  maxPerHost: number;
  maxIdle: number | undefined;
  maxIdlePerHost: number;
  idleTimeoutMs: number;
  userAgent: string;
  acceptEncoding: string;
  maxRedirects: number;
  maxBodyBytes: number;
}

/**
 * Validates `options`.
 *
 * @throws {RangeError} Naming the option and the value it got.
 */
export function clientSettings(options: HttpClientOptions): ClientSettings {
  const t = options.timeoutMs;
  if (!(t > 0) || !Number.isFinite(t)) {
    throw new RangeError(`timeoutMs must be a positive finite number, got ${t}`);
  }
  const max = options.maxConnectionsPerHost ?? Infinity;
  if (!(max >= 1)) throw new RangeError(`maxConnectionsPerHost must be >= 1, got ${max}`);
  const maxIdle = options.maxIdleConns;
  if (maxIdle !== undefined && !(maxIdle >= 1)) {
    throw new RangeError(`maxIdleConns must be >= 1, got ${maxIdle}`);
  }
  const idlePerHost = options.maxIdleConnsPerHost ?? Infinity;
  if (!(idlePerHost >= 1)) {
    throw new RangeError(`maxIdleConnsPerHost must be >= 1, got ${idlePerHost}`);
  }
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  if (!(idleMs > 0)) throw new RangeError(`idleTimeoutMs must be positive, got ${idleMs}`);
  const redirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  if (!Number.isInteger(redirects) || redirects < 0) {
    throw new RangeError(`maxRedirects must be an integer >= 0, got ${redirects}`);
  }
  const body = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(body) || body < 0) {
    throw new RangeError(`maxBodyBytes must be an integer >= 0, got ${body}`);
  }
  const c = options.compression;
  const acceptEncoding = c === true ? ALL_ENCODINGS : typeof c === "string" ? c : "";
  if (/[\r\n\0]/.test(acceptEncoding)) {
    throw new RangeError(`compression must be a header value, got ${JSON.stringify(c)}`);
  }
  return {
    timeoutMs: t,
    maxPerHost: max,
    maxIdle,
    maxIdlePerHost: idlePerHost,
    idleTimeoutMs: idleMs,
    userAgent: options.userAgent ?? "lunge-deno/0.1",
    acceptEncoding,
    maxRedirects: redirects,
    maxBodyBytes: body,
  };
}
