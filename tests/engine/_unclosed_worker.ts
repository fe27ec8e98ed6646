/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * Test helper: a Worker that records requests into an attached collector and
 * then neither flushes nor closes it (as a Worker ended in the middle of its
 * run would), then says "recorded".
 *
 * @module
 */
import { attachCollector, type CollectorHandle } from "@lunge/metrics";

self.onmessage = (e: MessageEvent<{ handle: CollectorHandle; n: number }>) => {
  const collector = attachCollector(e.data.handle);
  const now = Date.now();
  for (let i = 0; i < e.data.n; i++) {
    collector.recordRequest({
      startTime: now - 10 + i / 100,
      duration: 5,
      statusCode: 200,
      bytes: 1,
    });
  }
  self.postMessage("recorded");
};
