/// <reference lib="deno.worker" />
/**
 * Test Worker: attaches to a collector and records a deterministic workload
 * into it (tests/_workload.ts), then flushes, closes and reports.
 *
 * Messages in: `{ handle, writer, count, t0, phases? }`. With `phases`, the
 * worker records `count` results, posts "paused" and waits for "go" before
 * recording `phases` more: the main thread resets in between.
 */
import { attachCollector, type CollectorHandle } from "@lunge/metrics";
import { workloadResult } from "./_workload.ts";

interface Job {
  handle: CollectorHandle;
  writer: number;
  count: number;
  t0: number;
  after?: number;
}

self.onmessage = (e: MessageEvent<Job | "go">) => {
  if (e.data === "go") return;
  const job = e.data;
  const collector = attachCollector(job.handle);
  for (let i = 0; i < job.count; i++) {
    collector.recordRequest(workloadResult(job.writer, i, job.t0));
  }
  collector.flush();
  if (job.after === undefined) {
    collector.close();
    self.postMessage("done");
    return;
  }
  self.postMessage("paused");
  self.onmessage = () => {
    for (let i = 0; i < job.after!; i++) {
      collector.recordRequest(workloadResult(job.writer, i, job.t0));
    }
    collector.close();
    self.postMessage("done");
  };
};
