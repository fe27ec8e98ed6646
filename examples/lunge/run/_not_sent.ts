/**
 * Private helper: requests that were never sent. A step that ends before any
 * byte of it leaves for the target is not an HTTP request: it is never given
 * to `recordRequest`, so `totalRequests` is what was sent (what the server
 * can count), and it is counted here instead, by reason and request name.
 *
 * The reasons: `missing variable <name>` (an earlier extract found nothing),
 * `invalid request` (a rendered URL or header that cannot be encoded),
 * `dns error` (no address to connect to), `permission denied` (Deno's
 * sandbox refused the connection), `network error` before any byte was
 * written (a local failure such as no file descriptor or port left: the
 * generator's, not the target's), and {@linkcode CUT_BEFORE_SENDING} (still
 * waiting for a connection when the run was cut). A connection the target
 * refused, reset or let time out is a failed request, not this: the engine
 * reached the target's address (as k6 and Go's Lunge count it).
 *
 * @module
 */
import type { NotSentCounts } from "../result.ts";

/** The reason of a request still waiting for a connection when its scenario was cut. */
export const CUT_BEFORE_SENDING = "cut before sending";

/** Transport error types that mean no byte left for the target. */
const NOT_SENT_ERRORS: ReadonlySet<string> = new Set([
  "invalid request",
  "dns error",
  "permission denied",
]);

/**
 * Whether a request that ended with `error` never sent a byte to the target;
 * `written`: whether the HTTP client began writing it (a `network error`
 * before that is the generator's own failure, e.g. out of file descriptors).
 */
export function isNotSentError(error: string | undefined, written = true): boolean {
  return error !== undefined &&
    (NOT_SENT_ERRORS.has(error) || error.startsWith("missing variable ") ||
      (!written && error === "network error"));
}

/** The reason of a request `error` not sent counts under ({@linkcode isNotSentError}). */
export function notSentReason(error: string | undefined): string {
  if (error === "network error") return LOCAL_NETWORK_ERROR;
  return error ?? "not sent";
}

/** The reason of a `network error` before any byte was written: the generator's own failure. */
export const LOCAL_NETWORK_ERROR = "local network error (e.g. no file descriptor left)";

/** Requests not sent, `[reason][request name] = count`: what a worker reports per scenario. */
export type NotSentTable = Record<string, Record<string, number>>;

/** One scenario's requests not sent in one worker. */
export class NotSentTally {
  #table: NotSentTable = {};
  #total = 0;

  /** Requests counted so far. */
  get total(): number {
    return this.#total;
  }

  /** Counts one request `name` not sent for `reason`. */
  add(reason: string, name: string): void {
    const byName = this.#table[reason] ??= {};
    byName[name] = (byName[name] ?? 0) + 1;
    this.#total++;
  }

  /** A structured-cloneable copy. */
  toJSON(): NotSentTable {
    const out: NotSentTable = {};
    for (const [reason, byName] of Object.entries(this.#table)) out[reason] = { ...byName };
    return out;
  }
}

/** Adds `from` into `into` (both `[reason][name]`). */
export function addNotSent(into: NotSentTable, from: NotSentTable | undefined): void {
  if (from === undefined) return;
  for (const [reason, byName] of Object.entries(from)) {
    const to = into[reason] ??= {};
    for (const [name, n] of Object.entries(byName)) to[name] = (to[name] ?? 0) + n;
  }
}

/** The result's form of a table: the total, and the counts by reason and by request name. */
export function notSentCounts(tables: readonly NotSentTable[]): NotSentCounts {
  const out: NotSentCounts = { total: 0, byReason: {}, byName: {} };
  for (const table of tables) {
    for (const [reason, byName] of Object.entries(table)) {
      for (const [name, n] of Object.entries(byName)) {
        out.total += n;
        out.byReason[reason] = (out.byReason[reason] ?? 0) + n;
        out.byName[name] = (out.byName[name] ?? 0) + n;
      }
    }
  }
  return out;
}
