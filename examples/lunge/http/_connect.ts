/**
 * Private helper: how the HTTP client opens a connection to an origin —
 * TCP, TLS (CA file, client certificate, SNI, host name check, ALPN), a
 * Unix socket, or through an HTTP proxy (absolute-form for http, a CONNECT
 * tunnel for https). One {@linkcode Dialer} per client.
 *
 * What Deno 2.9.6 lets a connection do, and so what this can do:
 * - `Deno.connectTls` takes `caCerts`, a client `cert`/`key`, `alpnProtocols`
 *   and `unsafelyDisableHostnameVerification`; its `hostname` is both where
 *   it connects and the SNI / name checked.
 * - A different SNI (`serverName`), a tunnel and a Unix socket use
 *   `Deno.connect` then `Deno.startTls`, which takes no client certificate:
 *   those combinations are refused up front.
 * - No per-connection option skips chain verification: `insecureSkipVerify`
 *   disables the host name check only. To accept an untrusted chain, run
 *   Deno with `--unsafely-ignore-certificate-errors[=host]` (it covers these
 *   connections), or give the server's CA with `caCerts`.
 *
 * @module
 */
import { openTunnel, proxyFor, type ProxySettings, type ProxyTarget } from "./_proxy.ts";

/** TLS settings of a client (PEM text, not file names). */
export interface TlsSettings {
  /** Extra trusted CA certificates (PEM). */
  caCerts?: string[];
  /** Client certificate chain (PEM), with `key`. */
  cert?: string;
  /** Client private key (PEM), with `cert`. */
  key?: string;
  /** Skip the host name check (see the module doc for the chain). */
  insecureSkipVerify?: boolean;
  /** The name sent as SNI and checked against the certificate, instead of the URL's host. */
  serverName?: string;
}

/** Everything about how connections are opened. */
export interface DialSettings {
  /** TLS settings for https origins. */
  tls?: TlsSettings;
  /** Proxies (see `_proxy.ts`). */
  proxy?: ProxySettings;
  /** Connect every origin through this Unix socket instead (curl's `--unix-socket`). */
  unixSocket?: string;
}

/** Where to connect: an origin of the client. */
export interface DialTarget {
  /** Host of the URL (IPv6 without brackets). */
  hostname: string;
  /** Port of the URL. */
  port: number;
  /** Whether the origin is https. */
  tls: boolean;
}

/** An opened connection, and the protocol ALPN chose (null: none). */
export interface Dialed {
  /** The connection, ready for HTTP bytes. */
  conn: Deno.Conn;
  /** `"h2"`, `"http/1.1"` or null. */
  alpn: string | null;
}

/** Opens connections as a client's settings say. */
export class Dialer {
  #tls: TlsSettings;
  #proxy: ProxySettings | undefined;
  #unix: string | undefined;
  #base: Deno.ConnectTlsOptions & { cert?: string; key?: string };
  /** A connection opened to learn the protocol and not used, per origin key, for the next dial. */
  #spare = new Map<string, Deno.Conn>();

  /**
   * @param settings TLS, proxy and Unix socket settings.
   * @throws {TypeError} On a combination Deno cannot do (a client
   *   certificate with `serverName`, a Unix socket or an https proxy), or
   *   half a key pair.
   */
  constructor(settings: DialSettings) {
    const tls = settings.tls ?? {};
    this.#tls = tls;
    this.#proxy = settings.proxy;
    this.#unix = settings.unixSocket;
    if ((tls.cert === undefined) !== (tls.key === undefined)) {
      throw new TypeError("tls: cert and key go together (got only one)");
    }
    if (tls.cert !== undefined) {
      const via = tls.serverName !== undefined
        ? "serverName"
        : this.#unix !== undefined
        ? "a Unix socket"
        : settings.proxy?.https
        ? "an https proxy"
        : undefined;
      if (via !== undefined) {
        throw new TypeError(
          `tls: a client certificate cannot be combined with ${via} (Deno.startTls takes none)`,
        );
      }
    }
    this.#base = { port: 0 };
    if (tls.caCerts?.length) this.#base.caCerts = tls.caCerts;
    if (tls.insecureSkipVerify) this.#base.unsafelyDisableHostnameVerification = true;
    if (tls.cert !== undefined) {
      this.#base.cert = tls.cert;
      this.#base.key = tls.key;
    }
  }

  /**
   * The request target to write for `url` when it is not origin-form: the
   * absolute URL for http through a proxy (RFC 9112 §3.2.2), else undefined.
   */
  requestTarget(url: URL): string | undefined {
    if (url.protocol !== "http:" || this.#unix !== undefined) return undefined;
    let hostname = url.hostname;
    if (hostname.startsWith("[")) hostname = hostname.slice(1, -1);
    const port = url.port === "" ? 80 : Number(url.port);
    if (proxyFor(this.#proxy, false, hostname, port) === undefined) return undefined;
    return `http://${url.host}${url.pathname || "/"}${url.search}`;
  }

  /** The `Proxy-Authorization` header value for http requests to `url` through a proxy, if any. */
  proxyAuthorization(url: URL): string | undefined {
    if (url.protocol !== "http:" || this.#unix !== undefined) return undefined;
    let hostname = url.hostname;
    if (hostname.startsWith("[")) hostname = hostname.slice(1, -1);
    const port = url.port === "" ? 80 : Number(url.port);
    return proxyFor(this.#proxy, false, hostname, port)?.authorization;
  }

  /** Keeps an unused connection to `t` for the next {@linkcode Dialer.dial} to it. */
  keepSpare(t: DialTarget, conn: Deno.Conn): void {
    const key = `${t.tls}|${t.hostname}|${t.port}`;
    this.#spare.get(key)?.close();
    this.#spare.set(key, conn);
  }

  /** Closes the spare connections. */
  close(): void {
    for (const c of this.#spare.values()) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    this.#spare.clear();
  }

  /**
   * Opens a connection to `t`: through the Unix socket or proxy when set,
   * with TLS for https (offering `alpn`, e.g. `["h2", "http/1.1"]`).
   *
   * @param t The origin.
   * @param options `signal` aborts a TCP connect; `alpn` the protocols to offer.
   */
  async dial(
    t: DialTarget,
    options: { signal?: AbortSignal; alpn?: string[] } = {},
  ): Promise<Dialed> {
    const key = `${t.tls}|${t.hostname}|${t.port}`;
    const spare = this.#spare.get(key);
    if (spare !== undefined) {
      this.#spare.delete(key);
      return { conn: spare, alpn: null };
    }
    const proxy = this.#unix === undefined
      ? proxyFor(this.#proxy, t.tls, t.hostname, t.port)
      : undefined;
    if (!t.tls) {
      const conn = await this.#plain(proxy ?? t, options.signal);
      return { conn, alpn: null };
    }
    const alpn = options.alpn;
    if (proxy === undefined && this.#unix === undefined && this.#tls.serverName === undefined) {
      const opts: Deno.ConnectTlsOptions = { ...this.#base, hostname: t.hostname, port: t.port };
      if (alpn !== undefined) opts.alpnProtocols = alpn;
      const conn = await Deno.connectTls(opts);
      return { conn, alpn: await handshake(conn) };
    }
    // Over an opened stream: a tunnel, a Unix socket, or another SNI.
    const raw = await this.#plain(proxy ?? t, options.signal);
    try {
      if (proxy !== undefined) await openTunnel(raw, proxy, t.hostname, t.port);
      const start: Deno.StartTlsOptions = { hostname: this.#tls.serverName ?? t.hostname };
      if (this.#base.caCerts) start.caCerts = this.#base.caCerts;
      if (this.#base.unsafelyDisableHostnameVerification) {
        start.unsafelyDisableHostnameVerification = true;
      }
      if (alpn !== undefined) start.alpnProtocols = alpn;
      // startTls is typed for TCP; Deno accepts a Unix stream just the same.
      const conn = await Deno.startTls(raw as Deno.TcpConn, start);
      return { conn, alpn: await handshake(conn) };
    } catch (e) {
      try {
        raw.close();
      } catch { /* consumed or closed */ }
      throw e;
    }
  }

  async #plain(
    t: { hostname: string; port: number } | ProxyTarget,
    signal?: AbortSignal,
  ): Promise<Deno.Conn> {
    if (this.#unix !== undefined) {
      return await Deno.connect({ transport: "unix", path: this.#unix });
    }
    const conn = await Deno.connect({ hostname: t.hostname, port: t.port, signal });
    conn.setNoDelay(true);
    return conn;
  }
}

/** Completes a TLS handshake (closing the connection on failure); returns the ALPN choice. */
async function handshake(conn: Deno.TlsConn): Promise<string | null> {
  try {
    return (await conn.handshake()).alpnProtocol;
  } catch (e) {
    conn.close();
    throw e;
  }
}

export type { ProxySettings };
