// deno run --allow-read=examples/two_threads,mod.ts,src examples/two_threads/main.ts
import { createCollector } from "@lunge/metrics";

const collector = createCollector(); // "atomic" unless LUNGE_COLLECTOR=mutex
const workers = [0, 1].map(() =>
  new Worker(new URL("./worker.ts", import.meta.url), { type: "module" })
);
// Each Worker says "done" after its close(): only then is its batch merged.
const done = workers.map((w) => new Promise((resolve) => w.onmessage = resolve));
for (const w of workers) w.postMessage(collector.share()); // the handle, not the collector
await Promise.all(done);
for (const w of workers) w.terminate();

const s = collector.getSnapshot();
console.log(`requests ${s.totalRequests}, failed ${s.failedRequests}`); // 2000 and 20
console.log(`p50 ${s.latency.p50.toFixed(1)} ms, p99 ${s.latency.p99.toFixed(1)} ms`);
console.log(`unflushed ${s.unflushedRequests}`); // 0: every Worker closed its collector
collector.close();
