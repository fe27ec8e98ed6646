/**
 * Private helper: what the client writes on one HTTP/2 connection
 * (`_h2_session.ts`): the write queue (one write carries the frames of many
 * streams), a header block framed as HEADERS and CONTINUATION, and request
 * bodies as DATA within the server's flow-control windows.
 *
 * @module
 */
import {
  CONTINUATION,
  DATA,
  END_HEADERS,
  END_STREAM,
  frame,
  HEADERS,
  type Stream,
} from "./_h2_frames.ts";

/** What the sender asks of its session. */
export interface SendHost {
  /** The connection is closed: nothing more is written. */
  closed(): boolean;
  /** A write failed: the connection is lost. */
  lost(): void;
}

/** The outbound side of an HTTP/2 connection. */
export class H2Sender {
  #conn: Deno.Conn;
  #host: SendHost;
  #out: Uint8Array[] = [];
  #flushing = false;
  /** The server's SETTINGS_MAX_FRAME_SIZE. */
  maxFrame = 16_384;
  /** The connection's send window (the server's WINDOW_UPDATEs on stream 0 widen it). */
  connWindow = 65_535;

  /**
   * @param conn The connection written to.
   * @param host The session's state the sender needs.
   */
  constructor(conn: Deno.Conn, host: SendHost) {
    this.#conn = conn;
    this.#host = host;
  }

  /**
   * Sends a header block on a stream, split into CONTINUATION frames past the server's frame size.
   *
   * @param id The stream.
   * @param block The header block.
   * @param endStream Whether the stream ends with it (no body).
   */
  headers(id: number, block: Uint8Array, endStream: boolean): void {
    const max = this.maxFrame;
    const es = endStream ? END_STREAM : 0;
    if (block.length <= max) {
      this.send(frame(HEADERS, END_HEADERS | es, id, block));
      return;
    }
    this.send(frame(HEADERS, es, id, block.subarray(0, max)));
    for (let p = max; p < block.length; p += max) {
      const last = p + max >= block.length;
      this.send(frame(CONTINUATION, last ? END_HEADERS : 0, id, block.subarray(p, p + max)));
    }
  }

  /**
   * Sends as much of a stream's body as the windows allow.
   *
   * @param s The stream.
   */
  pump(s: Stream): void {
    const body = s.body;
    if (body === undefined) return;
    while (s.sent < body.length) {
      const n = Math.min(
        body.length - s.sent,
        s.sendWindow,
        this.connWindow,
        this.maxFrame,
      );
      if (n <= 0) return; // wait for WINDOW_UPDATE
      const last = s.sent + n === body.length;
      this.send(frame(DATA, last ? END_STREAM : 0, s.id, body.subarray(s.sent, s.sent + n)));
      s.sent += n;
      s.sendWindow -= n;
      this.connWindow -= n;
    }
    s.body = undefined;
  }

  /**
   * Queues bytes; one write at a time carries everything queued (frames of many streams).
   *
   * @param bytes The bytes (whole frames).
   */
  send(bytes: Uint8Array): void {
    if (this.#host.closed()) return;
    this.#out.push(bytes);
    if (!this.#flushing) this.#flush();
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    // Let the other requests of this turn queue their frames: one write for all.
    await Promise.resolve();
    try {
      while (this.#out.length > 0 && !this.#host.closed()) {
        const parts = this.#out;
        this.#out = [];
        let chunk: Uint8Array;
        if (parts.length === 1) chunk = parts[0];
        else {
          let n = 0;
          for (const p of parts) n += p.length;
          chunk = new Uint8Array(n);
          let at = 0;
          for (const p of parts) {
            chunk.set(p, at);
            at += p.length;
          }
        }
        let w = 0;
        while (w < chunk.length) w += await this.#conn.write(w === 0 ? chunk : chunk.subarray(w));
      }
    } catch {
      this.#host.lost();
    } finally {
      this.#flushing = false;
    }
  }
}
