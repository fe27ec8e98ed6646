/**
 * Whether `--out csv=<file>` keeps memory bounded: runs the engine in this
 * process (`runTest`, 2 Workers) at an arrival rate against the built-in
 * target server (its own process), with or without a CSV file, and prints
 * the process's RSS and the main thread's heap every 10 s, and with the CSV
 * the most bytes that ever waited for an earlier write
 * (`CsvFile.peakQueuedBytes`).
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 --allow-read --allow-write --allow-run \
 *   bench/engine/csv_memory.ts [--rate 5000] [--seconds 120] [--csv]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { runTest } from "../../examples/lunge/run/engine.ts";
import { CsvFile } from "../../examples/lunge/outputs/csv.ts";
import { startTargetProcess, steadyLoad } from "./_target_process.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rate: { type: "string", default: "5000" },
    seconds: { type: "string", default: "120" },
    csv: { type: "boolean", default: false },
  },
});
const rate = Number(values.rate), seconds = Number(values.seconds);
if (!(rate > 0) || !(seconds > 0)) {
  console.error("csv_memory: --rate and --seconds must be positive");
  Deno.exit(2);
}

const dir = await Deno.makeTempDir({ prefix: "lunge-csv-memory-" });
const server = await startTargetProcess();
const csv = values.csv ? CsvFile.open(`${dir}/r.csv`) : undefined;
if (typeof csv === "string") throw new Error(csv);
const mb = (n: number) => (n / 2 ** 20).toFixed(0);
const rss: string[] = [], heap: string[] = [];
let second = 0;
const timer = setInterval(() => {
  if (++second % 10 !== 0) return;
  const m = Deno.memoryUsage();
  rss.push(mb(m.rss));
  heap.push(mb(m.heapUsed));
}, 1000);
try {
  const r = await runTest({
    config: steadyLoad(server, rate, seconds),
    workers: 2,
    outputs: { labels: {}, opened: csv ? [csv] : [] },
  });
  console.log(
    `csv_memory — ${rate}/s for ${seconds} s, ${csv ? "with" : "without"} --out csv: ` +
      `${r.metrics.totalRequests} requests, ${r.passed ? "passed" : `failed (${r.error})`}`,
  );
  console.log(`RSS every 10 s (MB): ${rss.join(" ")}`);
  console.log(`main thread heap every 10 s (MB): ${heap.join(" ")}`);
  if (csv) {
    console.log(`rows ${csv.rows}; at most ${csv.peakQueuedBytes} bytes waited to be written`);
  }
} finally {
  clearInterval(timer);
  csv?.close();
  await server.close();
  await Deno.remove(dir, { recursive: true });
}
