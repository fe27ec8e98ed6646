/**
 * Execution segments: one instance's share of a test run on several machines.
 * `--segment i/n` (0-based `i`, so a Kubernetes Indexed Job's
 * `JOB_COMPLETION_INDEX` maps straight to it) or k6's `--segment a:b`: equal
 * parts `a = i/n, b = (i+1)/n` alone, any other `a:b` with
 * `--segment-sequence 0,…,a,b,…,1` (k6's `--execution-segment-sequence`),
 * the same sequence on every instance. Bounds are exact rationals (`1/3`,
 * `0.35`), never floats.
 *
 * How the load splits, with no rounding drift (segment_sequence.ts):
 * - arrival rates: with `L` the least common multiple of the sequence's
 *   denominators, global iteration `j` runs on the part that owns residue
 *   `j mod L`; each part owns exactly its fraction of every block of `L`,
 *   spread evenly. Equal parts need no table: iteration `j` goes to part
 *   `j mod n` (and inside it to worker `(j div n) mod workers`). The
 *   instances together issue exactly the iterations one instance would, at
 *   the same instants: 3 instances of 10 RPS issue 10 RPS in total.
 * - VUs (constant and ramping VU targets, arrival-rate pools): a part's share
 *   of `N` is how many of the first `N` global iterations it owns
 *   ({@linkcode segmentShare}): the shares add up to `N` exactly and each is
 *   `(b - a) * N` rounded down or up. For equal parts that is today's rule,
 *   `floor(N / n)` plus one for the first `N mod n` parts. Ramping VUs take
 *   the share of the whole test's target at each instant, so the instances'
 *   VUs add up to one machine's at every instant, mid-ramp too.
 *
 * @module
 */
import { type Stripe, stripeShare } from "./stripe.ts";
import { compare, formatRational, parseRational, type Rational, subtract } from "./_rational.ts";
import {
  formatSequence,
  isEqualParts,
  parseSegmentSequence,
  sequenceOwners,
} from "./segment_sequence.ts";

/** One instance's segment: part `index` of `count` (0-based). */
export interface Segment {
  /** 0-based part index, `< count`. */
  index: number;
  /** Number of parts (instances), >= 1. */
  count: number;
  /**
   * The sequence cutting the whole into unequal parts, canonical
   * (`0,1/4,3/4,1`); absent for `count` equal parts.
   */
  sequence?: string;
}

/** The most parts a test may be cut into. */
export const MAX_SEGMENTS = 10_000;

/**
 * Parses `i/n` (0-based) or `a:b` (fractions or decimals of the whole):
 * alone, `a:b` must be one of n equal parts; with `sequence` (the
 * `--segment-sequence` text) it must be two consecutive points of it.
 * Throws an `Error` with a one-line message naming the problem.
 */
export function parseSegment(text: string, sequence?: string): Segment {
  const [a, b] = segmentBounds(text);
  if (sequence === undefined) {
    const width = subtract(b, a), count = width.den;
    // An equal part: b - a = 1/n and a = i/n (a's denominator divides n).
    if (width.num !== 1 || count > MAX_SEGMENTS || count % a.den !== 0) {
      const points = [...(a.num === 0 ? [] : ["0"]), ...text.trim().split(":")];
      if (compare(b, { num: 1, den: 1 }) !== 0) points.push("1");
      throw new Error(
        `--segment ${text}: not one of n equal parts (a = i/n, b = (i+1)/n); unequal parts ` +
          `need --segment-sequence with every part's bounds, the same on every instance ` +
          `(e.g. --segment-sequence ${points.join(",")})`,
      );
    }
    return { index: (a.num * count) / a.den, count };
  }
  const seq = parseSegmentSequence(sequence);
  const index = seq.points.findIndex((p, i) =>
    i + 1 < seq.points.length && compare(p, a) === 0 && compare(seq.points[i + 1], b) === 0
  );
  if (index < 0) {
    throw new Error(
      `--segment ${text}: not two consecutive points of --segment-sequence ${sequence}`,
    );
  }
  const count = seq.points.length - 1;
  return isEqualParts(seq) ? { index, count } : { index, count, sequence: formatSequence(seq) };
}

/** The bounds `[a, b]` of `i/n` or `a:b`; throws a one-line `Error`. */
function segmentBounds(text: string): [Rational, Rational] {
  const t = text.trim();
  let m = /^(\d+)\/(\d+)$/.exec(t);
  if (m) {
    const index = Number(m[1]), count = Number(m[2]);
    if (count < 1 || count > MAX_SEGMENTS || index >= count) {
      throw new Error(
        `--segment ${text}: need 0 <= i < n <= ${MAX_SEGMENTS} in i/n (i is 0-based)`,
      );
    }
    return [parseRational(`${index}/${count}`)!, parseRational(`${index + 1}/${count}`)!];
  }
  m = /^([0-9./]+):([0-9./]+)$/.exec(t);
  if (m) {
    const a = parseRational(m[1]), b = parseRational(m[2]);
    if (!a || !b || compare(a, b) >= 0 || compare(b, { num: 1, den: 1 }) > 0) {
      throw new Error(`--segment ${text}: need 0 <= a < b <= 1 in a:b (e.g. 1/4:3/4 or 0.25:0.75)`);
    }
    return [a, b];
  }
  throw new Error(`--segment ${text}: expected i/n (e.g. 0/3) or a:b (e.g. 0:1/3)`);
}

/** `i/n` for equal parts (as `--segment` takes it), else `a:b` (`1/4:3/4`). */
export function segmentLabel(s: Segment): string {
  if (s.sequence === undefined) return `${s.index}/${s.count}`;
  const p = parseSegmentSequence(s.sequence).points;
  return `${formatRational(p[s.index])}:${formatRational(p[s.index + 1])}`;
}

/**
 * The global iterations the segment owns: `{ period: n, residues: [i] }`
 * for equal parts, else the residues of the sequence's owner table whose
 * owner is this part.
 */
export function segmentStripe(s: Segment): Stripe {
  if (s.sequence === undefined) return { period: s.count, residues: [s.index] };
  const seq = parseSegmentSequence(s.sequence);
  const residues: number[] = [];
  sequenceOwners(seq).forEach((owner, r) => {
    if (owner === s.index) residues.push(r);
  });
  return { period: seq.period, residues };
}

/**
 * The segment's share of `total` whole items (VUs): how many of the first
 * `total` global iterations it owns. The shares over all parts add up to
 * `total`, each within 1 of the part's fraction of it.
 */
export function segmentShare(total: number, s: Segment | undefined): number {
  return s === undefined ? total : stripeShare(total, segmentStripe(s));
}

/**
 * Parses `--start-at`: an ISO-8601 time with a zone (`2026-11-28T10:00:00Z`)
 * within the next 24 hours of `now` (and not passed). Throws a one-line `Error` otherwise.
 */
export function parseStartAt(text: string, now = Date.now()): number {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(text.trim())) {
    throw new Error(
      `--start-at ${text}: expected an ISO-8601 time with a zone, e.g. 2026-11-28T10:00:00Z`,
    );
  }
  const t = Date.parse(text);
  if (!Number.isFinite(t)) throw new Error(`--start-at ${text}: not a valid time`);
  if (t > now + 86_400_000) throw new Error(`--start-at ${text}: more than 24 hours ahead`);
  if (t < now - 1000) {
    throw new Error(`--start-at ${text}: already passed (the instances would not start together)`);
  }
  return t;
}
