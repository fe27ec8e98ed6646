import assert from "node:assert/strict";
import {
  longTimeout,
  MAX_TIMER_MS,
  type TimerHost,
  wait,
} from "../../../examples/lunge/run/_timer.ts";

/** A fake clock with timers that fire when time is advanced; it records every delay asked for. */
class FakeTimers implements TimerHost {
  time = 0;
  delays: number[] = [];
  #timers = new Map<number, { at: number; fn: () => void }>();
  #id = 0;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    // A real setTimeout fires after 1 ms for delays past 2^31 - 1: refuse them here.
    assert.ok(ms <= MAX_TIMER_MS, `setTimeout(${ms}) overflows`);
    this.delays.push(ms);
    this.#timers.set(++this.#id, { at: this.time + ms, fn });
    return this.#id;
  }
  clearTimeout(id: unknown): void {
    this.#timers.delete(id as number);
  }
  /** Advances to `t`, firing due timers in order. */
  advanceTo(t: number): void {
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.#timers) if (e[1].at <= t && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = t;
  }
  get pending(): number {
    return this.#timers.size;
  }
}

const HOUR = 3_600_000;

Deno.test("longTimeout: a 597 h delay is waited in chunks of at most 2^31 - 1 ms and fires at 597 h", () => {
  const clock = new FakeTimers();
  let firedAt = -1;
  longTimeout(() => firedAt = clock.now(), 597 * HOUR, clock);
  clock.advanceTo(596 * HOUR);
  assert.equal(firedAt, -1, "fired early");
  clock.advanceTo(597 * HOUR - 1);
  assert.equal(firedAt, -1, "fired early");
  clock.advanceTo(600 * HOUR);
  assert.equal(firedAt, 597 * HOUR);
  assert.ok(clock.delays.length >= 2, `one timer for ${597 * HOUR} ms`);
  assert.ok(clock.delays.every((d) => d <= MAX_TIMER_MS));
  assert.equal(clock.pending, 0);
});

Deno.test("longTimeout: a host timer that fires early re-arms for the rest", () => {
  const clock = new FakeTimers();
  // This host fires every timer at 60 % of its delay.
  const early: TimerHost = {
    now: () => clock.now(),
    setTimeout: (fn, ms) => clock.setTimeout(fn, Math.ceil(ms * 0.6)),
    clearTimeout: (id) => clock.clearTimeout(id),
  };
  let firedAt = -1;
  longTimeout(() => firedAt = clock.now(), 1_000, early);
  clock.advanceTo(999);
  assert.equal(firedAt, -1, "fired before its delay");
  clock.advanceTo(2_000);
  assert.ok(firedAt >= 999.5 && firedAt <= 1_001, `fired at ${firedAt}`);
});

Deno.test("longTimeout: cancel before and between chunks stops it", () => {
  const clock = new FakeTimers();
  let fired = 0;
  const t = longTimeout(() => fired++, 3 * MAX_TIMER_MS, clock);
  clock.advanceTo(MAX_TIMER_MS + 5);
  t.cancel();
  clock.advanceTo(10 * MAX_TIMER_MS);
  assert.equal(fired, 0);
  assert.equal(clock.pending, 0);
});

Deno.test("longTimeout: short delays are one timer; bad delays are a RangeError naming the value", () => {
  const clock = new FakeTimers();
  let fired = 0;
  longTimeout(() => fired++, 5, clock);
  assert.deepEqual(clock.delays, [5]);
  clock.advanceTo(5);
  assert.equal(fired, 1);
  assert.throws(
    () => longTimeout(() => {}, Infinity, clock),
    /finite number of ms >= 0 \(got Infinity\)/,
  );
  assert.throws(() => longTimeout(() => {}, -1, clock), RangeError);
  assert.throws(() => longTimeout(() => {}, NaN, clock), RangeError);
});

Deno.test("wait: resolves after the delay, or at once when its signal aborts", async () => {
  const clock = new FakeTimers();
  let done = false;
  const p = wait(10 * MAX_TIMER_MS, undefined, clock).then(() => done = true);
  clock.advanceTo(10 * MAX_TIMER_MS - 1);
  await Promise.resolve();
  assert.equal(done, false);
  clock.advanceTo(10 * MAX_TIMER_MS);
  await p;
  assert.equal(done, true);

  const ac = new AbortController();
  const q = wait(597 * HOUR, ac.signal, clock);
  ac.abort();
  await q; // would hang (the fake clock never advances) if abort did not end it
  assert.equal(clock.pending, 0);
  await wait(1_000, ac.signal, clock); // already aborted: at once
});

Deno.test("wait: real timers, 597 h does not fire at once (no 1 ms overflow) and ends on abort", async () => {
  const ac = new AbortController();
  let ended = false;
  const p = wait(597 * HOUR, ac.signal).then(() => ended = true);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(ended, false, "a 597 h wait ended within 30 ms");
  ac.abort();
  await p;
  assert.equal(ended, true);
});
