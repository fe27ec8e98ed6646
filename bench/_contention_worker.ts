/// <reference lib="deno.worker" />
/**
 * Contention bench Worker: warm the JIT on a private collector of the same
 * kind, attach, wait at the start gate, record `count` results in a tight
 * loop, flush, and report the time it took.
 */
import { attachCollector, type CollectorHandle, createCollector } from "../mod.ts";

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
  // Warm-up: the same code path, into a collector nobody counts, so the
  // timed loop runs optimised code from its first call.
  const warm = createCollector(handle.kind, { flushIntervalMs: 0 });
  for (let i = 0; i < 1_000_000; i++) warm.recordRequest((i & 15) === 0 ? bad : ok);
  warm.close();
  self.postMessage({ ready: true });
  Atomics.wait(gate, 0, 0);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) collector.recordRequest((i & 15) === 0 ? bad : ok);
  collector.flush();
  const elapsed = performance.now() - t0;
  collector.close();
  self.postMessage({ elapsed });
};
