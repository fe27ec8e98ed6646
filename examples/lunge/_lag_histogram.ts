/**
 * Private helper: a small fixed-resolution histogram of how late the
 * generator sent open-model iterations (actual send time minus scheduled
 * time). 0.1 ms buckets up to 1 s, one overflow bucket, exact max and sum.
 * Workers fill one per scenario and send its counts back at the end.
 *
 * @module
 */

const RESOLUTION_MS = 0.1;
const BUCKETS = 10_000; // 0 .. 1000 ms

/** Send-lag statistics of one scenario, in ms. */
export interface SendLagStats {
  /** Iterations measured. */
  count: number;
  /** Mean lag. */
  mean: number;
  /** Median lag (bucket upper bound, 0.1 ms resolution). */
  p50: number;
  /** 99th percentile lag. */
  p99: number;
  /** Largest lag. */
  max: number;
}

/** Records lags; mergeable through {@linkcode LagHistogram.toJSON} / {@linkcode LagHistogram.merge}. */
export class LagHistogram {
  #counts = new Uint32Array(BUCKETS + 1);
  #count = 0;
  #sum = 0;
  #max = 0;

  /** Records one lag in ms (negative values count as 0). */
  record(lagMs: number): void {
    const lag = lagMs > 0 ? lagMs : 0;
    const i = Math.floor(lag / RESOLUTION_MS);
    this.#counts[i < BUCKETS ? i : BUCKETS]++;
    this.#count++;
    this.#sum += lag;
    if (lag > this.#max) this.#max = lag;
  }

  /** A structured-cloneable copy of the state. */
  toJSON(): { counts: number[]; sum: number; max: number } {
    const counts: number[] = [];
    // Sparse pairs [index, count] keep the message small.
    this.#counts.forEach((c, i) => {
      if (c > 0) counts.push(i, c);
    });
    return { counts, sum: this.#sum, max: this.#max };
  }

  /** Adds a state produced by {@linkcode LagHistogram.toJSON}. */
  merge(state: { counts: number[]; sum: number; max: number }): void {
    for (let k = 0; k < state.counts.length; k += 2) {
      this.#counts[state.counts[k]] += state.counts[k + 1];
      this.#count += state.counts[k + 1];
    }
    this.#sum += state.sum;
    if (state.max > this.#max) this.#max = state.max;
  }

  /** The statistics (all 0 when empty). */
  stats(): SendLagStats {
    const n = this.#count;
    if (n === 0) return { count: 0, mean: 0, p50: 0, p99: 0, max: 0 };
    const at = (q: number) => {
      const rank = Math.ceil(q * n);
      let seen = 0;
      for (let i = 0; i <= BUCKETS; i++) {
        seen += this.#counts[i];
        if (seen >= rank) {
          return i === BUCKETS ? this.#max : Math.min((i + 1) * RESOLUTION_MS, this.#max);
        }
      }
      return this.#max;
    };
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return {
      count: n,
      mean: round(this.#sum / n),
      p50: round(at(0.5)),
      p99: round(at(0.99)),
      max: round(this.#max),
    };
  }
}
