/**
 * `lunge merge a.json b.json … [--json] [--html] [--output <path>] [-q] [-v]`:
 * one summary, JSON result and HTML report from the JSON results of several
 * machines or execution segments (see merge.ts), with the exit code of one
 * run: 0 every threshold held, 1 a threshold failed or a run errored, 2 bad
 * usage or inputs that cannot merge (one line saying why).
 *
 * Permissions: `--allow-read=<the result files>`, and `--allow-write=<output>`
 * with `--output` / `--html`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { colorEnabled } from "../report/color.ts";
import { openOutputs, type Output, writeAll } from "../outputs/output.ts";
import { SummaryOutput } from "../outputs/summary.ts";
import { JsonOutput } from "../outputs/json.ts";
import { HtmlOutput } from "../outputs/html.ts";
import { MergeError, type MergeInput, mergeResults } from "./merge.ts";
import { missingFilePermissions } from "../_file_permissions.ts";

/** `lunge merge --help`. */
export const MERGE_HELP = `lunge merge: combine the JSON results of several machines into one

Usage:
  lunge merge <result.json> <result.json>... [--json] [--html] [--output <path>] [-q] [-v]

Counts are summed exactly, percentiles come from the merged latency histograms,
the time series is aligned by wall-clock second, and the thresholds are
re-evaluated on the merged data (exit 0 passed, 1 failed, 2 cannot merge).
Inputs must come from the same test (config hash), with the same histogram
layout, and from distinct --segment parts.

Options:
  --json             print the merged JSON result to stdout (the summary goes to stderr)
  --html             write an HTML report (to --output, else ./lunge-merged.html)
  --output <path>    .json: merged JSON; .html: HTML report; no extension: both
  -q, --quiet        only PASSED/FAILED
  -v, --verbose      detailed summary

Permissions: --allow-read=<the result files>, --allow-write=<output files>.
`;

interface MergeCommand {
  files: string[];
  json: boolean;
  jsonFile?: string;
  htmlFile?: string;
  quiet: boolean;
  verbose: boolean;
  help: boolean;
}

/** Parses `merge`'s arguments (after "merge"); throws an `Error` with one line. */
export function parseMergeArgs(args: string[]): MergeCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: "boolean" },
        html: { type: "boolean" },
        output: { type: "string", short: "o" },
        quiet: { type: "boolean", short: "q" },
        verbose: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new Error(`merge: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
  }
  const v = parsed.values;
  const files = parsed.positionals;
  if (!v.help && files.length === 0) throw new Error("merge: give the result files to merge");
  let jsonFile: string | undefined, htmlFile: string | undefined;
  if (v.output !== undefined) {
    const ext = /\.([^./\\]+)$/.exec(v.output)?.[1]?.toLowerCase();
    if (ext === "json") jsonFile = v.output;
    else if (ext === "html" || ext === "htm") htmlFile = v.output;
    else if (ext === undefined) [jsonFile, htmlFile] = [`${v.output}.json`, `${v.output}.html`];
    else throw new Error(`merge: --output must end in .json or .html, or have no extension`);
  }
  if (v.html && htmlFile === undefined) {
    htmlFile = v.output ? v.output.replace(/\.[^./\\]+$/, "") + ".html" : "lunge-merged.html";
  }
  return {
    files,
    json: v.json ?? false,
    jsonFile,
    htmlFile,
    quiet: v.quiet ?? false,
    verbose: v.verbose ?? false,
    help: v.help ?? false,
  };
}

async function readInputs(files: readonly string[]): Promise<MergeInput[]> {
  const inputs: MergeInput[] = [];
  for (const path of files) {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      throw new MergeError(`cannot read ${path}: ${e instanceof Error ? e.message : e}`);
    }
    let result: unknown;
    try {
      result = JSON.parse(text);
    } catch {
      throw new MergeError(`${path}: not JSON`);
    }
    const r = result as MergeInput["result"];
    if (typeof r !== "object" || r === null || typeof r.metrics !== "object" || !r.timeSeries) {
      throw new MergeError(`${path}: not a lunge result (no metrics or time series)`);
    }
    inputs.push({ path, result: r });
  }
  return inputs;
}

/** Runs `lunge merge` with `args` (after "merge"); returns the exit code, never throws. */
export async function mergeMain(args: string[]): Promise<number> {
  const fail = (message: string, code: number) => {
    writeAll(Deno.stderr, `lunge: ${message}\n`);
    return code;
  };
  try {
    const cmd = parseMergeArgs(args);
    if (cmd.help) {
      writeAll(Deno.stdout, MERGE_HELP);
      return 0;
    }
    const missing = await missingFilePermissions(cmd.files, [cmd.jsonFile, cmd.htmlFile]);
    if (missing.length) return fail(`missing permission: run Deno with ${missing.join(" ")}`, 2);
    const out = cmd.json ? Deno.stderr : Deno.stdout;
    const color = colorEnabled(out.isTerminal());
    const result = await mergeResults(await readInputs(cmd.files));
    // Opened once the merge holds (an output may be one of the inputs: it is
    // not truncated before it is read, nor when the inputs cannot merge).
    const outputs: Output[] = [
      new SummaryOutput({ out, color, quiet: cmd.quiet, verbose: cmd.verbose }),
    ];
    if (cmd.json) outputs.push(new JsonOutput());
    if (cmd.jsonFile) outputs.push(new JsonOutput(cmd.jsonFile));
    if (cmd.htmlFile) outputs.push(new HtmlOutput(cmd.htmlFile));
    const problem = await openOutputs(outputs);
    if (problem !== undefined) return fail(problem, 2);
    if (!cmd.quiet) {
      const parts = result.merged!.inputs.map((i) => i.segment ?? i.path).join(", ");
      writeAll(out, `Merged ${cmd.files.length} results (${parts})\n`);
      for (const n of result.merged!.notes) writeAll(out, `note: ${n}\n`);
    }
    try {
      for (const o of outputs) await o.report?.(result);
    } finally {
      for (const o of outputs) await o.close();
    }
    return result.passed ? 0 : 1;
  } catch (e) {
    if (e instanceof MergeError) return fail(e.message, 2);
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    return fail(msg, msg.startsWith("merge:") ? 2 : 1);
  }
}
