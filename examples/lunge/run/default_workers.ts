/**
 * The default number of Workers a run starts when `--workers` is not given:
 * every core when the targets are elsewhere, half of them (at least one)
 * when every target is on this machine (a loopback host or a Unix socket).
 *
 * Why half on loopback: the server under test then runs on the same cores,
 * and it needs about as much CPU per request as the load generator. On a
 * 2-core machine against Debian nginx (one worker, 44-byte file, 50
 * connections), both Workers of the old default took CPU from nginx, which
 * was the bottleneck: nginx spent 10.4–10.7 µs per request either way, but
 * got 4.0–4.3 s of CPU in 5 s with 2 Workers against 4.6–4.7 s with 1, so 2
 * Workers made 75–82k req/s and 1 made 86–90k (lunge's own CPU per request
 * was 12.3–12.5 µs with 2 Workers, 11.0–11.4 with 1). See BENCHMARKS.md.
 *
 * @module
 */
import type { TestConfig } from "../config/types.ts";

/** True when `hostname` (as a URL gives it) names this machine's loopback. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h === "[::1]" || h === "::1") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Whether every host the run contacts (targets and proxies) is on this machine. */
export function targetsAreLocal(config: TestConfig): boolean {
  if (config.settings.unixSocket !== undefined) return true;
  const hosts: string[] = [];
  for (const proxy of [config.settings.proxy?.http, config.settings.proxy?.https]) {
    if (proxy !== undefined) hosts.push(proxy);
  }
  for (const s of config.scenarios) for (const r of s.requests) hosts.push(r.url);
  if (hosts.length === 0) return false;
  for (const u of hosts) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      return false; // a templated host is not known before the run
    }
    if (!isLoopbackHost(url.hostname)) return false;
  }
  return true;
}

/**
 * The Worker count of a run without `--workers`: `cores` (default
 * `navigator.hardwareConcurrency`), halved (at least 1) when the targets
 * are `local` (see {@linkcode targetsAreLocal}).
 */
export function defaultWorkers(
  local: boolean,
  cores: number = navigator.hardwareConcurrency ?? 1,
): number {
  const n = Math.max(1, Math.floor(cores));
  return local ? Math.max(1, Math.floor(n / 2)) : n;
}
