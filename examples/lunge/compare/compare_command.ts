/**
 * `lunge compare <base.json> <candidate.json> [--fail-on <rules>] [--json]
 * [--html] [--output <path>] [--alpha <a>] [--seed <n>] [--resamples <n>]`:
 * a baseline-vs-candidate comparison (./compare.ts) as console text, JSON
 * and an HTML page, and a CI gate: exit 1 when a `--fail-on` rule is broken
 * and the change is real, 0 otherwise, 2 (one line) on bad usage, a bad
 * rule or inputs that do not compare.
 *
 * Permissions: `--allow-read=<the two result files>`, and
 * `--allow-write=<output>` with `--output` / `--html`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { writeAll } from "../outputs/output.ts";
import { CompareError, type CompareInput, compareResults } from "./compare.ts";
import { type CompareOutput, judgeRules, parseRules, type Rule, RuleError } from "./rules.ts";
import { renderCompareSummary, verdictLine } from "./summary.ts";
import { renderComparePage } from "./html_page.ts";
import { missingFilePermissions } from "../_file_permissions.ts";

/** `lunge compare --help`. */
export const COMPARE_HELP = `lunge compare: is the candidate run different from the base run?

Usage:
  lunge compare <base.json> <candidate.json> [--fail-on <rules>] [--json] [--html]
                [--output <path>] [--alpha <a>] [--seed <n>] [--resamples <n>]

Shows throughput, error rate and p50/p90/p95/p99/p99.9, overall and per request
name, and per-scenario iterations and drops, side by side with the change and
whether it is real: a Welch t test on standard errors from a bootstrap over the
runs' seconds, widened for the drift from second to second (requests within a
second, and nearby seconds, are not independent). Latency needs per-second
histograms: run with --histograms-per-second.
Merged results (lunge merge) compare like single runs.

Options:
  --fail-on <rules>  e.g. "p95 > +10%, error_rate > +0.5pp, rps < -5%, p99[login] > +20ms":
                     exit 1 when a rule is broken and its change is real
  --json             print the comparison as JSON to stdout (the text goes to stderr)
  --html             write the HTML page (to --output, else ./lunge-compare.html)
  --output <path>    .json: the JSON; .html: the page; no extension: both
  --alpha <a>        significance level                                  [0.05]
  --seed <n>         bootstrap seed (results are reproducible)           [1]
  --resamples <n>    bootstrap resamples per run                         [1000]

Exit codes: 0 no rule failed; 1 a rule is broken and the change is real;
2 bad usage, a bad rule, or inputs that do not compare (another histogram layout,
no histograms). Another config hash is a warning only.
Permissions: --allow-read=<the two files>, --allow-write=<output files>.
`;

interface CompareCommand {
  files: [string, string];
  rules?: Rule[];
  json: boolean;
  jsonFile?: string;
  htmlFile?: string;
  alpha: number;
  seed: number;
  resamples: number;
  help: boolean;
}

function numberFlag(
  name: string,
  text: string | undefined,
  def: number,
  ok: (n: number) => boolean,
) {
  if (text === undefined) return def;
  const n = Number(text);
  if (text.trim() === "" || !ok(n)) {
    throw new RuleError(`compare: bad --${name} ${JSON.stringify(text)}`);
  }
  return n;
}

/** Parses `compare`'s arguments (after "compare"); throws a {@linkcode RuleError} with one line. */
export function parseCompareArgs(args: string[]): CompareCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        "fail-on": { type: "string" },
        json: { type: "boolean" },
        html: { type: "boolean" },
        output: { type: "string", short: "o" },
        alpha: { type: "string" },
        seed: { type: "string" },
        resamples: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new RuleError(`compare: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
  }
  const v = parsed.values;
  const files = parsed.positionals;
  if (!v.help && files.length !== 2) {
    throw new RuleError(`compare: give two result files (base, candidate), got ${files.length}`);
  }
  let jsonFile: string | undefined, htmlFile: string | undefined;
  if (v.output !== undefined) {
    const ext = /\.([^./\\]+)$/.exec(v.output)?.[1]?.toLowerCase();
    if (ext === "json") jsonFile = v.output;
    else if (ext === "html" || ext === "htm") htmlFile = v.output;
    else if (ext === undefined) [jsonFile, htmlFile] = [`${v.output}.json`, `${v.output}.html`];
    else throw new RuleError(`compare: --output must end in .json or .html, or have no extension`);
  }
  if (v.html && htmlFile === undefined) {
    htmlFile = v.output ? v.output.replace(/\.[^./\\]+$/, "") + ".html" : "lunge-compare.html";
  }
  return {
    files: [files[0], files[1]],
    rules: v["fail-on"] === undefined ? undefined : parseRules(v["fail-on"]),
    json: v.json ?? false,
    jsonFile,
    htmlFile,
    alpha: numberFlag("alpha", v.alpha, 0.05, (n) => n > 0 && n < 0.5),
    seed: numberFlag("seed", v.seed, 1, Number.isSafeInteger),
    resamples: numberFlag(
      "resamples",
      v.resamples,
      1000,
      (n) => Number.isInteger(n) && n >= 50 && n <= 100_000,
    ),
    help: v.help ?? false,
  };
}

async function readInput(path: string): Promise<CompareInput> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new CompareError(`cannot read ${path}: ${e instanceof Error ? e.message : e}`);
  }
  try {
    return { path, result: JSON.parse(text) };
  } catch {
    throw new CompareError(`${path}: not JSON`);
  }
}

// The JSON's shape lives in rules.ts, below both this command and its HTML page.
export type { CompareOutput } from "./rules.ts";

/** Runs `lunge compare` with `args` (after "compare"); returns the exit code, never throws. */
export async function compareMain(args: string[]): Promise<number> {
  const fail = (message: string, code: number) => {
    writeAll(Deno.stderr, `lunge: ${message}\n`);
    return code;
  };
  try {
    const cmd = parseCompareArgs(args);
    if (cmd.help) {
      writeAll(Deno.stdout, COMPARE_HELP);
      return 0;
    }
    const missing = await missingFilePermissions(cmd.files, [cmd.jsonFile, cmd.htmlFile]);
    if (missing.length) return fail(`missing permission: run Deno with ${missing.join(" ")}`, 2);
    const [base, candidate] = [await readInput(cmd.files[0]), await readInput(cmd.files[1])];
    const comparison = await compareResults(base, candidate, {
      alpha: cmd.alpha,
      seed: cmd.seed,
      resamples: cmd.resamples,
    });
    const outcomes = cmd.rules ? judgeRules(cmd.rules, comparison) : undefined;
    const exitCode = outcomes?.some((o) => o.failed) ? 1 : 0;
    const output: CompareOutput = {
      ...comparison,
      ...(outcomes ? { rules: outcomes } : {}),
      verdict: verdictLine(outcomes),
      exitCode,
    };
    const out = cmd.json ? Deno.stderr : Deno.stdout;
    writeAll(out, renderCompareSummary(comparison, outcomes) + "\n");
    const json = JSON.stringify(output, null, 2) + "\n";
    if (cmd.json) writeAll(Deno.stdout, json);
    if (cmd.jsonFile) await Deno.writeTextFile(cmd.jsonFile, json);
    if (cmd.htmlFile) await Deno.writeTextFile(cmd.htmlFile, renderComparePage(output));
    return exitCode;
  } catch (e) {
    if (e instanceof CompareError || e instanceof RuleError) return fail(e.message, 2);
    return fail(e instanceof Error ? e.message.split("\n")[0] : String(e), 2);
  }
}
