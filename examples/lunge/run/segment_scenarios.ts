/**
 * An execution segment's share of the schedule: the scenarios one segment
 * runs (../distributed/segment.ts holds the segment arithmetic).
 *
 * @module
 */
import type { ScenarioSpec } from "../config/config.ts";
import { type Segment, segmentStripe } from "../distributed/segment.ts";
import { stripeShare } from "../distributed/stripe.ts";
import { isArrivalRate } from "./executors.ts";

/**
 * The scenarios one segment runs, each with the segment's `stripe`.
 * Arrival-rate scenarios keep their rate (the pacer issues only the
 * stripe's iterations) and get the segment's shares of their pools, at
 * least 1 VU so that no segment's iterations go unissued (a pool is a cap:
 * the segments' pools may add up to one VU more per segment than
 * configured). VU scenarios keep the whole test's `vus` and stages: the
 * worker takes the stripe's share of the whole target at each instant.
 */
export function segmentScenarios(
  scenarios: readonly ScenarioSpec[],
  segment: Segment | undefined,
): ScenarioSpec[] {
  if (segment === undefined) return [...scenarios];
  const stripe = segmentStripe(segment);
  const share = (n: number) => stripeShare(n, stripe);
  return scenarios.map((s) => {
    if (isArrivalRate(s)) {
      return {
        ...s,
        preAllocatedVUs: Math.max(1, share(s.preAllocatedVUs)),
        maxVUs: Math.max(1, share(s.maxVUs)),
        stripe,
      };
    }
    return { ...s, stripe };
  });
}
