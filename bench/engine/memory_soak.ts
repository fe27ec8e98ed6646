/**
 * Whether the engine's memory stays bounded over a long run: runs the engine
 * in this process (`runTest`, 2 Workers) at an arrival rate against the
 * built-in target server (its own process) and prints, every `--every`
 * seconds, the process's RSS (anonymous and file-backed, from
 * /proc/self/status), its threads and open file descriptors, the main
 * thread's V8 heap, and each Worker's V8 heap (used / total / external),
 * and with `--gc` (needs `--v8-flags=--expose-gc`) each heap again after a
 * forced full collection (main thread and Workers), to tell live memory from
 * garbage. `--per-second` keeps the per-second histograms
 * (`--histograms-per-second`).
 *
 * The Workers are the engine's own (run/worker.ts, unchanged), loaded through
 * `_memory_worker.ts`, which adds one diagnostic message to read their
 * `Deno.memoryUsage()`.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 --allow-read --allow-write --allow-run \
 *   [--v8-flags=--expose-gc] bench/engine/memory_soak.ts \
 *   [--rate 5000] [--seconds 300] [--every 10] [--csv] [--per-second] [--gc]
 * ```
 *
 * Linux only (/proc, read through `sh`: Deno wants --allow-all to read /proc/self).
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
    seconds: { type: "string", default: "300" },
    every: { type: "string", default: "10" },
    workers: { type: "string", default: "2" },
    csv: { type: "boolean", default: false },
    gc: { type: "boolean", default: false },
    "per-second": { type: "boolean", default: false },
  },
});
const rate = Number(values.rate), seconds = Number(values.seconds);
const every = Number(values.every), nWorkers = Number(values.workers);
if (!(rate > 0) || !(seconds > 0) || !(every > 0) || !(nWorkers >= 1)) {
  console.error("memory_soak: --rate, --seconds, --every and --workers must be positive");
  Deno.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (values.gc && gc === undefined) {
  console.error("memory_soak: --gc needs --v8-flags=--expose-gc");
  Deno.exit(2);
}

// The engine's Workers, loaded through the diagnostic wrapper.
const ENGINE_WORKER = new URL("../../examples/lunge/run/worker.ts", import.meta.url).href;
const DIAG_WORKER = new URL("./_memory_worker.ts", import.meta.url).href;
const workers: Worker[] = [];
const NativeWorker = globalThis.Worker;
globalThis.Worker = class extends NativeWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    super(String(url) === ENGINE_WORKER ? DIAG_WORKER : url, options);
    workers.push(this);
  }
};

interface Usage {
  before: Deno.MemoryUsage;
  after: Deno.MemoryUsage;
}

/** One Worker's memory, or null when it did not answer within 2 s (it ended). */
function workerMemory(w: Worker, forceGc: boolean): Promise<Usage | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(null), 2_000);
    const onMessage = (e: MessageEvent) => {
      if (e.data?.type === "diag-memory") done(e.data);
    };
    const done = (u: Usage | null) => {
      clearTimeout(timer);
      w.removeEventListener("message", onMessage);
      resolve(u);
    };
    w.addEventListener("message", onMessage);
    w.postMessage({ type: "diag-memory", gc: forceGc });
  });
}

/** Runs `sh -c script` and returns its stdout (Deno asks for --allow-all to read /proc/self). */
async function shell(script: string): Promise<string> {
  const out = await new Deno.Command("sh", { args: ["-c", script], stderr: "null" }).output();
  return new TextDecoder().decode(out.stdout);
}

/** Fields of this process's /proc status in kB, and its open file descriptors (`fds`). */
async function procStatus(): Promise<Record<string, number>> {
  const text = await shell(
    `cat /proc/${Deno.pid}/status; echo "fds: $(ls /proc/${Deno.pid}/fd | wc -l)"`,
  );
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^(\w+):\s+(\d+)/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const kbToMb = (kb: number) => (kb / 1024).toFixed(0);

async function sample(t: number): Promise<string> {
  const st = await procStatus();
  const main = Deno.memoryUsage();
  let mainGc = "";
  if (values.gc) {
    gc!();
    const m = Deno.memoryUsage();
    mainGc = ` gc→${mb(m.heapUsed)}/${mb(m.heapTotal)}/${mb(m.external)}`;
  }
  const ws = await Promise.all(workers.map((w) => workerMemory(w, values.gc!)));
  const parts = ws.map((u, i) => {
    if (u === null) return `w${i} -`;
    const b = u.before, a = u.after;
    const gcPart = values.gc ? ` gc→${mb(a.heapUsed)}/${mb(a.heapTotal)}/${mb(a.external)}` : "";
    return `w${i} ${mb(b.heapUsed)}/${mb(b.heapTotal)}/${mb(b.external)}${gcPart}`;
  });
  return `${String(t).padStart(4)} s  RSS ${kbToMb(st.VmRSS)} (anon ${kbToMb(st.RssAnon)}, ` +
    `file ${kbToMb(st.RssFile)})  thr ${st.Threads} fd ${st.fds - 1}  ` +
    `main ${mb(main.heapUsed)}/${mb(main.heapTotal)}/${mb(main.external)}${mainGc}  ${
      parts.join("  ")
    }`;
}

const dir = await Deno.makeTempDir({ prefix: "lunge-memory-soak-" });
const server = await startTargetProcess();
const csv = values.csv ? CsvFile.open(`${dir}/r.csv`) : undefined;
if (typeof csv === "string") throw new Error(csv);
console.log(
  `memory_soak — ${rate}/s for ${seconds} s, ${nWorkers} Workers, ` +
    `${csv ? "with" : "without"} --out csv` +
    `${values["per-second"] ? ", --histograms-per-second" : ""}` +
    `${values.gc ? ", forced GC" : ""}`,
);
console.log("heaps: used/total/external MB");
let second = 0;
let sampling = false;
const timer = setInterval(async () => {
  if (++second % every !== 0 || sampling) return;
  sampling = true;
  try {
    console.log(await sample(second));
  } finally {
    sampling = false;
  }
}, 1000);
try {
  console.log(await sample(0));
  const r = await runTest({
    config: steadyLoad(server, rate, seconds),
    workers: nWorkers,
    outputs: { labels: {}, perSecond: values["per-second"], opened: csv ? [csv] : [] },
  });
  console.log(
    `${r.metrics.totalRequests} requests (${r.metrics.requestsPerSecond.toFixed(0)}/s), ` +
      `latency p50 ${r.metrics.latency.p50.toFixed(2)} p99 ${
        r.metrics.latency.p99.toFixed(2)
      } ms, ` +
      `${r.passed ? "passed" : `failed (${r.error})`}`,
  );
} finally {
  clearInterval(timer);
  csv?.close();
  await server.close();
  await Deno.remove(dir, { recursive: true });
}
