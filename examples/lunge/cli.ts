/**
 * The command line: Lunge's `perf` flags (a leading `perf` is optional) and
 * the `demo` subcommand, parsed with `node:util` parseArgs into a
 * {@linkcode Command}; then {@linkcode main} checks permissions up front,
 * runs, reports, and returns the exit code: 0 passed, 1 a threshold failed
 * or the run errored, 2 bad usage (one line naming the problem, never a
 * stack trace).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { collectorKindFromEnv } from "@lunge/metrics";
import {
  ConfigError,
  EXECUTORS,
  parseDurationMs,
  parseStagesFlag,
  readConfigDocument,
  type Stage,
  type TestConfig,
  validateConfig,
} from "./config/config.ts";
import { workerReadPaths } from "./_paths.ts";
import { type ReportOptions, runAndReport, writeAll } from "./run_and_report.ts";
import { runDemo } from "./demo/demo.ts";
import { checkLoadLimits, MAX_PACER_RATE, readFdLimit } from "./run/limits.ts";
import {
  DISTRIBUTED_HELP,
  DISTRIBUTED_OPTIONS,
  distributedFlags,
  distributedHosts,
  type DistributedRun,
} from "./distributed/cli_flags.ts";
import { mergeMain } from "./merge/merge_command.ts";

/** The engine's version. */
export const VERSION = "0.1.0";

/** A usage problem: printed as `lunge: <message>`, exit code 2. */
export class UsageError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Load flags that shape the scenarios (every one optional). */
export interface LoadFlags {
  /** Target URL (with a config: the base URL). */
  url?: string;
  /** Executor. */
  executor?: string;
  /** VUs. */
  vus?: number;
  /** Duration in ms. */
  durationMs?: number;
  /** Stages. */
  stages?: Stage[];
  /** Arrival rate (iterations/s). */
  rate?: number;
  /** Pre-allocated VUs. */
  preAllocatedVUs?: number;
  /** Max VUs. */
  maxVUs?: number;
  /** HTTP method. */
  method?: string;
  /** Headers from -H. */
  headers: Record<string, string>;
  /** Request body. */
  body?: string;
  /** Request timeout in ms. */
  timeoutMs?: number;
}

/** A run (or demo) request from the command line: what to run, and how to report it. */
export interface RunCommand extends ReportOptions {
  /** `run`: the perf command; `demo`: the built-in demo. */
  kind: "run" | "demo";
  /** Config file path. */
  config?: string;
  /** Load flags. */
  load: LoadFlags;
  /** Segment, start time and outputs for running on many machines. */
  distributed?: DistributedRun;
}

/** What the command line asks for. */
export type Command = { kind: "help" } | { kind: "version" } | RunCommand;

/** The `--help` text. */
export const HELP = `lunge ${VERSION} — HTTP load testing for Deno (Lunge-compatible)

Usage:
  deno run <permissions> examples/lunge.ts [perf] --url <url> [flags]
  deno run <permissions> examples/lunge.ts [perf] -c <config.yaml|json> [flags]
  deno run <permissions> examples/lunge.ts demo [output flags]
  deno run <permissions> examples/lunge.ts merge <result.json>... [output flags]

Load:
  --url <url>               target URL (with -c: overrides settings.baseUrl)
  -c, --config <file>       YAML or JSON test config (Lunge's schema)
  --executor <name>         ${EXECUTORS.join(" | ")}
  --vus <n>                 VUs (constant-vus; start VUs of ramping-vus)   [10]
  --duration <d>            e.g. 500ms, 30s, 2m, 1h30m                     [30s]
  --stages <list>           ramps, e.g. "30s:10,1m:10,30s:0" (target VUs or rate)
  --rate <n>                iterations per second (arrival-rate executors)
  --pre-allocated-vus <n>   VUs allocated up front (arrival-rate)
  --max-vus <n>             most VUs the pool may grow to (arrival-rate)
  --method <m>              HTTP method                                     [GET]
  -H, --header "K: V"       request header (repeatable)
  --body <text>             request body
  -t, --timeout <d>         per-request timeout                             [30s]
  --workers <n>             Web Workers running the VUs      [CPU count: ${navigator.hardwareConcurrency}]
  --collector <kind>        atomic | mutex        [$LUNGE_COLLECTOR, else atomic]
Output:
  --json                    the JSON result: to stdout (console output then goes to stderr),
                            or with --output only to its .json file, as Lunge does
  --html                    write an HTML report (to --output, else ./lunge-report.html)
  -o, --output <path>       .json: JSON result; .html: HTML report; no extension: both
  --format <f>              Lunge's spelling: json = --json, html = --html, text = neither
  -q, --quiet               print only PASSED or FAILED
  -v, --verbose             detailed summary
  -h, --help | --version
${DISTRIBUTED_HELP}
Without --executor: --stages picks ramping-vus (ramping-arrival-rate with --rate or
a VU pool flag), --rate picks constant-arrival-rate, else constant-vus.
--url alone: GET, 10 VUs, 30s. With -c, flags override every scenario.
Times in the JSON result are milliseconds ("timeUnit": "ms").
Exit codes: 0 passed; 1 a threshold failed, the run errored or was interrupted;
2 bad usage; 130 a second Ctrl-C. The first Ctrl-C stops gracefully: it says how
long it waits at most (the longest gracefulStop) for requests in flight, then
reports. A second Ctrl-C stops at once: requests in flight are counted as
"interrupted", and the summary, JSON and report files are still written.
Limits, checked before the run (exit 2): arrival rates at most ${MAX_PACER_RATE}/s in
all; one file descriptor per VU (connection) plus 64 within \`ulimit -n\` (read
only with --allow-run=sh, or under --allow-all; else not checked). Output files
are opened before the run. Durations of any length work.

Permissions (the narrowest set; lunge names any flag that is missing, in one line):
  --allow-net=<host:port>         each target (e.g. --allow-net=api.example.com:443)
  --allow-read=examples/lunge,mod.ts,src
                                  the Web Workers load their modules from these
                                  (paths relative to the repository root)
  --allow-read=<config file>      with -c (add it to the list above)
  --allow-write=<output file(s)>  with --output / --html / --hlog / --out csv=<file>
                                  (--allow-net also for --out and --prometheus-listen)
  \`lunge merge\` needs only --allow-read=<result files> (and --allow-write=<outputs>)
  --allow-env=LUNGE_COLLECTOR,NO_COLOR,FORCE_COLOR   optional: honour those variables
  --allow-run=sh                  optional: check VUs against \`ulimit -n\` (Deno reads
                                  /proc/self/limits only under --allow-all)
Example:
  deno run --allow-net=127.0.0.1:8080 --allow-read=examples/lunge,mod.ts,src \\
    examples/lunge.ts --url http://127.0.0.1:8080/ --vus 50 --duration 30s
`;

const OPTIONS = {
  url: { type: "string" },
  config: { type: "string", short: "c" },
  executor: { type: "string" },
  vus: { type: "string" },
  duration: { type: "string" },
  stages: { type: "string" },
  rate: { type: "string" },
  "pre-allocated-vus": { type: "string" },
  "max-vus": { type: "string" },
  json: { type: "boolean" },
  html: { type: "boolean" },
  output: { type: "string", short: "o" },
  format: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean", short: "v" },
  collector: { type: "string" },
  workers: { type: "string" },
  method: { type: "string" },
  header: { type: "string", short: "H", multiple: true },
  body: { type: "string" },
  timeout: { type: "string", short: "t" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
  ...DISTRIBUTED_OPTIONS,
} as const;

const LOAD_ONLY = [
  "url",
  "config",
  "executor",
  "vus",
  "stages",
  "rate",
  "pre-allocated-vus",
  "max-vus",
  "method",
  "header",
  "body",
  "timeout",
] as const;

function q(v: string): string {
  return JSON.stringify(v);
}

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
    throw new UsageError(`--${flag} must be a positive integer (got ${q(v)})`);
  }
  return Number(v);
}

function positiveNumber(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${flag} must be a positive number (got ${q(v)})`);
  }
  return n;
}

function durationFlag(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDurationMs(v);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(`--${flag} must be a duration like 500ms, 30s, 2m or 1h30m (got ${q(v)})`);
  }
  return ms;
}

/**
 * The collector kind the environment asks for, read by the module's own flag
 * (`collectorKindFromEnv`: never prompts); an invalid value is a usage error.
 */
function collectorFromEnv(): string {
  try {
    return collectorKindFromEnv();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The flag values parseArgs returns for {@linkcode OPTIONS}. */
type FlagValues = ReturnType<typeof parseFlags>["values"];

/** Phase 1: node:util parseArgs, its errors turned into one-line usage errors. */
function parseFlags(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const msg = err.message ?? String(e);
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const flag = /'([^']+)'/.exec(msg)?.[1] ?? msg;
      throw new UsageError(`unknown flag ${q(flag)} (see --help)`);
    }
    if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const flag = /'(?:-\w, )?(--[\w-]+)/.exec(msg)?.[1] ?? "a flag";
      if (msg.includes("does not take an argument")) {
        throw new UsageError(`${flag} takes no value`);
      }
      throw new UsageError(`${flag} needs a value`);
    }
    throw new UsageError(msg.split("\n")[0]);
  }
}

/** Phase 2: the subcommand from the positionals (`perf` is optional); demo takes no load flag. */
export function subcommand(positionals: readonly string[], v: FlagValues): "run" | "demo" {
  const pos = [...positionals];
  let kind: "run" | "demo" = "run";
  if (pos[0] === "perf") pos.shift();
  else if (pos[0] === "demo") {
    pos.shift();
    kind = "demo";
  }
  if (pos.length > 0) throw new UsageError(`unexpected argument ${q(pos[0])} (see --help)`);
  if (kind === "demo") {
    const extra = LOAD_ONLY.find((f) => v[f] !== undefined);
    if (extra) throw new UsageError(`--${extra} cannot be used with demo`);
  }
  return kind;
}

/** Phase 3: the collector kind (flag, else LUNGE_COLLECTOR, else atomic) and the worker count. */
function engineFlags(
  v: FlagValues,
  env: { collector?: string } | undefined,
): { collector: "atomic" | "mutex"; workers: number } {
  const collector = v.collector ?? (env ? env.collector : collectorFromEnv()) ?? "atomic";
  if (collector !== "atomic" && collector !== "mutex") {
    const src = v.collector !== undefined ? "--collector" : "LUNGE_COLLECTOR";
    throw new UsageError(`${src} must be "atomic" or "mutex" (got ${q(collector)})`);
  }
  const workers = positiveInt("workers", v.workers) ?? navigator.hardwareConcurrency ?? 1;
  if (workers > 256) throw new UsageError(`--workers must be at most 256 (got ${workers})`);
  return { collector, workers };
}

/** `-H "Name: value"` flags as a header map. */
function headerFlags(list: readonly string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of list ?? []) {
    const i = h.indexOf(":");
    const name = i < 0 ? "" : h.slice(0, i).trim();
    if (i < 0 || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) {
      throw new UsageError(`--header must be "Name: value" (got ${q(h)})`);
    }
    headers[name] = h.slice(i + 1).trim();
  }
  return headers;
}

/** Phase 4: the load flags, each checked (one line naming the flag on anything wrong). */
export function loadFlags(v: FlagValues): LoadFlags {
  if (v.method !== undefined && !/^[A-Za-z]+$/.test(v.method)) {
    throw new UsageError(`--method must be an HTTP method like GET or POST (got ${q(v.method)})`);
  }
  if (v.executor !== undefined && !(EXECUTORS as readonly string[]).includes(v.executor)) {
    throw new UsageError(
      `--executor must be one of ${EXECUTORS.join(", ")} (got ${q(v.executor)})`,
    );
  }
  if (v.url !== undefined) {
    let ok = false;
    try {
      const u = new URL(v.url);
      ok = (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
    } catch { /* reported below */ }
    if (!ok) throw new UsageError(`--url must be an http(s) URL (got ${q(v.url)})`);
  }
  let stages: Stage[] | undefined;
  if (v.stages !== undefined) {
    try {
      stages = parseStagesFlag(v.stages);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return {
    url: v.url,
    executor: v.executor,
    vus: positiveInt("vus", v.vus),
    durationMs: durationFlag("duration", v.duration),
    stages,
    rate: positiveNumber("rate", v.rate),
    preAllocatedVUs: positiveInt("pre-allocated-vus", v["pre-allocated-vus"]),
    maxVUs: positiveInt("max-vus", v["max-vus"]),
    method: v.method?.toUpperCase(),
    headers: headerFlags(v.header),
    body: v.body,
    timeoutMs: durationFlag("timeout", v.timeout),
  };
}

/** Phase 5: the output files from `--output` and `--html`. */
export function outputFiles(
  output: string | undefined,
  html: boolean,
): { jsonFile?: string; htmlFile?: string } {
  if (output === undefined) return html ? { htmlFile: "lunge-report.html" } : {};
  if (output === "") throw new UsageError("--output needs a path");
  const ext = /\.([^./\\]+)$/.exec(output)?.[1]?.toLowerCase();
  let jsonFile: string | undefined;
  let htmlFile: string | undefined;
  if (ext === "json") jsonFile = output;
  else if (ext === "html" || ext === "htm") htmlFile = output;
  else if (ext === undefined) {
    jsonFile = `${output}.json`;
    htmlFile = `${output}.html`;
  } else {
    throw new UsageError(
      `--output must end in .json or .html, or have no extension (got ${q(output)})`,
    );
  }
  if (html && htmlFile === undefined) htmlFile = output.replace(/\.[^./\\]+$/, "") + ".html";
  return { jsonFile, htmlFile };
}

/**
 * Parses the arguments (without the program name). Throws a
 * {@linkcode UsageError} with a one-line message on anything wrong.
 * `env` supplies LUNGE_COLLECTOR (default: read it if permitted).
 *
 * Phases: parseArgs ({@linkcode parseFlags}), the subcommand
 * ({@linkcode subcommand}), engine flags, load flags ({@linkcode loadFlags})
 * and output files ({@linkcode outputFiles}).
 */
export function parseCli(args: string[], env?: { collector?: string }): Command {
  const parsed = parseFlags(args);
  const v = parsed.values;
  if (v.help) return { kind: "help" };
  if (v.version) return { kind: "version" };
  const kind = subcommand(parsed.positionals, v);
  const engine = engineFlags(v, env);
  const load = loadFlags(v);
  if (kind === "run" && v.config === undefined && v.url === undefined) {
    throw new UsageError("give --url <url> or -c <config file> (see --help)");
  }
  const format = v.format?.toLowerCase();
  if (format !== undefined && !["json", "html", "text"].includes(format)) {
    throw new UsageError(`--format must be text, json or html (got ${q(v.format!)})`);
  }
  const json = (v.json ?? false) || format === "json";
  const files = outputFiles(v.output, (v.html ?? false) || format === "html");
  const distributed = distributedOf(v, files); // adds --out json=/html= to files
  return {
    kind,
    config: v.config,
    load,
    // As Lunge, with a .json output file --json writes only the file (run_and_report.ts).
    json,
    ...files,
    quiet: v.quiet ?? false,
    verbose: v.verbose ?? false,
    ...engine,
    distributed,
  };
}

/**
 * The many-machines flags and `--out`, checked (usage errors name the flag):
 * `--out json=`/`html=` join `files` (Lunge's `-o`/`--html` spell the same
 * outputs: one file each), and the CSV file is no other output.
 */
function distributedOf(
  v: FlagValues,
  files: { jsonFile?: string; htmlFile?: string },
): DistributedRun {
  let d: DistributedRun;
  try {
    d = distributedFlags(v);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  for (const [key, kind] of [["jsonFile", "json"], ["htmlFile", "html"]] as const) {
    const path = d.reports[key];
    if (path === undefined) continue;
    if (files[key] !== undefined && files[key] !== path) {
      throw new UsageError(`--out ${kind}=${path}: -o/--html already write ${files[key]}`);
    }
    files[key] = path;
  }
  const csv = d.outputs.csvFile;
  if (csv !== undefined && [files.jsonFile, files.htmlFile, d.outputs.hlogFile].includes(csv)) {
    throw new UsageError(`--out csv=${csv}: that file is already another output`);
  }
  return d;
}

/** The executor the flags imply when `--executor` is absent. */
function impliedExecutor(load: LoadFlags): string {
  if (load.executor) return load.executor;
  const pool = load.preAllocatedVUs !== undefined || load.maxVUs !== undefined;
  if (load.stages !== undefined) {
    return load.rate !== undefined || pool ? "ramping-arrival-rate" : "ramping-vus";
  }
  return load.rate !== undefined ? "constant-arrival-rate" : "constant-vus";
}

function stagesDoc(stages: Stage[]) {
  return stages.map((s) => ({ duration: `${s.durationMs}ms`, target: s.target }));
}

/** Applies the load flags to one raw scenario document (flags win). */
function overrideScenario(s: Record<string, unknown>, load: LoadFlags): void {
  if (load.executor !== undefined) s.executor = load.executor;
  if (load.vus !== undefined) s.vus = load.vus;
  if (load.durationMs !== undefined) s.duration = `${load.durationMs}ms`;
  if (load.stages !== undefined) s.stages = stagesDoc(load.stages);
  if (load.rate !== undefined) s.rate = load.rate;
  if (load.preAllocatedVUs !== undefined) s.preAllocatedVUs = load.preAllocatedVUs;
  if (load.maxVUs !== undefined) s.maxVUs = load.maxVUs;
}

/**
 * Builds the test from the flags, or from the config file with the flags
 * applied on top (`--url` then replaces settings.baseUrl, `--timeout` and
 * `-H` the settings, load flags every scenario). Throws a
 * {@linkcode ConfigError} or {@linkcode UsageError}.
 */
export async function buildConfig(cmd: RunCommand): Promise<TestConfig> {
  const load = cmd.load;
  if (cmd.config !== undefined) {
    const doc = await readConfigDocument(cmd.config);
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
      throw new ConfigError(`${cmd.config}: must hold a map at the top level`);
    }
    const d = doc as Record<string, unknown>;
    const settings = { ...(d.settings as Record<string, unknown> ?? {}) };
    if (load.url !== undefined) settings.baseUrl = load.url;
    if (load.timeoutMs !== undefined) settings.timeout = `${load.timeoutMs}ms`;
    if (Object.keys(load.headers).length > 0) {
      settings.headers = { ...(settings.headers as Record<string, string> ?? {}), ...load.headers };
    }
    d.settings = settings;
    if (d.scenarios && typeof d.scenarios === "object") {
      for (const s of Object.values(d.scenarios as Record<string, unknown>)) {
        if (s && typeof s === "object") overrideScenario(s as Record<string, unknown>, load);
      }
    }
    try {
      return validateConfig(d);
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(`${cmd.config}: ${e.message}`);
      throw e;
    }
  }
  const executor = impliedExecutor(load);
  const scenario: Record<string, unknown> = {
    executor,
    requests: [{
      name: `${load.method ?? "GET"} ${new URL(load.url!).pathname}`,
      method: load.method ?? "GET",
      url: load.url,
      headers: load.headers,
      body: load.body,
    }],
  };
  if (executor === "constant-vus") scenario.vus = 10;
  if (executor === "constant-vus" || executor === "constant-arrival-rate") {
    scenario.duration = "30s";
  }
  overrideScenario(scenario, load);
  const missing = (flag: string, field: string) => {
    if (scenario[field] === undefined) {
      throw new UsageError(`--executor ${executor} needs --${flag}`);
    }
  };
  if (executor === "constant-arrival-rate") missing("rate", "rate");
  if (executor.startsWith("ramping")) missing("stages", "stages");
  const u = new URL(load.url!);
  try {
    return validateConfig({
      name: `${load.method ?? "GET"} ${u.href}`,
      settings: load.timeoutMs !== undefined ? { timeout: `${load.timeoutMs}ms` } : undefined,
      scenarios: { default: scenario },
    });
  } catch (e) {
    // Name the flag rather than the generated document's field.
    const m = e instanceof Error ? e.message : String(e);
    throw new UsageError(
      m.replace(/^scenarios\.default\.(\w+)/, (_, f: string) => `--${kebab(f)}`),
    );
  }
}

function kebab(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace("-v-us", "-vus");
}

/**
 * The permission flags the run still lacks (queried, never prompted): net
 * for every target host, read for the worker modules, write for outputs.
 */
export async function missingPermissions(
  config: TestConfig | undefined,
  files: (string | undefined)[],
  extraHosts: readonly string[] = [],
): Promise<string[]> {
  const missing: string[] = [];
  const hosts = new Set<string>(extraHosts);
  for (const s of config?.scenarios ?? []) {
    for (const r of s.requests) {
      const u = new URL(r.url);
      hosts.add(`${u.hostname}:${u.port || (u.protocol === "https:" ? "443" : "80")}`);
    }
  }
  const net: string[] = [];
  for (const host of hosts) {
    const st = await Deno.permissions.query({ name: "net", host });
    if (st.state !== "granted") net.push(host.replace(/^\[(.*)\]/, "$1"));
  }
  if (net.length) missing.push(`--allow-net=${net.join(",")}`);
  const read: string[] = [];
  for (const path of workerReadPaths()) {
    const st = await Deno.permissions.query({ name: "read", path });
    if (st.state !== "granted") read.push(path);
  }
  if (read.length) missing.push(`--allow-read=${read.join(",")}`);
  const write: string[] = [];
  for (const path of files) {
    if (path === undefined) continue;
    const st = await Deno.permissions.query({ name: "write", path });
    if (st.state !== "granted") write.push(path);
  }
  if (write.length) missing.push(`--allow-write=${write.join(",")}`);
  return missing;
}

/** Runs the CLI with `args`; returns the exit code (never throws). */
export async function main(args: string[]): Promise<number> {
  const fail = (message: string, code: number) => {
    writeAll(Deno.stderr, `lunge: ${message}\n`);
    return code;
  };
  if (args[0] === "merge") return await mergeMain(args.slice(1));
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
    const missing = await missingPermissions(
      config,
      [
        cmd.jsonFile,
        cmd.htmlFile,
        cmd.distributed?.outputs.hlogFile,
        cmd.distributed?.outputs.csvFile,
      ],
      distributedHosts(cmd.distributed),
    );
    if (cmd.kind === "demo") {
      const st = await Deno.permissions.query({ name: "net", host: "127.0.0.1" });
      if (st.state !== "granted") missing.unshift("--allow-net=127.0.0.1");
    }
    if (missing.length) return fail(`missing permission: run Deno with ${missing.join(" ")}`, 2);
    if (config !== undefined) {
      const problem = checkLoadLimits(config, {
        fdLimit: await readFdLimit(),
        workers: cmd.workers,
      });
      if (problem !== undefined) return fail(problem, 2);
    }
    const report = {
      json: cmd.json,
      jsonFile: cmd.jsonFile,
      htmlFile: cmd.htmlFile,
      quiet: cmd.quiet,
      verbose: cmd.verbose,
      collector: cmd.collector,
      workers: cmd.workers,
      distributed: cmd.distributed,
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
