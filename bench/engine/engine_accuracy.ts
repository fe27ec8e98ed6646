/**
 * The engine's acceptance benchmark: against the counting target server
 * (started as a separate process, so it does not share the engine's event
 * loop), run
 *
 * - 200 iterations/s with a pool of 1,000 VUs (preAllocatedVUs = maxVUs =
 *   1000) for 10 s, with each collector;
 * - 5,000 iterations/s for 10 s, with each collector, and 10,000/s with the
 *   atomic one;
 * - a closed-model throughput run: 64 VUs as fast as they go for 10 s;
 *
 * and print target vs achieved RPS, error %, dropped iterations, latency
 * (from the scheduled start), the generator's send lag (how late iterations
 * left, part of that latency), and the count the engine reported vs the
 * count the server received.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 --allow-read --allow-run bench/engine/engine_accuracy.ts [--quick]
 * ```
 *
 * `--quick` runs 3 s per case instead of 10 s.
 *
 * @module
 */
import { validateConfig } from "../../examples/lunge/config/config.ts";
import { runTest } from "../../examples/lunge/run/engine.ts";
import type { CollectorKind } from "@lunge/metrics";
import { startTargetProcess } from "./_target_process.ts";

const quick = Deno.args.includes("--quick");
const seconds = quick ? 3 : 10;

interface Case {
  label: string;
  collector: CollectorKind;
  scenario: Record<string, unknown>;
  targetRps: number;
}

const cases: Case[] = [];
for (const collector of ["atomic", "mutex"] as const) {
  cases.push({
    label: "200 RPS, 1000 VUs",
    collector,
    targetRps: 200,
    scenario: {
      executor: "constant-arrival-rate",
      rate: 200,
      duration: `${seconds}s`,
      preAllocatedVUs: 1000,
      maxVUs: 1000,
    },
  });
}
for (const collector of ["atomic", "mutex"] as const) {
  cases.push({
    label: "5000 RPS",
    collector,
    targetRps: 5000,
    scenario: {
      executor: "constant-arrival-rate",
      rate: 5000,
      duration: `${seconds}s`,
      preAllocatedVUs: 100,
      maxVUs: 1000,
    },
  });
}
cases.push({
  label: "10000 RPS",
  collector: "atomic",
  targetRps: 10_000,
  scenario: {
    executor: "constant-arrival-rate",
    rate: 10_000,
    duration: `${seconds}s`,
    preAllocatedVUs: 100,
    maxVUs: 1000,
  },
});
for (const collector of ["atomic", "mutex"] as const) {
  cases.push({
    label: "max, 64 VUs",
    collector,
    targetRps: 0,
    scenario: { executor: "constant-vus", vus: 64, duration: `${seconds}s` },
  });
}

const server = await startTargetProcess();
const url = server.url;

console.log(
  `engine accuracy — ${seconds} s per case, target server ${url} (separate process), ` +
    `${navigator.hardwareConcurrency} CPUs, Deno ${Deno.version.deno}`,
);
const header = [
  "case",
  "collector",
  "target RPS",
  "achieved RPS",
  "error %",
  "dropped",
  "p50 ms",
  "p99 ms",
  "lag p50/p99",
  "reported",
  "server",
];
const rows: string[][] = [];
try {
  for (const c of cases) {
    const before = await server.requests();
    const config = validateConfig({
      name: c.label,
      scenarios: { bench: { ...c.scenario, requests: [{ url }] } },
    });
    const result = await runTest({ config, collector: c.collector });
    const after = await server.requests();
    const m = result.metrics;
    const lag = result.scenarios.bench.sendLag;
    const achieved = m.totalRequests / seconds;
    const row = [
      c.label,
      c.collector,
      c.targetRps ? String(c.targetRps) : "-",
      achieved.toFixed(1),
      (m.errorRate * 100).toFixed(2),
      String(result.scenarios.bench.droppedIterations),
      m.latency.p50.toFixed(2),
      m.latency.p99.toFixed(2),
      lag ? `${lag.p50.toFixed(1)}/${lag.p99.toFixed(1)}` : "-",
      String(m.totalRequests),
      String(after - before),
    ];
    rows.push(row);
    console.log(row.join(" | "));
  }
} finally {
  await server.close();
}
console.log();
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) =>
  "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
console.log(line(header));
console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
for (const r of rows) console.log(line(r));
