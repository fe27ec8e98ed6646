/**
 * Private helper of the dashboard's server: one client's Server-Sent Events
 * stream, which knows when its last event has been delivered. The body is
 * a pull stream: the HTTP server pulls the next chunk once it has taken the
 * previous one, so a pull that finds the queue empty after
 * {@linkcode SseStream.end} means everything was handed over; the stream
 * then closes and {@linkcode SseStream.delivered} resolves. A client that
 * goes away resolves it too.
 *
 * @module
 */

/** One client's event stream (see the module doc). */
export class SseStream {
  #queue: Uint8Array[] = [];
  #queued = 0;
  #ending = false;
  #wake?: () => void;
  #delivered = Promise.withResolvers<void>();
  #gone = false;
  /** The response body. */
  readonly body: ReadableStream<Uint8Array>;

  /** A stream that starts with `first`. */
  constructor(first: Uint8Array[] = []) {
    for (const chunk of first) this.push(chunk);
    this.body = new ReadableStream<Uint8Array>({
      pull: (c) => this.#pull(c),
      cancel: () => {
        this.#gone = true;
        this.#queue = [];
        this.#queued = 0;
        this.#delivered.resolve();
      },
    }, { highWaterMark: 0 });
  }

  /** Bytes queued and not yet taken by the server. */
  get queued(): number {
    return this.#queued;
  }

  /** Resolves once the stream has ended and all of it was taken, or the client went away. */
  get delivered(): Promise<void> {
    return this.#delivered.promise;
  }

  /** Queues a chunk (dropped once the stream is ending or the client is gone). */
  push(chunk: Uint8Array): void {
    if (this.#ending || this.#gone) return;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    this.#wake?.();
  }

  /** No more chunks: the stream closes once the queue is taken. */
  end(): void {
    this.#ending = true;
    this.#wake?.();
  }

  /** Drops what is queued and ends (a client that stopped reading). */
  drop(): void {
    this.#queue = [];
    this.#queued = 0;
    this.end();
  }

  async #pull(c: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    while (this.#queue.length === 0 && !this.#ending) {
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = undefined;
    }
    const chunk = this.#queue.shift();
    if (chunk !== undefined) {
      this.#queued -= chunk.length;
      c.enqueue(chunk);
      return;
    }
    c.close();
    this.#delivered.resolve();
  }
}
