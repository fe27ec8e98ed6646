/**
 * Test helper: the CLI (`examples/lunge.ts`) as a subprocess, the way a
 * user runs it: `deno run --no-prompt <permissions> examples/lunge.ts <args>`
 * with `NO_COLOR=1`, stdout and stderr piped.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The repository root, with a trailing separator. */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));
/** The CLI's entry file. */
export const CLI: string = fileURLToPath(new URL("../../examples/lunge.ts", import.meta.url));
/** What the CLI reads: its own files and the module (the value of `--allow-read=`). */
export const READ: string = `${ROOT}examples/lunge,${ROOT}mod.ts,${ROOT}src`;

/** A finished run of the CLI. */
export interface Outcome {
  /** Exit code. */
  code: number;
  /** Standard output, decoded. */
  stdout: string;
  /** Standard error, decoded. */
  stderr: string;
}

/** Options of {@linkcode lungeCommand}. */
export interface LungeOptions {
  /** Working directory of the run. */
  cwd?: string;
  /** Run under `sh -c "ulimit -n <fileLimit>"` (POSIX only): the open-files limit. */
  fileLimit?: number;
  /** Environment variables beside `NO_COLOR=1`. */
  env?: Record<string, string>;
}

/** The command that runs the CLI with `permissions` (Deno flags) and `args`. */
export function lungeCommand(
  args: string[],
  permissions: string[],
  options: LungeOptions = {},
): Deno.Command {
  const deno = [Deno.execPath(), "run", "--no-prompt", ...permissions, CLI, ...args];
  const [command, ...rest] = options.fileLimit === undefined
    ? deno
    : ["sh", "-c", `ulimit -n ${options.fileLimit} && exec "$@"`, "sh", ...deno];
  return new Deno.Command(command, {
    args: rest,
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
  });
}

/** Runs the CLI to its end. */
export async function runLunge(
  args: string[],
  permissions: string[],
  options: LungeOptions = {},
): Promise<Outcome> {
  const out = await lungeCommand(args, permissions, options).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}
