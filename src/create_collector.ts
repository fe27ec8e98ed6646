/**
 * The feature flag and the Worker side: `createCollector` picks an
 * implementation, `attachCollector` joins an existing one from a handle.
 *
 * @module
 */
import type { CollectorHandle, CollectorKind, CollectorOptions } from "./types.ts";
import { AtomicMetricsCollector } from "./atomic_collector.ts";
import { MutexMetricsCollector } from "./mutex_collector.ts";
import { attachOptions, type BaseMetricsCollector } from "./base_collector.ts";

/**
 * Read an environment variable without ever prompting or throwing: on Deno
 * only if env permission is already granted, elsewhere (Node, Bun) from
 * `process.env`.
 */
function readEnv(name: string): string | undefined {
  try {
    if (typeof Deno !== "undefined") {
      if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
        return undefined;
      }
      return Deno.env.get(name);
    }
    const process = (globalThis as { process?: { env?: Record<string, string | undefined> } })
      .process;
    return process?.env?.[name];
  } catch {
    return undefined;
  }
}

function checkKind(kind: unknown, source: string): CollectorKind {
  if (kind === "atomic" || kind === "mutex") return kind;
  throw new RangeError(`${source} must be "atomic" or "mutex" (got ${JSON.stringify(kind)})`);
}

/**
 * The collector kind the environment asks for: `LUNGE_COLLECTOR`
 * ("atomic" | "mutex"), else Lunge's `LUNGE_USE_OLD_COLLECTOR=true|1`
 * (mutex), else "atomic". Variables the process may not read count as unset.
 *
 * @returns The kind the environment asks for.
 *
 * @example Reading the flag
 * ```ts
 * import { collectorKindFromEnv } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * // "atomic" unless LUNGE_COLLECTOR (or LUNGE_USE_OLD_COLLECTOR) says otherwise.
 * assert.ok(["atomic", "mutex"].includes(collectorKindFromEnv()));
 * ```
 */
export function collectorKindFromEnv(): CollectorKind {
  const flag = readEnv("LUNGE_COLLECTOR");
  if (flag !== undefined && flag.trim() !== "") {
    return checkKind(flag.trim().toLowerCase(), "LUNGE_COLLECTOR");
  }
  const old = readEnv("LUNGE_USE_OLD_COLLECTOR")?.trim().toLowerCase();
  return old === "1" || old === "true" ? "mutex" : "atomic";
}

/**
 * The feature flag: a new collector of `kind`; else of the kind the
 * `LUNGE_COLLECTOR` environment variable names ("atomic" | "mutex"); else
 * atomic. Without env permission the variable counts as unset (no prompt).
 *
 * @param kind `"atomic"` or `"mutex"`; when absent, the environment decides.
 * @param options Sizes fixed at construction (see {@linkcode CollectorOptions}).
 * @returns A new collector, creator of its shared memory (a
 * {@linkcode SharedMetricsCollector}, with the histogram exports of
 * {@linkcode BaseMetricsCollector}).
 *
 * @example Picking the kind explicitly
 * ```ts
 * import { createCollector } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const collector = createCollector("atomic", { timeSeriesCapacity: 600 });
 * collector.recordRequest({
 *   startTime: Date.now(),
 *   duration: 2.5,
 *   statusCode: 200,
 *   bytes: 100,
 * });
 * assert.equal(collector.kind, "atomic");
 * assert.equal(collector.getSnapshot().latency.p50, 2.5);
 * collector.close();
 * ```
 */
export function createCollector(
  kind?: CollectorKind,
  options?: CollectorOptions,
): BaseMetricsCollector {
  const k = kind === undefined ? collectorKindFromEnv() : checkKind(kind, "createCollector: kind");
  return k === "atomic" ? new AtomicMetricsCollector(options) : new MutexMetricsCollector(options);
}

/**
 * In a Worker: a collector writing into the same shared memory as the one
 * that made `handle` (with `share()`). Counts recorded through any attached
 * collector are visible to every other, exactly, once each writer has called
 * `flush()`. Call `close()` before the Worker ends.
 *
 * @param handle What `collector.share()` returned in the creating thread.
 * @returns A collector over the same shared memory.
 *
 * @example A Worker's side (here on one thread, to show the effect)
 * ```ts
 * import { attachCollector, createCollector } from "@lunge/metrics";
 * import assert from "node:assert/strict";
 *
 * const main = createCollector();
 * // In a Worker:
 * // self.onmessage = (e) => { const collector = attachCollector(e.data); … }
 * const collector = attachCollector(main.share());
 * collector.recordRequest({
 *   startTime: Date.now(),
 *   duration: 3,
 *   statusCode: 200,
 *   bytes: 10,
 * });
 * collector.close(); // merges this thread's batch and frees its writer slot
 * assert.equal(main.getSnapshot().totalRequests, 1);
 * main.close();
 * ```
 */
export function attachCollector(handle: CollectorHandle): BaseMetricsCollector {
  if (typeof handle !== "object" || handle === null) {
    throw new TypeError(
      `attachCollector: handle must be the object collector.share() returns (got ${
        String(handle)
      })`,
    );
  }
  const kind = handle.kind, buffer = handle.buffer; // read once
  checkKind(kind, "CollectorHandle.kind");
  const options = attachOptions({ kind, buffer });
  return kind === "atomic"
    ? new AtomicMetricsCollector(options)
    : new MutexMetricsCollector(options);
}
