/**
 * The built-in demo target for `deno task demo`, the engine's end-to-end tests
 * and the benches: a small `Deno.serve` HTTP server (keep-alive) with a few
 * endpoints that exercise a load tester, and exact request counters.
 *
 * | endpoint | reply |
 * |---|---|
 * | `/` | `200 ok` |
 * | `/delay/<ms>` | `200 ok` after `ms` milliseconds (0..10 000) |
 * | `/status/<code>` | that status (200..599) with the code as body (none for 204/205/304) |
 * | `/bytes/<n>` | `n` bytes (0..64 MiB) with a `Content-Length` |
 * | `/chunked/<n>` | `n` bytes (0..64 MiB) sent chunked, 1 KiB per chunk |
 * | `/echo` | the request body, with its `Content-Type` |
 * | `/stats` | the counters as JSON (this request is not counted) |
 * | anything else | `404 not found` |
 *
 * Every request except `/stats` is counted before it is answered, so the
 * counters equal the number of requests the server received.
 *
 * Run it alone (it prints its URL as the first line of stdout):
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 examples/lunge/demo/target_server.ts --port 8088
 * ```
 *
 * @module
 */

/** Options of {@linkcode startTargetServer}. */
export interface TargetServerOptions {
  /** Interface to listen on. Default `"127.0.0.1"`. */
  hostname?: string;
  /** Port; 0 (the default) picks a free one. */
  port?: number;
}

/** Request counters of a {@linkcode TargetServer}. */
export interface TargetServerStats {
  /** Requests received (every path but `/stats`). */
  requests: number;
  /**
   * Requests per URL path. At most {@linkcode MAX_TRACKED_PATHS} distinct
   * paths are kept; later new paths count under `"(other)"`.
   */
  byPath: Record<string, number>;
}

/** A running target server. */
export interface TargetServer {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:8088/`. */
  url: string;
  /** The port listened on. */
  port: number;
  /** A copy of the counters. */
  stats(): TargetServerStats;
  /** Zeroes the counters. */
  resetStats(): void;
  /** Stops the server: pending delayed replies are answered at once, then it shuts down. */
  close(): Promise<void>;
}

/** Distinct paths counted separately in {@linkcode TargetServerStats.byPath}. */
export const MAX_TRACKED_PATHS = 1000;
/** Largest `/delay/<ms>`. */
export const MAX_DELAY_MS = 10_000;
/** Largest `/bytes/<n>` and `/chunked/<n>`. */
export const MAX_BYTES = 64 * 1024 * 1024;

const CHUNK = 1024;
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** Parses a non-negative integer path segment, or returns -1. */
function parseCount(segment: string): number {
  if (!/^\d{1,9}$/.test(segment)) return -1;
  return Number(segment);
}

/**
 * Starts the target server.
 *
 * @param options Where to listen.
 * @returns The running server, once it listens.
 *
 * @example Count the requests a client makes
 * ```ts ignore
 * import { startTargetServer } from "./target_server.ts";
 *
 * const server = await startTargetServer();
 * await (await fetch(server.url)).text();
 * await (await fetch(new URL("status/503", server.url))).text();
 * console.log(server.stats()); // { requests: 2, byPath: { "/": 1, "/status/503": 1 } }
 * await server.close();
 * ```
 */
export function startTargetServer(options: TargetServerOptions = {}): Promise<TargetServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  let requests = 0;
  let byPath = new Map<string, number>();
  const pendingDelays = new Set<() => void>();
  let closing = false;
  let shutdown: Promise<void> = Promise.resolve();
  let filler: Uint8Array<ArrayBuffer> = new Uint8Array(0);

  /** `n` bytes of "x", from one cached buffer. */
  const bytesOf = (n: number): Uint8Array<ArrayBuffer> => {
    if (filler.length < n) filler = new Uint8Array(Math.max(n, 2 * filler.length)).fill(120);
    return filler.subarray(0, n);
  };

  const count = (path: string): void => {
    requests++;
    const n = byPath.get(path);
    if (n !== undefined) byPath.set(path, n + 1);
    else if (byPath.size < MAX_TRACKED_PATHS) byPath.set(path, 1);
    else byPath.set("(other)", (byPath.get("(other)") ?? 0) + 1);
  };

  const stats = (): TargetServerStats => ({ requests, byPath: Object.fromEntries(byPath) });

  const delay = async (ms: number): Promise<Response> => {
    if (ms > 0 && !closing) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          pendingDelays.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, ms);
        pendingDelays.add(wake);
      });
    }
    return new Response("ok");
  };

  const echo = async (req: Request): Promise<Response> => {
    const body = await req.arrayBuffer();
    const type = req.headers.get("content-type");
    return new Response(body, type === null ? undefined : { headers: { "content-type": type } });
  };

  // Not async: the hot "/" path returns a Response without a promise.
  const handler = (req: Request): Response | Promise<Response> => {
    // Fast path for "/" without building a URL object.
    const raw = req.url;
    const pathStart = raw.indexOf("/", raw.indexOf("//") + 2);
    let path = pathStart < 0 ? "/" : raw.slice(pathStart);
    const q = path.indexOf("?"); // a request target carries no fragment
    if (q >= 0) path = path.slice(0, q);
    if (path === "/stats") {
      return new Response(JSON.stringify(stats()), {
        headers: { "content-type": "application/json" },
      });
    }
    count(path);
    if (path === "/") return new Response("ok");
    const slash = path.indexOf("/", 1);
    const route = slash < 0 ? path : path.slice(0, slash);
    const arg = slash < 0 ? "" : path.slice(slash + 1);
    switch (route) {
      case "/delay": {
        const ms = parseCount(arg);
        if (ms < 0 || ms > MAX_DELAY_MS) {
          return new Response(`delay must be 0..${MAX_DELAY_MS} ms\n`, { status: 400 });
        }
        return delay(ms);
      }
      case "/status": {
        const code = parseCount(arg);
        if (code < 200 || code > 599) {
          return new Response("status must be 200..599\n", { status: 400 });
        }
        return new Response(NULL_BODY_STATUSES.has(code) ? null : `${code}`, { status: code });
      }
      case "/bytes": {
        const n = parseCount(arg);
        if (n < 0 || n > MAX_BYTES) {
          return new Response(`bytes must be 0..${MAX_BYTES}\n`, { status: 400 });
        }
        return new Response(bytesOf(n), {
          headers: { "content-type": "application/octet-stream" },
        });
      }
      case "/chunked": {
        const n = parseCount(arg);
        if (n < 0 || n > MAX_BYTES) {
          return new Response(`bytes must be 0..${MAX_BYTES}\n`, { status: 400 });
        }
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= n) {
              controller.close();
              return;
            }
            const size = Math.min(CHUNK, n - sent);
            controller.enqueue(bytesOf(CHUNK).slice(0, size));
            sent += size;
          },
        });
        return new Response(body, { headers: { "content-type": "application/octet-stream" } });
      }
      case "/echo":
        return echo(req);
      default:
        return new Response("not found\n", { status: 404 });
    }
  };

  return new Promise<TargetServer>((resolve, reject) => {
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      server = Deno.serve({
        hostname,
        port: options.port ?? 0,
        onListen(addr) {
          const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
          const url = `http://${host}:${addr.port}/`;
          resolve({
            url,
            port: addr.port,
            stats,
            resetStats() {
              requests = 0;
              byPath = new Map();
            },
            close() {
              if (!closing) {
                closing = true;
                for (const wake of [...pendingDelays]) wake();
                shutdown = server.shutdown();
              }
              return shutdown;
            },
          });
        },
        onError(error) {
          return new Response(`internal error: ${error}\n`, { status: 500 });
        },
      }, handler);
    } catch (error) {
      reject(error);
    }
  });
}

if (import.meta.main) {
  let port = 0;
  let hostname = "127.0.0.1";
  const args = Deno.args;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.includes("=")
      ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
      : [a, undefined];
    const value = () => inline ?? args[++i];
    if (flag === "--port" || flag === "-p") port = Number(value());
    else if (flag === "--hostname") hostname = value();
    else if (flag === "--help" || flag === "-h") {
      console.log("usage: target_server.ts [--port N] [--hostname H]");
      Deno.exit(0);
    } else {
      console.error(`unknown argument: ${a}`);
      Deno.exit(2);
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid --port`);
    Deno.exit(2);
  }
  const server = await startTargetServer({ hostname, port });
  console.log(server.url);
}
