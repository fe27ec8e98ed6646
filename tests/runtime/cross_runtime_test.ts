/**
 * The module runs unchanged on Deno, Node (>= 20) and Bun.
 *
 * mod.ts is bundled once with `deno bundle --format esm` (no edit, no shim);
 * tests/runtime/workload.mjs then runs under `node` and under Bun: for each
 * collector kind, 2 worker_threads attach to one collector and record the
 * seeded results of ./_generator.mjs. Their counts must equal what the
 * generator says exactly, and their latency figures must be identical to
 * Deno's, which runs the same results through mod.ts (the source) with 2 Web
 * Workers. A second run per runtime records from the main thread through a
 * created and an attached collector without closing either: the process
 * must exit by itself (no flush timer keeps it alive).
 *
 * Node is looked up as `node` on PATH (or $NODE); Bun as $BUN (set by
 * .ci/run), else .ci/.tools or node_modules, else `bun` on PATH. A runtime
 * not found is skipped, with the reason in the test name; with $BUN set, a
 * missing Bun fails.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createCollector } from "@lunge/metrics";
import { expected, PER_WRITER, summarize, type Summary, WRITERS } from "./_generator.mjs";

const ROOT = new URL("../../", import.meta.url);
const WORKLOAD = fileURLToPath(new URL("./workload.mjs", import.meta.url));
const KINDS = ["atomic", "mutex"] as const;
/** A workload run (4 Workers in all, 80,000 results) takes well under 1 s on a quiet machine. */
const RUN_TIMEOUT_MS = 30_000;
/** How long a process with unclosed collectors may take to exit by itself. */
const EXIT_BOUND_MS = 10_000;

interface Runtime {
  name: string;
  /** Executable to spawn, or why the runtime is unavailable. */
  path?: string;
  missing?: string;
}

function works(path: string): boolean {
  try {
    return new Deno.Command(path, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

function locate(name: string, envVar: string, candidates: URL[]): Runtime {
  const fromEnv = Deno.env.get(envVar);
  // An explicit path is trusted: if it does not work, the test fails loudly.
  if (fromEnv) return { name, path: fromEnv };
  for (const url of candidates) {
    try {
      if (Deno.statSync(url).isFile) return { name, path: fileURLToPath(url) };
    } catch { /* not there */ }
  }
  if (works(name)) return { name, path: name };
  return { name, missing: `${name} not found (set ${envVar}=/path/to/${name}, or run .ci/run)` };
}

const NODE = locate("node", "NODE", []);
const BUN = locate("bun", "BUN", [
  // The npm package's real binary is bin/bun.exe on every platform.
  new URL(".ci/.tools/node_modules/bun/bin/bun.exe", ROOT),
  new URL("node_modules/bun/bin/bun.exe", ROOT),
]);
for (const r of [NODE, BUN]) {
  if (r.missing) console.warn(`cross_runtime_test: skipping ${r.name}: ${r.missing}`);
}

interface Output {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/** Run `cmd args` in the repository root, killing it after `timeoutMs`. */
async function run(cmd: string, args: string[], timeoutMs: number): Promise<Output> {
  const started = performance.now();
  const child = new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  try {
    const out = await child.output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return {
      code: out.code,
      stdout: decode(out.stdout),
      stderr: decode(out.stderr),
      ms: performance.now() - started,
      timedOut,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** mod.ts bundled to one ESM file, once per test file; removed on unload. */
let bundlePromise: Promise<string> | undefined;
function bundle(): Promise<string> {
  return bundlePromise ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "lunge-runtime-" });
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
    const file = `${dir}/mod.mjs`;
    const out = await run(
      Deno.execPath(),
      ["bundle", "--quiet", "--format", "esm", "-o", file, "mod.ts"],
      RUN_TIMEOUT_MS,
    );
    assert.equal(out.code, 0, `deno bundle failed:\n${out.stderr}`);
    return file;
  })();
}

/** Deno's reference: 2 Web Workers per kind on mod.ts itself, once per test file. */
let referencePromise: Promise<Record<string, Summary>> | undefined;
function reference(): Promise<Record<string, Summary>> {
  return referencePromise ??= (async () => {
    const out: Record<string, Summary> = {};
    for (const kind of KINDS) {
      const collector = createCollector(kind);
      const workers = Array.from(
        { length: WRITERS },
        () => new Worker(new URL("./_deno_worker.ts", import.meta.url), { type: "module" }),
      );
      try {
        const handle = collector.share();
        const t0 = collector.getSnapshot().startTime;
        await Promise.all(workers.map((w, writer) =>
          new Promise<void>((resolve, reject) => {
            w.onmessage = (e) => e.data === "done" && resolve();
            w.onerror = (e) => {
              e.preventDefault();
              reject(new Error(`Deno worker ${writer} failed: ${e.message}`));
            };
            w.postMessage({ handle, writer, count: PER_WRITER, t0 });
          })
        ));
        out[kind] = summarize(collector.getSnapshot());
      } finally {
        workers.forEach((w) => w.terminate());
        collector.close();
      }
    }
    return out;
  })();
}

const model = expected();

/** Nearest-rank percentile of the generator's durations. */
function exactPercentile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil((q / 100) * sorted.length) - 1)];
}

Deno.test(
  `runtime: Deno reference, 2 Web Workers per kind on mod.ts: exact counts, percentiles within 1 %`,
  async () => {
    const ref = await reference();
    const sorted = model.durations.toSorted((a, b) => a - b);
    for (const kind of KINDS) {
      const { counts, latency } = ref[kind];
      assert.deepEqual(counts, model.counts, `${kind}: counts`);
      assert.equal(latency.count, model.counts.totalRequests, `${kind}: latency.count`);
      assert.equal(latency.min, sorted[0], `${kind}: min`);
      assert.equal(latency.max, sorted[sorted.length - 1], `${kind}: max`);
      for (const q of [50, 90, 95, 99, 99.9]) {
        const got = latency[q === 99.9 ? "p999" : `p${q}` as "p50"];
        const want = exactPercentile(sorted, q);
        assert.ok(Math.abs(got - want) <= 0.01 * want, `${kind}: p${q} ${got} vs exact ${want}`);
      }
    }
    // One histogram design: both kinds give the very same figures.
    assert.deepEqual(ref.atomic.latency, ref.mutex.latency);
  },
);

for (const rt of [NODE, BUN]) {
  const skip = rt.missing ? ` [skipped: ${rt.missing}]` : "";

  Deno.test({
    name: `runtime: ${rt.name}, 2 worker_threads per kind on the bundle: ` +
      `exact counts, percentiles identical to Deno's${skip}`,
    ignore: rt.path === undefined,
    async fn() {
      const file = await bundle();
      const out = await run(rt.path!, [WORKLOAD, file], RUN_TIMEOUT_MS);
      assert.ok(!out.timedOut, `${rt.name} did not finish in ${RUN_TIMEOUT_MS} ms:\n${out.stderr}`);
      assert.equal(out.code, 0, `${rt.name} exited with ${out.code}:\n${out.stderr}`);
      const got = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
      assert.equal(got.runtime, rt.name);
      const ref = await reference();
      for (const kind of KINDS) {
        assert.deepEqual(got.results[kind].counts, model.counts, `${rt.name} ${kind}: counts`);
        assert.deepEqual(
          got.results[kind].latency,
          ref[kind].latency,
          `${rt.name} ${kind}: latency vs Deno`,
        );
      }
      console.log(`${rt.name} ${got.version}: ${Math.round(out.ms)} ms`);
    },
  });

  Deno.test({
    name: `runtime: ${rt.name}, close() skipped on created and attached collectors: ` +
      `the process exits by itself within ${EXIT_BOUND_MS / 1000} s${skip}`,
    ignore: rt.path === undefined,
    async fn() {
      const file = await bundle();
      const out = await run(rt.path!, [WORKLOAD, file, "leak"], EXIT_BOUND_MS);
      assert.ok(
        !out.timedOut,
        `${rt.name} was still running ${EXIT_BOUND_MS} ms after recording without close(): ` +
          `a timer keeps it alive\n${out.stdout}${out.stderr}`,
      );
      assert.equal(out.code, 0, `${rt.name} exited with ${out.code}:\n${out.stderr}`);
      // The workload did record before returning (the exit is not an early crash).
      const got = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
      assert.equal(got.leak, "recorded");
      assert.ok(got.recorded > 0);
    },
  });

  Deno.test({
    name: `runtime: ${rt.name}, a worker_thread terminated while holding the lock: ` +
      `the next record throws "held by a thread that stopped" within lockTimeoutMs${skip}`,
    ignore: rt.path === undefined,
    async fn() {
      const file = await bundle();
      const out = await run(rt.path!, [WORKLOAD, file, "stopped"], RUN_TIMEOUT_MS);
      assert.ok(!out.timedOut, `${rt.name} hung:\n${out.stdout}${out.stderr}`);
      assert.equal(out.code, 0, `${rt.name} exited with ${out.code}:\n${out.stderr}`);
      const got = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
      for (const kind of KINDS) {
        const { held, error, ms, attempts } = got.stopped[kind];
        assert.ok(held, `${rt.name} ${kind}: never stopped with the lock held (${attempts} tries)`);
        assert.match(error, /held by a thread that stopped|thread holding it has stopped/);
        assert.ok(ms >= 250 && ms < 3_000, `${rt.name} ${kind}: threw after ${ms} ms`);
      }
    },
  });
}
