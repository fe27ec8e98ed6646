/**
 * Private helper: the HTTP client's connections — a pool per origin (with
 * its connection limit and its queue of waiting callers), every open and
 * opening connection, the idle ones over all pools (`_idle.ts`), and the
 * one request timer per client that expires requests, connects and waiters
 * past their deadlines and closes idle connections past their timeout.
 * Connections are opened by the transport (`_transport.ts`).
 *
 * @module
 */
import { AbortedError, TimeoutError } from "./errors.ts";
import { IdleConnections } from "./_idle.ts";
import { type ConnectAttempt, Connection, Pool, type PreparedRequest } from "./_pool.ts";
import type { Transport } from "./_transport.ts";
import { type ClientSettings, DEFAULT_MAX_IDLE_CONNS } from "./_options.ts";

/** The pools and connections of one client. */
export class Connections {
  /** Pools by origin (`scheme://host:port`). */
  readonly pools: Map<string, Pool> = new Map();
  /** Every open connection, idle or busy. */
  readonly conns: Set<Connection> = new Set();
  /** Connects in progress. */
  readonly connecting: Set<ConnectAttempt> = new Set();
  /** Idle connections over all pools, their caps and idle timer. */
  readonly idle: IdleConnections;
  /** Set by {@linkcode Connections.close}. */
  closed = false;
  /** Idle connections dropped because the server closed them (see `HttpClient.idleDropped`). */
  idleDropped = 0;
  #transport: Transport;
  #maxPerHost: number;
  /** The `maxIdleConnsPerHost` option (Infinity: none). */
  #maxIdlePerHost: number;
  #timer: ReturnType<typeof setInterval> | undefined = undefined;
  #tickMs: number;

  /**
   * @param s The client's settings.
   * @param transport Opens every connection.
   */
  constructor(s: ClientSettings, transport: Transport) {
    this.#transport = transport;
    this.#maxPerHost = s.maxPerHost;
    this.#maxIdlePerHost = s.maxIdlePerHost;
    this.#tickMs = Math.min(50, Math.max(2, s.timeoutMs / 10));
    this.idle = new IdleConnections({
      maxIdle: s.maxIdle,
      floor: Math.max(DEFAULT_MAX_IDLE_CONNS, Number.isFinite(s.maxPerHost) ? s.maxPerHost : 0),
      timeoutMs: s.idleTimeoutMs,
      close: (c, pool) => this.#closeIdle(pool, c),
      ticking: () => this.#timer !== undefined,
    });
  }

  /** The pool of `prepared`'s origin (made when new); starts the request timer. */
  pool(prepared: PreparedRequest): Pool {
    let pool = this.pools.get(prepared.origin);
    if (pool === undefined) {
      pool = new Pool(prepared, this.#maxPerHost);
      this.pools.set(prepared.origin, pool);
    }
    if (this.#timer === undefined) this.#startTimer();
    return pool;
  }

  /**
   * A response was read whole on `c`: keep it for reuse (for a waiter, or
   * idle) unless its origin has enough idle ones (MaxIdleConnsPerHost), the
   * server closes it, or bytes are left over; else close it.
   */
  keep(c: Connection, pool: Pool): void {
    // A pool with idle connections has no waiter (release hands a connection to a waiter first).
    const room = pool.idle.length < this.#maxIdlePerHost;
    if (c.keepAlive && c.start === c.end && !this.closed && room) {
      c.start = c.end = 0;
      // Counted before `c` joins the idle ones: the connections in use or opening now.
      const inUse = this.conns.size + this.connecting.size - this.idle.size;
      if (pool.release(c)) this.idle.add(c, pool, inUse);
    } else {
      c.close();
      this.conns.delete(c);
      this.freeSlot(pool);
    }
  }

  /** Closes `c` (a request on it failed); its slot is freed by the caller. */
  discard(c: Connection): void {
    c.close();
    this.conns.delete(c);
  }

  /**
   * Closes every connection and stops the timer: requests pending resolve
   * with `"aborted"`, waiters and connects are rejected.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    this.idle.clear();
    const aborted = new AbortedError();
    for (const c of this.conns) {
      if (c.busy) c.aborted = true;
      c.close();
    }
    this.conns.clear();
    for (const a of [...this.connecting]) a.expire(aborted);
    for (const pool of this.pools.values()) {
      for (const c of pool.idle) c.close();
      pool.idle.length = 0;
      for (const w of pool.waiters.splice(0)) w.reject(aborted);
    }
    this.pools.clear();
  }

  /** Gets a connection when none is idle: opens one, or queues for one. */
  async acquire(pool: Pool, deadline: number): Promise<Connection> {
    if (pool.total < pool.max) {
      pool.total++;
      try {
        return await this.connect(pool, deadline);
      } catch (e) {
        this.freeSlot(pool);
        throw e;
      }
    }
    const handed = await new Promise<Connection | null>((resolve, reject) => {
      pool.waiters.push({ deadline, resolve, reject });
    });
    if (handed !== null) return handed;
    try {
      return await this.connect(pool, deadline); // we own the freed slot
    } catch (e) {
      this.freeSlot(pool);
      throw e;
    }
  }

  /** Opens a connection (the caller owns a slot); rejects on timeout or close. */
  connect(pool: Pool, deadline: number): Promise<Connection> {
    if (this.closed) return Promise.reject(new AbortedError());
    return new Promise<Connection>((resolve, reject) => {
      let done = false;
      const controller = pool.tls ? undefined : new AbortController();
      const attempt: ConnectAttempt = {
        deadline,
        expire: (error) => {
          if (done) return;
          done = true;
          this.connecting.delete(attempt);
          controller?.abort();
          reject(error);
        },
      };
      this.connecting.add(attempt);
      const opening = this.#transport.dial(pool, controller?.signal);
      opening.then(
        (conn) => {
          if (done) {
            conn.close();
            return;
          }
          done = true;
          this.connecting.delete(attempt);
          const c = new Connection(conn, (idle) => this.#dropIdle(pool, idle));
          this.conns.add(c);
          resolve(c);
        },
        (e) => {
          if (done) return;
          done = true;
          this.connecting.delete(attempt);
          reject(e);
        },
      );
    });
  }

  /**
   * The read kept pending on an idle connection completed: the server closed
   * or reset it, or sent bytes nobody asked for. Drop it before any request
   * is sent on it (no request was in flight, so nothing is reported).
   */
  #dropIdle(pool: Pool, c: Connection): void {
    this.#closeIdle(pool, c);
    this.idleDropped++;
  }

  /** Closes an idle connection of `pool` (capped, timed out or dropped) and frees its slot. */
  #closeIdle(pool: Pool, c: Connection): void {
    this.idle.remove(c);
    if (!pool.dropIdle(c)) c.close();
    this.conns.delete(c);
    this.#prune(pool);
  }

  /** A slot of `pool` was freed (its connection closed, or a connect failed). */
  freeSlot(pool: Pool): void {
    pool.freeSlot();
    this.#prune(pool);
  }

  /** Removes `pool` from the map when it has no connection (open, opening or idle) and no waiter. */
  #prune(pool: Pool): void {
    if (pool.total > 0 || pool.waiters.length > 0) return;
    if (this.pools.get(pool.origin) === pool) this.pools.delete(pool.origin);
  }

  #startTimer(): void {
    this.idle.clearTimer(); // its tick watches the idle timeout too
    this.#timer = setInterval(this.#tick, this.#tickMs);
  }

  #tick = (): void => {
    const now = performance.now();
    let active = this.connecting.size > 0;
    for (const c of this.conns) {
      if (!c.busy) continue;
      active = true;
      if (c.deadline <= now && !c.timedOut) {
        c.timedOut = true;
        c.close(); // the pending read or write rejects; send() reports "timeout"
      }
    }
    if (this.connecting.size > 0) {
      for (const a of [...this.connecting]) {
        if (a.deadline <= now) a.expire(new TimeoutError());
      }
    }
    for (const pool of this.pools.values()) {
      const ws = pool.waiters;
      if (ws.length === 0) continue;
      active = true;
      for (let i = 0; i < ws.length;) {
        if (ws[i].deadline <= now) {
          const [w] = ws.splice(i, 1);
          w.reject(new TimeoutError());
        } else i++;
      }
    }
    if (this.idle.size > 0) this.idle.expire(now);
    if (!active && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.idle.arm();
    }
  };
}
