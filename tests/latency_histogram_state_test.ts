/**
 * `LatencyHistogram.toState` / `fromState`: a histogram's exact state
 * crosses a real Worker and back (structured clone) with every statistic
 * exact, merges like the histogram itself, and a state that is not one is
 * refused with a message naming what is wrong, in the Worker too.
 */
import assert from "node:assert/strict";
import { LatencyHistogram, type LatencyStats } from "@lunge/metrics";
import { mulberry32 } from "./_prng.ts";

interface Reply {
  state?: Float64Array;
  stats?: LatencyStats;
  error?: string;
}

async function roundTrip(state: unknown, record: number[]): Promise<Reply> {
  const worker = new Worker(new URL("./_histogram_state_worker.ts", import.meta.url).href, {
    type: "module",
  });
  try {
    const reply = new Promise<Reply>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(e.error ?? e.message);
    });
    worker.postMessage({ state, record });
    return await reply;
  } finally {
    worker.terminate();
  }
}

function latencies(seed: number, n: number): number[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, () => Math.exp(Math.log(0.01) + rnd() * Math.log(1e6)));
}

Deno.test("LatencyHistogram state: through a Worker and back, every statistic exact", async () => {
  const mine = latencies(1, 5000), theirs = latencies(2, 3000);
  const h = new LatencyHistogram();
  for (const ms of mine) h.record(ms);
  const all = h.clone();
  for (const ms of theirs) all.record(ms);
  const reply = await roundTrip(h.toState(), theirs);
  assert.equal(reply.error, undefined);
  // The Worker saw exactly what recording everything here gives.
  assert.deepEqual(reply.stats, all.stats());
  const back = LatencyHistogram.fromState(reply.state!);
  assert.deepEqual(back.stats(), all.stats());
  assert.deepEqual(back.buckets(), all.buckets());
  assert.equal(await back.toHdrBase64(), await all.toHdrBase64());
  // Merging rebuilt states equals merging the histograms.
  const merged = new LatencyHistogram().merge(LatencyHistogram.fromState(h.toState()));
  merged.merge(LatencyHistogram.fromState(back.toState()));
  assert.deepEqual(merged.stats(), h.clone().merge(all).stats());
});

Deno.test("LatencyHistogram state: an empty histogram's state rebuilds empty", async () => {
  const reply = await roundTrip(new LatencyHistogram().toState(), []);
  assert.equal(reply.stats?.count, 0);
  assert.deepEqual(
    LatencyHistogram.fromState(reply.state!).stats(),
    new LatencyHistogram().stats(),
  );
});

Deno.test("LatencyHistogram state: what is not one is refused, naming what is wrong", async () => {
  const h = new LatencyHistogram();
  for (const ms of [1, 2, 3, 400]) h.record(ms);
  const good = h.toState();
  const bucketOf1ms = 8 + 1780;
  const corrupt = (change: (f: Float64Array) => void) => {
    const f = good.slice();
    change(f);
    return f;
  };
  const cases: [string, unknown, RegExp][] = [
    ["a short array", new Float64Array(3), /3 words, not 4616/],
    ["a NaN word", corrupt((f) => f[3] = NaN), /word 3 is NaN/],
    ["a fractional count", corrupt((f) => f[0] = 4.5), /count 4.5 is not an integer/],
    ["a count off by one", corrupt((f) => f[0] = 5), /buckets hold 4 samples, the count says 5/],
    ["a negative bucket", corrupt((f) => f[bucketOf1ms] = -1), /holds -1, not an integer/],
    ["a bucket out of range", corrupt((f) => f[8 + 4000] = 1), /bucket 4000 is outside/],
    ["min above max", corrupt((f) => f[4] = 500), /out of order/],
    ["an empty one with a max", corrupt((f) => f.fill(0, 0, 8).fill(0, 8).fill(7, 5, 6)), /empty/],
  ];
  for (const [what, state, message] of cases) {
    assert.throws(() => LatencyHistogram.fromState(state as Float64Array), (e) => {
      assert.ok(e instanceof RangeError, `${what}: ${e}`);
      assert.match(e.message, /^LatencyHistogram\.fromState: not a histogram's state: /, what);
      assert.match(e.message, message, what);
      return true;
    });
  }
  assert.throws(() => LatencyHistogram.fromState([1, 2] as unknown as Float64Array), TypeError);
  // In a Worker, too: the refusal crosses back as a message.
  const reply = await roundTrip(corrupt((f) => f[0] = 5), [1]);
  assert.match(reply.error ?? "", /^RangeError: .*the count says 5/);
});
