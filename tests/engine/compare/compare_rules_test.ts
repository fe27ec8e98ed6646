/**
 * `lunge compare`'s pieces: the `--fail-on` rules (parsed once, the parsed
 * form beside its source; bad rules named), the bucket arithmetic against
 * the library's histogram, and the t distribution against known values.
 */
import assert from "node:assert/strict";
import { LatencyHistogram } from "@lunge/metrics";
import { judgeRules, parseRules, RuleError } from "../../../examples/lunge/compare/rules.ts";
import type { Comparison, Figure } from "../../../examples/lunge/compare/compare.ts";
import {
  bucketEdgesNs,
  bucketIndexOfNs,
  quantiles,
} from "../../../examples/lunge/compare/_run_sample.ts";
import {
  defaultBlockLength,
  Random,
  studentTCdf,
  studentTQuantile,
} from "../../../examples/lunge/compare/_statistics.ts";

Deno.test("parseRules: the issue's rules, each with its source and parsed form", () => {
  assert.deepEqual(parseRules("p95 > +10%, error_rate > +0.5pp, rps < -5%, p99.9[login] >= 20ms"), [
    { source: "p95 > +10%", metric: "p95", operator: ">", limit: 10, unit: "%" },
    { source: "error_rate > +0.5pp", metric: "error_rate", operator: ">", limit: 0.5, unit: "pp" },
    { source: "rps < -5%", metric: "rps", operator: "<", limit: -5, unit: "%" },
    {
      source: "p99.9[login] >= 20ms",
      metric: "p99.9",
      name: "login",
      operator: ">=",
      limit: 20,
      unit: "ms",
    },
  ]);
  assert.equal(parseRules("p999<=1%")[0].metric, "p99.9");
});

Deno.test("parseRules: a bad rule is a RuleError naming it", () => {
  const cases: [string, RegExp][] = [
    ["p95 > 10", /bad rule "p95 > 10"/],
    ["p42 > +10%", /unknown metric "p42"/],
    ["p95 > +1pp", /"pp" is for error_rate only/],
    ["rps < -5ms", /"ms" is for latency only/],
    ["error_rate[login] > +1pp", /no per-name error rate/],
    ["p95 > +10%,", /empty rule/],
    ["", /no rule/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseRules(text), (e) => e instanceof RuleError && message.test(e.message));
  }
});

function fig(metric: Figure["metric"], relative: number, real: boolean): Figure {
  return {
    metric,
    base: 1,
    candidate: 1 + relative,
    change: relative,
    relative,
    interval: [relative - 0.01, relative + 0.01],
    p: real ? 0.001 : 0.5,
    real,
    sentence: "",
  };
}

Deno.test("judgeRules: fails only a broken rule whose change is real", () => {
  const c = {
    figures: [fig("p95", 0.2, true), fig("p99", 0.2, false), fig("rps", -0.01, true)],
    byName: [{ name: "login", figures: [fig("p95", 0.05, true)] }],
  } as unknown as Comparison;
  const out = judgeRules(
    parseRules("p95 > +10%, p99 > +10%, rps < -5%, p95[login] > +10%, p95[login] > +1%"),
    c,
  );
  assert.deepEqual(out.map((o) => [o.broken, o.real, o.failed]), [
    [true, true, true],
    [true, false, false],
    [false, true, false],
    [false, true, false],
    [true, true, true],
  ]);
  assert.throws(() => judgeRules(parseRules("p95[nope] > +1%"), c), /no request named "nope"/);
});

Deno.test("bucket arithmetic equals the library's histogram", () => {
  const random = new Random(7);
  for (let i = 0; i < 2000; i++) {
    const ms = Math.exp(random.normal() * 3);
    const h = new LatencyHistogram();
    h.record(ms);
    const [b] = h.buckets();
    const index = bucketIndexOfNs(ms * 1e6);
    assert.equal(index, b.index, `${ms} ms`);
    assert.deepEqual(bucketEdgesNs(index), [b.lowerNs, b.upperNs]);
  }
  const h = new LatencyHistogram();
  for (let ms = 1; ms <= 1000; ms++) h.record(ms);
  const b = h.buckets();
  const sparse = {
    index: Int32Array.from(b.map((x) => x.index)),
    counts: Float64Array.from(b.map((x) => x.count)),
  };
  for (const [p, q] of quantiles(sparse, [50, 95, 99]).map((q, i) => [[50, 95, 99][i], q])) {
    assert.ok(Math.abs(q - h.percentile(p)) <= h.percentile(p) * 0.008, `p${p}: ${q}`);
  }
});

Deno.test("Student's t: known quantiles and CDF values", () => {
  assert.ok(Math.abs(studentTQuantile(0.975, 1) - 12.7062) < 1e-3);
  assert.ok(Math.abs(studentTQuantile(0.975, 4) - 2.7764) < 1e-3);
  assert.ok(Math.abs(studentTQuantile(0.975, 30) - 2.0423) < 1e-3);
  assert.ok(Math.abs(studentTQuantile(0.975, Infinity) - 1.96) < 1e-3);
  assert.ok(Math.abs(studentTCdf(2.0, 10) - 0.963306) < 1e-5);
  assert.equal(defaultBlockLength(3), 1);
  assert.equal(defaultBlockLength(20), 5);
  assert.equal(defaultBlockLength(60), 8);
});
