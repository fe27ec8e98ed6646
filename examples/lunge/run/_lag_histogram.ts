/**
 * Private helper: how late the generator sent open-model iterations (actual
 * send time minus scheduled time), kept in the library's public
 * `LatencyHistogram` (percentiles within 0.4 %, exact mean and max).
 * Workers fill one per scenario and send its exact state back at the end
 * (`LatencyHistogram.toState`); the engine merges them.
 *
 * @module
 */
import { LatencyHistogram, type LatencyHistogramState } from "@lunge/metrics";

/** Send-lag statistics of one scenario, in ms. */
export interface SendLagStats {
  /** Iterations measured. */
  count: number;
  /** Mean lag. */
  mean: number;
  /** Median lag. */
  p50: number;
  /** 99th percentile lag. */
  p99: number;
  /** Largest lag. */
  max: number;
}

/** The structured-cloneable state of a {@linkcode LagHistogram}: its histogram's exact state. */
export type LagState = LatencyHistogramState;

/** Records lags; mergeable through {@linkcode LagHistogram.toJSON} / {@linkcode LagHistogram.merge}. */
export class LagHistogram {
  #h = new LatencyHistogram();

  /** Records one lag in ms (negative values count as 0). */
  record(lagMs: number): void {
    this.#h.record(lagMs > 0 ? lagMs : 0);
  }

  /** A copy of the state, to post to another thread. */
  toJSON(): LagState {
    return this.#h.toState();
  }

  /** Adds a state produced by {@linkcode LagHistogram.toJSON}. */
  merge(state: LagState): void {
    this.#h.merge(LatencyHistogram.fromState(state));
  }

  /** The statistics (all 0 when empty), rounded to the µs. */
  stats(): SendLagStats {
    const s = this.#h.stats();
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return {
      count: s.count,
      mean: round(s.mean),
      p50: round(s.p50),
      p99: round(s.p99),
      max: round(s.max),
    };
  }
}
