/// <reference lib="deno.worker" />
/**
 * Contention bench Worker: attach, wait at the start gate, record `count`
 * results in a tight loop, flush, and report the time it took.
 */
import { attachCollector, type CollectorHandle } from "../mod.ts";

interface Job {
  handle: CollectorHandle;
  gate: Int32Array;
  count: number;
}

self.onmessage = (e: MessageEvent<Job>) => {
  const { handle, gate, count } = e.data;
  const collector = attachCollector(handle);
  const t = Date.now();
  const ok = { startTime: t, duration: 12.5, statusCode: 200, bytes: 100 };
  const bad = { startTime: t, duration: 30, statusCode: 503, bytes: 0 };
  self.postMessage({ ready: true });
  Atomics.wait(gate, 0, 0);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) collector.recordRequest((i & 15) === 0 ? bad : ok);
  collector.flush();
  const elapsed = performance.now() - t0;
  collector.close();
  self.postMessage({ elapsed });
};
