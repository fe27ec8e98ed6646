/**
 * Private helper: the requests a scenario has in flight in one Worker, and
 * what the cut does with them. A request in flight at the cut was sent
 * (the HTTP client began writing it): it is recorded as failed with error
 * type {@linkcode INTERRUPTED}, status 0, timed up to the cut, after the
 * redirect hops the server already answered; one still queued for a
 * connection was never sent: it is counted as not sent
 * (`CUT_BEFORE_SENDING`). Either way it is cancelled, so the client sends
 * nothing more of it (no byte, no next hop). And when a stopped scenario's
 * every request in flight is past its own timeout by {@linkcode OVERDUE_MS},
 * the scenario is cut at once ({@linkcode allOverdue}).
 *
 * @module
 */
import type { HopOutcome, HttpOutcome } from "../http/http_client.ts";
import { CUT_BEFORE_SENDING } from "./_not_sent.ts";

/** The error type of a request still in flight when its scenario was cut. */
export const INTERRUPTED = "interrupted";
/** How far past its timeout a request in flight after the stop may be before the scenario is cut. */
export const OVERDUE_MS = 1_000;

/** A request that was sent and has no outcome yet: request index and start (performance ms). */
export interface InFlight {
  /** The request's index in its scenario. */
  i: number;
  /** When it started (performance ms). */
  start: number;
  /**
   * The redirect hops answered so far (the HTTP client fills it): at the cut
   * they are recorded, each a request the server saw, before the interrupted one.
   */
  hops?: HopOutcome[];
  /** False while the request waits for a connection: at the cut it was never sent. */
  written: boolean;
  /** Set at the cut: a request not yet written is then never sent (HttpClient.send). */
  cancelled: boolean;
}

/** What the cut does with each request in flight. */
export interface CutHandlers {
  /** Request `i` was never sent, for `reason`. */
  unsent(i: number, reason: string): void;
  /** Request `i` was sent at `start`: record `outcome`, timed up to `end`. */
  interrupted(i: number, start: number, end: number, outcome: HttpOutcome): void;
}

/**
 * Cuts every request of `inflight` at `now` (performance ms): each is
 * cancelled, and told to `on` as not sent or interrupted; then the set is
 * emptied, so their late outcomes are dropped by the caller.
 */
export function cutInFlight(inflight: Set<InFlight>, now: number, on: CutHandlers): void {
  for (const f of inflight) {
    f.cancelled = true; // not yet written: never sent; written: no next redirect hop
    if (!f.written) {
      on.unsent(f.i, CUT_BEFORE_SENDING);
      continue;
    }
    on.interrupted(f.i, f.start, now, {
      statusCode: 0,
      bytes: 0,
      error: INTERRUPTED,
      hops: f.hops,
    });
  }
  inflight.clear();
}

/**
 * Whether every request of `inflight` (not empty) is past its own timeout
 * (`timeouts[i]`, ms) by {@linkcode OVERDUE_MS} at `now` (performance ms).
 */
export function allOverdue(inflight: Set<InFlight>, timeouts: number[], now: number): boolean {
  if (inflight.size === 0) return false;
  for (const f of inflight) {
    if (now - f.start <= timeouts[f.i] + OVERDUE_MS) return false;
  }
  return true;
}
