/**
 * Private helper: where the engine's Workers load their code from, for
 * `--allow-read`. Derived from where the modules are, not written out: the
 * engine is every module under this file's folder, and the metrics module is
 * wherever `@lunge/metrics` resolves (the workspace's `mod.ts` in a checkout),
 * together with the `src/` folder beside it that its entry re-exports. Only
 * local (`file:`) modules need read permission: installed from JSR, the
 * modules are remote, and in a `deno compile` binary they are embedded, so
 * none of these paths is asked for.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The engine's root folder: every engine module lives under it. */
export const ENGINE_ROOT: URL = new URL("./", import.meta.url);

/** The metrics module's entry, as the engine imports it (`@lunge/metrics`). */
export const MODULE_ENTRY: URL = new URL(import.meta.resolve("@lunge/metrics"));

/**
 * The folders and files a Worker reads (its module and every import), for
 * `--allow-read`: the engine's folder, the metrics module's entry and the
 * `src/` folder beside that entry, those of them that are local files (none in
 * a compiled binary). Paths have no trailing separator.
 *
 * @example
 * ```ts
 * import { workerReadPaths } from "./_paths.ts";
 *
 * console.log(`--allow-read=${workerReadPaths().join(",")}`);
 * ```
 */
export function workerReadPaths(): string[] {
  if (Deno.build.standalone) return [];
  return [ENGINE_ROOT, MODULE_ENTRY, new URL("./src/", MODULE_ENTRY)]
    .filter((u) => u.protocol === "file:")
    .map((u) => fileURLToPath(u).replace(/[\\/]$/, ""));
}
