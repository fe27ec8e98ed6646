/**
 * The pacer: releases arrival-rate iterations at their due times on Deno's
 * ~2 ms timer floor, accurately from 1 to 10,000+ iterations per second.
 *
 * Due times never drift: iteration `j` (0, 1, 2, …) is due at the time
 * `t_j` where the integral of the rate profile from the start reaches `j`
 * (for a constant rate, `t_j = t0 + j / rate`; ramps integrate the linear
 * rate, so a ramp from 0 starts slowly). Each `poll()` releases, in one
 * batch, every iteration whose due time has passed, handing the caller its
 * *scheduled* time so latency can be measured from it (no coordinated
 * omission). Between polls {@linkcode pace} sleeps until just after the
 * next due time (at least one timer tick, at most 50 ms; it learns how late
 * timers fire and aims that much early), so CPU use stays low at low rates.
 *
 * Falling behind: a poll releases everything due, and nothing that is not
 * yet due, so a stall never produces a burst beyond the backlog. When the
 * backlog is older than `maxLagMs` (default 1 s: the generator itself
 * stalled, e.g. the event loop was blocked or the machine starved), the
 * iterations due more than `maxLagMs` ago are **skipped**, not sent late:
 * they are counted in {@linkcode Pacer.skipped}, which the engine reports as
 * dropped iterations. The iterations inside the window are still released
 * (and their latency includes the lateness).
 *
 * Several pacers can share one schedule: with `stride` = n and `offset` = i,
 * a pacer releases only iterations `i, i+n, i+2n, …`, so n workers together
 * issue exactly the global schedule, interleaved. With `offsets` (an
 * execution segment's stripe, run/stripe.ts) it releases the iterations `j`
 * with `j mod stride` among them.
 *
 * Rates are limited to {@linkcode MAX_PACER_RATE} iterations/s (the
 * constructor throws a RangeError above it; the CLI checks it up front).
 * The schedule's arithmetic is in `_rate_schedule.ts`.
 *
 * @module
 */
import { EPS, MAX_PACER_RATE, RateSchedule, type RateSegment } from "./_rate_schedule.ts";

export { MAX_PACER_RATE, type RateSegment };

/** A monotonic millisecond clock (e.g. `performance`). */
export interface PacerClock {
  /** Current time in ms. */
  now(): number;
}

/** Options of {@linkcode Pacer}. */
export interface PacerOptions {
  /** The rate profile, in order; the schedule ends with the last segment. */
  segments: readonly RateSegment[];
  /** The clock; default `performance`. */
  clock?: PacerClock;
  /** Release every `stride`-th iteration only (default 1). */
  stride?: number;
  /** …starting at this global iteration index (default 0, must be < stride). */
  offset?: number;
  /**
   * Instead of `offset`: release the iterations `j` with `j mod stride` in
   * this list (ascending, distinct, each < stride).
   */
  offsets?: readonly number[];
  /** Iterations due longer ago than this are skipped (default 1000 ms). */
  maxLagMs?: number;
}

/**
 * The expected number of iterations in `[0, tMs)` of a profile: the integral
 * of the rate. Exposed for planning and tests.
 */
export function iterationsBy(segments: readonly RateSegment[], tMs: number): number {
  let total = 0;
  let start = 0;
  for (const s of segments) {
    if (tMs <= start) break;
    const dt = Math.min(tMs - start, s.durationMs);
    const slope = s.durationMs > 0 ? (s.toRate - s.fromRate) / s.durationMs : 0;
    total += (s.fromRate * dt + 0.5 * slope * dt * dt) / 1000;
    start += s.durationMs;
  }
  return total;
}

/** The number of iterations a whole profile issues (what `iterationsBy(end)` rounds to). */
export function totalIterations(segments: readonly RateSegment[]): number {
  const end = segments.reduce((a, s) => a + s.durationMs, 0);
  return Math.ceil(iterationsBy(segments, end) - EPS);
}

/**
 * Releases the iterations of a rate profile at their due times. See the
 * module documentation for the schedule and for what happens when behind.
 *
 * @example Pacing 1,000 iterations/s for 10 s
 * ```ts ignore
 * const pacer = new Pacer({ segments: [{ durationMs: 10_000, fromRate: 1000, toRate: 1000 }] });
 * pacer.start();
 * await pace(pacer, (scheduled) => fire(scheduled), () => stopped);
 * ```
 */
export class Pacer {
  #clock: PacerClock;
  #stride: number;
  #offsets: readonly number[];
  /** Where `#next` is: `#base + #offsets[#pos]`. */
  #pos = 0;
  #base = 0;
  #maxLag: number;
  #schedule: RateSchedule;
  #total: number;
  #next: number;
  #nextDue = 0;
  #start = 0;
  #started = false;
  #released = 0;
  #skipped = 0;

  /** Creates a pacer; call {@linkcode Pacer.start} to start the schedule. */
  constructor(options: PacerOptions) {
    this.#clock = options.clock ?? performance;
    this.#stride = options.stride ?? 1;
    this.#maxLag = options.maxLagMs ?? 1000;
    this.#offsets = options.offsets ?? [options.offset ?? 0];
    if (!Number.isInteger(this.#stride) || this.#stride < 1) throw new RangeError("stride");
    if (this.#offsets.length === 0) throw new RangeError("offsets must not be empty");
    this.#offsets.forEach((o, i) => {
      if (!Number.isInteger(o) || o < 0 || o >= this.#stride || o <= this.#offsets[i - 1]) {
        throw new RangeError("offset must be in 0..stride-1 (offsets ascending)");
      }
    });
    this.#schedule = new RateSchedule(options.segments);
    this.#total = this.#schedule.total;
    this.#next = this.#offsets[0];
  }

  /** Starts the schedule at `atMs` on the pacer's clock (default: now). */
  start(atMs?: number): void {
    this.#start = atMs ?? this.#clock.now();
    this.#started = true;
    this.#schedule.rewind();
    this.#nextDue = this.#schedule.dueOffset(this.#next);
  }

  /** Global iterations this schedule issues in all (every stride together). */
  get total(): number {
    return this.#total;
  }

  /** Iterations released so far. */
  get released(): number {
    return this.#released;
  }

  /** Iterations skipped because they were more than `maxLagMs` late. */
  get skipped(): number {
    return this.#skipped;
  }

  /** Whether every iteration of this pacer's share was released or skipped. */
  get done(): boolean {
    return this.#next >= this.#total;
  }

  /** Ms until the next iteration is due (0 when one is due now, Infinity when done). */
  msUntilNext(): number {
    if (this.done) return Infinity;
    return Math.max(0, this.#start + this.#nextDue - this.#clock.now());
  }

  /**
   * Releases every iteration due by now, calling `release(scheduledMs)` with
   * each one's due time on the pacer's clock, oldest first. Returns how many
   * were released. Skips (and counts) those more than `maxLagMs` late.
   */
  poll(release: (scheduledMs: number) => void): number {
    if (!this.#started) throw new Error("Pacer.poll() before start()");
    const now = this.#clock.now() - this.#start;
    const total = this.#total;
    if (this.#next < total && now - this.#nextDue > this.#maxLag) this.#skipTo(now - this.#maxLag);
    let n = 0;
    while (this.#next < total && this.#nextDue <= now) {
      release(this.#start + this.#nextDue);
      n++;
      this.#advance();
      if (this.#next < total) this.#nextDue = this.#schedule.dueOffset(this.#next);
    }
    this.#released += n;
    return n;
  }

  // Moves `#next` to this pacer's next iteration.
  #advance(): void {
    if (++this.#pos === this.#offsets.length) {
      this.#pos = 0;
      this.#base += this.#stride;
    }
    this.#next = this.#base + this.#offsets[this.#pos];
  }

  // Skips this pacer's iterations due before `t` (offset ms).
  #skipTo(t: number): void {
    const want = Math.min(this.#total, Math.ceil(this.#schedule.cumulative(t) - EPS));
    if (want <= this.#next) return;
    // The first of this pacer's iterations at or after `want`, and how many come before it.
    const k = this.#offsets.length;
    let base = want - (want % this.#stride);
    let pos = this.#offsets.findIndex((o) => base + o >= want);
    if (pos < 0) [base, pos] = [base + this.#stride, 0];
    this.#skipped += ((base - this.#base) / this.#stride) * k + pos - this.#pos;
    [this.#base, this.#pos] = [base, pos];
    this.#next = base + this.#offsets[pos];
    if (this.#next < this.#total) this.#nextDue = this.#schedule.dueOffset(this.#next);
  }
}

/** Options of {@linkcode pace}. */
export interface PaceOptions {
  /** Returns true to stop pacing early. */
  stopped: () => boolean;
  /** Waits `ms` (default: a `setTimeout` promise). Tests pass one that advances a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  /** Longest single wait, so a stop is noticed promptly (default 50 ms). */
  maxWaitMs?: number;
  /** The clock the pacer uses, to learn how late timers fire (default `performance`). */
  clock?: PacerClock;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Drives a started pacer to its end: poll, then sleep until the next due
 * time (one timer tick at least), until done or `stopped()`.
 */
export async function pace(
  pacer: Pacer,
  release: (scheduledMs: number) => void,
  options: PaceOptions,
): Promise<void> {
  const sleep = options.sleep ?? realSleep;
  const clock = options.clock ?? performance;
  const maxWait = options.maxWaitMs ?? 50;
  // A timer asked for k ms fires about k + 1.2 ms later (Deno 2.9, Linux); the
  // overshoot is learned as we go, so the pacer wakes just after the next due
  // time rather than one whole timer tick late.
  let overshoot = 1.2;
  while (!options.stopped()) {
    pacer.poll(release);
    if (pacer.done) return;
    const wait = pacer.msUntilNext();
    const ms = Math.max(1, Math.min(Math.ceil(wait - overshoot + 0.05), maxWait));
    const before = clock.now();
    await sleep(ms);
    const late = clock.now() - before - ms;
    overshoot += 0.1 * (Math.min(5, Math.max(0, late)) - overshoot);
  }
}
