/// <reference lib="deno.worker" />
/**
 * Test Worker: rebuilds the histogram whose state it is posted
 * (`LatencyHistogram.fromState`), records the latencies it is given, and
 * posts back the new state and the statistics it sees; a state it cannot
 * rebuild is posted back as the error's message.
 */
import { LatencyHistogram, type LatencyHistogramState } from "@lunge/metrics";

self.onmessage = (e: MessageEvent<{ state: LatencyHistogramState; record: number[] }>) => {
  try {
    const h = LatencyHistogram.fromState(e.data.state);
    for (const ms of e.data.record) h.record(ms);
    self.postMessage({ state: h.toState(), stats: h.stats() });
  } catch (err) {
    self.postMessage({ error: `${(err as Error).name}: ${(err as Error).message}` });
  }
};
