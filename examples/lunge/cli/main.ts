/**
 * The command: {@linkcode main} parses the arguments, builds the test,
 * checks permissions and limits up front, runs, reports, and returns the
 * exit code: 0 passed, 1 a threshold failed or the run errored, 2 bad usage
 * (one line naming the problem, never a stack trace).
 *
 * @module
 */
import { ConfigError } from "../config/config.ts";
import { runAndReport, writeAll } from "./run_and_report.ts";
import { runDemo } from "./run_demo.ts";
import { checkLoadLimits, readFdLimit } from "../run/limits.ts";
import { defaultWorkers, targetsAreLocal } from "../run/default_workers.ts";
import { mergeMain } from "../merge/merge_command.ts";
import { compareMain } from "../compare/compare_command.ts";
import { loadTlsFiles, proxyFromEnv } from "../config/_transport.ts";
import { distributedHosts } from "./distributed_flags.ts";
import { HELP, VERSION } from "./help.ts";
import { parseCli, usage, UsageError } from "./parse.ts";
import { buildConfig } from "./config_from_flags.ts";
import { missingPermissions } from "./permissions.ts";
import { addressHost } from "../outputs/dashboard/dashboard.ts";

/** Runs the CLI with `args`; returns the exit code (never throws). */
export async function main(args: string[]): Promise<number> {
  const fail = (message: string, code: number) => {
    writeAll(Deno.stderr, `lunge: ${message}\n`);
    return code;
  };
  if (args[0] === "merge") return await mergeMain(args.slice(1));
  if (args[0] === "compare") return await compareMain(args.slice(1));
  try {
    const cmd = parseCli(args);
    if (cmd.kind === "help") {
      writeAll(Deno.stdout, HELP);
      return 0;
    }
    if (cmd.kind === "version") {
      writeAll(Deno.stdout, `lunge ${VERSION} (deno ${Deno.version.deno})\n`);
      return 0;
    }
    const config = cmd.kind === "run" ? await buildConfig(cmd) : undefined;
    if (config !== undefined && config.settings.proxy === undefined) {
      config.settings.proxy = usage(proxyFromEnv);
    }
    const missing = await missingPermissions(
      config,
      [
        cmd.jsonFile,
        cmd.htmlFile,
        cmd.distributed?.outputs.hlogFile,
        cmd.distributed?.outputs.csvFile,
      ],
      [
        ...distributedHosts(cmd.distributed),
        ...(cmd.dashboard ? [addressHost(cmd.dashboard)] : []),
      ],
    );
    if (cmd.kind === "demo") {
      const st = await Deno.permissions.query({ name: "net", host: "127.0.0.1" });
      if (st.state !== "granted") missing.unshift("--allow-net=127.0.0.1");
    }
    if (missing.length) return fail(`missing permission: run Deno with ${missing.join(" ")}`, 2);
    if (config !== undefined) await loadTlsFiles(config.settings);
    // The demo's target server runs on this machine too.
    const workers = cmd.workers ?? defaultWorkers(config === undefined || targetsAreLocal(config));
    if (config !== undefined) {
      const problem = checkLoadLimits(config, { fdLimit: await readFdLimit(), workers });
      if (problem !== undefined) return fail(problem, 2);
    }
    const report = {
      json: cmd.json,
      jsonFile: cmd.jsonFile,
      htmlFile: cmd.htmlFile,
      quiet: cmd.quiet,
      verbose: cmd.verbose,
      collector: cmd.collector,
      workers,
      distributed: cmd.distributed,
      dashboard: cmd.dashboard,
    };
    if (cmd.kind === "demo") {
      return await runDemo({
        ...report,
        durationSec: cmd.load.durationMs ? cmd.load.durationMs / 1000 : undefined,
      });
    }
    return await runAndReport(config!, report);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) return fail(e.message, 2);
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    return fail(`run failed: ${msg}`, 1);
  }
}
