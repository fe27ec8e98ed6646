/**
 * The collector's share of a load test's CPU at 1,000 RPS (the target: < 1 %).
 *
 * 1. Runs the engine in this process (`runTest`) at 1,000 iterations/s for
 *    10 s against the target server, which runs in a separate process.
 *    `process.cpuUsage()` covers every thread of this process (main thread
 *    and Workers): that is the load test's CPU.
 * 2. Replays the collector's part of that run in isolation and times it:
 *    the same number of `recordRequest` calls over the same number of
 *    writers, a merge every 100 ms of run time per writer (what each Worker's
 *    timer does), one snapshot and one time-series read per second (the
 *    progress line and the report), with latencies drawn like the run's.
 *    The first (cold, unoptimised) replay is the figure used; warm replays
 *    are shown beside it.
 *
 * ```sh
 * deno task bench:overhead [--rate 1000] [--seconds 10] [--collector atomic|mutex]
 * ```
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { validateConfig } from "../../examples/lunge/config/config.ts";
import { runTest } from "../../examples/lunge/run/engine.ts";
import { attachCollector, type CollectorKind, createCollector } from "@lunge/metrics";
import { startTargetProcess } from "./_target_process.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "10" },
    collector: { type: "string", default: "atomic" },
  },
});
const rate = Number(values.rate), seconds = Number(values.seconds);
const kind = values.collector as CollectorKind;
if (!(rate > 0) || !(seconds > 0) || (kind !== "atomic" && kind !== "mutex")) {
  console.error("overhead: --rate and --seconds must be positive, --collector atomic|mutex");
  Deno.exit(2);
}
const workers = 2;

// 1. The real run.
const server = await startTargetProcess();
let result;
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
try {
  result = await runTest({
    config: validateConfig({
      name: "overhead",
      scenarios: {
        load: {
          executor: "constant-arrival-rate",
          rate,
          duration: `${seconds}s`,
          preAllocatedVUs: 50,
          maxVUs: 500,
          requests: [{ url: server.url }],
        },
      },
    }),
    collector: kind,
    workers,
  });
} finally {
  await server.close();
}
const cpu = process.cpuUsage(cpu0);
const runCpuMs = (cpu.user + cpu.system) / 1000;
const runWallMs = performance.now() - wall0;
const m = result.metrics;

// 2. The collector's part of that run, replayed alone.
function replay(): number {
  const main = createCollector(kind, { flushIntervalMs: 0 });
  const writers = Array.from({ length: workers }, () => attachCollector(main.share()));
  const perMerge = Math.max(1, Math.round(rate / workers / 10));
  const t0 = Date.now();
  let x = 987654321;
  const start = performance.now();
  for (let i = 0; i < m.totalRequests; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const w = writers[i % workers];
    w.recordRequest({
      startTime: t0 + (i / rate) * 1000,
      duration: m.latency.p50 * Math.exp(0.5 * ((x / 2147483648) * 2 - 1)),
      statusCode: 200,
      bytes: m.totalRequests > 0 ? Math.round(m.totalBytes / m.totalRequests) : 0,
      name: "GET /",
    });
    if (Math.floor(i / workers) % perMerge === perMerge - 1) w.flush();
    if (i % rate === rate - 1) main.getSnapshot();
  }
  for (const w of writers) w.close();
  main.getSnapshot();
  main.getTimeSeries();
  const ms = performance.now() - start;
  main.close();
  return ms;
}
const cold = replay();
const warm = Array.from({ length: 5 }, replay).sort((a, b) => a - b)[2];

const pct = (ms: number) => ((ms / runCpuMs) * 100).toFixed(3);
console.log(
  `overhead — ${kind} collector, ${rate} iterations/s for ${seconds} s, ${workers} Workers, ` +
    `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs`,
);
console.log(
  `load test: ${m.totalRequests} requests (${m.requestsPerSecond.toFixed(1)}/s), ` +
    `${runCpuMs.toFixed(0)} ms CPU over ${(runWallMs / 1000).toFixed(1)} s ` +
    `(${(runCpuMs / m.totalRequests * 1000).toFixed(1)} µs CPU per request)`,
);
console.log(
  `collector: ${cold.toFixed(2)} ms cold (${pct(cold)} % of the load test's CPU), ` +
    `${warm.toFixed(2)} ms warm (${pct(warm)} %), ` +
    `${(cold / m.totalRequests * 1e6).toFixed(0)} ns per request cold`,
);
