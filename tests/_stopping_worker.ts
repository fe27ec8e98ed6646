/// <reference lib="deno.worker" />
/**
 * Test Worker for the ways a writer can stop. Messages in:
 * - `{ handle, mode: "unclosed", count, t0 }`: record `count` results, post
 *   "recorded", and never close (the main thread terminates it);
 * - `{ handle, mode: "holder" }`: take the collector's lock word as a merge
 *   would (compare-exchange 0 -> 1), post "holding", and stay idle until
 *   terminated. (Deno's `terminate()` does not interrupt a Worker's running
 *   code, so a Deno Worker cannot be stopped inside a real merge; the
 *   cross-runtime test does that on Node and Bun.)
 */
import { attachCollector, type CollectorHandle } from "@lunge/metrics";

interface Job {
  handle: CollectorHandle;
  mode: "unclosed" | "holder";
  count?: number;
  t0?: number;
}

self.onmessage = (e: MessageEvent<Job>) => {
  const { handle, mode, count = 0, t0 = Date.now() } = e.data;
  const collector = attachCollector(handle);
  if (mode === "unclosed") {
    for (let i = 0; i < count; i++) {
      collector.recordRequest({
        startTime: t0 + (i % 500),
        duration: 1 + (i % 97),
        statusCode: i % 10 === 0 ? 500 : 200,
        bytes: 10,
      });
    }
    self.postMessage("recorded");
    return;
  }
  collector.getSnapshot(); // a real attach, then the lock as a merge takes it:
  const lockWord = new Int32Array(handle.buffer, 64, 1);
  if (Atomics.compareExchange(lockWord, 0, 0, 1) !== 0) throw new Error("lock busy");
  self.postMessage("holding");
};
