/**
 * Private helper: requests that were never sent. A step that ends before any
 * byte of it leaves for the target is not an HTTP request: it is never given
 * to `recordRequest`, so `totalRequests` is what was sent (what the server
 * can count), and it is counted here instead, by reason and request name.
 *
 * The reasons: `missing variable <name>` (an earlier extract found nothing),
 * `invalid request` (a rendered URL or header that cannot be encoded),
 * `dns error` (no address to connect to), `permission denied` (Deno's
 * sandbox refused the connection), any other failure before the HTTP client
 * began writing the request — `timeout before sending` (a live server that
 * did not accept in time: its log never has it), `local network error` (no file
 * descriptor or port left: the generator's own failure), a TLS handshake
 * that failed — and {@linkcode CUT_BEFORE_SENDING} (still waiting for a
 * connection when the run was cut). One exception: `connection refused`
 * stays a failed request, as k6 counts it — nothing listens there, so there
 * is no server count to differ from, and a run against a target that is down
 * fails as "no response from the target".
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
 * `written`: whether the HTTP client began writing it (any failure before
 * that, but a refused connection, is not sent).
 */
export function isNotSentError(error: string | undefined, written = true): boolean {
  return error !== undefined &&
    (NOT_SENT_ERRORS.has(error) || error.startsWith("missing variable ") ||
      (!written && error !== "connection refused"));
}

/** The reason of a request `error` not sent counts under ({@linkcode isNotSentError}). */
export function notSentReason(error: string | undefined): string {
  if (error === "network error") return LOCAL_NETWORK_ERROR;
  if (error === "timeout") return TIMEOUT_BEFORE_SENDING;
  return error ?? "not sent";
}

/** The reason of a `network error` before any byte was written: the generator's own failure. */
export const LOCAL_NETWORK_ERROR = "local network error (e.g. no file descriptor left)";

/** The reason of a timeout before any byte was written: connecting, or waiting for a connection. */
export const TIMEOUT_BEFORE_SENDING = "timeout before sending (connecting)";

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
