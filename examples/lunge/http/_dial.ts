/**
 * Private helper: where the HTTP client opens a connection. Every socket the
 * client uses comes from {@linkcode dial}: plain TCP (`Deno.connect`, with
 * `TCP_NODELAY`) or TLS (`Deno.connectTls`, handshake completed before the
 * connection is used). Transport features (proxies, Unix sockets, ALPN) hook
 * in here, not in the client's request path.
 *
 * @module
 */

/** Where to connect. */
export interface DialTarget {
  /** Host name or address (IPv6 without brackets). */
  readonly hostname: string;
  /** TCP port. */
  readonly port: number;
  /** Whether to speak TLS. */
  readonly tls: boolean;
}

/** TLS settings applied to every TLS connection of one client. */
export interface DialTlsOptions {
  /** Extra trusted CA certificates (PEM). */
  caCerts?: string[];
  /** Skip the host name check. */
  unsafelyDisableHostnameVerification?: boolean;
}

/**
 * Opens a connection to `target`.
 *
 * @param target Host, port and whether to use TLS.
 * @param tls TLS settings (ignored for plain TCP).
 * @param signal Aborts a plain TCP connect (Deno's TLS connect takes none;
 *   the caller closes a late TLS connection itself).
 * @returns The connected socket (TLS: after its handshake).
 */
export async function dial(
  target: DialTarget,
  tls: DialTlsOptions,
  signal: AbortSignal | undefined,
): Promise<Deno.Conn> {
  if (!target.tls) {
    const conn = await Deno.connect({ hostname: target.hostname, port: target.port, signal });
    conn.setNoDelay(true);
    return conn;
  }
  const conn = await Deno.connectTls({ hostname: target.hostname, port: target.port, ...tls });
  try {
    await conn.handshake();
  } catch (e) {
    conn.close();
    throw e;
  }
  return conn;
}
