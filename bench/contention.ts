/**
 * Contention bench (`deno task bench:contention`): 1, 2, 4 and 8 Workers
 * each record N results into ONE collector, atomic vs mutex. Prints ns per
 * recordRequest per Worker, total throughput, and whether the final counts
 * were exact.
 *
 * Usage: deno task bench:contention [--count N] [--rounds R]
 */
import { parseArgs } from "node:util";
import { type CollectorKind, createCollector } from "../mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "2000000" },
    rounds: { type: "string", default: "3" },
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
  `contention: ${
    count.toLocaleString("en-US")
  } recordRequest per Worker, best of ${rounds}, ${navigator.hardwareConcurrency} cores`,
);
console.log("| collector | Workers | ns/op per Worker | total M ops/s | exact counts |");
console.log("|---|---|---|---|---|");
const totals: Record<string, number> = {};
for (const writers of [1, 2, 4, 8]) {
  for (const kind of ["atomic", "mutex"] as const) {
    let best = { nsPerOp: Infinity, mops: 0, exact: true };
    let allExact = true;
    for (let r = 0; r < rounds; r++) {
      const res = await run(kind, writers);
      allExact &&= res.exact;
      if (res.mops > best.mops) best = res;
    }
    totals[`${kind}${writers}`] = best.mops;
    console.log(
      `| ${kind} | ${writers} | ${best.nsPerOp.toFixed(1)} | ${best.mops.toFixed(2)} | ${
        allExact ? "yes" : "NO"
      } |`,
    );
  }
}
for (const writers of [1, 2, 4, 8]) {
  const ratio = totals[`atomic${writers}`] / totals[`mutex${writers}`];
  console.log(`atomic / mutex throughput with ${writers} Worker(s): ${ratio.toFixed(1)}x`);
}
