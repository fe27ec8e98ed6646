/**
 * Private helper: what the server sends on the streams of one HTTP/2
 * connection (`_h2_session.ts`): DATA (the body, its padding, and our
 * WINDOW_UPDATEs as it arrives) and header blocks in HEADERS and
 * CONTINUATION frames (HPACK-decoded in order, the status read from them).
 *
 * What a stream's `bytes` counts: the frames the server sent on that stream,
 * each with its 9-byte frame header — HEADERS and CONTINUATION (the header
 * block as compressed on the wire, interim 1xx and trailers included) and
 * DATA (with any padding). This is what nginx's `$bytes_sent` counts for an
 * HTTP/2 request. Frames of the connection itself (SETTINGS, PING,
 * WINDOW_UPDATE, GOAWAY) belong to no request and are not counted.
 *
 * @module
 */
import { HpackDecoder } from "./_hpack.ts";
import { ProtocolError } from "./errors.ts";
import {
  CANCEL,
  CONN_WINDOW,
  END_HEADERS,
  END_STREAM,
  frame,
  type H2Result,
  PADDED,
  PRIORITY_FLAG,
  RST_STREAM,
  type Stream,
  STREAM_WINDOW,
  u32,
  WINDOW_UPDATE,
} from "./_h2_frames.ts";

/** What the receiver asks of its session. */
export interface ReceiveHost {
  /** The open stream with this id, if any. */
  stream(id: number): Stream | undefined;
  /** Queues a frame to send. */
  send(bytes: Uint8Array): void;
  /** Ends a stream with its outcome. */
  finish(s: Stream, r: H2Result): void;
}

/** The inbound side of an HTTP/2 connection's streams. */
export class H2Receiver {
  #host: ReceiveHost;
  #decoder = new HpackDecoder();
  #connUnacked = 0;
  /** The stream whose header block continues in CONTINUATION frames, and its fragments. */
  #headerStream = 0;
  #headerParts: Uint8Array[] = [];
  #headerFlags = 0;
  #headerBytes = 0;

  /** @param host The session's state the receiver needs. */
  constructor(host: ReceiveHost) {
    this.#host = host;
  }

  /** The stream whose header block continues in CONTINUATION frames (0: none). */
  get headerStream(): number {
    return this.#headerStream;
  }

  /**
   * A DATA frame.
   *
   * @param flags The frame's flags.
   * @param id Its stream.
   * @param payload Its payload.
   */
  data(flags: number, id: number, payload: Uint8Array): void {
    if (id === 0) throw new ProtocolError("HTTP/2: DATA on stream 0");
    const n = payload.length;
    this.#connUnacked += n;
    if (this.#connUnacked >= CONN_WINDOW / 2) {
      this.#host.send(frame(WINDOW_UPDATE, 0, 0, u32(this.#connUnacked)));
      this.#connUnacked = 0;
    }
    const s = this.#host.stream(id);
    if (s === undefined) return; // reset or timed out already
    s.bytes += 9 + n;
    if (s.parts !== undefined) {
      let from = 0;
      let to = n;
      if (flags & PADDED) {
        if (n < 1 || payload[0] >= n) throw new ProtocolError("HTTP/2: bad DATA padding");
        from = 1;
        to = n - payload[0];
      }
      s.kept += to - from;
      if (s.kept > s.maxBody) {
        this.#host.send(frame(RST_STREAM, 0, id, u32(CANCEL)));
        this.#host.finish(s, { status: 0, bytes: s.bytes, error: "body too large" });
        return;
      }
      if (to > from) s.parts.push(payload.slice(from, to));
    }
    if (flags & END_STREAM) {
      this.#host.finish(s, s.done());
      return;
    }
    s.unacked += n;
    if (s.unacked >= STREAM_WINDOW / 2) {
      this.#host.send(frame(WINDOW_UPDATE, 0, id, u32(s.unacked)));
      s.unacked = 0;
    }
  }

  /**
   * A HEADERS frame: starts a header block.
   *
   * @param flags The frame's flags.
   * @param id Its stream.
   * @param payload Its payload.
   */
  headers(flags: number, id: number, payload: Uint8Array): void {
    if (id === 0) throw new ProtocolError("HTTP/2: HEADERS on stream 0");
    let from = 0;
    let to = payload.length;
    if (flags & PADDED) {
      if (to < 1) throw new ProtocolError("HTTP/2: bad padding");
      to -= payload[0];
      from = 1;
    }
    if (flags & PRIORITY_FLAG) from += 5;
    if (from > to) throw new ProtocolError("HTTP/2: bad HEADERS padding");
    this.#headerStream = id;
    this.#headerFlags = flags;
    this.#headerParts = [];
    this.#headerBytes = 0;
    this.headerPart(flags, id, payload.subarray(from, to), 9 + payload.length);
  }

  /**
   * A fragment of a header block (HEADERS or CONTINUATION); decodes the block at END_HEADERS.
   *
   * @param flags The frame's flags.
   * @param id Its stream.
   * @param fragment The fragment of the header block.
   * @param wire The frame's size on the wire (header included).
   */
  headerPart(flags: number, id: number, fragment: Uint8Array, wire: number): void {
    this.#headerParts.push(fragment.slice());
    this.#headerBytes += wire;
    if ((flags & END_HEADERS) === 0) return;
    this.#headerStream = 0;
    const parts = this.#headerParts;
    let block = parts[0];
    if (parts.length > 1) {
      let n = 0;
      for (const q of parts) n += q.length;
      block = new Uint8Array(n);
      let at = 0;
      for (const q of parts) {
        block.set(q, at);
        at += q.length;
      }
    }
    // Decoded even for a stream we dropped: the dynamic table must stay in step.
    const fields = this.#decoder.decode(block);
    const s = this.#host.stream(id);
    if (s === undefined) return;
    s.bytes += this.#headerBytes;
    if (s.status === 0) {
      let status = 0;
      for (const [name, value] of fields) {
        if (name === ":status") {
          status = Number(value);
          break;
        }
      }
      if (!(status >= 100 && status <= 999)) {
        this.#host.send(frame(RST_STREAM, 0, id, u32(0x1)));
        this.#host.finish(s, { status: 0, bytes: s.bytes, error: "protocol error" });
        return;
      }
      if (status >= 200) {
        s.status = status;
        s.fields = fields;
      } // 1xx: interim, the final head follows
    }
    if (this.#headerFlags & END_STREAM) {
      this.#host.finish(s, s.done());
    }
  }
}
