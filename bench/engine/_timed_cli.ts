/**
 * Private helper of the CLI-cost benches (`csv_cost.ts`, `dashboard_cost.ts`):
 * one run of the lunge CLI as a subprocess under `/usr/bin/time`, at an
 * arrival rate of `GET /bytes/100` against a target server, with its JSON
 * result, and what the server served during it.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = `${ROOT}examples/lunge.ts`;
const READ = `${ROOT}examples/lunge,${ROOT}mod.ts,${ROOT}src`;

/** What one timed run gives. */
export interface TimedFigures {
  /** CPU of the lunge process (user + sys), seconds. */
  cpuS: number;
  /** Wall time, seconds. */
  wallS: number;
  /** Peak RSS, MB. */
  maxRssMb: number;
  /** The JSON result's totalRequests. */
  requests: number;
  /** The JSON result's requestsPerSecond. */
  rps: number;
  /** Requests the target server counted during the run. */
  served: number;
}

/** One timed run's options. */
export interface TimedRunOptions {
  /** The target server's base URL. */
  url: string;
  /** Where the JSON result is written. */
  json: string;
  /** Arrival rate, iterations per second. */
  rate: number;
  /** Duration, seconds. */
  seconds: number;
  /** The server's request count so far. */
  served: () => Promise<number>;
  /** More `--allow-net` hosts. */
  net?: string[];
  /** More `--allow-write` paths. */
  write?: string[];
  /** More CLI arguments. */
  args?: string[];
}

/**
 * Runs the CLI once (spawned right after the server's count is read) and
 * resolves with its figures when it ends.
 *
 * @param o The run's options.
 * @returns The run's figures.
 */
export async function timedCliRun(o: TimedRunOptions): Promise<TimedFigures> {
  const before = await o.served();
  const out = await new Deno.Command("/usr/bin/time", {
    args: [
      "-f",
      "%U %S %e %M",
      Deno.execPath(),
      "run",
      `--allow-net=${[new URL(o.url).host, ...(o.net ?? [])].join(",")}`,
      `--allow-read=${READ}`,
      `--allow-write=${[o.json, ...(o.write ?? [])].join(",")}`,
      CLI,
      "--url",
      new URL("bytes/100", o.url).href,
      "--rate",
      String(o.rate),
      "--duration",
      `${o.seconds}s`,
      "--pre-allocated-vus",
      "100",
      "--max-vus",
      "200",
      "--output",
      o.json,
      "-q",
      ...(o.args ?? []),
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(out.stderr).trim().split("\n");
  const [user, sys, wall, rssKb] = stderr[stderr.length - 1].split(" ").map(Number);
  const r = JSON.parse(await Deno.readTextFile(o.json));
  if (!r.passed) console.error(`run failed: ${r.error}`);
  return {
    cpuS: user + sys,
    wallS: wall,
    maxRssMb: rssKb / 1024,
    requests: r.metrics.totalRequests,
    rps: r.metrics.requestsPerSecond,
    served: (await o.served()) - before,
  };
}
