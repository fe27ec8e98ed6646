/**
 * Private helper: the built-in target server's state (exact counters, issued
 * tokens, pending delayed replies) and its request handler, one function per
 * endpoint. The endpoint table is in `target_server.ts`.
 *
 * @module
 */

/** Distinct paths counted separately in `stats().byPath`. */
export const MAX_TRACKED_PATHS = 1000;
/** Largest `/delay/<ms>`. */
export const MAX_DELAY_MS = 10_000;
/** Largest `/bytes/<n>` and `/chunked/<n>`. */
export const MAX_BYTES = 64 * 1024 * 1024;
/** Tokens `/login` keeps valid at once; the oldest is forgotten past this. */
export const MAX_TOKENS = 100_000;

const CHUNK = 1024;
const NULL_BODY_STATUSES = new Set([204, 205, 304]);
const JSON_HEADERS = { "content-type": "application/json" };

/** Parses a non-negative integer path segment, or returns -1. */
function parseCount(segment: string): number {
  if (!/^\d{1,9}$/.test(segment)) return -1;
  return Number(segment);
}

function json(value: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(value), {
    ...init,
    headers: { ...JSON_HEADERS, ...init.headers as Record<string, string> },
  });
}

/** The server's mutable state: counters, tokens and pending delays. */
export class TargetState {
  /** Requests received (every path but `/stats`). */
  requests = 0;
  /** Requests per path (bounded, see {@linkcode MAX_TRACKED_PATHS}). */
  byPath = new Map<string, number>();
  /** Token -> user, for `/login` and `/profile`. */
  tokens = new Map<string, string>();
  /** Wakers of pending `/delay` replies (close() answers them at once). */
  pendingDelays = new Set<() => void>();
  /** Set by close(): delays answer at once. */
  closing = false;
  #filler: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  #sequence = new Map<string, number>();

  /** Counts one request to `path`; returns this path's count so far (1-based). */
  count(path: string): number {
    this.requests++;
    const n = (this.byPath.get(path) ?? 0) + 1;
    if (n > 1 || this.byPath.size < MAX_TRACKED_PATHS) this.byPath.set(path, n);
    else this.byPath.set("(other)", (this.byPath.get("(other)") ?? 0) + 1);
    return n;
  }

  /** The next number of `key`'s own sequence (1-based; unaffected by the path cap). */
  next(key: string): number {
    if (!this.#sequence.has(key) && this.#sequence.size >= MAX_TRACKED_PATHS) {
      this.#sequence.clear();
    }
    const n = (this.#sequence.get(key) ?? 0) + 1;
    this.#sequence.set(key, n);
    return n;
  }

  /** Zeroes the counters (tokens stay valid). */
  reset(): void {
    this.requests = 0;
    this.byPath = new Map();
    this.#sequence = new Map();
  }

  /** `n` bytes of "x", from one cached buffer. */
  bytesOf(n: number): Uint8Array<ArrayBuffer> {
    if (this.#filler.length < n) {
      this.#filler = new Uint8Array(Math.max(n, 2 * this.#filler.length)).fill(120);
    }
    return this.#filler.subarray(0, n);
  }

  /** Issues a token for `user`, forgetting the oldest past {@linkcode MAX_TOKENS}. */
  issue(user: string): string {
    const token = crypto.randomUUID().replaceAll("-", "");
    if (this.tokens.size >= MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value!);
    this.tokens.set(token, user);
    return token;
  }
}

function delay(state: TargetState, arg: string): Response | Promise<Response> {
  const ms = parseCount(arg);
  if (ms < 0 || ms > MAX_DELAY_MS) {
    return new Response(`delay must be 0..${MAX_DELAY_MS} ms\n`, { status: 400 });
  }
  if (ms === 0 || state.closing) return new Response("ok");
  return new Promise<Response>((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      state.pendingDelays.delete(wake);
      resolve(new Response("ok"));
    };
    const timer = setTimeout(wake, ms);
    state.pendingDelays.add(wake);
  });
}

function status(arg: string): Response {
  const code = parseCount(arg);
  if (code < 200 || code > 599) return new Response("status must be 200..599\n", { status: 400 });
  return new Response(NULL_BODY_STATUSES.has(code) ? null : `${code}`, { status: code });
}

function bytes(state: TargetState, arg: string, chunked: boolean): Response {
  const n = parseCount(arg);
  if (n < 0 || n > MAX_BYTES) {
    return new Response(`bytes must be 0..${MAX_BYTES}\n`, { status: 400 });
  }
  const headers = { "content-type": "application/octet-stream" };
  if (!chunked) return new Response(state.bytesOf(n), { headers });
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= n) return controller.close();
      const size = Math.min(CHUNK, n - sent);
      controller.enqueue(state.bytesOf(CHUNK).slice(0, size));
      sent += size;
    },
  });
  return new Response(body, { headers });
}

async function echo(req: Request): Promise<Response> {
  const body = await req.arrayBuffer();
  const type = req.headers.get("content-type");
  return new Response(body, type === null ? undefined : { headers: { "content-type": type } });
}

/** `POST /login` with `{"user": "..."}` (optional): a token in JSON and X-Session-Id. */
async function login(state: TargetState, req: Request): Promise<Response> {
  if (req.method !== "POST") return json({ error: "use POST" }, { status: 405 });
  let user = "anonymous";
  const text = await req.text();
  if (text !== "") {
    try {
      const parsed = JSON.parse(text);
      if (typeof parsed?.user === "string") user = parsed.user;
    } catch {
      return json({ error: "body must be JSON" }, { status: 400 });
    }
  }
  const token = state.issue(user);
  return json({ token, user }, { headers: { "x-session-id": `s-${token.slice(0, 8)}` } });
}

/** `GET /profile`: 200 with the user for `Authorization: Bearer <token>`, else 401. */
function profile(state: TargetState, req: Request): Response {
  const auth = req.headers.get("authorization") ?? "";
  const user = auth.startsWith("Bearer ") ? state.tokens.get(auth.slice(7)) : undefined;
  if (user === undefined) {
    return json({ error: "unauthorized" }, {
      status: 401,
      headers: { "www-authenticate": "Bearer" },
    });
  }
  return json({ user, plan: "pro" });
}

/** `/cycle/<n>`: JSON `{seq, ok}` where `ok` is false for every n-th request. */
function cycle(state: TargetState, arg: string): Response {
  const n = parseCount(arg);
  if (n < 1) return new Response("cycle must be >= 1\n", { status: 400 });
  const seq = state.next(`/cycle/${n}`);
  return json({ seq, ok: seq % n !== 0 }, { headers: { "x-seq": String(seq) } });
}

/** `/json`: a fixed JSON document (objects, arrays, numbers, strings, booleans, null). */
function document(): Response {
  return json({
    id: 42,
    name: "lunge",
    tags: ["load", "test"],
    items: [{ id: 1, price: 9.5 }, { id: 2, price: 20 }],
    active: true,
    missing: null,
  });
}

/** `/response-headers?Name=value…`: 200 with those response headers, echoed as JSON. */
function responseHeaders(req: Request): Response {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(req.url).searchParams) out[k] = v;
  try {
    return json(out, { headers: out });
  } catch {
    return new Response("invalid header\n", { status: 400 });
  }
}

/** The request's path without its query ("/" fast, no URL object). */
function pathOf(raw: string): string {
  const pathStart = raw.indexOf("/", raw.indexOf("//") + 2);
  const path = pathStart < 0 ? "/" : raw.slice(pathStart);
  const q = path.indexOf("?"); // a request target carries no fragment
  return q >= 0 ? path.slice(0, q) : path;
}

/**
 * The handler. Not async: the hot "/" path returns a Response without a
 * promise. Every request but `/stats` is counted before it is answered.
 */
export function handle(state: TargetState, req: Request): Response | Promise<Response> {
  const path = pathOf(req.url);
  if (path === "/stats") {
    return json({ requests: state.requests, byPath: Object.fromEntries(state.byPath) });
  }
  state.count(path);
  if (path === "/") return new Response("ok");
  const slash = path.indexOf("/", 1);
  const route = slash < 0 ? path : path.slice(0, slash);
  const arg = slash < 0 ? "" : path.slice(slash + 1);
  switch (route) {
    case "/delay":
      return delay(state, arg);
    case "/status":
      return status(arg);
    case "/bytes":
      return bytes(state, arg, false);
    case "/chunked":
      return bytes(state, arg, true);
    case "/echo":
      return echo(req);
    case "/login":
      return login(state, req);
    case "/profile":
      return profile(state, req);
    case "/cycle":
      return cycle(state, arg);
    case "/json":
      return document();
    case "/response-headers":
      return responseHeaders(req);
    default:
      return new Response("not found\n", { status: 404 });
  }
}
