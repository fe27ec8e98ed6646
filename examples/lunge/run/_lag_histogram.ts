/**
 * Private helper: how late the generator sent open-model iterations (actual
 * send time minus scheduled time), kept in the module's own log-linear
 * latency recorder (src/_histogram.ts: percentiles within 0.4 %, exact mean
 * and max). Workers fill one per scenario and send its words back at the
 * end; the engine merges them.
 *
 * @module
 */
import {
  latencyBucket,
  mergeRecorder,
  RECORDER_WORDS,
  recorderStats,
  recordLatency,
} from "../../../src/_histogram.ts";

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

/** The structured-cloneable state of a {@linkcode LagHistogram}: its recorder's words. */
export type LagState = Float64Array;

/** Records lags; mergeable through {@linkcode LagHistogram.toJSON} / {@linkcode LagHistogram.merge}. */
export class LagHistogram {
  #f = new Float64Array(RECORDER_WORDS);

  /** Records one lag in ms (negative values count as 0). */
  record(lagMs: number): void {
    const lag = lagMs > 0 ? lagMs : 0;
    recordLatency(this.#f, 0, lag, latencyBucket(lag));
  }

  /** A copy of the state, to post to another thread. */
  toJSON(): LagState {
    return this.#f.slice();
  }

  /** Adds a state produced by {@linkcode LagHistogram.toJSON}. */
  merge(state: LagState): void {
    mergeRecorder(this.#f, 0, state, 0);
  }

  /** The statistics (all 0 when empty), rounded to the µs. */
  stats(): SendLagStats {
    const s = recorderStats(this.#f, 0);
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
