/**
 * The live dashboard's HTTP server: it listens on one address only
 * (`--dashboard [host:]port`, loopback by default), serves the page at `/`
 * and a Server-Sent Events stream at `/events`, and nothing else. Requests
 * whose `Host` header names another host are refused (a web page elsewhere
 * cannot reach a loopback dashboard through a rebound DNS name). Closing it
 * gives the open streams a moment to deliver their last event, then ends
 * them, so that once {@linkcode DashboardServer.close} resolves the port is
 * closed.
 *
 * @module
 */

import { SseStream } from "./_sse_stream.ts";

/** Where the dashboard listens: `--dashboard [host:]port`. */
export interface DashboardAddress {
  /** Host name or IP address (IPv6 without brackets). */
  hostname: string;
  /** Port, 0 for any free one. */
  port: number;
}

/** The host of `--dashboard` when only a port is given. */
export const DEFAULT_DASHBOARD_HOST = "127.0.0.1";

/**
 * Parses `--dashboard`'s value: `port`, `host:port` or `[ipv6]:port`; the
 * host defaults to 127.0.0.1. Throws a one-line `Error` naming the flag.
 *
 * @param text The flag's value, e.g. `5665` or `127.0.0.1:5665`.
 * @returns The address.
 *
 * @example
 * ```ts
 * import { parseDashboardAddress } from "./server.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseDashboardAddress("5665"), { hostname: "127.0.0.1", port: 5665 });
 * assert.deepEqual(parseDashboardAddress("[::1]:8080"), { hostname: "::1", port: 8080 });
 * ```
 */
export function parseDashboardAddress(text: string): DashboardAddress {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new Error(
      `--dashboard ${JSON.stringify(text)}: expected [host:]port, e.g. 127.0.0.1:5665`,
    );
  }
  const hostname = m[1] === undefined ? DEFAULT_DASHBOARD_HOST : m[1].replace(/^\[|\]$/g, "");
  return { hostname, port };
}

/** `host:port` as `--allow-net` spells it (IPv6 in brackets). */
export function addressHost(a: DashboardAddress): string {
  return `${a.hostname.includes(":") ? `[${a.hostname}]` : a.hostname}:${a.port}`;
}

/** The page to serve at `/`: its HTML and its Content-Security-Policy. */
export interface DashboardPage {
  /** The document. */
  html: string;
  /** The policy, sent as a header. */
  csp: string;
}

/** Options of {@linkcode DashboardServer.listen}. */
export interface DashboardServerOptions {
  /** Where to listen. */
  address: DashboardAddress;
  /** The page at `/` now. */
  page: () => DashboardPage;
  /**
   * The events a client that has just connected is sent first, already
   * encoded (see {@linkcode sseEvent}), and whether its stream then ends
   * (the run is over).
   */
  greet: () => { events: string[]; last: boolean };
}

const encoder = new TextEncoder();

/** One Server-Sent Event: `event: <name>` and its JSON data on one line. */
export function sseEvent(name: string, data: unknown): string {
  // JSON.stringify never writes a raw CR or LF, so the data is one line.
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A client's queue past this many bytes (it stopped reading): its stream is ended. */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);
const WILDCARD = new Set(["0.0.0.0", "::"]);

/** The live dashboard's server (see the module doc). */
export class DashboardServer {
  #server: Deno.HttpServer<Deno.NetAddr>;
  #options: DashboardServerOptions;
  #streams = new Set<SseStream>();
  #hosts: Set<string> | null;
  #closed = false;
  #finished = false;
  #abort = new AbortController();

  private constructor(options: DashboardServerOptions) {
    this.#options = options;
    const { hostname, port } = options.address;
    this.#server = Deno.serve(
      { hostname, port, signal: this.#abort.signal, onListen: () => {} },
      (req) => this.#handle(req),
    );
    this.#hosts = allowedHosts(hostname, this.#server.addr.port);
  }

  /** Binds the address (throws when it cannot be bound) and serves until closed. */
  static listen(options: DashboardServerOptions): DashboardServer {
    return new DashboardServer(options);
  }

  /** The port it listens on (the chosen one when asked for port 0). */
  get port(): number {
    return this.#server.addr.port;
  }

  /** The page's URL, e.g. `http://127.0.0.1:5665/`. */
  get url(): string {
    const { hostname } = this.#options.address;
    const host = WILDCARD.has(hostname) ? DEFAULT_DASHBOARD_HOST : hostname;
    return `http://${addressHost({ hostname: host, port: this.port })}/`;
  }

  /** Event streams open now. */
  get clients(): number {
    return this.#streams.size;
  }

  #handle(req: Request): Response {
    const url = new URL(req.url);
    const host = req.headers.get("host")?.toLowerCase() ?? "";
    if (this.#hosts !== null && !this.#hosts.has(host)) {
      return text(421, `the dashboard answers only to ${[...this.#hosts][0]}\n`);
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return text(405, "only GET\n", { Allow: "GET, HEAD" });
    }
    if (url.pathname === "/") {
      const page = this.#options.page();
      return new Response(page.html, {
        headers: {
          "Content-Type": "text/html; charset=utf-8",
          "Content-Security-Policy": page.csp,
          "Cache-Control": "no-store",
          "X-Content-Type-Options": "nosniff",
          "Referrer-Policy": "no-referrer",
        },
      });
    }
    if (url.pathname === "/events") return this.#events();
    return text(404, "not found: the dashboard is at /\n");
  }

  #events(): Response {
    const { events, last } = this.#options.greet();
    const stream = new SseStream(events.map((e) => encoder.encode(e)));
    this.#streams.add(stream);
    stream.delivered.then(() => this.#streams.delete(stream));
    if (last || this.#finished) stream.end();
    return new Response(stream.body, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  }

  /** Sends an encoded event (see {@linkcode sseEvent}) to every open stream. */
  send(event: string): void {
    const bytes = encoder.encode(event);
    for (const s of this.#streams) {
      // A client that stopped reading is let go: it reconnects and gets the whole history.
      if (s.queued > MAX_QUEUED_BYTES) s.drop();
      else s.push(bytes);
    }
  }

  /** Sends the last event to every open stream, and ends them. */
  finish(event: string): void {
    this.send(event);
    this.#finished = true;
    for (const s of this.#streams) s.end();
  }

  /**
   * Stops listening: ends the open streams, waits up to `graceMs` for them
   * to be delivered, then shuts down (a client that does not read by then is
   * cut). Once it resolves the port is closed.
   */
  async close(graceMs = 2_000): Promise<void> {
    if (this.#closed) return await this.#server.finished;
    this.#closed = true;
    this.#finished = true;
    for (const s of this.#streams) s.end();
    const delivered = Promise.all([...this.#streams].map((s) => s.delivered));
    if (await within(delivered, graceMs)) await this.#server.shutdown();
    else this.#abort.abort(); // cut at once: a graceful shutdown would wait for it
    await this.#server.finished;
  }
}

/** The Host headers the server answers to, or null (a wildcard bind: any). */
function allowedHosts(hostname: string, port: number): Set<string> | null {
  if (WILDCARD.has(hostname)) return null;
  const names = LOOPBACK.has(hostname) ? [...LOOPBACK] : [hostname.toLowerCase()];
  const hosts = new Set<string>();
  for (const n of names) {
    const h = addressHost({ hostname: n, port });
    hosts.add(h);
    if (port === 80) hosts.add(h.slice(0, -3));
  }
  // The bound name first: it is the one the refusal names.
  const first = addressHost({ hostname: hostname.toLowerCase(), port });
  return new Set([first, ...hosts]);
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", ...headers },
  });
}

/** Whether `p` settled within `ms` (never leaves a timer behind). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
