/**
 * Execution segments: one instance's share of a test run on n machines.
 * `--segment i/n` (0-based `i`, so a Kubernetes Indexed Job's
 * `JOB_COMPLETION_INDEX` maps straight to it) or k6's `--segment a:b` with
 * `a = i/n`, `b = (i+1)/n`.
 *
 * How the load splits, with no rounding drift:
 * - arrival rates: the schedule's global iterations are striped, iteration
 *   `j` going to instance `j mod n` (and inside it to worker
 *   `(j div n) mod workers`): the n instances together issue exactly the
 *   iterations one instance would, at the same instants. 3 instances of
 *   10 RPS issue 10 RPS in total, each 10/3.
 * - VUs (and arrival-rate pools, stage targets): instance `i` takes
 *   `floor(N / n)` plus one of the first `N mod n` remainders
 *   ({@linkcode segmentShare}), so the shares add up to N exactly.
 *
 * @module
 */
import type { ScenarioSpec } from "../config/config.ts";
import { isArrivalRate, shareOf } from "../run/executors.ts";

/** One instance's segment: `index` of `count` equal parts (0-based). */
export interface Segment {
  /** 0-based part index, `< count`. */
  index: number;
  /** Number of parts (instances), >= 1. */
  count: number;
}

/** The most parts a test may be cut into. */
export const MAX_SEGMENTS = 10_000;

/**
 * Parses `i/n` (0-based) or `a:b` (fractions or decimals of the whole, equal
 * parts only). Throws an `Error` with a one-line message naming the problem.
 */
export function parseSegment(text: string): Segment {
  const t = text.trim();
  let m = /^(\d+)\/(\d+)$/.exec(t);
  if (m) {
    const index = Number(m[1]), count = Number(m[2]);
    if (count < 1 || count > MAX_SEGMENTS || index >= count) {
      throw new Error(
        `--segment ${text}: need 0 <= i < n <= ${MAX_SEGMENTS} in i/n (i is 0-based)`,
      );
    }
    return { index, count };
  }
  m = /^([0-9./]+):([0-9./]+)$/.exec(t);
  if (m) {
    const a = fraction(m[1]), b = fraction(m[2]);
    if (Number.isNaN(a) || Number.isNaN(b) || !(a >= 0 && a < b && b <= 1)) {
      throw new Error(`--segment ${text}: need 0 <= a < b <= 1 in a:b`);
    }
    const count = Math.round(1 / (b - a)), index = Math.round(a * count);
    const close = (x: number, y: number) => Math.abs(x - y) < 1e-9;
    if (count > MAX_SEGMENTS || !close(a, index / count) || !close(b, (index + 1) / count)) {
      throw new Error(
        `--segment ${text}: only equal parts are supported (a = i/n, b = (i+1)/n), ` +
          "because the parts interleave iterations; use i/n",
      );
    }
    return { index, count };
  }
  throw new Error(`--segment ${text}: expected i/n (e.g. 0/3) or a:b (e.g. 0:1/3)`);
}

function fraction(s: string): number {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (m) return Number(m[2]) > 0 ? Number(m[1]) / Number(m[2]) : NaN;
  return /^\d*\.?\d+$|^\d+\.$/.test(s) ? Number(s) : NaN;
}

/** `i/n`, as `--segment` takes it. */
export function segmentLabel(s: Segment): string {
  return `${s.index}/${s.count}`;
}

/** The segment's share of `total` whole items (VUs): the shares over all parts add up to `total`. */
export function segmentShare(total: number, s: Segment | undefined): number {
  return s === undefined ? total : shareOf(total, s.index, s.count);
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

/**
 * The scenarios one segment runs: VU counts (constant and ramping VUs, stage
 * targets) are the segment's shares; arrival-rate scenarios keep their rate
 * and get the segment as their `stripe` (the pacer issues only the
 * segment's iterations), with pools of at least 1 VU so that no segment's
 * iterations go unissued (a pool is a cap: the segments' pools may add up
 * to one VU more per segment than configured).
 */
export function segmentScenarios(
  scenarios: readonly ScenarioSpec[],
  segment: Segment | undefined,
): ScenarioSpec[] {
  if (segment === undefined) return [...scenarios];
  const share = (n: number) => segmentShare(n, segment);
  return scenarios.map((s) => {
    if (isArrivalRate(s)) {
      return {
        ...s,
        preAllocatedVUs: Math.max(1, share(s.preAllocatedVUs)),
        maxVUs: Math.max(1, share(s.maxVUs)),
        stripe: { ...segment },
      };
    }
    return {
      ...s,
      vus: share(s.vus),
      stages: s.stages.map((st) => ({ ...st, target: share(st.target) })),
    };
  });
}
