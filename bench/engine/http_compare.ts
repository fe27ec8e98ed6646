/**
 * Load-tester comparison on loopback: the same target, the same duration, the
 * same number of connections, one tool after another.
 *
 * 1. Starts `examples/lunge/demo/target_server.ts` as a separate `deno` process.
 * 2. Measures, in turn:
 *    - our {@linkcode HttpClient} alone, driven closed-loop from 1 and from 2 Web
 *      Workers (connections split between them);
 *    - the engine CLI, `examples/lunge.ts` (when that file exists);
 *    - autocannon (`npx -y autocannon@8`, when npm works);
 *    - wrk (when installed).
 * 3. Prints a table of requests/s as each tool reports it, and as the target
 *    server counted them (its `/stats`), so every tool is judged by one yardstick.
 *
 * ```sh
 * deno run -A bench/engine/http_compare.ts [--duration 5] [--connections 64] [--path /]
 * ```
 *
 * Every tool runs under a time limit (duration + 60 s) and is killed if it
 * overruns. Figures on a shared 2-core machine are noisy: compare them as ratios
 * within one run.
 *
 * @module
 */
import process from "node:process";
import { fileURLToPath } from "node:url";
import { startTargetProcess } from "./_target_process.ts";
import { HttpClient } from "../../examples/lunge/http/http_client.ts";

/** What the driver Worker is told to do. */
interface DriverTask {
  url: string;
  connections: number;
  durationMs: number;
}

/** What a driver Worker reports. */
interface DriverResult {
  count: number;
  errors: number;
  non2xx: number;
  elapsedMs: number;
}

/** One row of the final table. */
interface Row {
  tool: string;
  /** req/s as the tool itself reports it; NaN when skipped. */
  reported: number;
  /** req/s from the server's counters over the tool's run; NaN when unknown. */
  counted: number;
  /** Client CPU per request in µs, when measurable. */
  cpuPerRequestUs?: number;
  note: string;
}

// ---------------------------------------------------------------------------
// Worker side: a closed-loop driver over HttpClient.

if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  const scope = globalThis as unknown as {
    postMessage(message: unknown): void;
    onmessage: ((e: MessageEvent<DriverTask>) => void) | null;
  };
  scope.onmessage = async (e: MessageEvent<DriverTask>) => {
    const { url, connections, durationMs } = e.data;
    const client = new HttpClient({ timeoutMs: 10_000 });
    const req = client.prepare({ method: "GET", url });
    let count = 0;
    let errors = 0;
    let non2xx = 0;
    const t0 = performance.now();
    const end = t0 + durationMs;
    await Promise.all(Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const out = await client.send(req);
        count++;
        if (out.error !== undefined) errors++;
        else if (out.statusCode < 200 || out.statusCode > 299) non2xx++;
      }
    }));
    const result: DriverResult = { count, errors, non2xx, elapsedMs: performance.now() - t0 };
    client.close();
    scope.postMessage(result);
  };
  scope.postMessage("ready");
}

// ---------------------------------------------------------------------------
// Main side.

function parseArgs(args: string[]): { durationS: number; connections: number; path: string } {
  let durationS = 5;
  let connections = 64;
  let path = "/";
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].includes("=")
      ? [args[i].slice(0, args[i].indexOf("=")), args[i].slice(args[i].indexOf("=") + 1)]
      : [args[i], undefined];
    const value = () => inline ?? args[++i] ?? "";
    if (flag === "--duration" || flag === "-d") durationS = Number(value().replace(/s$/, ""));
    else if (flag === "--connections" || flag === "-c") connections = Number(value());
    else if (flag === "--path") path = value();
    else throw new Error(`unknown argument ${args[i]}`);
  }
  if (!(durationS > 0 && durationS <= 600)) throw new Error("--duration must be 1..600 s");
  if (!(Number.isInteger(connections) && connections >= 1 && connections <= 10_000)) {
    throw new Error("--connections must be an integer 1..10000");
  }
  if (!path.startsWith("/")) path = `/${path}`;
  return { durationS, connections, path };
}

/** Runs our client from `workers` Workers; `connections` split between them. */
async function runDrivers(
  url: string,
  workers: number,
  connections: number,
  durationMs: number,
): Promise<{ result: DriverResult; cpuUs: number }> {
  const ws: Worker[] = [];
  try {
    const ready: Promise<void>[] = [];
    for (let i = 0; i < workers; i++) {
      const w = new Worker(import.meta.url, { type: "module", name: `http_compare_driver_${i}` });
      ws.push(w);
      ready.push(
        new Promise((resolve, reject) => {
          w.onmessage = () => resolve();
          w.onerror = (e) => reject(new Error(e.message));
        }),
      );
    }
    await Promise.all(ready);
    const cpu0 = process.cpuUsage();
    const results = await Promise.all(
      ws.map((w, i) =>
        new Promise<DriverResult>((resolve, reject) => {
          w.onmessage = (e: MessageEvent<DriverResult>) => resolve(e.data);
          w.onerror = (e) => reject(new Error(e.message));
          const share = Math.floor(connections / workers) + (i < connections % workers ? 1 : 0);
          const task: DriverTask = { url, connections: share, durationMs };
          w.postMessage(task);
        })
      ),
    );
    const cpu = process.cpuUsage(cpu0);
    return {
      result: {
        count: results.reduce((s, r) => s + r.count, 0),
        errors: results.reduce((s, r) => s + r.errors, 0),
        non2xx: results.reduce((s, r) => s + r.non2xx, 0),
        elapsedMs: Math.max(...results.map((r) => r.elapsedMs)),
      },
      cpuUs: cpu.user + cpu.system,
    };
  } finally {
    for (const w of ws) w.terminate();
  }
}

/** Runs a command with a time limit; null when it cannot be started. */
async function runCommand(
  cmd: string,
  args: string[],
  limitMs: number,
  cwd?: string,
): Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean } | null> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limitMs);
  try {
    const out = await new Deno.Command(cmd, {
      args,
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: controller.signal,
    }).output();
    const d = new TextDecoder();
    return {
      code: out.code,
      stdout: d.decode(out.stdout),
      stderr: d.decode(out.stderr),
      timedOut: controller.signal.aborted,
    };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

function which(cmd: string): boolean {
  try {
    const probe = Deno.build.os === "windows" ? "where" : "which";
    return new Deno.Command(probe, { args: [cmd], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

function fmtRate(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "-";
}

async function main(): Promise<void> {
  const { durationS, connections, path } = parseArgs(Deno.args);
  const durationMs = durationS * 1000;
  const limitMs = durationMs + 60_000;
  const root = new URL("../../", import.meta.url);
  const engineFile = new URL("examples/lunge.ts", root);

  const server = await startTargetProcess();
  const rows: Row[] = [];
  try {
    const base = server.url;
    const url = new URL(path.slice(1), base).href;
    console.log(
      `target ${url} (separate process), ${connections} connections, ${durationS} s each`,
    );

    // Warm the server (JIT) so the first tool is not penalised.
    await runDrivers(url, 1, connections, Math.min(1000, durationMs));

    for (const workers of [1, 2]) {
      const before = await server.requests();
      const { result, cpuUs } = await runDrivers(url, workers, connections, durationMs);
      const counted = (await server.requests()) - before;
      const secs = result.elapsedMs / 1000;
      rows.push({
        tool: `HttpClient, ${workers} worker${workers > 1 ? "s" : ""}`,
        reported: result.count / secs,
        counted: counted / secs,
        cpuPerRequestUs: cpuUs / result.count,
        note: `${result.errors} errors, ${result.non2xx} non-2xx` +
          (counted === result.count ? ", server count matches" : `, server counted ${counted}`),
      });
    }

    // The engine CLI.
    let engineExists = false;
    try {
      engineExists = Deno.statSync(engineFile).isFile;
    } catch {
      engineExists = false;
    }
    if (!engineExists) {
      rows.push({
        tool: "lunge engine",
        reported: NaN,
        counted: NaN,
        note: "skipped: no examples/lunge.ts",
      });
    } else {
      const tmp = await Deno.makeTempFile({ prefix: "lunge_compare_", suffix: ".json" });
      try {
        const before = await server.requests();
        const t0 = performance.now();
        const out = await runCommand(
          Deno.execPath(),
          [
            "run",
            "--allow-net=127.0.0.1",
            "--allow-read=.",
            `--allow-write=${tmp}`,
            "--allow-env=LUNGE_COLLECTOR,NO_COLOR,FORCE_COLOR",
            "examples/lunge.ts",
            "--url",
            url,
            "--vus",
            String(connections),
            "--duration",
            `${durationS}s`,
            "-q",
            "--output",
            tmp,
          ],
          limitMs,
          fileURLToPath(root),
        );
        const wallS = (performance.now() - t0) / 1000;
        const counted = (await server.requests()) - before;
        if (out === null || out.timedOut) {
          rows.push({
            tool: "lunge engine",
            reported: NaN,
            counted: NaN,
            note: out === null ? "failed to start" : "killed: overran its time limit",
          });
        } else {
          let reported = NaN;
          let note = `exit ${out.code}`;
          try {
            const json = JSON.parse(await Deno.readTextFile(tmp));
            const total = json.metrics?.totalRequests;
            const durMs = json.duration;
            reported = total / (durMs / 1000);
            note += counted === total
              ? ", server count matches"
              : `, engine counted ${total}, server ${counted}`;
            rows.push({ tool: "lunge engine", reported, counted: counted / (durMs / 1000), note });
          } catch (e) {
            note += `; no JSON result (${(e as Error).message}); ${out.stderr.trim().slice(-200)}`;
            rows.push({ tool: "lunge engine", reported, counted: counted / wallS, note });
          }
        }
      } finally {
        await Deno.remove(tmp).catch(() => {});
      }
    }

    // autocannon.
    if (!which("npx")) {
      rows.push({ tool: "autocannon", reported: NaN, counted: NaN, note: "skipped: no npx" });
    } else {
      const before = await server.requests();
      const out = await runCommand(Deno.build.os === "windows" ? "npx.cmd" : "npx", [
        "-y",
        "autocannon@8",
        "-j",
        "-c",
        String(connections),
        "-d",
        String(durationS),
        url,
      ], limitMs);
      const counted = (await server.requests()) - before;
      if (out === null || out.timedOut || out.code !== 0) {
        rows.push({
          tool: "autocannon",
          reported: NaN,
          counted: NaN,
          note: `skipped: ${
            out === null ? "npx failed" : out.timedOut ? "killed: overran" : `exit ${out.code}`
          } ${out?.stderr.trim().slice(-200) ?? ""}`,
        });
      } else {
        try {
          const json = JSON.parse(out.stdout.slice(out.stdout.indexOf("{")));
          const secs = json.duration as number;
          rows.push({
            tool: "autocannon@8",
            reported: json.requests.total / secs,
            counted: counted / secs,
            note: `${json.errors} errors, ${json.timeouts} timeouts, ${json.non2xx} non-2xx`,
          });
        } catch (e) {
          rows.push({
            tool: "autocannon",
            reported: NaN,
            counted: NaN,
            note: `unreadable output: ${(e as Error).message}`,
          });
        }
      }
    }

    // wrk.
    if (!which("wrk")) {
      rows.push({ tool: "wrk", reported: NaN, counted: NaN, note: "skipped: wrk not installed" });
    } else {
      const before = await server.requests();
      const out = await runCommand(
        "wrk",
        ["-t1", `-c${connections}`, `-d${durationS}s`, url],
        limitMs,
      );
      const counted = (await server.requests()) - before;
      const m = out?.stdout.match(/Requests\/sec:\s*([\d.]+)/);
      const total = out?.stdout.match(/(\d+) requests in ([\d.]+)(m?s)/);
      if (out === null || out.timedOut || !m) {
        rows.push({
          tool: "wrk",
          reported: NaN,
          counted: NaN,
          note: out?.timedOut ? "killed: overran" : "unreadable output",
        });
      } else {
        const secs = total ? Number(total[2]) / (total[3] === "ms" ? 1000 : 1) : durationS;
        rows.push({
          tool: "wrk -t1",
          reported: Number(m[1]),
          counted: counted / secs,
          note: (out.stdout.match(/Socket errors:.*|Non-2xx.*/g) ?? []).join("; ") || "no errors",
        });
      }
    }
  } finally {
    await server.close();
  }

  const header = ["tool", "req/s (tool)", "req/s (server-counted)", "client CPU µs/req", "note"];
  const table = rows.map((r) => [
    r.tool,
    fmtRate(r.reported),
    fmtRate(r.counted),
    r.cpuPerRequestUs === undefined ? "-" : r.cpuPerRequestUs.toFixed(1),
    r.note,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => (i >= 1 && i <= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join(" | ") +
    " |";
  console.log();
  console.log(line(header));
  console.log(
    "|" +
      widths.map((w, i) => (i >= 1 && i <= 3 ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join(
        "|",
      ) + "|",
  );
  for (const row of table) console.log(line(row));
  console.log(
    `\n${Deno.build.os}/${Deno.build.arch}, ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}. ` +
      `Load average at the end: ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}. ` +
      "Noisy: other work on the machine shares the cores.",
  );
}

if (
  import.meta.main &&
  typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === "undefined"
) {
  await main();
}
