/**
 * Calibration of `lunge compare`'s test by simulation: the share of pairs
 * of runs it flags as a real difference, when both runs come from one
 * distribution (should be about alpha) and when the candidate is shifted
 * (the detection rate), for run models with different within-run
 * dependence, and for the block bootstrap beside two tests that ignore
 * the dependence (seconds resampled one by one; requests treated as
 * independent). Prints a Markdown table; writes it to the path of
 * `--out` too.
 *
 *   deno run --allow-read=. --allow-write=/tmp bench/engine/compare_calibration.ts [--pairs 400] [--out /tmp/bench_compare.md]
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
  options: { pairs: { type: "string" }, out: { type: "string" }, resamples: { type: "string" } },
});
const pairs = Number(values.pairs ?? 400);
const resamples = Number(values.resamples ?? 300);
const alpha = 0.05;

interface Row {
  model: string;
  method: string;
  shift: string;
  options: Partial<CalibrationOptions>;
}

const models: [string, RunModel][] = [
  ["20 s, level SD 0.15, rho 0.5 (default)", DEFAULT_MODEL],
  ["20 s, level SD 0.15, rho 0 (independent seconds)", { ...DEFAULT_MODEL, levelRho: 0 }],
  ["20 s, level SD 0.15, rho 0.8 (slow drift)", { ...DEFAULT_MODEL, levelRho: 0.8 }],
  ["60 s, level SD 0.15, rho 0.5", { ...DEFAULT_MODEL, seconds: 60 }],
  ["20 s, no drift (level SD 0)", { ...DEFAULT_MODEL, levelSigma: 0 }],
];
const methods: [string, Partial<CalibrationOptions>][] = [
  ["block bootstrap (lunge compare)", {}],
  ["seconds one by one (block 1 s)", { blockLength: 1 }],
  ["requests independent", { independent: true }],
];
const shifts: [string, Shift][] = [
  ["latency +10 %, rps -10 %, errors +0.5 pp", { latency: 0.1, rps: -0.1, errorRate: 0.005 }],
  ["latency +20 %, rps -20 %, errors +1 pp", { latency: 0.2, rps: -0.2, errorRate: 0.01 }],
  ["latency +40 %, rps -30 %, errors +2 pp", { latency: 0.4, rps: -0.3, errorRate: 0.02 }],
];

const rows: Row[] = [];
for (const [model, m] of models) {
  for (const [method, o] of methods) {
    rows.push({ model, method, shift: "none (same distribution)", options: { ...o, model: m } });
  }
}
for (const [model, m] of [models[0], models[3]]) {
  for (const [shift, s] of shifts) {
    rows.push({ model, method: methods[0][0], shift, options: { model: m, shift: s } });
  }
}

const metrics = ["p50", "p90", "p95", "p99", "p99.9", "rps", "error_rate"] as const;
const sigma = Math.sqrt(alpha * (1 - alpha) / pairs);
let md = `# lunge compare: calibration by simulation

Command: \`deno run --allow-read=. --allow-write=/tmp bench/engine/compare_calibration.ts --pairs ${pairs} --resamples ${resamples}\`
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
