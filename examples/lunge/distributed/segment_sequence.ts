/**
 * Execution segment sequences (k6's `--execution-segment-sequence`): the
 * points `0 = p0 < p1 < … < pm = 1` that cut a test into m parts, the same
 * on every instance, and which part owns which global iteration.
 *
 * With `L` the least common multiple of the points' denominators, part k
 * owns exactly `(p(k+1) - pk) * L` of every block of `L` consecutive global
 * iterations: residue `r = j mod L` of iteration `j` goes to the part given
 * by {@linkcode sequenceOwners}. The table is built as a proportionate-fair
 * (Pfair) schedule: at each residue, among the parts that are not ahead of
 * their share, the one whose next iteration is due soonest (its deadline
 * `ceil((owned + 1) * L / weight)`), ties to the lower index. Every part's
 * count over the first `t` iterations then differs from `share * t` by less
 * than 1 (over any `t` consecutive iterations, by less than 2), and for
 * equal parts (`0, 1/n, …, 1`) the table is `r -> r`.
 *
 * @module
 */
import {
  compare,
  formatRational,
  lcm,
  parseRational,
  type Rational,
  subtract,
} from "./_rational.ts";

/** The longest block `L` (least common multiple of a sequence's denominators). */
export const MAX_SEQUENCE_PERIOD = 10_000;

/** A checked sequence: its points and block length. */
export interface SegmentSequence {
  /** The points, strictly increasing from 0 to 1, reduced. */
  points: readonly Rational[];
  /** `L`: the least common multiple of the points' denominators. */
  period: number;
}

/**
 * Parses `0,a,b,…,1` (fractions such as `1/3` or decimals such as `0.35`)
 * into exact rationals. Throws an `Error` with a one-line message naming
 * `--segment-sequence` and what is wrong.
 */
export function parseSegmentSequence(text: string): SegmentSequence {
  const what = `--segment-sequence ${text}`;
  const parts = text.split(",");
  const points = parts.map((p) => parseRational(p));
  const bad = points.findIndex((p) => p === undefined);
  if (bad >= 0) {
    throw new Error(
      `${what}: ${JSON.stringify(parts[bad].trim())} is not a fraction (1/3) or decimal (0.25)`,
    );
  }
  const ps = points as Rational[];
  if (ps.length < 2 || ps[0].num !== 0 || compare(ps[ps.length - 1], { num: 1, den: 1 }) !== 0) {
    throw new Error(`${what}: must start at 0 and end at 1, e.g. 0,1/4,3/4,1`);
  }
  for (let i = 1; i < ps.length; i++) {
    if (compare(ps[i - 1], ps[i]) >= 0) {
      throw new Error(
        `${what}: points must increase strictly (${parts[i].trim()} after ${parts[i - 1].trim()})`,
      );
    }
  }
  let period = 1;
  for (const p of ps) {
    period = lcm(period, p.den);
    if (period > MAX_SEQUENCE_PERIOD) {
      throw new Error(
        `${what}: the denominators' least common multiple is above ${MAX_SEQUENCE_PERIOD}; use coarser fractions`,
      );
    }
  }
  return { points: ps, period };
}

/** The sequence as text, canonical (`0,1/4,3/4,1`): the same points give the same text. */
export function formatSequence(seq: SegmentSequence): string {
  return seq.points.map(formatRational).join(",");
}

/** Whether the sequence cuts the whole into equal parts (`0, 1/n, 2/n, …, 1`). */
export function isEqualParts(seq: SegmentSequence): boolean {
  const n = seq.points.length - 1;
  return seq.points.every((p, i) => compare(p, { num: i, den: n }) === 0);
}

/** Each part's residues per block of `L`: `(p(k+1) - pk) * L`, adding up to `L`. */
export function partWeights(seq: SegmentSequence): number[] {
  const w: number[] = [];
  for (let k = 0; k + 1 < seq.points.length; k++) {
    const d = subtract(seq.points[k + 1], seq.points[k]);
    w.push((d.num * seq.period) / d.den);
  }
  return w;
}

/**
 * The owner of each residue `0 … L-1`: the part index (0-based) that runs
 * the global iterations `j` with `j mod L = r`. Deterministic: every
 * instance builds the same table from the same sequence. O(L · parts).
 */
export function sequenceOwners(seq: SegmentSequence): number[] {
  const L = seq.period, w = partWeights(seq);
  const owned = w.map(() => 0);
  const owners: number[] = [];
  for (let r = 0; r < L; r++) {
    let best = -1, bestDeadline = Infinity;
    for (let k = 0; k < w.length; k++) {
      // Eligible when its next iteration's window has opened: owned/w < (r+1)/L.
      if (owned[k] * L >= (r + 1) * w[k]) continue;
      const deadline = Math.ceil(((owned[k] + 1) * L) / w[k]);
      if (deadline < bestDeadline) [best, bestDeadline] = [k, deadline];
    }
    // Earliest-deadline-first meets every window when the weights add up to L,
    // so some part is always eligible; a failure here would be a bug.
    if (best < 0) throw new Error(`segment sequence: no part eligible at residue ${r}`);
    owned[best]++;
    owners.push(best);
  }
  return owners;
}
