/**
 * `lunge compare`'s test is calibrated: over pairs of simulated runs drawn
 * from one distribution, with the latency level, throughput and error rate
 * drifting from second to second (AR(1)), it flags at most about alpha of
 * them, for moderate (rho 0.5) and slow (rho 0.8) drift, where the block
 * bootstrap it replaced flagged three times alpha; it detects a known
 * shift at the rate bench/engine/compare_calibration.ts states; and a test
 * that treats the requests as independent, on the same pairs, is far off
 * (why the seconds).
 */
import assert from "node:assert/strict";
import { calibrate, DEFAULT_MODEL } from "../../../examples/lunge/compare/calibration.ts";

const ALPHA = 0.05;
const PAIRS = 200;
const RESAMPLES = 200;
const FIGURES = ["p50", "p90", "p95", "p99", "p99.9", "rps", "error_rate"] as const;
/** At most 2 alpha: a calibrated test (5 %) is 3.2 binomial SDs (1.5 pp at 200 pairs) below it. */
const CEILING = 2 * ALPHA;

function falsePositives(levelRho: number, method?: "block") {
  return calibrate({
    pairs: PAIRS,
    resamples: RESAMPLES,
    alpha: ALPHA,
    method,
    model: { ...DEFAULT_MODEL, levelRho },
  }).flagged;
}

function assertCalibrated(flagged: Record<string, number>, what: string) {
  for (const m of FIGURES) {
    assert.ok(
      flagged[m] <= CEILING,
      `${what}, ${m}: ${(flagged[m] * 100).toFixed(1)} % flagged, at most ${CEILING * 100} %`,
    );
  }
}

Deno.test("compare: pairs from one distribution are flagged at most about alpha (drift rho 0.5)", () => {
  const flagged = falsePositives(0.5);
  assertCalibrated(flagged, "rho 0.5");
  // Not blind either: the latency percentiles are flagged at some rate, not never.
  assert.ok(flagged.p50 + flagged.p90 + flagged.p95 > 0, JSON.stringify(flagged));
});

Deno.test("compare: slow drift (rho 0.8) is not taken for a change", () => {
  assertCalibrated(falsePositives(0.8), "rho 0.8");
});

Deno.test("compare: the block bootstrap alone takes slow drift (rho 0.8) for a change", () => {
  // What the drift widening is for: blocks of ~sqrt(20) s miss a drift that outlasts them.
  const flagged = falsePositives(0.8, "block");
  assert.ok(flagged.p50 > CEILING, `p50 ${flagged.p50}`);
  assert.ok(flagged.p95 > CEILING, `p95 ${flagged.p95}`);
});

Deno.test("compare: requests taken as independent flag most equal pairs (the dependence is real)", () => {
  const { flagged } = calibrate({
    pairs: PAIRS,
    resamples: RESAMPLES,
    alpha: ALPHA,
    independent: true,
  });
  assert.ok(flagged.p50 > 0.4, `p50 ${flagged.p50}`);
  assert.ok(flagged.p95 > 0.3, `p95 ${flagged.p95}`);
});

Deno.test("compare: a known shift is detected at the stated rate", () => {
  // Stated (bench, 200 pairs, 20 s, rho 0.5): p50 54 %, p95 58 %, rps 85 %, error rate 69 %.
  const { flagged } = calibrate({
    pairs: 100,
    resamples: RESAMPLES,
    alpha: ALPHA,
    shift: { latency: 0.4, rps: -0.3, errorRate: 0.02 },
  });
  // Thresholds: the stated rate less about 3 binomial SDs at 100 pairs.
  assert.ok(flagged.p50 >= 0.35, `p50 ${flagged.p50}`);
  assert.ok(flagged.p95 >= 0.35, `p95 ${flagged.p95}`);
  assert.ok(flagged.rps >= 0.65, `rps ${flagged.rps}`);
  assert.ok(flagged.error_rate >= 0.45, `error_rate ${flagged.error_rate}`);
});
