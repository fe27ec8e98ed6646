/**
 * Private helper: the HTTP client's connections, the pool of one origin, the
 * callers queued for a connection, and the prepared (encoded-once) request.
 *
 * @module
 */
import { ReadBuffer } from "./_parse.ts";

/**
 * A request encoded once by `HttpClient.prepare`, to be sent many times with
 * `HttpClient.send`. Treat it as opaque and immutable.
 */
export class PreparedRequest {
  /** The request method. */
  readonly method: string;
  /** The parsed request URL. */
  readonly url: URL;
  /** The whole request as sent: head and body. */
  readonly wire: Uint8Array;
  /** False for `HEAD`: the response to it has no body whatever its headers say. */
  readonly expectsBody: boolean;
  /**
   * Whether the method is idempotent (RFC 9110 §9.2.2: GET, HEAD, OPTIONS,
   * TRACE, PUT, DELETE), so that sending it twice is safe.
   */
  readonly idempotent: boolean;
  /** The pool key: `scheme://host:port`. */
  readonly origin: string;
  /** The host to connect to (IPv6 without brackets). */
  readonly hostname: string;
  /** The port to connect to. */
  readonly port: number;
  /** Whether to connect with TLS. */
  readonly tls: boolean;
  /** Whether the response's head and body are kept (`HttpRequest.capture`). */
  readonly capture: boolean;
  /** Whether a kept body is decoded per its `Content-Encoding` (the request asked for compression). */
  readonly decode: boolean;
  /** The headers as given (before encoding), for the next hop of a redirect. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as given, for the next hop of a 307/308 redirect. */
  readonly body: Uint8Array | undefined;

  /**
   * Prefer `HttpClient.prepare`, which fills these in from an `HttpRequest`.
   *
   * @param init Every field of the prepared request.
   */
  constructor(init: {
    method: string;
    url: URL;
    wire: Uint8Array;
    expectsBody: boolean;
    hostname: string;
    port: number;
    tls: boolean;
    capture?: boolean;
    decode?: boolean;
    headers?: Readonly<Record<string, string>>;
    body?: Uint8Array;
  }) {
    this.method = init.method;
    this.url = init.url;
    this.wire = init.wire;
    this.expectsBody = init.expectsBody;
    this.idempotent = IDEMPOTENT.has(init.method);
    this.hostname = init.hostname;
    this.port = init.port;
    this.tls = init.tls;
    this.capture = init.capture ?? false;
    this.decode = init.decode ?? false;
    this.headers = init.headers ?? {};
    this.body = init.body;
    this.origin = `${init.tls ? "https" : "http"}://${init.hostname}:${init.port}`;
  }
}

/** The idempotent methods (RFC 9110 §9.2.2), which a dead keep-alive connection may resend. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);

/** One pooled connection with its read buffer and the state of the request in flight. */
export class Connection extends ReadBuffer {
  /** The socket. */
  declare readonly conn: Deno.Conn;
  /** Responses completed on this connection. */
  served = 0;
  /** When the request in flight times out (`performance.now()` ms). */
  deadline = 0;
  /** Some of the request in flight may have been written to the socket. */
  written = false;
  /** A request is in flight on it. */
  busy = false;
  /** The client's timer expired the request in flight (and closed the socket). */
  timedOut = false;
  /** The client was closed while a request was in flight. */
  aborted = false;
  /** The socket is closed. */
  closed = false;
  /** When it last became idle in its pool (`performance.now()` ms), for the idle timeout. */
  idleSince = 0;
  /**
   * While the connection is idle in its pool: the one read kept pending on the
   * socket, into `buf` from offset 0. The request that takes the connection
   * sets it to null and awaits it: its bytes are the first of the response.
   */
  pending: Promise<number | null> | null = null;
  /** Called when the idle read completed (end, error or unexpected bytes) while idle. */
  #onIdleEnd: (c: Connection) => void;

  /**
   * @param conn The connected socket.
   * @param onIdleEnd Called when the read kept pending while idle completes
   *   (the server closed or reset the socket, or sent bytes nobody asked for)
   *   before a request took the connection: drop it from the pool.
   */
  constructor(conn: Deno.Conn, onIdleEnd: (c: Connection) => void) {
    super(conn);
    this.#onIdleEnd = onIdleEnd;
  }

  /**
   * Keeps one read pending on the idle socket (as Go's `net/http` read loop
   * does), so that a server closing an idle keep-alive connection is noticed
   * before a request is sent on it. The buffer must be empty (`start === end === 0`).
   */
  watchIdle(): void {
    // Unref'd: an idle pooled connection must not keep the process (or Worker) alive.
    this.conn.unref();
    const p = this.conn.read(this.buf);
    this.pending = p;
    p.then(this.#idleSettled, this.#idleSettled);
  }

  /**
   * The idle read completed. Promise reactions run in the order they were
   * registered, so this runs before the `await` of a request that took the
   * read; that request set `pending` to null, and then this does nothing.
   */
  #idleSettled = (): void => {
    if (this.pending === null || this.closed) return;
    this.pending = null;
    this.#onIdleEnd(this);
  };

  /** Closes the socket once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.conn.close();
    } catch {
      // already closed by Deno
    }
  }
}

/** A queued caller waiting for a connection (or for a free slot to open one). */
export interface Waiter {
  /** When the caller's request times out. */
  deadline: number;
  /** Hands over a connection, or null: "open your own in the slot I freed". */
  resolve: (c: Connection | null) => void;
  /** Fails the caller (timeout, client closed). */
  reject: (e: Error) => void;
}

/** The connections of one origin. */
export class Pool {
  /** Host to connect to. */
  readonly hostname: string;
  /** Port to connect to. */
  readonly port: number;
  /** Whether to connect with TLS. */
  readonly tls: boolean;
  /** Its key in the client's map of pools: `scheme://host:port`. */
  readonly origin: string;
  /** Most connections at once. */
  readonly max: number;
  /** Idle keep-alive connections, most recent last. */
  readonly idle: Connection[] = [];
  /** Callers waiting for a connection, first in first out. */
  readonly waiters: Waiter[] = [];
  /** Connections open or being opened (the slots in use). */
  total = 0;

  /**
   * @param p Any request to the origin.
   * @param max Most connections at once.
   */
  constructor(p: PreparedRequest, max: number) {
    this.hostname = p.hostname;
    this.port = p.port;
    this.tls = p.tls;
    this.origin = p.origin;
    this.max = max;
  }

  /**
   * Returns a healthy connection after a response: to a waiter, else to the
   * idle stack, watched by a pending read (see {@linkcode Connection.watchIdle}).
   *
   * @returns True when it went to the idle stack (the client then counts it as idle).
   */
  release(c: Connection): boolean {
    const w = this.waiters.shift();
    if (w !== undefined) {
      w.resolve(c);
      return false;
    }
    c.watchIdle();
    this.idle.push(c);
    return true;
  }

  /**
   * Drops an idle connection (its pending read completed, or the client's
   * idle cap or idle timeout closes it): closes it and frees its slot.
   *
   * @returns False when it was not idle in this pool (nothing done).
   */
  dropIdle(c: Connection): boolean {
    const i = this.idle.lastIndexOf(c);
    if (i < 0) return false;
    this.idle.splice(i, 1);
    c.close();
    this.freeSlot();
    return true;
  }

  /** A slot was freed (its connection closed, or a connect failed). */
  freeSlot(): void {
    const w = this.waiters.shift();
    if (w !== undefined) w.resolve(null);
    else this.total--;
  }
}

/** An in-progress connect, expired by the client's timer. */
export interface ConnectAttempt {
  /** When it times out. */
  deadline: number;
  /** Fails it (timeout, client closed). */
  expire(error: Error): void;
}
