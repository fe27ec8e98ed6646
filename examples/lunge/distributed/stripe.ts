/**
 * A stripe: the global iterations one execution segment (or one worker of
 * it) owns. Iteration `j` of a schedule is owned when `j mod period` is one
 * of `residues`. The same stripe also splits whole items such as VUs: a
 * stripe's share of `N` is how many of the first `N` global iterations it
 * owns ({@linkcode stripeShare}), so the shares of all stripes of one split
 * add up to `N` at every `N`, and taking the share of the whole test's VU
 * target at each instant keeps the instances' VUs summing to one machine's.
 *
 * @module
 */
import type { ScenarioSpec } from "../config/config.ts";

/** Global iterations `j` with `j mod period` in `residues` (ascending, distinct, `< period`). */
export type Stripe = NonNullable<ScenarioSpec["stripe"]>;

/** The stripe that owns everything. */
export const WHOLE: Stripe = { period: 1, residues: [0] };

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** How many of `residues` (ascending) are below `x`. */
function countBelow(residues: readonly number[], x: number): number {
  let lo = 0, hi = residues.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (residues[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * How many of the global iterations `0 … total-1` the stripe owns (all of
 * them without a stripe). The shares of a split's stripes add up to `total`.
 */
export function stripeShare(total: number, stripe: Stripe | undefined): number {
  if (stripe === undefined) return total;
  const whole = Math.floor(total / stripe.period);
  return whole * stripe.residues.length +
    countBelow(stripe.residues, total - whole * stripe.period);
}

/** The fraction of all iterations the stripe owns (1 without a stripe). */
export function stripeFraction(stripe: Stripe | undefined): number {
  return stripe === undefined ? 1 : stripe.residues.length / stripe.period;
}

/**
 * Worker `index` of `workers`' part of a segment's stripe: the segment's own
 * iterations, in order, are dealt round-robin to its workers (its m-th to
 * worker `m mod workers`), as `shareOf` splits VUs. For a stripe
 * `{ period: n, residues: [i] }` this is `{ period: n * workers, residues:
 * [i + n * index] }`: every `(n * workers)`-th iteration.
 */
export function workerStripe(stripe: Stripe | undefined, index: number, workers: number): Stripe {
  const s = stripe ?? WHOLE;
  const c = s.residues.length;
  // After lcm(c, workers) of the segment's iterations the deal repeats.
  const m = (c / gcd(c, workers)) * workers;
  const residues: number[] = [];
  for (let t = index; t < m; t += workers) {
    residues.push(Math.floor(t / c) * s.period + s.residues[t % c]);
  }
  return { period: (m / c) * s.period, residues };
}
