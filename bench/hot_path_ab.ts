/**
 * Two or more versions of the module's hot path in one process, in turn, for
 * before/after figures that the machine's drift cannot fool (BENCHMARKS.md,
 * "Hot path, one thread, version against version"):
 *
 *     deno run --allow-read bench/hot_path_ab.ts <a/mod.ts> <b/mod.ts> [more mod.ts] [varied[:PHASE]|shapes] [rounds]
 *
 * Each version gets its own atomic collector and its own compiled loop (a
 * `new Function`, so none shares type feedback with another), all are
 * warmed, then timed in blocks of 1,000,000 calls, each round starting
 * with the next version. Prints, per version, the min, 25th percentile and
 * median ns per call over the rounds, and each version's median over the
 * first's.
 *
 * Inputs: "varied" (default), _inputs.ts's `variedResults`: 65,536 results
 * (durations log-uniform 0.05–200 ms, statuses 200/201/404/500, start times
 * over one second in random order, no names), starting 500 ms into a second
 * (the worst case: half the consecutive completions change second) or
 * PHASE ms with "varied:PHASE"; "shapes", `deno bench`'s realistic input (_inputs.ts:
 * four object shapes, errors, names).
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { realisticResults, variedResults } from "./_inputs.ts";

const paths = Deno.args.filter((a) => a.endsWith(".ts"));
const [input = "varied", roundsArg = "30"] = Deno.args.filter((a) => !a.endsWith(".ts"));
if (paths.length < 2) {
  console.error(
    "usage: hot_path_ab.ts <a/mod.ts> <b/mod.ts> [more mod.ts] [varied[:PHASE]|shapes] [rounds]",
  );
  Deno.exit(2);
}
const rounds = Number(roundsArg);
const BLOCK = 1_000_000;
const M = 65_536;

const phaseMs = Number(input.split(":")[1] ?? 500);
const results = input === "shapes" ? realisticResults() : variedResults({ phaseMs });

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

const sides: Side[] = [];
for (const path of paths) sides.push(await side(path));
for (let w = 0; w < 3; w++) {
  for (const s of sides) s.loop(s.collector, results, 200_000, M - 1);
}
for (let r = 0; r < rounds; r++) {
  // Each round starts with a different version, in turn.
  for (let j = 0; j < sides.length; j++) {
    const s = sides[(r + j) % sides.length];
    const t = performance.now();
    s.loop(s.collector, results, BLOCK, M - 1);
    s.ns.push((performance.now() - t) * 1e6 / BLOCK);
  }
}
const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y);
const median = (xs: number[]) => sorted(xs)[xs.length >> 1];
for (const s of sides) {
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
for (const s of sides.slice(1)) {
  console.log(
    `${s.label} / ${sides[0].label} (medians): ${(median(s.ns) / median(sides[0].ns)).toFixed(3)}`,
  );
}
