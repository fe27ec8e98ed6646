/**
 * Calibration of `lunge compare`'s test by simulation: the share of pairs
 * of runs it flags as a real difference, when both runs come from one
 * distribution (should be about alpha) and when the candidate is shifted
 * (the detection rate), for runs of 10-120 s whose latency level drifts
 * from second to second (AR(1), rho 0-0.9), for the method lunge compare
 * uses beside the candidates it was chosen from (a plain AR(1) plug-in,
 * Newey-West with Andrews' bandwidth, the block bootstrap) and a test that
 * takes requests as independent. Prints a Markdown table; writes it to
 * the path of `--out` too.
 *
 *   deno run --allow-read=. --allow-write=/tmp bench/engine/compare_calibration.ts [--pairs 200] [--lengths 10,20,60,120] [--rhos 0,0.5,0.8,0.9] [--out /tmp/bench_compare.md]
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  calibrate,
  type CalibrationOptions,
  DEFAULT_MODEL,
  type RunModel,
  type Shift,
} from "../../examples/lunge/compare/calibration.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    pairs: { type: "string" },
    out: { type: "string" },
    resamples: { type: "string" },
    lengths: { type: "string" },
    rhos: { type: "string" },
  },
});
const pairs = Number(values.pairs ?? 200);
const resamples = Number(values.resamples ?? 200);
const alpha = 0.05;

interface Row {
  model: string;
  method: string;
  shift: string;
  options: Partial<CalibrationOptions>;
}

const model = (seconds: number, rho: number, levelSigma = DEFAULT_MODEL.levelSigma): RunModel => ({
  ...DEFAULT_MODEL,
  seconds,
  levelRho: rho,
  levelSigma,
});
const lengths = (values.lengths ?? "10,20,60,120").split(",").map(Number);
const rhos = (values.rhos ?? "0,0.5,0.8,0.9").split(",").map(Number);
const methods: [string, Partial<CalibrationOptions>][] = [
  ["AR(1) drift + within-second noise (lunge compare)", { method: "drift" }],
  ["AR(1) plug-in on the series", { method: "ar1" }],
  ["Newey-West, Andrews bandwidth", { method: "bartlett" }],
  ["block bootstrap, blocks of ~sqrt(T) s", { method: "block" }],
];
const shifts: [string, Shift][] = [
  ["latency +10 %, rps -10 %, errors +0.5 pp", { latency: 0.1, rps: -0.1, errorRate: 0.005 }],
  ["latency +20 %, rps -20 %, errors +1 pp", { latency: 0.2, rps: -0.2, errorRate: 0.01 }],
  ["latency +40 %, rps -30 %, errors +2 pp", { latency: 0.4, rps: -0.3, errorRate: 0.02 }],
];
const none = "none (same distribution)";

const rows: Row[] = [];
for (const [method, o] of methods) {
  for (const seconds of lengths) {
    for (const rho of rhos) {
      const m = model(seconds, rho);
      rows.push({
        model: `${seconds} s, rho ${rho}`,
        method,
        shift: none,
        options: { ...o, model: m },
      });
    }
  }
}
rows.push({
  model: "20 s, no drift (level SD 0)",
  method: methods[0][0],
  shift: none,
  options: { ...methods[0][1], model: model(20, 0, 0) },
});
for (const [label, o] of [["requests independent", { independent: true }]] as const) {
  rows.push({
    model: "20 s, rho 0.5",
    method: label,
    shift: none,
    options: { ...o, model: model(20, 0.5) },
  });
}
for (const seconds of [20, 60]) {
  for (const rho of [0.5, 0.8]) {
    for (const [shift, s] of shifts) {
      for (const [method, o] of [methods[0], methods[3]]) {
        if (method !== methods[0][0] && !(rho === 0.5 && seconds === 20)) continue;
        rows.push({
          model: `${seconds} s, rho ${rho}`,
          method,
          shift,
          options: { ...o, model: model(seconds, rho), shift: s },
        });
      }
    }
  }
}

const metrics = ["p50", "p90", "p95", "p99", "p99.9", "rps", "error_rate"] as const;
const sigma = Math.sqrt(alpha * (1 - alpha) / pairs);
let md = `# lunge compare: calibration by simulation

Command: \`deno run --allow-read=. --allow-write=/tmp bench/engine/compare_calibration.ts --pairs ${pairs} --resamples ${resamples} --out /tmp/bench_compare.md\`
Date: ${new Date().toISOString()}

Share of ${pairs} pairs of simulated runs flagged as a real difference (p < ${alpha}).
Model: per second, the ln-latency level is an AR(1) process (stationary SD, lag-1
correlation rho); each request is lognormal (SD 0.5) around its second's level, median
20 ms; 200 requests/s (fewer in slow seconds), 1 % errors (more in slow seconds).
With no shift a calibrated test flags about alpha (binomial SD at ${pairs} pairs: ${
  (sigma * 100).toFixed(1)
} pp);
with a shift, the share is the detection rate.

| model | method | candidate shift | ${metrics.join(" | ")} | time |
|---|---|---|${metrics.map(() => "---:").join("|")}|---:|
`;
console.log(md);
for (const r of rows) {
  const t0 = performance.now();
  const res = calibrate({ pairs, resamples, alpha, ...r.options });
  const ms = performance.now() - t0;
  const line = `| ${r.model} | ${r.method} | ${r.shift} | ${
    metrics.map((m) => (res.flagged[m] * 100).toFixed(1) + " %").join(" | ")
  } | ${(ms / 1000).toFixed(1)} s |\n`;
  md += line;
  await Deno.stdout.write(new TextEncoder().encode(line));
}
if (values.out) await Deno.writeTextFile(values.out, md);
