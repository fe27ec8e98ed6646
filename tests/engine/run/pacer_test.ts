import assert from "node:assert/strict";
import { LagHistogram } from "../../../examples/lunge/run/_lag_histogram.ts";
import {
  iterationsBy,
  pace,
  Pacer,
  type RateSegment,
  totalIterations,
} from "../../../examples/lunge/run/pacer.ts";

/** A clock the test moves by hand. */
class FakeClock {
  t = 1_000;
  now(): number {
    return this.t;
  }
}

const constant = (rate: number, durationMs: number): RateSegment[] => [
  { durationMs, fromRate: rate, toRate: rate },
];

/** Runs a pacer on a fake clock ticking every `tickMs`; returns every scheduled time. */
async function drive(
  pacer: Pacer,
  clock: FakeClock,
  tickMs: number,
): Promise<number[]> {
  const released: number[] = [];
  pacer.start();
  await pace(pacer, (t) => released.push(t), {
    stopped: () => false,
    clock,
    sleep: () => {
      clock.t += tickMs;
      return Promise.resolve();
    },
  });
  return released;
}

Deno.test("pacer: 200/s for 10 s on a 2 ms tick releases exactly 2000, evenly spaced", async () => {
  const clock = new FakeClock();
  const pacer = new Pacer({ segments: constant(200, 10_000), clock });
  const times = await drive(pacer, clock, 2);
  assert.equal(times.length, 2000);
  assert.equal(pacer.released, 2000);
  for (let k = 0; k < times.length; k++) assert.equal(times[k], 1_000 + k * 5);
});

Deno.test("pacer: 10,000/s on a 2.1 ms tick releases 20-21 per tick, no drift", () => {
  const clock = new FakeClock();
  const pacer = new Pacer({ segments: constant(10_000, 1_000), clock });
  const released: number[] = [];
  const batches: number[] = [];
  pacer.start();
  while (!pacer.done) {
    batches.push(pacer.poll((t) => released.push(t)));
    clock.t += 2.1;
  }
  assert.equal(released.length, 10_000);
  // Each batch is what fell due during one tick: never more than a tick's worth + 1.
  assert(Math.max(...batches) <= 22, `largest batch ${Math.max(...batches)}`);
  // The 5000th iteration is due at exactly 500 ms, whatever the tick.
  assert.equal(released[5000], 1_000 + 500);
  // Nothing is released before it is due.
  for (let i = 1; i < released.length; i++) assert(released[i] >= released[i - 1]);
});

Deno.test("pacer: never releases an iteration before its due time", () => {
  const clock = new FakeClock();
  const pacer = new Pacer({ segments: constant(1000, 100), clock });
  pacer.start();
  let n = 0;
  for (let step = 0; step < 200; step++) {
    pacer.poll((t) => {
      assert(t <= clock.now(), "released early");
      n++;
    });
    clock.t += 0.7;
  }
  assert.equal(n, 100);
  assert(pacer.done);
});

Deno.test("pacer: a ramp from 0 integrates the rate (slow start, exact total)", () => {
  // 0 -> 100/s over 10 s: 500 iterations; the first half of the time holds a quarter of them.
  const seg: RateSegment[] = [{ durationMs: 10_000, fromRate: 0, toRate: 100 }];
  assert.equal(totalIterations(seg), 500);
  assert.equal(iterationsBy(seg, 5_000), 125);
  const clock = new FakeClock();
  const pacer = new Pacer({ segments: seg, clock });
  pacer.start();
  const times: number[] = [];
  while (!pacer.done) {
    pacer.poll((t) => times.push(t - 1_000));
    clock.t += 2;
  }
  assert.equal(times.length, 500);
  assert.equal(times.filter((t) => t < 5_000).length, 125);
  // Iteration k is due at sqrt(k / 0.05) seconds: k = 125 at 5 s.
  assert(Math.abs(times[125] - 5_000) < 1e-6);
});

Deno.test("pacer: multi-stage ramp up, hold, down issues the profile's area", () => {
  const seg: RateSegment[] = [
    { durationMs: 2_000, fromRate: 0, toRate: 50 },
    { durationMs: 3_000, fromRate: 50, toRate: 50 },
    { durationMs: 2_000, fromRate: 50, toRate: 0 },
  ];
  assert.equal(totalIterations(seg), 50 + 150 + 50);
  const clock = new FakeClock();
  const pacer = new Pacer({ segments: seg, clock });
  pacer.start();
  let n = 0;
  while (!pacer.done) {
    n += pacer.poll(() => {});
    clock.t += 3;
  }
  assert.equal(n, 250);
});

Deno.test("pacer: stride/offset pacers together issue the global schedule, interleaved", () => {
  const clock = new FakeClock();
  const seg = constant(300, 1_000);
  const all: number[] = [];
  const pacers = [0, 1, 2].map((offset) => new Pacer({ segments: seg, clock, stride: 3, offset }));
  for (const p of pacers) p.start();
  while (!pacers.every((p) => p.done)) {
    for (const p of pacers) p.poll((t) => all.push(t));
    clock.t += 2;
  }
  assert.equal(all.length, 300);
  all.sort((a, b) => a - b);
  for (let k = 0; k < 300; k++) assert(Math.abs(all[k] - (1_000 + k * 10 / 3)) < 1e-9);
  assert.deepEqual(pacers.map((p) => p.released), [100, 100, 100]);
});

Deno.test("pacer: after a stall it releases only the backlog, and skips what is older than maxLag", () => {
  const clock = new FakeClock();
  const pacer = new Pacer({ segments: constant(1000, 10_000), clock, maxLagMs: 100 });
  pacer.start();
  assert.equal(pacer.poll(() => {}), 1); // iteration 0 at t0
  clock.t += 50; // a 50 ms stall: within maxLag, the whole backlog is released
  assert.equal(pacer.poll(() => {}), 50);
  assert.equal(pacer.skipped, 0);
  clock.t += 500; // a 500 ms stall: iterations 51..449, due more than 100 ms ago, are skipped
  const late: number[] = [];
  const n = pacer.poll((t) => late.push(clock.now() - t));
  assert.equal(pacer.skipped, 399);
  assert.equal(n, 101); // 450..550: due within the last 100 ms
  assert.equal(pacer.msUntilNext(), 1);
  assert(Math.max(...late) <= 100);
  assert.equal(pacer.released + pacer.skipped, 551);
});

Deno.test("pacer: rejects bad options and polling before start", () => {
  assert.throws(() => new Pacer({ segments: constant(10, 10), stride: 0 }), RangeError);
  assert.throws(() => new Pacer({ segments: constant(10, 10), stride: 2, offset: 2 }), RangeError);
  assert.throws(() => new Pacer({ segments: constant(-1, 10) }), RangeError);
  assert.throws(() => new Pacer({ segments: constant(10, 10) }).poll(() => {}), Error);
});

Deno.test("pacer: real time, 500/s for 1 s lands within generous bounds", async () => {
  const pacer = new Pacer({ segments: constant(500, 1_000) });
  let n = 0;
  let maxLate = 0;
  const t0 = performance.now();
  pacer.start();
  await pace(pacer, (t) => {
    n++;
    maxLate = Math.max(maxLate, performance.now() - t);
  }, { stopped: () => false });
  const elapsed = performance.now() - t0;
  assert.equal(n, 500);
  assert(elapsed >= 990 && elapsed < 1_600, `took ${elapsed} ms`);
  assert(maxLate < 250, `an iteration was ${maxLate} ms late`);
});

Deno.test("send-lag histogram: percentiles within 0.4 %, merge across workers", () => {
  const a = new LagHistogram();
  const b = new LagHistogram();
  for (let i = 0; i < 99; i++) a.record(0.55);
  b.record(1500); // a long stall: exact in max and mean
  b.record(-1); // early (clock skew) counts as 0
  const merged = new LagHistogram();
  merged.merge(a.toJSON());
  merged.merge(b.toJSON());
  const s = merged.stats();
  assert.equal(s.count, 101);
  // Ranks 2..100 of the 101 sorted lags are 0.55 ms: both p50 and p99.
  assert.ok(Math.abs(s.p50 - 0.55) / 0.55 <= 0.004, `p50 ${s.p50}`);
  assert.ok(Math.abs(s.p99 - 0.55) / 0.55 <= 0.004, `p99 ${s.p99}`);
  assert.equal(s.max, 1500);
  assert.ok(Math.abs(s.mean - (99 * 0.55 + 1500) / 101) < 1e-3);
  assert.deepEqual(new LagHistogram().stats(), { count: 0, mean: 0, p50: 0, p99: 0, max: 0 });
});
