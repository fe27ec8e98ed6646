/**
 * Private helper: timers that accept any delay. `setTimeout` holds a signed
 * 32-bit delay: past {@linkcode MAX_TIMER_MS} (2^31 - 1 ms, about 24.8 days)
 * it warns `TimeoutOverflowWarning` and fires after 1 ms. Every delay the run
 * loop waits for (a scenario's duration or stages, gracefulStop, think time,
 * pacing) goes through {@linkcode longTimeout}, which waits in chunks of at
 * most that much, re-reading the clock after each chunk, so a `597h` run lasts
 * 597 hours. {@linkcode wait} is the awaitable form, ended early by a signal.
 *
 * @module
 */

/** The longest delay one `setTimeout` holds: 2^31 - 1 ms (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The timer functions and clock {@linkcode longTimeout} uses; tests pass a fake one. */
export interface TimerHost {
  /** Current time in ms on a monotonic clock. */
  now(): number;
  /** Schedules `fn` after `ms` (never called with more than {@linkcode MAX_TIMER_MS}). */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels what `setTimeout` returned. */
  clearTimeout(id: unknown): void;
}

/** The real timers and `performance.now()`. */
export const REAL_TIMERS: TimerHost = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as number),
};

/** A pending {@linkcode longTimeout}. */
export interface LongTimer {
  /** Cancels it (no effect once it fired). */
  cancel(): void;
}

/**
 * Calls `fn` once `ms` milliseconds have passed on `host`'s clock, for any
 * finite `ms` (a non-finite or negative one is a RangeError; 0 fires on the
 * next timer turn). Long delays are waited in chunks of at most
 * {@linkcode MAX_TIMER_MS}.
 */
export function longTimeout(fn: () => void, ms: number, host: TimerHost = REAL_TIMERS): LongTimer {
  if (!(ms >= 0) || !Number.isFinite(ms)) {
    throw new RangeError(`timer delay must be a finite number of ms >= 0 (got ${ms})`);
  }
  const due = host.now() + ms;
  let id: unknown;
  let cancelled = false;
  const arm = (left: number) => {
    id = host.setTimeout(() => {
      if (cancelled) return;
      const rest = due - host.now();
      if (rest > 0.5) arm(rest);
      else fn();
    }, Math.min(Math.max(0, Math.ceil(left)), MAX_TIMER_MS));
  };
  arm(ms);
  return {
    cancel() {
      cancelled = true;
      host.clearTimeout(id);
    },
  };
}

/**
 * Waits `ms` (any finite length), or less when `signal` aborts first; an
 * already aborted signal resolves at once. Never rejects.
 */
export function wait(
  ms: number,
  signal?: AbortSignal,
  host: TimerHost = REAL_TIMERS,
): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      timer.cancel();
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = longTimeout(done, Math.max(0, ms), host);
    signal?.addEventListener("abort", done, { once: true });
  });
}
