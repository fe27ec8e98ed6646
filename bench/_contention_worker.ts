/// <reference lib="deno.worker" />
/**
 * Contention bench Worker (see `_contention.ts`): build the input, warm the
 * JIT on a throwaway collector of the same kind by running the very loop
 * that is timed, say ready, wait at the start barrier, then run the timed
 * loop into the collector under test (attached to the shared one, or this
 * Worker's private one), flush, and report when it started and ended.
 */
import {
  attachCollector,
  type CollectorHandle,
  type CollectorKind,
  createCollector,
  type RequestResult,
  type SharedMetricsCollector,
} from "@lunge/metrics";
import { drive, expectedTotals, type Input, inputResults } from "./_inputs.ts";

/** What the main thread sends. */
export interface Job {
  kind: CollectorKind;
  /** The shared collector; absent: this Worker records into a private one. */
  handle?: CollectorHandle;
  /** Start barrier: word 0 turns 1 when every Worker is ready. */
  gate: Int32Array;
  count: number;
  input: Input;
  /** Start time of the input (the same in every Worker). */
  t0: number;
  /** recordRequest calls of the warm-up (0: none, to show what it is for). */
  warmup: number;
}

/** What the Worker answers once timed: absolute times in ms (timeOrigin + now). */
export interface Done {
  start: number;
  end: number;
  /** Private collector only: whether its totals were exact. */
  exact?: boolean;
}

self.onmessage = (e: MessageEvent<Job>) => {
  const { kind, handle, gate, count, input, t0, warmup } = e.data;
  const results: RequestResult[] = inputResults(input, t0);
  const mask = results.length - 1;
  // Warm-up: the timed function itself, called several times on a
  // collector nobody counts, so that its optimised code (and recordRequest
  // inlined in it) is ready before the barrier; a single long call would
  // leave only on-stack-replacement code behind.
  if (warmup > 0) {
    const warm = createCollector(kind, { flushIntervalMs: 0 });
    const calls = 8, per = Math.ceil(warmup / calls);
    for (let k = 0; k < calls; k++) drive(warm, results, mask, per);
    warm.close();
  }
  const collector: SharedMetricsCollector = handle
    ? attachCollector(handle)
    : createCollector(kind);
  self.postMessage({ ready: true });
  Atomics.wait(gate, 0, 0);
  const start = performance.timeOrigin + performance.now();
  drive(collector, results, mask, count);
  collector.flush();
  const end = performance.timeOrigin + performance.now();
  let exact: boolean | undefined;
  if (!handle) {
    const s = collector.getSnapshot(), want = expectedTotals(results, count);
    exact = s.totalRequests === want.totalRequests && s.failedRequests === want.failedRequests &&
      s.totalBytes === want.totalBytes;
  }
  collector.close();
  const done: Done = { start, end, exact };
  self.postMessage(done);
};
