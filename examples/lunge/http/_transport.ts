/**
 * Private helper: the client's transport options (TLS client certificate,
 * SNI, HTTP/2, proxies, Unix socket) and the one object that applies them:
 * {@linkcode Transport} opens every connection (through `_connect.ts`),
 * routes https origins that speak HTTP/2 to `_h2.ts`, and says how an
 * HTTP/1.1 request line looks through a proxy.
 *
 * @module
 */
import { Dialer } from "./_connect.ts";
import { H2Client, type H2Outcome } from "./_h2.ts";
import { checkProxySettings, type ProxySettings } from "./_proxy.ts";
import type { PreparedRequest } from "./_pool.ts";

export type { ProxySettings };

/** Transport options of an `HttpClient` (with its `caCerts` and `insecureSkipVerify`). */
export interface TransportOptions {
  /** Extra trusted CA certificates (PEM) for https. */
  caCerts?: string[];
  /**
   * Skip the TLS host name check. Deno cannot skip chain verification per
   * connection: for an untrusted chain, run Deno with
   * `--unsafely-ignore-certificate-errors[=host]`, or give its CA in `caCerts`.
   */
  insecureSkipVerify?: boolean;
  /** Client certificate chain (PEM) for mutual TLS; with `key`. */
  cert?: string;
  /** Client private key (PEM); with `cert`. */
  key?: string;
  /**
   * The TLS server name (SNI, and the name checked against the certificate)
   * instead of the URL's host. Not with a client certificate (Deno's
   * `startTls`, which this needs, takes none).
   */
  serverName?: string;
  /**
   * HTTP/2 for https origins: absent (default) uses h2 when the server
   * offers it through ALPN; `true` forces it (offers only "h2"); `false`
   * never offers it. Plain `http:` always stays HTTP/1.1.
   */
  http2?: boolean;
  /**
   * Most concurrent streams per HTTP/2 connection (the server's
   * `SETTINGS_MAX_CONCURRENT_STREAMS` also applies); more requests at once
   * open more connections, up to `maxConnectionsPerHost`. Default 100.
   */
  maxConcurrentStreams?: number;
  /**
   * Proxies: `http` for http URLs (absolute-form requests), `https` for
   * https URLs (a CONNECT tunnel), `noProxy` the hosts that go direct. The
   * client reads no environment variable; the CLI fills this from
   * `--proxy` or `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY`.
   */
  proxy?: ProxySettings;
  /** Send every request through this Unix socket (the URL still names the Host). */
  unixSocket?: string;
}

/** The request line's target and extra head lines for an http request through a proxy. */
export interface ProxiedTarget {
  /** The absolute-form target, e.g. `http://example.com/a?b`. */
  target: string;
  /** Extra header lines (`Proxy-Authorization: …\r\n`), or "". */
  lines: string;
}

/** Opens connections and carries HTTP/2 for one client. */
export class Transport {
  #dialer: Dialer;
  #h2: H2Client | undefined;

  /**
   * @param options The client's options.
   * @param limits The client's timeout and per-host connection cap.
   * @throws {TypeError} On an impossible combination or a bad proxy URL.
   * @throws {RangeError} On a bad `maxConcurrentStreams`.
   */
  constructor(options: TransportOptions, limits: { timeoutMs: number; maxPerHost: number }) {
    if (options.proxy) checkProxySettings(options.proxy);
    const serverName = options.serverName;
    if (serverName !== undefined && (serverName === "" || /[\s/]/.test(serverName))) {
      throw new TypeError(`serverName must be a host name, got ${JSON.stringify(serverName)}`);
    }
    this.#dialer = new Dialer({
      tls: {
        caCerts: options.caCerts,
        cert: options.cert,
        key: options.key,
        insecureSkipVerify: options.insecureSkipVerify,
        serverName,
      },
      proxy: options.proxy,
      unixSocket: options.unixSocket,
    });
    const streams = options.maxConcurrentStreams;
    if (streams !== undefined && !(Number.isInteger(streams) && streams >= 1)) {
      throw new RangeError(`maxConcurrentStreams must be an integer >= 1, got ${streams}`);
    }
    if (options.http2 !== false) {
      this.#h2 = new H2Client(this.#dialer, {
        force: options.http2 === true,
        maxStreams: streams,
        maxConnections: limits.maxPerHost,
        timeoutMs: limits.timeoutMs,
      });
    }
  }

  /**
   * Opens an HTTP/1.1 connection to `t` (TLS: after its handshake; ALPN
   * offers only "http/1.1" when HTTP/2 is possible, so the server cannot
   * switch this connection to h2).
   */
  async dial(
    t: { hostname: string; port: number; tls: boolean },
    signal: AbortSignal | undefined,
  ): Promise<Deno.Conn> {
    const alpn = t.tls && this.#h2 !== undefined ? ["http/1.1"] : undefined;
    return (await this.#dialer.dial(t, { signal, alpn })).conn;
  }

  /**
   * Whether `p` may go over HTTP/2: its origin is https and not known to
   * speak only HTTP/1.1. Then call {@linkcode Transport.sendH2}.
   */
  mayBeH2(p: PreparedRequest): boolean {
    return p.tls && this.#h2 !== undefined && this.#h2.mayBeH2(p.origin);
  }

  /**
   * Sends `p` over HTTP/2; resolves undefined when its origin turned out to
   * speak HTTP/1.1 (send it there; this origin is then never asked again).
   * A request that captures its response gets `sink` (head and body, the
   * body within `maxBody`); a 3xx its `location`, for the caller to follow.
   */
  sendH2(
    p: PreparedRequest,
    progress: { written: boolean; cancelled: boolean } | undefined,
    deadline: number,
    maxBody: number,
  ): Promise<H2Outcome | undefined> {
    return this.#h2!.send(p, progress, deadline, maxBody);
  }

  /** The request target and extra lines for `url` through an http proxy, else undefined. */
  proxied(url: URL): ProxiedTarget | undefined {
    const target = this.#dialer.requestTarget(url);
    if (target === undefined) return undefined;
    const auth = this.#dialer.proxyAuthorization(url);
    return { target, lines: auth === undefined ? "" : `Proxy-Authorization: ${auth}\r\n` };
  }

  /** HTTP/2 connections open now (for tests). */
  get h2Connections(): number {
    return this.#h2?.connectionCount ?? 0;
  }

  /** Closes every HTTP/2 connection and spare connection. */
  close(): void {
    this.#h2?.close();
    this.#dialer.close();
  }
}
