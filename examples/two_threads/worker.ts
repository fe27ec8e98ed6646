/// <reference lib="deno.worker" />
import { attachCollector, type CollectorHandle } from "@lunge/metrics";

self.onmessage = (e: MessageEvent<CollectorHandle>) => {
  const collector = attachCollector(e.data);
  for (let i = 0; i < 1000; i++) {
    collector.recordRequest({
      startTime: Date.now(), // epoch milliseconds
      duration: 1 + (i % 100), // milliseconds: 1 .. 100
      statusCode: i % 100 === 99 ? 503 : 200,
      bytes: 512,
    });
  }
  collector.close(); // merges this thread's batch, frees its writer slot
  self.postMessage("done");
};
