/**
 * `lunge compare`'s test is calibrated: over pairs of simulated runs drawn
 * from one distribution, with the latency level and the error rate
 * drifting from second to second (AR(1), rho 0.5), it flags about alpha of
 * them (within a binomial tolerance); it detects a known shift at the rate
 * bench/engine/compare_calibration.ts states; and a test that treats the
 * requests as independent, on the same pairs, is far off (why the blocks).
 */
import assert from "node:assert/strict";
import { calibrate } from "../../../examples/lunge/compare/calibration.ts";

const ALPHA = 0.05;
const PAIRS = 200;
const RESAMPLES = 200;

Deno.test("compare: pairs from one distribution are flagged about alpha of the time", () => {
  const { flagged } = calibrate({ pairs: PAIRS, resamples: RESAMPLES, alpha: ALPHA });
  const tolerance = 3 * Math.sqrt(ALPHA * (1 - ALPHA) / PAIRS); // 3 binomial SDs: 4.6 pp
  for (const m of ["p50", "p90", "p95", "p99", "rps", "error_rate"] as const) {
    assert.ok(
      Math.abs(flagged[m] - ALPHA) <= tolerance,
      `${m}: ${(flagged[m] * 100).toFixed(1)} % flagged, alpha ${ALPHA * 100} % ± ${
        (tolerance * 100).toFixed(1)
      } pp`,
    );
  }
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
  // Stated (bench, 400 pairs): p50/p95 93-95 %, rps 100 %, error rate 88 %.
  const { flagged } = calibrate({
    pairs: 100,
    resamples: RESAMPLES,
    alpha: ALPHA,
    shift: { latency: 0.4, rps: -0.3, errorRate: 0.02 },
  });
  assert.ok(flagged.p50 >= 0.85, `p50 ${flagged.p50}`);
  assert.ok(flagged.p95 >= 0.85, `p95 ${flagged.p95}`);
  assert.ok(flagged.rps >= 0.95, `rps ${flagged.rps}`);
  assert.ok(flagged.error_rate >= 0.75, `error_rate ${flagged.error_rate}`);
});
