/**
 * Private helper: one HTTP/2 connection (RFC 9113) of the client, carrying
 * many requests at once, each on its own stream: the stream table, reading
 * and dispatching frames, SETTINGS, PING, GOAWAY, RST_STREAM and the
 * server's WINDOW_UPDATEs, and the connection's end (the frames are
 * `_h2_frames.ts`; what we write, `_h2_send.ts`; the frames of a stream's
 * response and what a stream's `bytes` counts, `_h2_receive.ts`).
 *
 * @module
 */
import { encodeHeaderBlock } from "./_hpack.ts";
import { ProtocolError, TimeoutError } from "./errors.ts";
import {
  ACK,
  CANCEL,
  CONN_WINDOW,
  CONTINUATION,
  DATA,
  frame,
  GOAWAY,
  type H2Result,
  HEADERS,
  MAX_FRAME,
  NO_ERROR,
  PING,
  PREFACE,
  PUSH_PROMISE,
  readU32,
  REFUSED_STREAM,
  RST_STREAM,
  SETTINGS,
  Stream,
  STREAM_WINDOW,
  u32,
  WINDOW_UPDATE,
} from "./_h2_frames.ts";
import { H2Receiver } from "./_h2_receive.ts";
import { H2Sender } from "./_h2_send.ts";

export type { H2Result };

/**
 * An HTTP/2 connection. It sends the preface and its SETTINGS at once and
 * reads frames until the connection ends; requests open streams with
 * {@linkcode H2Session.request}.
 */
export class H2Session {
  #conn: Deno.Conn;
  #buf = new Uint8Array(4 * (9 + MAX_FRAME));
  #start = 0;
  #end = 0;
  #streams = new Map<number, Stream>();
  #nextId = 1;
  /** The most streams we open at once (our limit). */
  #limit: number;
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS (unknown until its SETTINGS: assume ours). */
  #peerMax = Infinity;
  #peerWindow = 65_535;
  #sender: H2Sender;
  #receiver = new H2Receiver({
    stream: (id) => this.#streams.get(id),
    send: (bytes) => this.#sender.send(bytes),
    finish: (s, r) => this.#finish(s, r),
  });
  #goaway = false;
  #closed = false;
  #onIdle: (s: H2Session) => void;
  /** Streams opened on this connection so far. */
  opened = 0;
  /** Streams held by callers about to open them (see reserve). */
  #reserved = 0;
  /**
   * Settles when the server's first SETTINGS arrives (its limits are known
   * then), or rejects when the connection ends before, or (a
   * {@linkcode TimeoutError}, the connection closed) when `settingsTimeoutMs`
   * passes first.
   */
  readonly ready: Promise<void>;
  #ready!: { resolve: () => void; reject: (e: Error) => void; settled: boolean };
  #settingsTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param conn A connection (TLS, ALPN "h2" chosen, or any stream speaking HTTP/2).
   * @param options `maxStreams`: most concurrent streams we open (the server's
   *   own limit applies too); `onIdle`: called when a stream ends and the
   *   session can take another (or has ended); `settingsTimeoutMs`: how long
   *   to wait for the server's first SETTINGS before giving up (no limit when absent).
   */
  constructor(
    conn: Deno.Conn,
    options: { maxStreams: number; onIdle: (s: H2Session) => void; settingsTimeoutMs?: number },
  ) {
    this.#conn = conn;
    this.#sender = new H2Sender(conn, {
      closed: () => this.#closed,
      lost: () => this.#connectionLost(),
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.#ready = { resolve, reject, settled: false };
    });
    this.ready.catch(() => {}); // observed by whoever awaits it
    this.#limit = options.maxStreams;
    this.#onIdle = options.onIdle;
    const settings = [
      ...[0, 2],
      ...u32(0), // SETTINGS_ENABLE_PUSH = 0
      ...[0, 4],
      ...u32(STREAM_WINDOW), // SETTINGS_INITIAL_WINDOW_SIZE
    ];
    this.#sender.send(PREFACE);
    this.#sender.send(frame(SETTINGS, 0, 0, settings));
    this.#sender.send(frame(WINDOW_UPDATE, 0, 0, u32(CONN_WINDOW - 65_535)));
    this.#readLoop();
    this.#conn.unref(); // no stream yet: its pending read must not keep the process alive
    if (options.settingsTimeoutMs !== undefined) {
      this.#settingsTimer = setTimeout(() => {
        this.#settle(new TimeoutError());
        this.close();
      }, options.settingsTimeoutMs);
    }
  }

  /** Streams open now. */
  get active(): number {
    return this.#streams.size;
  }

  /** Streams that may still be opened now, besides those reserved (0 once draining or closed). */
  get available(): number {
    if (this.#goaway || this.#closed || this.#nextId > 0x7fffffff) return 0;
    return Math.min(this.#limit, this.#peerMax) - this.#streams.size - this.#reserved;
  }

  /**
   * Holds one of the {@linkcode H2Session.available} streams for a caller
   * that opens it later (after an `await`); {@linkcode H2Session.request}
   * uses the hold, {@linkcode H2Session.unreserve} gives it back.
   */
  reserve(): void {
    this.#reserved++;
  }

  /** Gives back a hold of {@linkcode H2Session.reserve} that will not be used. */
  unreserve(): void {
    if (this.#reserved > 0) this.#reserved--;
    this.#onIdle(this);
  }

  /** The session ended (closed, or the server sent GOAWAY) and opens no more streams. */
  get ended(): boolean {
    return this.#goaway || this.#closed;
  }

  /**
   * Opens a stream and sends a request on it: a header block (HPACK, from
   * {@linkcode encodeHeaderBlock}) and an optional body, on a stream held
   * with {@linkcode H2Session.reserve}.
   *
   * @param block The request's header block.
   * @param body The body, if any (sent within the server's flow-control windows).
   * @param deadline When {@linkcode H2Session.expire} times it out (`performance.now()` ms).
   * @param maxBody Keep the response body up to this many bytes (more fails
   *   as `"body too large"`); -1 (default) counts and discards it.
   * @returns The outcome; never rejects.
   */
  request(
    block: Uint8Array,
    body: Uint8Array | undefined,
    deadline: number,
    maxBody = -1,
  ): Promise<H2Result> {
    if (this.#reserved > 0) this.#reserved--;
    return new Promise<H2Result>((resolve) => {
      if (this.#closed || this.#goaway) {
        resolve({ status: 0, bytes: 0, error: "connection reset", retry: true });
        return;
      }
      const id = this.#nextId;
      this.#nextId += 2;
      // A request in flight keeps the event loop alive; an idle session does not.
      if (this.#streams.size === 0) this.#conn.ref();
      this.opened++;
      const s = new Stream(id, deadline, resolve, this.#peerWindow, maxBody);
      this.#streams.set(id, s);
      const hasBody = body !== undefined && body.length > 0;
      this.#sender.headers(id, block, !hasBody);
      if (hasBody) {
        s.body = body;
        this.#sender.pump(s);
      }
    });
  }

  /** Times out the streams whose deadline has passed (RST_STREAM CANCEL). */
  expire(now: number): void {
    for (const s of this.#streams.values()) {
      if (s.deadline > now) continue;
      this.#sender.send(frame(RST_STREAM, 0, s.id, u32(CANCEL)));
      this.#finish(s, { status: 0, bytes: s.bytes, error: "timeout" });
    }
  }

  /** Closes the connection; streams in flight resolve as `"aborted"`. */
  close(): void {
    if (this.#closed) return;
    this.#fail(() => "aborted");
    this.#closeConn();
  }

  // -------------------------------------------------------------------------

  async #readLoop(): Promise<void> {
    try {
      for (;;) {
        if (this.#end === this.#buf.length) {
          this.#buf.copyWithin(0, this.#start, this.#end);
          this.#end -= this.#start;
          this.#start = 0;
        }
        const n = await this.#conn.read(this.#buf.subarray(this.#end));
        if (n === null) break;
        this.#end += n;
        this.#frames();
        if (this.#closed) return;
      }
    } catch (e) {
      if (e instanceof ProtocolError && !this.#closed) {
        this.#sender.send(frame(GOAWAY, 0, 0, [...u32(0), ...u32(0x1)]));
        this.#fail((s) => (s.bytes > 0 ? "incomplete response" : "protocol error"));
        this.#closeConn();
        return;
      }
    }
    this.#connectionLost();
  }

  /** The connection ended or failed: fail every stream still open. */
  #connectionLost(): void {
    if (this.#closed) return;
    this.#fail((s) => (s.bytes > 0 ? "incomplete response" : "connection reset"));
    this.#closeConn();
  }

  #closeConn(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#settle(new ProtocolError("HTTP/2: the connection ended before the server's SETTINGS"));
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    this.#onIdle(this);
  }

  /** Settles `ready` once: resolved (the server's SETTINGS came), or rejected with `error`. */
  #settle(error?: Error): void {
    if (this.#ready.settled) return;
    this.#ready.settled = true;
    clearTimeout(this.#settingsTimer);
    if (error === undefined) this.#ready.resolve();
    else this.#ready.reject(error);
  }

  #fail(error: (s: Stream) => NonNullable<H2Result["error"]>): void {
    for (const s of [...this.#streams.values()]) {
      this.#finish(s, { status: 0, bytes: s.bytes, error: error(s) });
    }
  }

  #finish(s: Stream, r: H2Result): void {
    if (!this.#streams.delete(s.id)) return;
    if (this.#streams.size === 0 && !this.#closed) this.#conn.unref();
    s.resolve(r);
    if (this.#goaway && this.#streams.size === 0) this.#closeConn();
    else this.#onIdle(this);
  }

  /** Handles every whole frame in the buffer. */
  #frames(): void {
    const b = this.#buf;
    while (this.#end - this.#start >= 9) {
      const p = this.#start;
      const len = (b[p] << 16) | (b[p + 1] << 8) | b[p + 2];
      if (len > MAX_FRAME) {
        throw new ProtocolError("HTTP/2: frame larger than SETTINGS_MAX_FRAME_SIZE");
      }
      if (this.#end - p < 9 + len) return;
      const type = b[p + 3];
      const flags = b[p + 4];
      const id = readU32(b, p + 5) & 0x7fffffff;
      this.#start = p + 9 + len;
      this.#frame(type, flags, id, b.subarray(p + 9, p + 9 + len));
      if (this.#closed) return;
    }
  }

  #frame(type: number, flags: number, id: number, payload: Uint8Array): void {
    if (this.#receiver.headerStream !== 0 && type !== CONTINUATION) {
      throw new ProtocolError("HTTP/2: header block interrupted");
    }
    switch (type) {
      case DATA:
        return this.#receiver.data(flags, id, payload);
      case HEADERS:
        return this.#receiver.headers(flags, id, payload);
      case CONTINUATION:
        if (id !== this.#receiver.headerStream || id === 0) {
          throw new ProtocolError("HTTP/2: stray CONTINUATION");
        }
        return this.#receiver.headerPart(flags, id, payload, 9 + payload.length);
      case RST_STREAM:
        return this.#reset(id, payload);
      case SETTINGS:
        return this.#settings(flags, id, payload);
      case PUSH_PROMISE:
        throw new ProtocolError("HTTP/2: PUSH_PROMISE with push disabled");
      case PING:
        if (payload.length !== 8) throw new ProtocolError("HTTP/2: bad PING");
        if ((flags & ACK) === 0) this.#sender.send(frame(PING, ACK, 0, payload.slice()));
        return;
      case GOAWAY:
        return this.#goAway(payload);
      case WINDOW_UPDATE:
        return this.#windowUpdate(id, payload);
      default:
        return; // PRIORITY and unknown types are ignored
    }
  }

  #reset(id: number, payload: Uint8Array): void {
    if (payload.length !== 4 || id === 0) throw new ProtocolError("HTTP/2: bad RST_STREAM");
    const s = this.#streams.get(id);
    if (s === undefined) return;
    const code = readU32(payload, 0);
    if (code === REFUSED_STREAM) {
      this.#finish(s, { status: 0, bytes: s.bytes, error: "connection reset", retry: true });
    } else if (code === NO_ERROR && s.status !== 0) {
      // The response is complete; the server just does not want the request body.
      this.#finish(s, s.done());
    } else {
      this.#finish(s, {
        status: 0,
        bytes: s.bytes,
        error: s.bytes > 0 ? "incomplete response" : "connection reset",
      });
    }
  }

  #settings(flags: number, id: number, payload: Uint8Array): void {
    if (id !== 0 || payload.length % 6 !== 0) throw new ProtocolError("HTTP/2: bad SETTINGS");
    if (flags & ACK) return;
    for (let p = 0; p < payload.length; p += 6) {
      const key = (payload[p] << 8) | payload[p + 1];
      const v = readU32(payload, p + 2);
      if (key === 3) this.#peerMax = v;
      else if (key === 4) {
        if (v > 0x7fffffff) throw new ProtocolError("HTTP/2: bad INITIAL_WINDOW_SIZE");
        const delta = v - this.#peerWindow;
        this.#peerWindow = v;
        for (const s of this.#streams.values()) s.sendWindow += delta;
      } else if (key === 5) {
        if (v < 16_384 || v > 16_777_215) throw new ProtocolError("HTTP/2: bad MAX_FRAME_SIZE");
        this.#sender.maxFrame = v;
      }
    }
    this.#sender.send(frame(SETTINGS, ACK, 0, []));
    this.#settle();
    for (const s of this.#streams.values()) this.#sender.pump(s);
    this.#onIdle(this);
  }

  #goAway(payload: Uint8Array): void {
    if (payload.length < 8) throw new ProtocolError("HTTP/2: bad GOAWAY");
    const last = readU32(payload, 0) & 0x7fffffff;
    this.#goaway = true;
    for (const s of [...this.#streams.values()]) {
      // Never processed by the server: safe to send again elsewhere.
      if (s.id > last) {
        this.#finish(s, { status: 0, bytes: s.bytes, error: "connection reset", retry: true });
      }
    }
    if (this.#streams.size === 0) this.#closeConn();
    else this.#onIdle(this);
  }

  #windowUpdate(id: number, payload: Uint8Array): void {
    if (payload.length !== 4) throw new ProtocolError("HTTP/2: bad WINDOW_UPDATE");
    const inc = readU32(payload, 0) & 0x7fffffff;
    if (id === 0) {
      this.#sender.connWindow += inc;
      for (const s of this.#streams.values()) this.#sender.pump(s);
      return;
    }
    const s = this.#streams.get(id);
    if (s === undefined) return;
    s.sendWindow += inc;
    this.#sender.pump(s);
  }
}

export { encodeHeaderBlock };
