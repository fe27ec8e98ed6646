/**
 * Two versions of the module's hot path in one process, alternating, for a
 * before/after figure that the machine's drift cannot fool (BENCHMARKS.md,
 * round 3):
 *
 *     deno run --allow-read bench/hot_path_ab.ts <a/mod.ts> <b/mod.ts> [varied|shapes] [rounds]
 *
 * Each version gets its own atomic collector and its own compiled loop (a
 * `new Function`, so neither shares type feedback with the other), both are
 * warmed, then timed in alternating blocks of 1,000,000 calls (the order
 * swapped every round). Prints, per version, the min, 25th percentile and
 * median ns per call over the rounds, and the ratio b/a of the medians.
 *
 * Inputs: "varied" (default), hot_path_loop.ts's 65,536 results (durations
 * log-uniform 0.05–200 ms, statuses 200/201/404/500, start times over one
 * second, no names); "shapes", `deno bench`'s realistic input (_inputs.ts:
 * four object shapes, errors, names).
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { realisticResults } from "./_inputs.ts";

const [pathA, pathB] = Deno.args;
if (!pathA || !pathB) {
  console.error("usage: hot_path_ab.ts <a/mod.ts> <b/mod.ts> [varied|shapes] [rounds]");
  Deno.exit(2);
}
const input = Deno.args[2] ?? "varied";
const rounds = Number(Deno.args[3] ?? 30);
const BLOCK = 1_000_000;
const M = 65_536;

function variedResults() {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const t0 = Date.now() - 2000;
  return Array.from({ length: M }, () => ({
    startTime: t0 + rnd() * 1000,
    duration: 0.05 * Math.pow(4000, rnd()),
    statusCode: [200, 200, 200, 201, 404, 500][Math.floor(rnd() * 6)],
    bytes: Math.floor(rnd() * 4096),
  }));
}
const results = input === "shapes" ? realisticResults() : variedResults();

type Loop = (c: unknown, results: unknown[], n: number, mask: number) => void;
interface Side {
  label: string;
  collector: { getSnapshot(): { totalRequests: number }; close(): void };
  loop: Loop;
  ns: number[];
}

async function side(path: string): Promise<Side> {
  const mod = await import(pathToFileURL(path).href);
  const loop = new Function(
    "c",
    "results",
    "n",
    "mask",
    "for (let i = 0; i < n; i++) c.recordRequest(results[i & mask]);",
  ) as Loop;
  const collector = mod.createCollector("atomic", { flushIntervalMs: 0 });
  return { label: path, collector, loop, ns: [] };
}

const a = await side(pathA), b = await side(pathB);
for (let w = 0; w < 3; w++) {
  for (const s of [a, b]) s.loop(s.collector, results, 200_000, M - 1);
}
for (let r = 0; r < rounds; r++) {
  for (const s of r % 2 === 0 ? [a, b] : [b, a]) {
    const t = performance.now();
    s.loop(s.collector, results, BLOCK, M - 1);
    s.ns.push((performance.now() - t) * 1e6 / BLOCK);
  }
}
const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y);
const median = (xs: number[]) => sorted(xs)[xs.length >> 1];
for (const s of [a, b]) {
  const xs = sorted(s.ns);
  const expected = 600_000 + rounds * BLOCK;
  const total = s.collector.getSnapshot().totalRequests;
  if (total !== expected) throw new Error(`${s.label}: counted ${total}, expected ${expected}`);
  console.log(
    `${s.label}: min ${xs[0].toFixed(2)} p25 ${xs[xs.length >> 2].toFixed(2)} ` +
      `median ${median(xs).toFixed(2)} ns/op (${input}, ${rounds} rounds, counts exact)`,
  );
  s.collector.close();
}
console.log(`b/a (medians): ${(median(b.ns) / median(a.ns)).toFixed(3)}`);
