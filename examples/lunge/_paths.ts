/**
 * Private helper: where the engine's Workers load their code from, for
 * `--allow-read`. Derived from where the modules are, not written out: the
 * engine is every module under this file's folder, and the metrics module is
 * the one the engine imports (`MODULE_SPECIFIER`, the same relative path the
 * engine's modules use) together with the `src/` folder beside it that its
 * entry re-exports.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The metrics module's entry, relative to this folder (as the engine's root-level modules import it). */
const MODULE_SPECIFIER = "../../mod.ts";

/** The engine's root folder: every engine module lives under it. */
export const ENGINE_ROOT: URL = new URL("./", import.meta.url);

/** The metrics module's entry (`mod.ts`). */
export const MODULE_ENTRY: URL = new URL(MODULE_SPECIFIER, import.meta.url);

/**
 * The folders and files a Worker reads (its module and every import), for
 * `--allow-read`: the engine's folder, the metrics module's entry and the
 * `src/` folder beside that entry. Paths have no trailing separator.
 *
 * @example
 * ```ts
 * import { workerReadPaths } from "./_paths.ts";
 *
 * console.log(`--allow-read=${workerReadPaths().join(",")}`);
 * ```
 */
export function workerReadPaths(): string[] {
  return [ENGINE_ROOT, MODULE_ENTRY, new URL("./src/", MODULE_ENTRY)]
    .map((u) => fileURLToPath(u).replace(/[\\/]$/, ""));
}
