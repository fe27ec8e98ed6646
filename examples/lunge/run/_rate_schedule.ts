/**
 * Private helper: the pacer's schedule, pure and clock-free. A rate profile
 * (segments whose rate moves linearly) becomes the cumulative count of
 * iterations due by an offset, and its inverse: the offset at which
 * iteration `j` is due. {@linkcode Pacer} keeps the clock and the release
 * state; this file is only the arithmetic, tested directly.
 *
 * @module
 */

/** A piece of a rate profile: the rate moves linearly from `fromRate` to `toRate`. */
export interface RateSegment {
  /** Segment length in ms. */
  durationMs: number;
  /** Iterations per second at the segment's start. */
  fromRate: number;
  /** Iterations per second at the segment's end. */
  toRate: number;
}

/** Slack for float error when rounding a cumulative count to whole iterations. */
export const EPS = 1e-9;

/**
 * The most iterations per second the pacers of a run may release in all.
 * At Deno's ~470 timer ticks/s (measured on Deno 2.9.6) that is ~210 iterations
 * per tick, released in one synchronous batch: far more and one poll blocks
 * the worker's event loop, and the HTTP client tops out at ~100k requests/s
 * on loopback anyway.
 */
export const MAX_PACER_RATE = 100_000;

/** The cumulative due count of a rate profile and its inverse. */
export class RateSchedule {
  // Per segment: start offset, length, rate at start (per ms), slope (per ms²), cumulative at start/end.
  #t0: number[] = [];
  #len: number[] = [];
  #r0: number[] = [];
  #slope: number[] = [];
  #c0: number[] = [];
  #c1: number[] = [];
  #seg = 0;

  /**
   * Builds the schedule. Throws a RangeError when a duration or rate is
   * negative or not a number, or a rate exceeds {@linkcode MAX_PACER_RATE}.
   */
  constructor(segments: readonly RateSegment[]) {
    let t = 0;
    let c = 0;
    for (const s of segments) {
      if (!(s.durationMs >= 0) || !(s.fromRate >= 0) || !(s.toRate >= 0)) {
        throw new RangeError("segments need durations and rates >= 0");
      }
      if (s.fromRate > MAX_PACER_RATE || s.toRate > MAX_PACER_RATE) {
        throw new RangeError(`rate above the pacer's limit of ${MAX_PACER_RATE}/s`);
      }
      const r0 = s.fromRate / 1000;
      const slope = s.durationMs > 0 ? (s.toRate - s.fromRate) / 1000 / s.durationMs : 0;
      this.#t0.push(t);
      this.#len.push(s.durationMs);
      this.#r0.push(r0);
      this.#slope.push(slope);
      this.#c0.push(c);
      c += r0 * s.durationMs + 0.5 * slope * s.durationMs * s.durationMs;
      this.#c1.push(c);
      t += s.durationMs;
    }
  }

  /** Iterations the whole profile issues. */
  get total(): number {
    const n = this.#c1.length;
    return Math.ceil((n ? this.#c1[n - 1] : 0) - EPS);
  }

  /** Iterations due in `[0, t)` (offset ms): the integral of the rate. */
  cumulative(t: number): number {
    const n = this.#t0.length;
    for (let i = 0; i < n; i++) {
      if (t < this.#t0[i] + this.#len[i]) {
        const dt = Math.max(0, t - this.#t0[i]);
        return this.#c0[i] + this.#r0[i] * dt + 0.5 * this.#slope[i] * dt * dt;
      }
    }
    return n ? this.#c1[n - 1] : 0;
  }

  /**
   * The offset (ms from the start) at which the cumulative count reaches
   * `j`. Calls must not decrease `j`: the segment pointer only moves forward.
   */
  dueOffset(j: number): number {
    const last = this.#t0.length - 1;
    while (this.#seg < last && this.#c1[this.#seg] <= j) this.#seg++;
    const i = this.#seg;
    const c = j - this.#c0[i];
    if (c <= 0) return this.#t0[i];
    const a = 0.5 * this.#slope[i];
    const b = this.#r0[i];
    // Root of a·dt² + b·dt = c, in the form that stays stable when a or b is 0.
    const disc = b * b + 4 * a * c;
    const dt = 2 * c / (b + Math.sqrt(Math.max(0, disc)));
    return this.#t0[i] + Math.min(dt, this.#len[i]);
  }

  /** Rewinds the segment pointer (for a restart from iteration 0). */
  rewind(): void {
    this.#seg = 0;
  }
}
