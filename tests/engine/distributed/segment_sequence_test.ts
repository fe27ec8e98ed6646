/**
 * Unequal execution segments (`--segment a:b --segment-sequence 0,…,1`):
 * the residue-to-part table (every global iteration owned once, exact
 * shares per block, evenly spread), VU shares that add up, ramping VU
 * targets that add up to one machine's at every instant, and pacers with a
 * segment's stripe that together issue the global schedule exactly.
 */
import assert from "node:assert/strict";
import { type ScenarioSpec, validateConfig } from "../../../examples/lunge/config/config.ts";
import {
  parseSegment,
  type Segment,
  segmentLabel,
  segmentShare,
  segmentStripe,
} from "../../../examples/lunge/distributed/segment.ts";
import { segmentScenarios } from "../../../examples/lunge/run/segment_scenarios.ts";
import {
  parseSegmentSequence,
  sequenceOwners,
} from "../../../examples/lunge/distributed/segment_sequence.ts";
import { targetAt, workerVUsAt } from "../../../examples/lunge/run/executors.ts";
import { Pacer, type RateSegment } from "../../../examples/lunge/run/pacer.ts";
import { stripeShare, workerStripe } from "../../../examples/lunge/distributed/stripe.ts";

/** The sequences tried, with each part's exact fraction. */
const SEQUENCES: { text: string; fractions: number[] }[] = [
  { text: "0,1/3,2/3,1", fractions: [1 / 3, 1 / 3, 1 / 3] },
  { text: "0,1/4,3/4,1", fractions: [1 / 4, 1 / 2, 1 / 4] },
  { text: "0,1/3,1/2,1", fractions: [1 / 3, 1 / 6, 1 / 2] },
  { text: "0,0.1,0.35,1", fractions: [0.1, 0.25, 0.65] },
];

/** Every part of a sequence, as `--segment a:b --segment-sequence <text>` parses it. */
function parts(text: string): Segment[] {
  const p = text.split(",");
  return p.slice(1).map((b, i) => parseSegment(`${p[i]}:${b}`, text));
}

Deno.test("segment sequence: every global iteration is owned by exactly one part", () => {
  for (const { text } of SEQUENCES) {
    const stripes = parts(text).map(segmentStripe);
    const period = parseSegmentSequence(text).period;
    for (let j = 0; j < 20 * period + 7; j++) {
      const owners = stripes.filter((s) => s.residues.includes(j % s.period));
      assert.equal(owners.length, 1, `${text}: iteration ${j} owned ${owners.length} times`);
    }
  }
});

Deno.test("segment sequence: per block of L each part owns exactly (b - a) * L residues", () => {
  for (const { text, fractions } of SEQUENCES) {
    const { period } = parseSegmentSequence(text);
    const owners = sequenceOwners(parseSegmentSequence(text));
    assert.equal(owners.length, period);
    fractions.forEach((f, k) => {
      assert.equal(owners.filter((o) => o === k).length, Math.round(f * period), `${text} #${k}`);
    });
  }
  assert.deepEqual(parseSegmentSequence("0,0.1,0.35,1").period, 20);
});

Deno.test("segment sequence: spread evenly (prefixes within 1, any window within 2 of share * k)", () => {
  for (const { text, fractions } of SEQUENCES) {
    const stripes = parts(text).map(segmentStripe);
    const L = parseSegmentSequence(text).period;
    let worstPrefix = 0, worstWindow = 0;
    stripes.forEach((s, k) => {
      for (let n = 0; n <= 4 * L; n++) {
        worstPrefix = Math.max(worstPrefix, Math.abs(stripeShare(n, s) - fractions[k] * n));
      }
      for (let start = 0; start < L; start++) {
        for (let len = 1; len <= 3 * L; len++) {
          const count = stripeShare(start + len, s) - stripeShare(start, s);
          worstWindow = Math.max(worstWindow, Math.abs(count - fractions[k] * len));
        }
      }
    });
    assert.ok(worstPrefix < 1, `${text}: a prefix is ${worstPrefix} off its share`);
    assert.ok(worstWindow < 2, `${text}: a window is ${worstWindow} off its share`);
  }
});

Deno.test("segment sequence: equal parts own residue r -> part r, as --segment i/n", () => {
  assert.deepEqual(sequenceOwners(parseSegmentSequence("0,0.2,0.4,0.6,0.8,1")), [0, 1, 2, 3, 4]);
  for (let i = 0; i < 4; i++) {
    const viaSequence = parseSegment(`${i}/4:${i + 1}/4`, "0,1/4,2/4,3/4,1");
    assert.deepEqual(viaSequence, { index: i, count: 4 });
    assert.deepEqual(segmentStripe(viaSequence), { period: 4, residues: [i] });
    assert.deepEqual(segmentStripe(parseSegment(`${i}/4`)), { period: 4, residues: [i] });
  }
});

Deno.test("segment sequence: parsed exactly, labelled a:b, refusals in one line", () => {
  const s = parseSegment("0.35:1", "0,0.1,0.35,1");
  assert.deepEqual(s, { index: 2, count: 3, sequence: "0,1/10,7/20,1" });
  assert.equal(segmentLabel(s), "7/20:1");
  assert.deepEqual(parseSegment("7/20:1", "0,1/10,7/20,1"), s);
  for (
    const [seg, seq, why] of [
      ["0:1/4", "0,1/3,1", /not two consecutive points of --segment-sequence/],
      ["0:1/4", "0,1/4,1/4,1", /increase strictly/],
      ["0:1/4", "0,1/4,0.9", /start at 0 and end at 1/],
      ["0:1/4", "0.1,1/4,1", /start at 0 and end at 1/],
      ["0:1/4", "0,1/4,x,1", /"x" is not a fraction/],
      ["0:1/4", "0,1/4,1/10007,1", /increase strictly/],
      ["0:1/103", "0,1/103,1/101,1", /above 10000/],
      ["0.2:0.5", undefined, /not one of n equal parts.*--segment-sequence 0,0.2,0.5,1/],
    ] as const
  ) {
    assert.throws(
      () => parseSegment(seg, seq),
      (e: Error) => why.test(e.message) && !e.message.includes("\n"),
      `${seg} ${seq}`,
    );
  }
});

Deno.test("segment sequence: VU shares add up to N for N in 0..200, each within 1", () => {
  for (const { text, fractions } of SEQUENCES) {
    const segments = parts(text);
    for (let n = 0; n <= 200; n++) {
      const shares = segments.map((s) => segmentShare(n, s));
      assert.equal(shares.reduce((a, b) => a + b, 0), n, `${text}: ${n} VUs`);
      shares.forEach((v, k) => assert.ok(Math.abs(v - fractions[k] * n) < 1, `${text} #${k}`));
    }
  }
});

function scenario(fields: Record<string, unknown>): ScenarioSpec {
  return validateConfig({
    scenarios: { s: { requests: [{ url: "http://127.0.0.1:1/" }], ...fields } },
  }).scenarios[0];
}

Deno.test("ramping VUs: at every instant the instances' workers add up to one machine's target", () => {
  const whole = scenario({
    executor: "ramping-vus",
    vus: 3,
    stages: [
      { duration: "10s", target: 47 },
      { duration: "7s", target: 47 },
      { duration: "9s", target: 5 },
      { duration: "4s", target: 0 },
    ],
  });
  const durationMs = 30_000;
  for (const { text } of SEQUENCES) {
    // Each instance as the engine builds it, with a different worker count each.
    const instances = parts(text).map((seg, i) => ({
      spec: segmentScenarios([whole], seg)[0],
      workers: i + 2,
    }));
    for (let k = 0; k < 1_000; k++) {
      const t = (k * durationMs) / 1_000 + 3.7;
      let sum = 0;
      for (const { spec, workers } of instances) {
        for (let w = 0; w < workers; w++) sum += workerVUsAt(spec, t, w, workers);
      }
      assert.equal(sum, targetAt(whole, t), `${text} at ${t} ms`);
    }
  }
});

/** Drives pacers on a hand-moved clock until all are done; returns the released times. */
function runPacers(pacers: Pacer[], clock: { t: number }): number[] {
  const all: number[] = [];
  for (const p of pacers) p.start();
  while (!pacers.every((p) => p.done)) {
    for (const p of pacers) p.poll((t) => all.push(t));
    clock.t += 2;
  }
  return all.sort((a, b) => a - b);
}

Deno.test("pacers with each segment's and worker's stripe issue the global schedule exactly", () => {
  const rate = 300, durationMs = 2_000, total = 600;
  const segments: RateSegment[] = [{ durationMs, fromRate: rate, toRate: rate }];
  for (const { text } of SEQUENCES) {
    const clock = { t: 1_000, now: () => clock.t };
    const perPart: Pacer[][] = parts(text).map((seg, i) => {
      const workers = i + 2;
      return Array.from({ length: workers }, (_, w) => {
        const own = workerStripe(segmentStripe(seg), w, workers);
        return new Pacer({ segments, clock, stride: own.period, offsets: own.residues });
      });
    });
    const times = runPacers(perPart.flat(), clock);
    assert.equal(times.length, total, text);
    for (let j = 0; j < total; j++) {
      assert.ok(Math.abs(times[j] - (1_000 + (j * 1000) / rate)) < 1e-6, `${text}: #${j}`);
    }
    parts(text).forEach((seg, i) => {
      const released = perPart[i].reduce((n, p) => n + p.released, 0);
      assert.equal(released, segmentShare(total, seg), `${text} part ${i}`);
    });
  }
});

Deno.test("a pacer with offsets skips only its own iterations after a stall", () => {
  const clock = { t: 1_000, now: () => clock.t };
  const segments: RateSegment[] = [{ durationMs: 10_000, fromRate: 1000, toRate: 1000 }];
  const own = segmentStripe(parseSegment("1/4:3/4", "0,1/4,3/4,1")); // residues 0 and 2 of 4
  const pacer = new Pacer({
    segments,
    clock,
    stride: own.period,
    offsets: own.residues,
    maxLagMs: 100,
  });
  pacer.start();
  assert.equal(pacer.poll(() => {}), 1); // iteration 0
  clock.t += 500; // iterations 1..500 due; those due before 400 ms are skipped
  const n = pacer.poll(() => {});
  // Owned in [1, 400): 2, 4, …, 398 (199 skipped); in [400, 500]: 400, 402, …, 500 (51).
  assert.equal(pacer.skipped, 199);
  assert.equal(n, 51);
  assert.throws(
    () => new Pacer({ segments, clock, stride: 4, offsets: [2, 1] }),
    RangeError,
  );
  assert.throws(() => new Pacer({ segments, clock, stride: 4, offsets: [] }), RangeError);
});
