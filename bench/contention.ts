/**
 * Contention bench (`deno task bench:contention`): 1, 2, 4 and 8 Workers
 * each record N results into ONE collector, atomic vs mutex. Prints ns per
 * recordRequest per Worker, total throughput, and whether the final counts
 * were exact.
 *
 * Usage: deno task bench:contention [--count N] [--rounds R]   (defaults 2,000,000 and 5)
 */
import { parseArgs } from "node:util";
import { type CollectorKind, createCollector } from "../mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "2000000" },
    rounds: { type: "string", default: "5" },
  },
});
const count = Number(values.count);
const rounds = Number(values.rounds);
if (!Number.isInteger(count) || count <= 0 || !Number.isInteger(rounds) || rounds <= 0) {
  console.error("contention: --count and --rounds must be positive integers");
  Deno.exit(2);
}

const workerUrl = new URL("./_contention_worker.ts", import.meta.url).href;

async function run(kind: CollectorKind, writers: number) {
  const collector = createCollector(kind);
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from({ length: writers }, () => new Worker(workerUrl, { type: "module" }));
  try {
    const ready = workers.map((w) =>
      new Promise<void>((resolve) => w.addEventListener("message", () => resolve(), { once: true }))
    );
    for (const w of workers) w.postMessage({ handle: collector.share(), gate, count });
    await Promise.all(ready);
    const done = workers.map((w) =>
      new Promise<number>((resolve) =>
        w.addEventListener("message", (e) => resolve(e.data.elapsed), { once: true })
      )
    );
    const t0 = performance.now();
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    const elapsed = await Promise.all(done);
    const wall = performance.now() - t0;
    const s = collector.getSnapshot();
    const expectedFailed = writers * Math.ceil(count / 16);
    const exact = s.totalRequests === writers * count && s.failedRequests === expectedFailed &&
      s.totalBytes === (writers * count - expectedFailed) * 100;
    const nsPerOp = (elapsed.reduce((a, b) => a + b, 0) / writers) * 1e6 / count;
    return { nsPerOp, mops: (writers * count) / wall / 1000, exact };
  } finally {
    for (const w of workers) w.terminate();
    collector.close();
  }
}

console.log(
  `contention: ${count.toLocaleString("en-US")} recordRequest per Worker, ` +
    `median of ${rounds} rounds (atomic and mutex alternating), ` +
    `${navigator.hardwareConcurrency} cores`,
);
console.log(
  "| collector | Workers | ns/op per Worker | total M ops/s (median) | min … max | exact counts |",
);
console.log("|---|---|---|---|---|---|");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratios: string[] = [];
for (const writers of [1, 2, 4, 8]) {
  const runs: Record<CollectorKind, Awaited<ReturnType<typeof run>>[]> = { atomic: [], mutex: [] };
  // Alternate the kinds, so that the VM's slow and fast phases hit both alike.
  for (let r = 0; r < rounds; r++) {
    for (const kind of ["atomic", "mutex"] as const) runs[kind].push(await run(kind, writers));
  }
  const mops: Record<string, number> = {};
  for (const kind of ["atomic", "mutex"] as const) {
    const all = runs[kind].map((x) => x.mops);
    mops[kind] = median(all);
    const ns = median(runs[kind].map((x) => x.nsPerOp));
    const exact = runs[kind].every((x) => x.exact) ? "yes" : "NO";
    console.log(
      `| ${kind} | ${writers} | ${ns.toFixed(1)} | ${mops[kind].toFixed(2)} | ` +
        `${Math.min(...all).toFixed(1)} … ${Math.max(...all).toFixed(1)} | ${exact} |`,
    );
  }
  ratios.push(`${writers} Worker(s): ${(mops.atomic / mops.mutex).toFixed(1)}x`);
}
console.log(`atomic / mutex total throughput (medians): ${ratios.join(", ")}`);
