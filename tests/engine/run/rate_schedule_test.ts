import assert from "node:assert/strict";
import { MAX_PACER_RATE, RateSchedule } from "../../../examples/lunge/run/_rate_schedule.ts";
import { Pacer } from "../../../examples/lunge/run/pacer.ts";

Deno.test("RateSchedule: a constant rate is due at j / rate, with the total rounded up", () => {
  const s = new RateSchedule([{ durationMs: 1_000, fromRate: 200, toRate: 200 }]);
  assert.equal(s.total, 200);
  assert.equal(s.dueOffset(0), 0);
  assert.equal(s.dueOffset(1), 5);
  assert.equal(s.dueOffset(199), 995);
  assert.equal(s.cumulative(500), 100);
  assert.equal(s.cumulative(5_000), 200);
});

Deno.test("RateSchedule: a ramp from 0 integrates the linear rate (slow start), due offsets invert it", () => {
  // 0 -> 100/s over 1 s: 50 iterations; then 100/s for 1 s: 100 more.
  const s = new RateSchedule([
    { durationMs: 1_000, fromRate: 0, toRate: 100 },
    { durationMs: 1_000, fromRate: 100, toRate: 100 },
  ]);
  assert.equal(s.total, 150);
  assert.ok(Math.abs(s.cumulative(500) - 12.5) < 1e-9);
  for (const j of [1, 12, 49, 50, 51, 149]) {
    const t = s.dueOffset(j);
    assert.ok(
      Math.abs(s.cumulative(t) - j) < 1e-6,
      `j=${j}: cumulative(${t}) = ${s.cumulative(t)}`,
    );
  }
});

Deno.test("RateSchedule and Pacer refuse negative rates and rates above MAX_PACER_RATE", () => {
  assert.throws(() => new RateSchedule([{ durationMs: 1, fromRate: -1, toRate: 1 }]), RangeError);
  assert.throws(
    () => new RateSchedule([{ durationMs: 1_000, fromRate: 1e12, toRate: 1e12 }]),
    /above the pacer's limit of 100000\/s/,
  );
  assert.throws(
    () => new Pacer({ segments: [{ durationMs: 1, fromRate: 0, toRate: MAX_PACER_RATE + 1 }] }),
    RangeError,
  );
});
