/**
 * Contention bench (`deno task bench:contention`): 2 and 4 Workers each
 * record N results, on realistic and on constant input (and on request, the
 * issue's varied input: `_inputs.ts`), three ways:
 *
 * - `atomic`: into ONE atomic collector;
 * - `mutex`: into ONE mutex collector;
 * - `private`: each Worker into its OWN atomic collector (nothing shared on
 *   the hot path): the machine's limit for the same code.
 *
 * Every Worker warms up (the timed loop itself, on a throwaway collector),
 * then waits at a barrier; timing starts when all are released. Rounds
 * alternate the three ways, so that the machine's slow and fast phases hit
 * all alike; medians are reported, with the range, and whether the final
 * counts were exact. Then atomic/mutex and shared/private (atomic/private)
 * throughput ratios.
 *
 * Usage:
 *   deno task bench:contention [--count N] [--rounds R] [--workers 2,4]
 *     [--input realistic,varied,constant|both] [--warmup CALLS]
 * Defaults: 2,000,000 calls per Worker, 5 rounds, 2 and 4 Workers, both
 * inputs, 524,288 warm-up calls (`--warmup 0` shows what it is for).
 */
import { parseArgs } from "node:util";
import { median, type Mode, runContention, type RunResult } from "./_contention.ts";
import type { Input } from "./_inputs.ts";
import type { CollectorKind } from "@lunge/metrics";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "2000000" },
    rounds: { type: "string", default: "5" },
    workers: { type: "string", default: "2,4" },
    input: { type: "string", default: "both" },
    warmup: { type: "string", default: "524288" },
  },
});
const count = Number(values.count);
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const writerCounts = values.workers.split(",").map(Number);
const inputs = (values.input === "both" ? "realistic,constant" : values.input)
  .split(",") as Input[];
if (
  !Number.isInteger(count) || count <= 0 || !Number.isInteger(rounds) || rounds <= 0 ||
  !Number.isInteger(warmup) || warmup < 0 ||
  !writerCounts.every((n) => Number.isInteger(n) && n > 0) ||
  !inputs.every((i) => i === "realistic" || i === "varied" || i === "constant")
) {
  console.error(
    "contention: --count, --rounds positive integers; --warmup >= 0; " +
      "--workers a list like 2,4; --input a list of realistic, varied, constant (or both)",
  );
  Deno.exit(2);
}

const ways: { label: string; kind: CollectorKind; mode: Mode }[] = [
  { label: "atomic", kind: "atomic", mode: "shared" },
  { label: "mutex", kind: "mutex", mode: "shared" },
  { label: "private", kind: "atomic", mode: "private" },
];

console.log(
  `contention: ${count.toLocaleString("en-US")} recordRequest per Worker, ` +
    `median of ${rounds} rounds (atomic, mutex and private alternating), ` +
    `warm-up ${warmup.toLocaleString("en-US")} calls per Worker, ` +
    `${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}`,
);
console.log(
  "| input | Workers | collector | ns/op per Worker | total M ops/s (median) | min … max | exact counts |",
);
console.log("|---|---|---|---|---|---|---|");
const summary: string[] = [];
for (const input of inputs) {
  for (const writers of writerCounts) {
    const runs: RunResult[][] = ways.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (let w = 0; w < ways.length; w++) {
        const { kind, mode } = ways[w];
        runs[w].push(await runContention({ kind, mode, writers, count, input, warmup }));
      }
    }
    const mops = runs.map((rs) => median(rs.map((x) => x.mops)));
    ways.forEach((way, w) => {
      const all = runs[w].map((x) => x.mops);
      const ns = median(runs[w].map((x) => x.nsPerOp));
      const exact = runs[w].every((x) => x.exact) ? "yes" : "NO";
      console.log(
        `| ${input} | ${writers} | ${way.label} | ${ns.toFixed(1)} | ${mops[w].toFixed(2)} | ` +
          `${Math.min(...all).toFixed(1)} … ${Math.max(...all).toFixed(1)} | ${exact} |`,
      );
    });
    summary.push(
      `${input}, ${writers} Workers: atomic/mutex ${(mops[0] / mops[1]).toFixed(2)}x, ` +
        `shared/private ${(mops[0] / mops[2]).toFixed(2)}`,
    );
  }
}
console.log("Throughput ratios (medians):");
for (const line of summary) console.log(`  ${line}`);
