/**
 * Bench: how start-up and stopping time grow with the VU count. For each
 * count (default 1,000, 10,000 and 100,000) it runs the CLI as a user does,
 * `--url <target> --vus N --duration 1s --timeout 1s --json`, against the
 * built-in target server in its own process, and prints one row per count:
 *
 * - start-up: from spawning the CLI to the schedule's start (the JSON's
 *   `steady` phase), split into process + config and the Workers' start;
 * - stop: from the schedule's end (start + 1 s) to the process's exit,
 *   summary and JSON written;
 * - the requests reported, the server's count, the requests not sent, the
 *   exit code and the run's error, if any.
 *
 * Run under the shared lock (it loads the machine):
 *   flock /tmp/lunge-heavy.lock deno run --allow-net=127.0.0.1 --allow-read \
 *     --allow-run bench/engine/vus_scale.ts [--vus 1000,10000,100000] [--ulimit 250000]
 *
 * `--ulimit N` runs the CLI under `sh -c "ulimit -n N"` (raising it needs the
 * hard limit to allow it); without it the CLI inherits this process's limit.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { RunResult } from "../../examples/lunge/result.ts";
import { startTargetProcess } from "./_target_process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CLI = `${ROOT}examples/lunge.ts`;
const READ = `${ROOT}examples/lunge,${ROOT}mod.ts,${ROOT}src`;

const { values } = parseArgs({
  args: Deno.args,
  options: { vus: { type: "string" }, ulimit: { type: "string" } },
});
const counts = (values.vus ?? "1000,10000,100000").split(",").map(Number);
const ulimit = values.ulimit;

async function fdLimit(): Promise<string> {
  const out = await new Deno.Command("sh", {
    args: ["-c", ulimit ? `ulimit -n ${ulimit} && ulimit -n` : "ulimit -n"],
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

interface Row {
  vus: number;
  startupMs: number;
  workersMs: number;
  stopMs: number;
  wallMs: number;
  reported: number;
  server: number;
  notSent: number;
  code: number;
  error: string;
}

async function runOnce(vus: number, target: string, server: () => Promise<number>): Promise<Row> {
  const before = await server();
  const deno = [Deno.execPath(), "run", "--no-prompt", `--allow-net=${new URL(target).host}`];
  const args = [...deno, `--allow-read=${READ}`, CLI, "--url", target, "--vus", String(vus)];
  args.push("--duration", "1s", "--timeout", "1s", "--json", "-q");
  const [cmd, ...rest] = ulimit
    ? ["sh", "-c", `ulimit -n ${ulimit} && exec "$@"`, "sh", ...args]
    : args;
  const spawnedAt = Date.now();
  const out = await new Deno.Command(cmd, { args: rest, stdout: "piped", stderr: "piped" })
    .output();
  const exitedAt = Date.now();
  const text = new TextDecoder().decode(out.stdout);
  let r: RunResult | undefined;
  try {
    r = JSON.parse(text);
  } catch {
    r = undefined;
  }
  const steady = r?.phases.find((p) => p.phase === "steady")?.timestamp ?? NaN;
  const init = r?.phases.find((p) => p.phase === "init")?.timestamp ?? NaN;
  const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").pop() ?? "";
  return {
    vus,
    startupMs: steady - spawnedAt,
    workersMs: steady - init,
    stopMs: exitedAt - (steady + 1000),
    wallMs: exitedAt - spawnedAt,
    reported: r?.metrics.totalRequests ?? NaN,
    server: (await server()) - before,
    notSent: r?.metrics.notSent?.total ?? 0,
    code: out.code,
    error: r?.error ?? (r === undefined ? stderr : ""),
  };
}

const target = await startTargetProcess();
try {
  console.log(
    `# vus_scale: ${new Date().toISOString()}, Deno ${Deno.version.deno}, ` +
      `${navigator.hardwareConcurrency} cores, ulimit -n ${await fdLimit()}`,
  );
  // Warm-up: module loading and the JIT, not measured.
  await runOnce(100, target.url, target.requests);
  const s = (ms: number) => Number.isFinite(ms) ? (ms / 1000).toFixed(2) : "-";
  console.log(
    "| VUs | start-up (s) | of which Workers (s) | stop after end (s) | wall (s) | reported | server | not sent | exit | error |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const vus of counts) {
    const r = await runOnce(vus, target.url, target.requests);
    console.log(
      `| ${vus.toLocaleString("en-US")} | ${s(r.startupMs)} | ${s(r.workersMs)} | ${
        s(r.stopMs)
      } | ` +
        `${s(r.wallMs)} | ${r.reported} | ${r.server} | ${r.notSent} | ${r.code} | ${r.error} |`,
    );
  }
} finally {
  await target.close();
}
