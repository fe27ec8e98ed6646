/**
 * Load limits checked before a run starts, so that a flag the machine cannot
 * honour fails at once with one line instead of exhausting the machine:
 *
 * - **File descriptors.** Every VU may hold one connection (arrival-rate
 *   scenarios: up to `maxVUs`), capped by `settings.maxConnectionsPerHost`
 *   per target host and Worker; the process needs those plus
 *   {@linkcode FD_RESERVE} for itself. The soft limit (`ulimit -n`) is read
 *   from `/proc/self/limits` on Linux, which Deno 2.9 allows only under
 *   `--allow-all`; else, when `--allow-run=sh` is granted, from
 *   `sh -c "ulimit -n"` (a child inherits the limit). Without either (the
 *   narrow default), and on Windows, this check is skipped; the run then
 *   relies on its other defences (failing VUs back off, output files are
 *   opened before the run, lost requests fail the run).
 * - **Arrival rate.** The arrival rates of all scenarios together may not
 *   exceed {@linkcode MAX_PACER_RATE} iterations/s: the most the pacers can
 *   release (in batches, once per ~2 ms timer tick) and the client can send.
 * - **Connections.** At most {@linkcode MAX_CONNECTIONS} connections at once
 *   (one per VU, capped by `maxConnectionsPerHost`), whatever the file limit:
 *   measured (bench/engine/vus_scale.ts), 10,000 VUs of a 1 s test stop
 *   0.3 s after its end, but 100,000 take 23 s to stop — their connects and
 *   failures swamp the Workers — so past the bound the run is refused up
 *   front with one line instead of holding the machine. With
 *   `maxConnectionsPerHost` the check counts the bounded pool, not the VUs:
 *   100,000 VUs over 1,000 connections ran the same 1 s test in 2.9 s.
 *
 * Delays have no limit: every wait of the run loop is chunked (`_timer.ts`),
 * so durations, stages, gracefulStop, think time and pacing past 2^31 - 1 ms
 * (about 24.8 days) are honoured.
 *
 * @module
 */
import type { TestConfig } from "../config/config.ts";
import { peakRate, peakVUs, workerCount } from "./executors.ts";
import { MAX_PACER_RATE } from "./pacer.ts";

export { MAX_PACER_RATE };

/** File descriptors kept for the runtime, the Workers and the output files. */
export const FD_RESERVE = 64;

/** The most connections a test may open at once (see the module doc). */
export const MAX_CONNECTIONS = 20_000;

/** What {@linkcode checkLoadLimits} compares the test with. */
export interface MachineLimits {
  /** The soft limit on open files, or undefined when unknown (the check is skipped). */
  fdLimit?: number;
  /** Workers requested (the engine starts at most as many as the VUs need). */
  workers: number;
}

/**
 * The most connections the test may open at once: per target host, the
 * VUs of the scenarios that use it, capped by `maxConnectionsPerHost` split
 * over the Workers (each Worker has its own pool; the share rounds up).
 */
export function connectionsNeeded(config: TestConfig, workers: number): number {
  const n = workerCount(config.scenarios, workers);
  const cap = config.settings.maxConnectionsPerHost;
  const perHost = new Map<string, number>();
  for (const s of config.scenarios) {
    const hosts = new Set(s.requests.map((r) => new URL(r.url).host));
    for (const h of hosts) perHost.set(h, (perHost.get(h) ?? 0) + peakVUs(s));
  }
  let total = 0;
  for (const vus of perHost.values()) {
    total += cap === undefined ? vus : Math.min(vus, Math.ceil(cap / n) * n);
  }
  return total;
}

/**
 * Checks the test against the machine before it runs. Returns a one-line
 * reason (the CLI prints it and exits 2), or undefined when it fits.
 */
export function checkLoadLimits(config: TestConfig, limits: MachineLimits): string | undefined {
  const rate = config.scenarios.reduce((a, s) => a + peakRate(s), 0);
  if (rate > MAX_PACER_RATE) {
    return `arrival rate ${rate}/s is above the most the pacer can honour ` +
      `(${MAX_PACER_RATE}/s over all scenarios): lower --rate or the stage targets`;
  }
  const fd = limits.fdLimit;
  if (fd !== undefined) {
    const need = connectionsNeeded(config, limits.workers) + FD_RESERVE;
    if (need > fd) {
      return `the test may open ${need} file descriptors (one connection per VU plus ` +
        `${FD_RESERVE}) but the limit is ${fd} (ulimit -n): lower --vus/--max-vus, set ` +
        `settings.maxConnectionsPerHost, or raise the limit`;
    }
  }
  const connections = connectionsNeeded(config, limits.workers);
  if (connections > MAX_CONNECTIONS) {
    return `the test may open ${connections} connections at once (one per VU), above the ` +
      `most the engine serves (${MAX_CONNECTIONS}): lower --vus/--max-vus or set ` +
      `settings.maxConnectionsPerHost`;
  }
  return undefined;
}

/** Parses the soft "Max open files" of a `/proc/<pid>/limits` text; undefined if absent. */
export function parseFdLimit(text: string): number | undefined {
  const m = /^Max open files\s+(\S+)/m.exec(text);
  if (!m) return undefined;
  if (m[1] === "unlimited") return Infinity;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Parses the output of `ulimit -n`: a count or "unlimited"; undefined otherwise. */
export function parseUlimit(text: string): number | undefined {
  const t = text.trim();
  if (t === "unlimited") return Infinity;
  return /^\d+$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : undefined;
}

/**
 * The process's soft limit on open files, or undefined when it cannot be
 * read with the permissions granted (queried, never prompted): Linux's
 * `/proc/self/limits` (Deno reads it only under `--allow-all`), else
 * `sh -c "ulimit -n"` when `--allow-run=sh` is granted (not on Windows).
 */
export async function readFdLimit(): Promise<number | undefined> {
  if (Deno.build.os === "windows") return undefined;
  if (Deno.build.os === "linux") {
    try {
      const st = await Deno.permissions.query({ name: "read", path: "/proc/self/limits" });
      if (st.state === "granted") return parseFdLimit(await Deno.readTextFile("/proc/self/limits"));
    } catch { /* not readable without --allow-all: try sh */ }
  }
  const run = await Deno.permissions.query({ name: "run", command: "sh" });
  if (run.state !== "granted") return undefined;
  try {
    const out = await new Deno.Command("sh", { args: ["-c", "ulimit -n"], stderr: "null" })
      .output();
    return out.success ? parseUlimit(new TextDecoder().decode(out.stdout)) : undefined;
  } catch {
    return undefined;
  }
}
