/**
 * One collector kind's hot path in a plain loop, one kind per process, for
 * comparing two versions of the module in alternating runs (BENCHMARKS.md,
 * round 2):
 *
 *     deno run --allow-read bench/hot_path_loop.ts <path to mod.ts> [calls] [atomic|mutex] [names|shapes]
 *
 * Records 65,536 pre-generated varied results (durations log-uniform
 * 0.05–200 ms, statuses 200/201/404/500, start times over one second; with
 * "names", three in four carry one of three names) after a 1,000,000-call
 * warm-up, and prints ns per call (the median of 10 blocks, with their
 * min and max) and the total counted. With "shapes" it
 * records `deno bench`'s realistic input instead (_inputs.ts: four object
 * shapes, errors, names), the input for V8's `--trace-deopt` and
 * `--cpu-prof` (BENCHMARKS.md, "Profile").
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { realisticResults } from "./_inputs.ts";
const mod = await import(pathToFileURL(Deno.args[0]).href);
const N = Number(Deno.args[1] ?? 20_000_000);
const kind = Deno.args[2] ?? "atomic";
const names = Deno.args[3] === "names";
const shapes = Deno.args[3] === "shapes";
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const t0 = Date.now() - 2000;
const M = 65536;
const results = shapes ? realisticResults() : Array.from({ length: M }, () => ({
  startTime: t0 + rnd() * 1000,
  duration: 0.05 * Math.pow(4000, rnd()),
  statusCode: [200, 200, 200, 201, 404, 500][Math.floor(rnd() * 6)],
  bytes: Math.floor(rnd() * 4096),
  name: names ? ["a", "b", "c", undefined][Math.floor(rnd() * 4)] : undefined,
}));
const c = mod.createCollector(kind, { flushIntervalMs: 0 });
// One function for warm-up and timing, so the timed calls run the code the
// warm-up optimised (a top-level loop is compiled on stack replacement,
// whose placement varies from run to run); the time is the median of 10
// blocks of N / 10 calls.
function drive(calls: number, from: number): void {
  for (let i = from; i < from + calls; i++) c.recordRequest(results[i & (M - 1)]);
}
for (let w = 0; w < 5; w++) drive(200_000, w * 200_000);
const blocks: number[] = [];
for (let b = 0; b < 10; b++) {
  const t = performance.now();
  drive(N / 10, b * (N / 10));
  blocks.push((performance.now() - t) * 1e6 / (N / 10));
}
blocks.sort((a, b) => a - b);
console.log(JSON.stringify({
  ns: blocks[5],
  min: blocks[0],
  max: blocks[9],
  total: c.getSnapshot().totalRequests,
}));
