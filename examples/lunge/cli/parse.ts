/**
 * Parsing the command line: Lunge's `perf` flags (a leading `perf` is
 * optional) and the `demo` subcommand, with `node:util` parseArgs and the
 * options of the one flag table (./flags.ts), into a {@linkcode Command};
 * every problem is a one-line {@linkcode UsageError} naming the flag.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { collectorKindFromEnv } from "@lunge/metrics";
import { EXECUTORS, parseDurationMs, parseStagesFlag, type Stage } from "../config/config.ts";
import type { ReportOptions } from "./run_and_report.ts";
import { transportFlags } from "../config/_transport.ts";
import { distributedFlags, type DistributedRun } from "./distributed_flags.ts";
import { addressHost, parseDashboardAddress } from "../outputs/dashboard/dashboard.ts";
import { LOAD_ONLY, PARSE_OPTIONS } from "./flags.ts";

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
  /** settings.maxIdleConns from `--max-idle-conns`. */
  maxIdleConns?: number;
  /** settings.idleTimeout from `--idle-timeout`, ms. */
  idleTimeoutMs?: number;
  /** settings.maxRedirects from `--max-redirects` (0: do not follow). */
  maxRedirects?: number;
  /** Settings fields from the TLS, HTTP/2, proxy and socket flags (config/_transport.ts). */
  transport?: Record<string, unknown>;
}

/** A run (or demo) request from the command line: what to run, and how to report it. */
export interface RunCommand extends Omit<ReportOptions, "workers"> {
  /** `--workers`; undefined: the default for the run's targets (run/default_workers.ts). */
  workers?: number;
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

function q(v: string): string {
  return JSON.stringify(v);
}

function nonNegativeInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(Number(v))) {
    throw new UsageError(`--${flag} must be an integer >= 0 (got ${q(v)})`);
  }
  return Number(v);
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

/** The flag values parseArgs returns for the table's options. */
export type FlagValues = ReturnType<typeof parseFlags>["values"];

/** Phase 1: node:util parseArgs, its errors turned into one-line usage errors. */
function parseFlags(args: string[]) {
  try {
    return parseArgs({ args, options: PARSE_OPTIONS, strict: true, allowPositionals: true });
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

/** Phase 3: the collector kind (flag, else LUNGE_COLLECTOR, else atomic) and `--workers`. */
function engineFlags(
  v: FlagValues,
  env: { collector?: string } | undefined,
): { collector: "atomic" | "mutex"; workers?: number } {
  const collector = v.collector ?? (env ? env.collector : collectorFromEnv()) ?? "atomic";
  if (collector !== "atomic" && collector !== "mutex") {
    const src = v.collector !== undefined ? "--collector" : "LUNGE_COLLECTOR";
    throw new UsageError(`${src} must be "atomic" or "mutex" (got ${q(collector)})`);
  }
  const workers = positiveInt("workers", v.workers);
  if (workers !== undefined && workers > 256) {
    throw new UsageError(`--workers must be at most 256 (got ${workers})`);
  }
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
    maxIdleConns: positiveInt("max-idle-conns", v["max-idle-conns"]),
    idleTimeoutMs: durationFlag("idle-timeout", v["idle-timeout"]),
    maxRedirects: nonNegativeInt("max-redirects", v["max-redirects"]),
    transport: usage(() => transportFlags(v)),
  };
}

/** Runs `f`, its error turned into a one-line usage error. */
export function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
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
    dashboard: dashboardOf(v.dashboard, distributed.reports.dashboard),
  };
}

/** `--dashboard` or `--out dashboard=` (the same output: one address), parsed. */
function dashboardOf(flag: string | undefined, out: string | undefined) {
  const address = flag === undefined ? undefined : usage(() => parseDashboardAddress(flag));
  const outAddress = out === undefined ? undefined : parseDashboardAddress(out); // checked already
  if (address && outAddress && addressHost(address) !== addressHost(outAddress)) {
    throw new UsageError(`--dashboard ${flag} and --out dashboard=${out} disagree: give one`);
  }
  return address ?? outAddress;
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
