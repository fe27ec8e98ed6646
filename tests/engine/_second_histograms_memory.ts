/**
 * Test helper (run as a subprocess with `--v8-flags=--expose-gc`): captures
 * 600 seconds of requests with a {@linkcode SecondHistograms}, as a 10-minute
 * run with `--histograms-per-second` does, and prints as JSON the seconds
 * captured and the live ArrayBuffer memory (`Deno.memoryUsage().external`
 * after a full GC) before and after.
 *
 * @module
 */
import { createCollector } from "@lunge/metrics";
import { SecondHistograms } from "../../examples/lunge/distributed/run_histograms.ts";

const SECONDS = 600;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
const liveExternal = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Deno.memoryUsage().external;
};

const collector = createCollector("atomic");
// Seconds that ended 11 to 1 minutes ago: the collector takes start times up to 1 h back.
const first = Math.floor(Date.now() / 1000) - SECONDS - 60;
const seconds = new SecondHistograms(collector, first * 1000);
const before = await liveExternal();
for (let s = first; s < first + SECONDS; s++) {
  for (let i = 0; i < 50; i++) {
    const duration = 0.2 + ((i * 7919) % 1000) / 37;
    collector.recordRequest({ startTime: s * 1000 + i, duration, statusCode: 200, bytes: 0 });
  }
  seconds.capture((s + 2) * 1000 + 500); // the engine's tick, 2.5 s after the second began
}
seconds.finish((first + SECONDS) * 1000 - 1);
const captured = (await seconds.seconds()).length;
const after = await liveExternal();
collector.close();
console.log(JSON.stringify({ captured, before, after }));
