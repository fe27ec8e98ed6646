/**
 * The command line (its parts live in ./cli/: the one flag table and
 * `--help`, parsing, the config from flags, permissions, main): this module
 * keeps the names other modules import. {@linkcode main} parses, checks
 * permissions up front, runs, reports, and returns the exit code: 0 passed,
 * 1 a threshold failed or the run errored, 2 bad usage (one line naming the
 * problem, never a stack trace).
 *
 * @module
 */
export { HELP, VERSION } from "./cli/help.ts";
export {
  type Command,
  type LoadFlags,
  loadFlags,
  outputFiles,
  parseCli,
  type RunCommand,
  subcommand,
  UsageError,
} from "./cli/parse.ts";
export { buildConfig } from "./cli/config_from_flags.ts";
export { missingPermissions } from "./cli/permissions.ts";
export { main } from "./cli/main.ts";
