/**
 * Builds the `lunge` single binary with `deno compile`: the CLI's entry
 * (examples/lunge.ts) with the engine's Worker module included
 * (`--include`), the install's permissions built in, for one target.
 * The release workflow runs exactly this, once per target; so can a
 * maintainer (`deno compile` downloads its runtime, `denort`, from Deno's
 * servers the first time for each target).
 *
 * Run: deno task compile [--target <triple>] [--out <dir>]
 *
 * @module
 */
import { parseArgs } from "node:util";

/** The targets the release ships (`deno compile --target`). */
export const TARGETS: readonly string[] = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

/**
 * Built into the binary, as in the README's `deno install` line: any host
 * (the targets are the user's), reads and writes under the working
 * directory (configs, outputs), and the three variables the CLI honours.
 */
export const PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-read=.",
  "--allow-write=.",
  "--allow-env=LUNGE_COLLECTOR,NO_COLOR,FORCE_COLOR",
];

/** The `deno compile` arguments that build `target` into `out`. */
export function compileArgs(target: string, out: string): string[] {
  const exe = target.includes("windows") ? ".exe" : "";
  return [
    "compile",
    "--config",
    "deno.json",
    ...PERMISSIONS,
    "--include",
    "examples/lunge/run/worker.ts",
    "--target",
    target,
    "--output",
    `${out}/lunge-${target}${exe}`,
    "examples/lunge.ts",
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { target: { type: "string" }, out: { type: "string", default: "dist" } },
  });
  const target = values.target ?? Deno.build.target;
  if (!TARGETS.includes(target)) {
    console.error(`compile: --target "${target}" is not one of ${TARGETS.join(", ")}`);
    Deno.exit(2);
  }
  const args = compileArgs(target, values.out);
  console.error(`deno ${args.join(" ")}`);
  const { code } = await new Deno.Command("deno", { args, cwd: new URL("../", import.meta.url) })
    .spawn().status;
  Deno.exit(code);
}
