/**
 * Private helper: the HTTP client's HTTP/2 side. For each https origin it
 * learns the protocol from the first connection's ALPN (h2 when the server
 * offers it; forced with `http2: true`), then sends that origin's requests
 * as streams multiplexed over as few connections as the stream limit
 * allows: at most `maxStreams` (default {@linkcode DEFAULT_MAX_STREAMS}) per
 * connection, and never more than the server's
 * `SETTINGS_MAX_CONCURRENT_STREAMS`; a new connection opens when every one
 * is full, up to `maxConnections` per origin, then callers queue.
 *
 * A request the server never processed (past a GOAWAY's last stream, e.g.
 * nginx's `http2_max_requests`, or refused with REFUSED_STREAM) is sent again
 * on another connection, so counts stay equal to the server's.
 *
 * @module
 */
import type { Dialed, Dialer, DialTarget } from "./_connect.ts";
import { encodeHeaderBlock, type H2Result, H2Session } from "./_h2_session.ts";
import { BodySink } from "./_parse.ts";
import { classifyError, TimeoutError } from "./errors.ts";
import type { PreparedRequest } from "./_pool.ts";

/** The default most concurrent streams per HTTP/2 connection (Go's and nginx's order of size). */
export const DEFAULT_MAX_STREAMS = 100;
/** Times a request the server never processed is sent again before it fails. */
const MAX_RETRIES = 3;

/** What became of one request (the client's `HttpOutcome`). */
export interface H2Outcome {
  /** Final status, or 0. */
  statusCode: number;
  /** Bytes of the stream's frames (see `_h2_session.ts`). */
  bytes: number;
  /** Error type, when there is no complete response. */
  error?: string;
  /**
   * The response as the HTTP/1.1 path captures it (a head rebuilt as
   * `HTTP/2 <status>` and `name: value` lines, then the body), when the
   * request captures it and a response arrived.
   */
  sink?: BodySink;
  /** The `Location` of a 3xx response, else null. */
  location?: string | null;
}

/** The captured response of `r` as a {@linkcode BodySink} (`maxBody`: its cap). */
function sinkOf(r: H2Result, maxBody: number): BodySink {
  const sink = new BodySink(maxBody);
  let head = `HTTP/2 ${r.status}\r\n`;
  for (const [name, value] of r.fields ?? []) {
    if (!name.startsWith(":")) head += `${name}: ${value}\r\n`;
  }
  sink.head = latin1.encode(`${head}\r\n`);
  for (const part of r.body ?? []) sink.push(part);
  return sink;
}

/** The `Location` of a 3xx response, else null. */
function locationOf(r: H2Result): string | null {
  if (r.status < 300 || r.status >= 400) return null;
  for (const [name, value] of r.fields ?? []) if (name === "location") return value;
  return null;
}

/** Latin-1 text to bytes (header values are octets). */
const latin1 = {
  encode(s: string): Uint8Array {
    const b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    return b;
  },
};

/** A request encoded for HTTP/2: its header block and body. */
interface H2Request {
  block: Uint8Array;
  body: Uint8Array | undefined;
}

/** Header fields HTTP/2 forbids (connection-specific, RFC 9113 §8.2.2). */
const DROPPED = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "host",
]);

const decoder = new TextDecoder("latin1");

/**
 * Re-encodes a prepared HTTP/1.1 request (its head as `prepare` wrote it)
 * as an HTTP/2 header block: the pseudo-headers from the URL and the
 * `Host` header (`:authority`), every other header lower-cased.
 */
function toH2(p: PreparedRequest): H2Request {
  const wire = p.wire;
  let end = 0;
  while (
    end + 3 < wire.length &&
    !(wire[end] === 13 && wire[end + 1] === 10 && wire[end + 2] === 13 && wire[end + 3] === 10)
  ) {
    end++;
  }
  const lines = decoder.decode(wire.subarray(0, end)).split("\r\n");
  const body = end + 4 < wire.length ? wire.subarray(end + 4) : undefined;
  let authority = p.url.host;
  const rest: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const i = line.indexOf(":");
    const name = line.slice(0, i).toLowerCase();
    const value = line.slice(i + 1).trim();
    if (name === "host") authority = value;
    if (DROPPED.has(name)) continue;
    if (name === "te" && value.toLowerCase() !== "trailers") continue;
    rest.push([name, value]);
  }
  const block = encodeHeaderBlock([
    [":method", p.method],
    [":scheme", "https"],
    [":authority", authority],
    [":path", `${p.url.pathname || "/"}${p.url.search}`],
    ...rest,
  ]);
  return { block, body };
}

interface Waiter {
  deadline: number;
  resolve: (s: H2Session | null) => void;
}

/** The sessions of one origin. */
class Origin {
  sessions: H2Session[] = [];
  waiters: Waiter[] = [];
  dialing: Promise<H2Session> | undefined;
  constructor(readonly target: DialTarget) {}
}

/** The HTTP/2 side of one HTTP client. */
export class H2Client {
  #dialer: Dialer;
  #force: boolean;
  #maxStreams: number;
  #maxConns: number;
  #tickMs: number;
  #timeoutMs: number;
  /** The protocol learned per origin. */
  #known = new Map<string, "h1" | "h2">();
  #probes = new Map<string, Promise<void>>();
  #origins = new Map<string, Origin>();
  #encoded = new WeakMap<PreparedRequest, H2Request>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #inFlight = 0;
  #closed = false;

  /**
   * @param dialer The client's dialer.
   * @param options `force`: speak h2 to every https origin (offer only "h2");
   *   `maxStreams` per connection; `maxConnections` per origin; `timeoutMs`
   *   of the client (for the timer's tick).
   */
  constructor(
    dialer: Dialer,
    options: { force: boolean; maxStreams?: number; maxConnections?: number; timeoutMs: number },
  ) {
    this.#dialer = dialer;
    this.#force = options.force;
    this.#maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
    if (!(this.#maxStreams >= 1)) {
      throw new RangeError(`maxStreams must be >= 1, got ${this.#maxStreams}`);
    }
    this.#maxConns = options.maxConnections ?? Infinity;
    this.#timeoutMs = options.timeoutMs;
    this.#tickMs = Math.min(50, Math.max(2, options.timeoutMs / 10));
  }

  /** ALPN protocols to offer on an https connection the HTTP/1.1 side opens. */
  get alpn(): string[] {
    return this.#force ? ["h2"] : ["h2", "http/1.1"];
  }

  /** False once `origin` is known to speak HTTP/1.1 (send it there directly). */
  mayBeH2(origin: string): boolean {
    return this.#known.get(origin) !== "h1";
  }

  /**
   * Sends `p` over HTTP/2 when its origin speaks it. Resolves undefined when
   * the origin turned out to speak HTTP/1.1 (the caller sends it; the
   * connection that told is kept for it in the dialer).
   *
   * @param maxBody For a request that captures its response: the body cap.
   */
  async send(
    p: PreparedRequest,
    progress: { written: boolean; cancelled: boolean } | undefined,
    deadline: number,
    maxBody: number,
  ): Promise<H2Outcome | undefined> {
    const origin = p.origin;
    if (!this.#known.has(origin)) {
      let probe = this.#probes.get(origin);
      if (probe === undefined) {
        probe = this.#probe(p, deadline).finally(() => this.#probes.delete(origin));
        this.#probes.set(origin, probe);
      }
      try {
        await probe;
      } catch (e) {
        return { statusCode: 0, bytes: 0, error: classifyError(e, true) };
      }
    }
    if (this.#known.get(origin) !== "h2") return undefined;
    let req = this.#encoded.get(p);
    if (req === undefined) {
      req = toH2(p);
      this.#encoded.set(p, req);
    }
    const o = this.#origin(p);
    this.#inFlight++;
    if (this.#timer === undefined) this.#timer = setInterval(this.#tick, this.#tickMs);
    try {
      for (let attempt = 0;; attempt++) {
        if (this.#closed) return { statusCode: 0, bytes: 0, error: "aborted" };
        let s: H2Session | null;
        try {
          s = await this.#session(o, deadline);
        } catch (e) {
          return { statusCode: 0, bytes: 0, error: classifyError(e, true) };
        }
        if (s === null) {
          return { statusCode: 0, bytes: 0, error: this.#closed ? "aborted" : "timeout" };
        }
        if (progress !== undefined) {
          if (progress.cancelled) {
            s.unreserve();
            return { statusCode: 0, bytes: 0, error: "aborted" };
          }
          progress.written = true;
        }
        const capture = p.capture ? maxBody : -1;
        const r = await s.request(req.block, req.body, deadline, capture);
        if (r.retry && attempt < MAX_RETRIES && performance.now() < deadline) continue;
        if (r.error !== undefined) return { statusCode: 0, bytes: r.bytes, error: r.error };
        const outcome: H2Outcome = {
          statusCode: r.status,
          bytes: r.bytes,
          location: locationOf(r),
        };
        if (p.capture) outcome.sink = sinkOf(r, maxBody);
        return outcome;
      }
    } finally {
      this.#inFlight--;
    }
  }

  /** Closes every connection; requests in flight resolve as `"aborted"`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const o of this.#origins.values()) {
      for (const s of o.sessions) s.close();
      for (const w of o.waiters.splice(0)) w.resolve(null);
    }
    this.#origins.clear();
  }

  /** HTTP/2 connections open now, for tests. */
  get connectionCount(): number {
    let n = 0;
    for (const o of this.#origins.values()) n += o.sessions.length;
    return n;
  }

  // -------------------------------------------------------------------------

  #origin(p: PreparedRequest): Origin {
    let o = this.#origins.get(p.origin);
    if (o === undefined) {
      o = new Origin({ hostname: p.hostname, port: p.port, tls: true });
      this.#origins.set(p.origin, o);
    }
    return o;
  }

  /** The first connection to an origin: ALPN says which protocol it speaks. */
  async #probe(p: PreparedRequest, deadline: number): Promise<void> {
    const o = this.#origin(p);
    const dialed = await closeLate(this.#dialer.dial(o.target, { alpn: this.alpn }), deadline);
    if (this.#closed) {
      dialed.conn.close();
      return;
    }
    if (dialed.alpn === "h2" || this.#force) {
      const s = this.#newSession(o, dialed.conn);
      await withDeadline(s.ready, deadline).catch((e) => {
        s.close();
        throw e;
      });
      this.#known.set(p.origin, "h2");
      o.sessions.push(s);
    } else {
      this.#known.set(p.origin, "h1");
      this.#dialer.keepSpare(o.target, dialed.conn);
    }
  }

  #newSession(o: Origin, conn: Deno.Conn): H2Session {
    return new H2Session(conn, {
      maxStreams: this.#maxStreams,
      onIdle: (s) => this.#idle(o, s),
      settingsTimeoutMs: this.#timeoutMs,
    });
  }

  /** A stream of `s` ended, or `s` ended: hand room to waiters, forget ended sessions. */
  #idle(o: Origin, s: H2Session): void {
    if (s.ended && s.active === 0) {
      const i = o.sessions.indexOf(s);
      if (i >= 0) o.sessions.splice(i, 1);
    }
    while (o.waiters.length > 0) {
      const free = o.sessions.find((x) => x.available > 0);
      if (free === undefined) {
        if (this.#canDial(o)) this.#dial(o).catch(() => {});
        return;
      }
      free.reserve();
      o.waiters.shift()!.resolve(free);
    }
  }

  #canDial(o: Origin): boolean {
    const live = o.sessions.filter((s) => !s.ended).length;
    return o.dialing === undefined && live < this.#maxConns;
  }

  #dial(o: Origin): Promise<H2Session> {
    // Bounded by the client's timeout: the connect here, the SETTINGS in the session.
    const dialing = this.#dialer.dial(o.target, { alpn: ["h2"] });
    const d = closeLate(dialing, performance.now() + this.#timeoutMs).then(async (dialed) => {
      const s = this.#newSession(o, dialed.conn);
      try {
        await s.ready; // the server's limits are known before any stream opens
      } catch (e) {
        s.close();
        throw e;
      }
      o.dialing = undefined;
      if (this.#closed) s.close();
      else o.sessions.push(s);
      this.#idle(o, s);
      return s;
    }).catch((e) => {
      o.dialing = undefined;
      throw e;
    });
    o.dialing = d;
    return d;
  }

  /** A session with room for one more stream: an open one, a new one, or the next to free up. */
  async #session(o: Origin, deadline: number): Promise<H2Session | null> {
    for (;;) {
      for (const s of o.sessions) {
        if (s.available > 0) {
          s.reserve(); // held across the await of our caller
          return s;
        }
      }
      if (o.dialing !== undefined) {
        await withDeadline(o.dialing, deadline);
        continue;
      }
      if (this.#canDial(o)) {
        await withDeadline(this.#dial(o), deadline);
        continue;
      }
      return await new Promise<H2Session | null>((resolve) =>
        o.waiters.push({ deadline, resolve })
      );
    }
  }

  #tick = (): void => {
    const now = performance.now();
    for (const o of this.#origins.values()) {
      for (const s of o.sessions) s.expire(now);
      for (let i = 0; i < o.waiters.length;) {
        if (o.waiters[i].deadline <= now) o.waiters.splice(i, 1)[0].resolve(null);
        else i++;
      }
    }
    if (this.#inFlight === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  };
}

/**
 * The dial `p`, or a timeout error at `deadline`; a connection that opens
 * after the deadline is closed, not left open. (The wait is abandoned rather
 * than the TLS handshake cancelled: Deno 2.9 keeps the socket of a cancelled
 * handshake open.)
 */
function closeLate(p: Promise<Dialed>, deadline: number): Promise<Dialed> {
  return withDeadline(p, deadline).catch((e) => {
    p.then((d) => d.conn.close(), () => {});
    throw e;
  });
}

/** `p`, or a timeout error at `deadline`. */
function withDeadline<T>(p: Promise<T>, deadline: number): Promise<T> {
  const ms = deadline - performance.now();
  if (ms <= 0) return Promise.reject(new TimeoutError());
  let id: ReturnType<typeof setTimeout>;
  const t = new Promise<never>((_, reject) => {
    id = setTimeout(() => reject(new TimeoutError()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(id));
}
