/// <reference lib="deno.worker" />
/**
 * The Deno reference's Web Worker: attaches to the collector from mod.ts
 * (the source, not the bundle), records writer `writer`'s seeded results of
 * ./_generator.mjs, closes (which flushes) and posts "done".
 *
 * @module
 */
import { attachCollector, type CollectorHandle } from "@lunge/metrics";
import { results } from "./_generator.mjs";

interface Job {
  handle: CollectorHandle;
  writer: number;
  count: number;
  t0: number;
}

self.onmessage = (e: MessageEvent<Job>) => {
  const { handle, writer, count, t0 } = e.data;
  const collector = attachCollector(handle);
  for (const r of results(writer, count, t0)) collector.recordRequest(r);
  collector.close();
  self.postMessage("done");
};
