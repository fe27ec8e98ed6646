/**
 * Test helper: a raw TCP (or TLS) server on 127.0.0.1 for the tests that
 * need a server misbehaving below HTTP (never answering, closing or sending
 * garbage on idle connections, counting connections). It owns the listener
 * and the open connections; each test's `serve` owns one connection's bytes.
 *
 * @module
 */

/** A running {@linkcode rawServer}. */
export interface RawServer {
  /** The port it listens on. */
  readonly port: number;
  /** `http://127.0.0.1:<port>/` (`https` with TLS). */
  readonly url: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** True once `close()` began: a connection ending now was ended by the server. */
  readonly closing: boolean;
  /** Close the listener and every open connection, and wait for every `serve` to end. */
  close(): Promise<void>;
}

/**
 * Listen on a random 127.0.0.1 port and run `serve` on every accepted
 * connection; the connection is closed when `serve` ends (or throws).
 *
 * @param serve Handles one connection; its errors (a reset, the server closing) are dropped.
 * @param options `tls`: serve TLS with this certificate and key.
 */
export function rawServer(
  serve: (conn: Deno.Conn) => Promise<void>,
  options: { tls?: { cert: string; key: string } } = {},
): RawServer {
  const { tls } = options;
  const listener: Deno.Listener = tls
    ? Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert: tls.cert, key: tls.key })
    : Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const conns = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  let accepted = 0;
  let closing = false;
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        accepted++;
        conns.add(conn);
        tasks.push(
          serve(conn).catch(() => {}).finally(() => {
            conns.delete(conn);
            closeQuietly(conn);
          }),
        );
      }
    } catch {
      // listener closed
    }
  })();
  return {
    port,
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}/`,
    get accepted() {
      return accepted;
    },
    get closing() {
      return closing;
    },
    async close() {
      closing = true;
      listener.close();
      for (const c of conns) closeQuietly(c);
      await Promise.all(tasks);
      await accepting;
    },
  };
}

/** Close `conn`, ignoring that it may be closed already. */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // closed already
  }
}
