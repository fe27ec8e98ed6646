/**
 * Hot- and cold-path benchmarks of both collectors (`deno task bench`).
 *
 * - `recordRequest` on realistic input (`record-realistic`): 65,536
 *   pre-generated, varied results (see `_inputs.ts`: durations 0.05–200 ms
 *   over many buckets, statuses 200/201/404/500 and some errors, start times
 *   over 2 s, names from a small set; several MB, so not in cache), walked in
 *   order across iterations; atomic vs mutex, against a bare `Atomics.add`.
 * - `recordRequest` on the issue's varied input (`record-varied`):
 *   `_inputs.ts` `variedResults`, one object shape, no names or errors,
 *   start times over one second in random order from 500 ms into it.
 * - `recordRequest` on two constant objects: the success path (no error, no
 *   name) and the failure path (status 503 and an error string), atomic vs
 *   mutex, against a bare `Atomics.add` as the physical reference (one V8
 *   builtin call). Constant inputs flatter a hot path (same buckets, same
 *   interval, objects in L1); keep them for comparison with earlier runs.
 * - `getSnapshot` / `getTimeSeries` on a full collector: 64 error types,
 *   64 names and 3,600 time-series points.
 *
 * The recordRequest benches make 1,000 calls per iteration, so divide
 * time/iter by 1,000 for ns per call; this
 * keeps the harness's own per-iteration cost out of the figure. The atomic
 * collector's figure includes its amortised batch merges (one per 10,000
 * calls by default; no timer, `flushIntervalMs: 0`). Each bench has its own
 * loop, so that every call site sees one collector class.
 */
import { createCollector, type RequestResult, type SharedMetricsCollector } from "@lunge/metrics";
import { REALISTIC_MASK, realisticResults, variedResults } from "./_inputs.ts";

const now = Date.now();
const ok: RequestResult = { startTime: now, duration: 12.345, statusCode: 200, bytes: 512 };
const failed: RequestResult = {
  startTime: now,
  duration: 30.5,
  statusCode: 503,
  bytes: 0,
  error: "connection reset",
};

const atomic = createCollector("atomic", { flushIntervalMs: 0 });
const mutex = createCollector("mutex");
const counter = new Int32Array(new SharedArrayBuffer(64));

const OPS = 1000;

const varied = realisticResults();
const realAtomic = createCollector("atomic", { flushIntervalMs: 0 });
const realMutex = createCollector("mutex");
let cursorAtomic = 0, cursorMutex = 0;
Deno.bench("Atomics.add x1000 (reference)", { group: "record-realistic", baseline: true }, () => {
  for (let i = 0; i < OPS; i++) Atomics.add(counter, 0, 1);
});
Deno.bench("atomic recordRequest realistic x1000", { group: "record-realistic" }, () => {
  let j = cursorAtomic;
  for (let i = 0; i < OPS; i++) {
    realAtomic.recordRequest(varied[j]);
    j = (j + 1) & REALISTIC_MASK;
  }
  cursorAtomic = j;
});
Deno.bench("mutex recordRequest realistic x1000", { group: "record-realistic" }, () => {
  let j = cursorMutex;
  for (let i = 0; i < OPS; i++) {
    realMutex.recordRequest(varied[j]);
    j = (j + 1) & REALISTIC_MASK;
  }
  cursorMutex = j;
});

const issueInput = variedResults();
const variedAtomic = createCollector("atomic", { flushIntervalMs: 0 });
const variedMutex = createCollector("mutex");
let cursorVariedAtomic = 0, cursorVariedMutex = 0;
Deno.bench("Atomics.add x1000 (reference)", { group: "record-varied", baseline: true }, () => {
  for (let i = 0; i < OPS; i++) Atomics.add(counter, 0, 1);
});
Deno.bench("atomic recordRequest varied x1000", { group: "record-varied" }, () => {
  let j = cursorVariedAtomic;
  for (let i = 0; i < OPS; i++) {
    variedAtomic.recordRequest(issueInput[j]);
    j = (j + 1) & REALISTIC_MASK;
  }
  cursorVariedAtomic = j;
});
Deno.bench("mutex recordRequest varied x1000", { group: "record-varied" }, () => {
  let j = cursorVariedMutex;
  for (let i = 0; i < OPS; i++) {
    variedMutex.recordRequest(issueInput[j]);
    j = (j + 1) & REALISTIC_MASK;
  }
  cursorVariedMutex = j;
});

Deno.bench("Atomics.add x1000 (reference)", { group: "record-success", baseline: true }, () => {
  for (let i = 0; i < OPS; i++) Atomics.add(counter, 0, 1);
});
Deno.bench("atomic recordRequest success x1000", { group: "record-success" }, () => {
  for (let i = 0; i < OPS; i++) atomic.recordRequest(ok);
});
Deno.bench("mutex recordRequest success x1000", { group: "record-success" }, () => {
  for (let i = 0; i < OPS; i++) mutex.recordRequest(ok);
});
Deno.bench(
  "atomic recordRequest failure x1000",
  { group: "record-failure", baseline: true },
  () => {
    for (let i = 0; i < OPS; i++) atomic.recordRequest(failed);
  },
);
Deno.bench("mutex recordRequest failure x1000", { group: "record-failure" }, () => {
  for (let i = 0; i < OPS; i++) mutex.recordRequest(failed);
});

/** A collector with every table full: 64 error types, 64 names, 3,600 points. */
function full(kind: "atomic" | "mutex"): SharedMetricsCollector {
  const c = createCollector(kind, { flushIntervalMs: 0 });
  // 3,600 seconds ending 24 s from now: within the window collectors accept
  // (3,600 s behind the clock to 60 s ahead).
  const t0 = Date.now() - 3_575_000;
  for (let s = 0; s < 3_600; s++) {
    for (let i = 0; i < 20; i++) {
      const n = s * 20 + i;
      c.recordRequest({
        startTime: t0 + s * 1000,
        duration: 1 + (n % 997) / 10,
        statusCode: n % 50 === 0 ? 500 + (n % 4) : 200,
        bytes: 100,
        error: n % 7 === 0 ? `error type ${n % 64}` : undefined,
        name: `request ${n % 64}`,
      });
    }
  }
  c.flush();
  return c;
}

const fullAtomic = full("atomic");
const fullMutex = full("mutex");
Deno.bench("atomic getSnapshot (full)", { group: "snapshot", baseline: true }, () => {
  fullAtomic.getSnapshot();
});
Deno.bench("mutex getSnapshot (full)", { group: "snapshot" }, () => {
  fullMutex.getSnapshot();
});
Deno.bench("atomic getTimeSeries (3,600 points)", { group: "time-series", baseline: true }, () => {
  fullAtomic.getTimeSeries();
});
Deno.bench("mutex getTimeSeries (3,600 points)", { group: "time-series" }, () => {
  fullMutex.getTimeSeries();
});

globalThis.addEventListener("unload", () => {
  for (const c of [realAtomic, realMutex, atomic, mutex, fullAtomic, fullMutex]) c.close();
});
