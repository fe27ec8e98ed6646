/**
 * Private helper: the read and write permissions a file-only command
 * (`lunge merge`, `lunge compare`) still lacks for its inputs and outputs,
 * as the `--allow-read=…` / `--allow-write=…` flags to add.
 *
 * @module
 */

/**
 * The permission flags missing for reading `reads` and writing `writes`.
 *
 * @param reads Files the command reads.
 * @param writes Files the command writes (undefined entries are skipped).
 * @returns Zero, one or two flags, e.g. `["--allow-read=a.json,b.json"]`.
 */
export async function missingFilePermissions(
  reads: readonly string[],
  writes: readonly (string | undefined)[],
): Promise<string[]> {
  const missing: string[] = [];
  const read = await notGranted("read", reads);
  if (read.length) missing.push(`--allow-read=${read.join(",")}`);
  const write = await notGranted("write", writes.filter((p) => p !== undefined));
  if (write.length) missing.push(`--allow-write=${write.join(",")}`);
  return missing;
}

async function notGranted(name: "read" | "write", paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    if ((await Deno.permissions.query({ name, path })).state !== "granted") out.push(path);
  }
  return out;
}
