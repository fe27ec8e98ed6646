/**
 * One collector kind's hot path in a plain loop, one kind per process, for
 * comparing two versions of the module in alternating runs (BENCHMARKS.md,
 * round 2):
 *
 *     deno run --allow-read bench/hot_path_loop.ts <path to mod.ts> [calls] [atomic|mutex] [names|shapes]
 *
 * Records 65,536 pre-generated varied results (durations log-uniform
 * 0.05–200 ms, statuses 200/201/404/500, start times over one second; with
 * "names", three in four carry one of three names) after a 200,000-call
 * warm-up, and prints ns per call and the total counted. With "shapes" it
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
for (let i = 0; i < 200000; i++) c.recordRequest(results[i & (M - 1)]); // warm
const t = performance.now();
for (let i = 0; i < N; i++) c.recordRequest(results[i & (M - 1)]);
const el = performance.now() - t;
console.log(
  JSON.stringify({ ns: el * 1e6 / Math.max(1, N), total: c.getSnapshot().totalRequests }),
);
