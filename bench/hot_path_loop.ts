/**
 * One collector kind's hot path in a plain loop, one kind per process, for
 * comparing two versions of the module in alternating runs (BENCHMARKS.md,
 * "Hot path, one thread, version against version"):
 *
 *     deno run --allow-read bench/hot_path_loop.ts <path to mod.ts> [calls] [atomic|mutex] [names|shapes|phase=MS]
 *
 * Records 65,536 pre-generated varied results (_inputs.ts `variedResults`:
 * durations log-uniform 0.05–200 ms, statuses 200/201/404/500, start times
 * over one second in random order, starting 500 ms into a second, or MS
 * with "phase=MS"; with "names", three in four carry one of three names)
 * after a 1,000,000-call
 * warm-up, and prints ns per call (the median of 10 blocks, with their
 * min and max) and the total counted. With "shapes" it
 * records `deno bench`'s realistic input instead (_inputs.ts: four object
 * shapes, errors, names), the input for V8's `--trace-deopt` and
 * `--cpu-prof` (BENCHMARKS.md, "Profile").
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { realisticResults, variedResults } from "./_inputs.ts";
const mod = await import(pathToFileURL(Deno.args[0]).href);
const N = Number(Deno.args[1] ?? 20_000_000);
const kind = Deno.args[2] ?? "atomic";
const names = Deno.args[3] === "names";
const shapes = Deno.args[3] === "shapes";
const phaseMs = Number(Deno.args[3]?.match(/^phase=(\d+)$/)?.[1] ?? 500);
const M = 65536;
const results = shapes ? realisticResults() : variedResults({ names, phaseMs });
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
