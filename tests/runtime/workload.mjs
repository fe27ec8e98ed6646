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
 * "stopped" mode: for each kind, a worker_thread reads the time series in a
 * loop (holding the collector's lock nearly all the time) and is terminated
 * (`await worker.terminate()`: it has stopped when that resolves) until it
 * stops with the lock held; then a call that needs the lock (a record with
 * a new error string: both kinds register it under the lock) must throw the
 * "held by a thread that stopped" error within a bound, not hang.
 * Prints `{ stopped: { atomic: {...}, mutex: {...} } }`.
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

/**
 * One kind in "stopped" mode.
 * @param {string} bundle
 * @param {(kind: string, options: object) => any} createCollector
 * @param {string} kind
 */
async function stoppedHolder(bundle, createCollector, kind) {
  const collector = createCollector(kind, { flushIntervalMs: 0, lockTimeoutMs: 300 });
  const now = Date.now();
  // A series about 3,000 points long, so each read holds the lock a while.
  collector.recordRequest({ startTime: now - 3_000_000, duration: 5, statusCode: 200, bytes: 1 });
  collector.recordRequest({ startTime: now, duration: 5, statusCode: 200, bytes: 1 });
  const lock = new Int32Array(collector.share().buffer, 64, 1);
  const beat = new Int32Array(new SharedArrayBuffer(4));
  let attempts = 0;
  while (Atomics.load(lock, 0) === 0 && attempts < 50) {
    attempts++;
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { bundle, handle: collector.share(), reader: true, beat },
    });
    const start = Atomics.load(beat, 0);
    while (Atomics.load(beat, 0) < start + 3) await new Promise((r) => setTimeout(r, 2));
    await worker.terminate();
  }
  const held = Atomics.load(lock, 0) !== 0;
  const t = performance.now();
  let error = "";
  try {
    collector.recordRequest({
      startTime: Date.now(),
      duration: 1,
      statusCode: 0,
      bytes: 0,
      error: "a new error string",
    });
  } catch (e) {
    error = String(e instanceof Error ? e.message : e);
  }
  return { held, attempts, error, ms: performance.now() - t };
}

if (!isMainThread && workerData.reader) {
  const { bundle, handle, beat } = workerData;
  const { attachCollector } = await import(bundle);
  const collector = attachCollector(handle);
  for (;;) {
    collector.getTimeSeries();
    Atomics.add(beat, 0, 1);
  }
} else if (!isMainThread) {
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
  if (process.argv[3] === "stopped") {
    /** @type {Record<string, unknown>} */
    const stopped = {};
    for (const kind of ["atomic", "mutex"]) {
      stopped[kind] = await stoppedHolder(bundle, createCollector, kind);
    }
    console.log(JSON.stringify({ stopped, runtime, version }));
    process.exit(0); // the collectors are unusable by design: nothing to close
  } else if (process.argv[3] === "leak") {
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
