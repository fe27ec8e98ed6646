/**
 * The cross-runtime workload for Node (>= 20) and Bun, against a bundle of
 * mod.ts (`deno bundle --format esm -o mod.mjs mod.ts`):
 *
 *     node tests/runtime/workload.mjs <bundle.mjs>        # or: bun ...
 *     node tests/runtime/workload.mjs <bundle.mjs> leak
 *
 * Default mode: for each kind ("atomic", "mutex") creates a collector, starts
 * 2 worker_threads that attachCollector(handle) and record the seeded
 * results of ./_generator.mjs, close() and exit; then prints one JSON line
 * `{ runtime, version, results: { atomic, mutex } }` with the compared part of
 * each snapshot (see summarize()).
 *
 * "leak" mode: for each kind creates a collector, attaches to it from the
 * main thread, records through both and closes neither, prints
 * `{ leak: "recorded", ... }` and returns: the process must then exit on its
 * own (no flush timer may keep it alive).
 *
 * The same file is the Worker's script (isMainThread false).
 *
 * @module
 */
import process from "node:process";
import { pathToFileURL } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { PER_WRITER, results, summarize, WRITERS } from "./_generator.mjs";

const runtime = process.versions.bun ? "bun" : "node";
const version = process.versions.bun ?? process.versions.node;

/**
 * One Worker: wait for its "exit", failing on an error or a non-zero code.
 * @param {{ bundle: string, handle: unknown, writer: number, count: number, t0: number }} data
 * @returns {Promise<void>}
 */
function runWorker(data) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: data });
    let done = false;
    worker.on("message", (m) => {
      if (m === "done") done = true;
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (code === 0 && done) resolve();
      else reject(new Error(`worker ${data.writer} exited with code ${code} (done: ${done})`));
    });
  });
}

if (!isMainThread) {
  const { bundle, handle, writer, count, t0 } = workerData;
  const { attachCollector } = await import(bundle);
  const collector = attachCollector(handle);
  for (const r of results(writer, count, t0)) collector.recordRequest(r);
  collector.close(); // flushes
  parentPort?.postMessage("done");
} else {
  const path = process.argv[2];
  if (!path) {
    console.error("usage: workload.mjs <bundle.mjs> [leak]");
    process.exit(2);
  }
  const bundle = pathToFileURL(path).href;
  const { attachCollector, createCollector } = await import(bundle);
  if (process.argv[3] === "leak") {
    let recorded = 0;
    for (const kind of ["atomic", "mutex"]) {
      const collector = createCollector(kind, { flushIntervalMs: 50 });
      const attached = attachCollector(collector.share());
      const t0 = Date.now();
      for (const r of results(0, 1000, t0)) collector.recordRequest(r);
      for (const r of results(1, 1000, t0)) attached.recordRequest(r);
      recorded += collector.getSnapshot().totalRequests;
      // Neither collector.close() nor attached.close(): the timers stay armed.
    }
    console.log(JSON.stringify({ leak: "recorded", recorded, runtime, version }));
  } else {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const kind of ["atomic", "mutex"]) {
      const collector = createCollector(kind);
      const handle = collector.share();
      const t0 = collector.getSnapshot().startTime;
      const writers = Array.from({ length: WRITERS }, (_, writer) => writer);
      await Promise.all(
        writers.map((writer) => runWorker({ bundle, handle, writer, count: PER_WRITER, t0 })),
      );
      out[kind] = summarize(collector.getSnapshot());
      collector.close();
    }
    console.log(JSON.stringify({ runtime, version, results: out }));
  }
}
