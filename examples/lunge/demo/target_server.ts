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
 * | `POST /login` | JSON `{"token", "user"}` (user from a JSON body's `user`) and an `X-Session-Id` header |
 * | `/profile` | JSON `{"user", "plan"}` for `Authorization: Bearer <token from /login>`, else 401 |
 * | `/cycle/<n>` | JSON `{"seq", "ok"}` and `X-Seq`: `ok` is false on every n-th request to it |
 * | `/json` | a fixed JSON document (`id`, `name`, `tags`, `items[].price`, …) |
 * | `/response-headers?K=v` | those response headers, echoed as JSON |
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
import { handle, TargetState } from "./_routes.ts";

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

export { MAX_BYTES, MAX_DELAY_MS, MAX_TOKENS, MAX_TRACKED_PATHS } from "./_routes.ts";

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
  const state = new TargetState();
  return new Promise<TargetServer>((resolve, reject) => {
    try {
      const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve({
        hostname: options.hostname ?? "127.0.0.1",
        port: options.port ?? 0,
        // onListen runs inside Deno.serve, before `server` is assigned: shut down lazily.
        onListen: (addr) => resolve(controls(() => server.shutdown(), addr, state)),
        onError: (error) => new Response(`internal error: ${error}\n`, { status: 500 }),
      }, (req) => handle(state, req));
    } catch (error) {
      reject(error);
    }
  });
}

/** The {@linkcode TargetServer} API over a listening server. */
function controls(
  shutdownServer: () => Promise<void>,
  addr: Deno.NetAddr,
  state: TargetState,
): TargetServer {
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  let shutdown: Promise<void> | undefined;
  return {
    url: `http://${host}:${addr.port}/`,
    port: addr.port,
    stats: () => ({ requests: state.requests, byPath: Object.fromEntries(state.byPath) }),
    resetStats: () => state.reset(),
    close() {
      if (shutdown === undefined) {
        state.closing = true;
        for (const wake of [...state.pendingDelays]) wake();
        shutdown = shutdownServer();
      }
      return shutdown;
    },
  };
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
