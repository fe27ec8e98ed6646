/**
 * Private helper: the HTTP client's idle keep-alive connections over all
 * pools, bounded as Go's `net/http` Transport bounds them — at most
 * `maxIdleConns` together (the least recently used is closed first) and each
 * for at most `idleTimeoutMs` — and the one unref'd timer that watches the
 * idle timeout while no request is in flight.
 *
 * @module
 */
import type { Connection, Pool } from "./_pool.ts";

/** Longest delay `setTimeout` honours (a longer one fires at once). */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** Options of {@linkcode IdleConnections}. */
export interface IdleOptions {
  /** `maxIdleConns`, or undefined for the growing default (see {@linkcode IdleConnections.add}). */
  maxIdle: number | undefined;
  /** The default cap's floor. */
  floor: number;
  /** `idleTimeoutMs` (Infinity: never). */
  timeoutMs: number;
  /** Closes an idle connection of `pool` (capped or timed out); it calls `remove`. */
  close(c: Connection, pool: Pool): void;
  /** Whether the client's request timer runs (its tick then calls `expire`). */
  ticking(): boolean;
}

/**
 * Every idle pooled connection with its pool, least recently used first (a
 * Map iterates in insertion order, and a connection is re-inserted each time
 * it becomes idle), so the oldest `idleSince` is always the first.
 */
export class IdleConnections {
  #idle = new Map<Connection, Pool>();
  #maxIdle: number | undefined;
  /** The default cap so far: grows with the most connections in use at once. */
  #floor: number;
  #timeoutMs: number;
  #close: (c: Connection, pool: Pool) => void;
  #ticking: () => boolean;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #closed = false;

  /** @param options Caps, timeout and the client's callbacks. */
  constructor(options: IdleOptions) {
    this.#maxIdle = options.maxIdle;
    this.#floor = options.floor;
    this.#timeoutMs = options.timeoutMs;
    this.#close = options.close;
    this.#ticking = options.ticking;
  }

  /** Idle connections now. */
  get size(): number {
    return this.#idle.size;
  }

  /**
   * `c` joined its pool's idle stack: count it, close the least recently used
   * idle connection past the cap, and make sure the idle timeout is watched.
   *
   * @param inUse Connections in use (not idle) just before, for the default cap.
   */
  add(c: Connection, pool: Pool, inUse: number): void {
    c.idleSince = performance.now();
    this.#idle.set(c, pool);
    let cap = this.#maxIdle;
    if (cap === undefined) {
      if (inUse > this.#floor) this.#floor = inUse;
      cap = this.#floor;
    }
    while (this.#idle.size > cap) {
      const [oldC, oldPool] = this.#idle.entries().next().value!;
      this.#close(oldC, oldPool);
    }
    if (!this.#ticking() && this.#timer === undefined) this.arm();
  }

  /** `c` is no longer idle (taken by a request, or closed). */
  remove(c: Connection): void {
    if (this.#idle.delete(c) && this.#idle.size === 0) this.clearTimer();
  }

  /** Closes the idle connections unused for `timeoutMs` (the oldest are first). */
  expire(now: number): void {
    const limit = now - this.#timeoutMs;
    for (const [c, pool] of this.#idle) {
      if (c.idleSince > limit) break;
      this.#close(c, pool);
    }
  }

  /**
   * While no request is in flight (the request timer is stopped), one unref'd
   * timer waits for the oldest idle connection's timeout; none when nothing is idle.
   */
  arm(): void {
    this.clearTimer();
    if (this.#closed || this.#idle.size === 0 || !Number.isFinite(this.#timeoutMs)) return;
    const oldest = this.#idle.keys().next().value!;
    const due = oldest.idleSince + this.#timeoutMs - performance.now();
    const id = setTimeout(this.#tick, Math.min(MAX_TIMER_DELAY_MS, Math.max(1, due)));
    Deno.unrefTimer(id);
    this.#timer = id;
  }

  #tick = (): void => {
    this.#timer = undefined;
    if (this.#ticking()) return; // the request timer's tick watches them
    this.expire(performance.now());
    this.arm();
  };

  /** Stops the idle timer (the request timer's tick watches the timeout now). */
  clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Forgets every idle connection (the client closes them) and stops the timer for good. */
  clear(): void {
    this.#closed = true;
    this.#idle.clear();
    this.clearTimer();
  }
}
