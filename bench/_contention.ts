/**
 * One contention run (used by `contention.ts` and `gate.ts`): `writers`
 * fresh Workers each warm up, wait at a barrier, then record `count`
 * results, either into ONE collector (`shared`) or each into its own
 * (`private`: no shared memory written on the hot path, so the machine's
 * limit for the same code).
 */
import { type CollectorKind, createCollector } from "@lunge/metrics";
import type { Done, Job } from "./_contention_worker.ts";
import { DEFAULT_T0, expectedTotals, type Input, inputResults } from "./_inputs.ts";

/** Where the Workers record. */
export type Mode = "shared" | "private";

/** One run's parameters. */
export interface RunOptions {
  kind: CollectorKind;
  mode: Mode;
  writers: number;
  /** recordRequest calls per Worker, timed. */
  count: number;
  input: Input;
  /** recordRequest calls per Worker before the barrier (default 524,288). */
  warmup?: number;
}

/** One run's result. */
export interface RunResult {
  /** Mean over Workers of each one's own time per call. */
  nsPerOp: number;
  /** All Workers' calls over the span from the first start to the last end. */
  mops: number;
  /** Final totals exactly what was recorded. */
  exact: boolean;
}

const workerUrl = new URL("./_contention_worker.ts", import.meta.url).href;
const expectedCache = new Map<string, ReturnType<typeof expectedTotals>>();

function expected(input: Input, count: number) {
  const key = `${input}/${count}`;
  let e = expectedCache.get(key);
  if (!e) expectedCache.set(key, e = expectedTotals(inputResults(input), count));
  return e;
}

function nextMessage<T>(w: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (e: MessageEvent<T>) => {
      w.removeEventListener("error", onError);
      resolve(e.data);
    };
    const onError = (e: ErrorEvent) => {
      e.preventDefault();
      w.removeEventListener("message", onMessage);
      reject(new Error(`contention Worker failed: ${e.message}`));
    };
    w.addEventListener("message", onMessage, { once: true });
    w.addEventListener("error", onError, { once: true });
  });
}

/** Run once: start the Workers, warm them, release them together, time them. */
export async function runContention(o: RunOptions): Promise<RunResult> {
  const shared = o.mode === "shared" ? createCollector(o.kind) : undefined;
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from(
    { length: o.writers },
    () => new Worker(workerUrl, { type: "module" }),
  );
  try {
    const ready = workers.map((w) => nextMessage<unknown>(w));
    const job: Job = {
      kind: o.kind,
      handle: shared?.share(),
      gate,
      count: o.count,
      input: o.input,
      t0: DEFAULT_T0,
      warmup: o.warmup ?? 524_288,
    };
    for (const w of workers) w.postMessage(job);
    await Promise.all(ready);
    const finished = workers.map((w) => nextMessage<Done>(w));
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    const done = await Promise.all(finished);
    const span = Math.max(...done.map((d) => d.end)) - Math.min(...done.map((d) => d.start));
    const mean = done.reduce((a, d) => a + (d.end - d.start), 0) / o.writers;
    let exact: boolean;
    if (shared) {
      const s = shared.getSnapshot(), e = expected(o.input, o.count);
      exact = s.totalRequests === o.writers * e.totalRequests &&
        s.failedRequests === o.writers * e.failedRequests &&
        s.totalBytes === o.writers * e.totalBytes;
    } else exact = done.every((d) => d.exact === true);
    return { nsPerOp: mean * 1e6 / o.count, mops: o.writers * o.count / span / 1000, exact };
  } finally {
    for (const w of workers) w.terminate();
    shared?.close();
  }
}

/** The median (upper median for an even count). */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}
