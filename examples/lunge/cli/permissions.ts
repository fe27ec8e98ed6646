/**
 * The permissions a run needs, queried up front (never prompted), so a
 * missing one is one line naming the Deno flag to add, before any request.
 *
 * @module
 */
import type { TestConfig } from "../config/config.ts";
import { dialHosts, transportPermissions } from "../config/_transport.ts";
import { workerReadPaths } from "../_paths.ts";

/**
 * The permission flags the run still lacks (queried, never prompted): net
 * for every target host, read for the worker modules, write for outputs.
 */
export async function missingPermissions(
  config: TestConfig | undefined,
  files: (string | undefined)[],
  extraHosts: readonly string[] = [],
): Promise<string[]> {
  const missing: string[] = [];
  const hosts = new Set<string>(extraHosts);
  if (config !== undefined) {
    // Each target, or the proxy it goes through (none through a Unix socket).
    const targets = config.scenarios.flatMap((s) =>
      s.requests.map((r) => ({ url: new URL(r.url) }))
    );
    for (const h of dialHosts(config.settings, targets)) hosts.add(h);
    missing.push(...await transportPermissions(config.settings));
  }
  const net: string[] = [];
  for (const host of hosts) {
    const st = await Deno.permissions.query({ name: "net", host });
    if (st.state !== "granted") net.push(host.replace(/^\[(.*)\]/, "$1"));
  }
  if (net.length) missing.push(`--allow-net=${net.join(",")}`);
  const read: string[] = [];
  for (const path of workerReadPaths()) {
    const st = await Deno.permissions.query({ name: "read", path });
    if (st.state !== "granted") read.push(path);
  }
  if (read.length) missing.push(`--allow-read=${read.join(",")}`);
  const write: string[] = [];
  for (const path of files) {
    if (path === undefined) continue;
    const st = await Deno.permissions.query({ name: "write", path });
    if (st.state !== "granted") write.push(path);
  }
  if (write.length) missing.push(`--allow-write=${write.join(",")}`);
  return missing;
}
