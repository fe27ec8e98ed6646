import assert from "node:assert/strict";
import { type ScenarioSpec, validateConfig } from "../../../examples/lunge/config/config.ts";
import {
  peakRate,
  peakVUs,
  phaseAt,
  phaseTimeline,
  rateSegments,
  runDurationMs,
  shareOf,
  stageIndexAt,
  targetAt,
  workerCount,
} from "../../../examples/lunge/run/executors.ts";
import { totalIterations } from "../../../examples/lunge/run/pacer.ts";

function scenario(fields: Record<string, unknown>): ScenarioSpec {
  return validateConfig({
    scenarios: { s: { requests: [{ url: "http://127.0.0.1:1/" }], ...fields } },
  }).scenarios[0];
}

Deno.test("executors: constant-vus holds its VUs for the duration, then 0", () => {
  const s = scenario({ executor: "constant-vus", vus: 7, duration: "2s" });
  assert.equal(targetAt(s, 0), 7);
  assert.equal(targetAt(s, 1_999), 7);
  assert.equal(targetAt(s, 2_000), 0);
  assert.equal(peakVUs(s), 7);
  assert.equal(runDurationMs([s]), 2_000);
  assert.equal(phaseAt([s], 500), "steady");
  assert.equal(phaseAt([s], 2_000), "cooldown");
});

Deno.test("executors: ramping-vus moves linearly from vus through the stages", () => {
  const s = scenario({
    executor: "ramping-vus",
    vus: 2,
    stages: [{ duration: "10s", target: 12 }, { duration: "5s", target: 12 }, {
      duration: "5s",
      target: 0,
    }],
  });
  assert.equal(targetAt(s, 0), 2);
  assert.equal(targetAt(s, 5_000), 7);
  assert.equal(targetAt(s, 12_000), 12);
  assert.equal(targetAt(s, 17_500), 6);
  assert.equal(targetAt(s, 20_000), 0);
  assert.equal(peakVUs(s), 12);
  assert.deepEqual([0, 10_000, 15_000, 19_999].map((t) => stageIndexAt(s, t)), [0, 1, 2, 2]);
  assert.deepEqual([1_000, 11_000, 16_000].map((t) => phaseAt([s], t)), [
    "ramp-up",
    "steady",
    "ramp-down",
  ]);
  assert.deepEqual(phaseTimeline([s]), [
    { offsetMs: 0, phase: "ramp-up" },
    { offsetMs: 10_000, phase: "steady" },
    { offsetMs: 15_000, phase: "ramp-down" },
    { offsetMs: 20_000, phase: "cooldown" },
  ]);
});

Deno.test("executors: ramping-arrival-rate ramps from 0, not from the first target", () => {
  const s = scenario({
    executor: "ramping-arrival-rate",
    maxVUs: 10,
    stages: [{ duration: "4s", target: 100 }, { duration: "2s", target: 100 }],
  });
  assert.equal(targetAt(s, 0), 0);
  assert.equal(targetAt(s, 2_000), 50);
  assert.equal(targetAt(s, 5_000), 100);
  assert.deepEqual(rateSegments(s), [
    { durationMs: 4_000, fromRate: 0, toRate: 100 },
    { durationMs: 2_000, fromRate: 100, toRate: 100 },
  ]);
  assert.equal(totalIterations(rateSegments(s)), 200 + 200);
  assert.equal(peakRate(s), 100);
  assert.equal(peakVUs(s), 10);
});

Deno.test("executors: constant-arrival-rate gives one flat segment and pool defaults", () => {
  const s = scenario({ executor: "constant-arrival-rate", rate: 250, duration: "2s" });
  assert.deepEqual(rateSegments(s), [{ durationMs: 2_000, fromRate: 250, toRate: 250 }]);
  assert.equal(totalIterations(rateSegments(s)), 500);
  assert.equal(s.preAllocatedVUs, 25);
  assert.equal(s.maxVUs, 100);
  assert.equal(targetAt(s, 1_000), 250);
});

Deno.test("executors: shares split exactly, remainders to the first workers", () => {
  for (const total of [0, 1, 7, 10, 1000, 1001]) {
    for (const count of [1, 2, 3, 8]) {
      const parts = Array.from({ length: count }, (_, i) => shareOf(total, i, count));
      assert.equal(parts.reduce((a, b) => a + b, 0), total);
      assert.ok(Math.max(...parts) - Math.min(...parts) <= 1);
    }
  }
  assert.deepEqual([0, 1, 2].map((i) => shareOf(7, i, 3)), [3, 2, 2]);
});

Deno.test("executors: worker count is capped by the VUs and at least 1", () => {
  const one = scenario({ executor: "constant-vus", vus: 1, duration: "1s" });
  const many = scenario({ executor: "constant-vus", vus: 50, duration: "1s" });
  assert.equal(workerCount([one], 8), 1);
  assert.equal(workerCount([many], 8), 8);
  assert.equal(workerCount([many], 0), 1);
});

Deno.test("executors: concurrent scenarios: ramp-up wins, then ramp-down, then steady", () => {
  const steady = scenario({ executor: "constant-vus", vus: 1, duration: "10s" });
  const ramp = scenario({
    executor: "ramping-vus",
    stages: [{ duration: "2s", target: 4 }, { duration: "2s", target: 0 }],
  });
  assert.equal(phaseAt([steady, ramp], 1_000), "ramp-up");
  assert.equal(phaseAt([steady, ramp], 3_000), "ramp-down");
  assert.equal(phaseAt([steady, ramp], 5_000), "steady");
  assert.equal(runDurationMs([steady, ramp]), 10_000);
});
