/**
 * The test configuration: Lunge's YAML/JSON schema, read, substituted
 * (`{{var}}`, `{{baseUrl}}`) and validated into a {@linkcode TestConfig} the
 * engine can run without further checks. Every validation error is a
 * {@linkcode ConfigError} whose message names the field path, e.g.
 * `scenarios.api.stages[1].duration: invalid duration "5x"`.
 *
 * @module
 */
import { parseYaml } from "./_yaml.ts";
import { parseThresholds } from "../report/thresholds.ts";
import { parseDurationMs } from "./_duration.ts";

export { formatDurationMs, parseDurationMs } from "./_duration.ts";

/** The four executors Lunge (and k6) offer. */
export type ExecutorKind =
  | "constant-vus"
  | "ramping-vus"
  | "constant-arrival-rate"
  | "ramping-arrival-rate";

/** Every executor name, in documentation order. */
export const EXECUTORS: readonly ExecutorKind[] = [
  "constant-vus",
  "ramping-vus",
  "constant-arrival-rate",
  "ramping-arrival-rate",
];

/** One ramp stage: move linearly to `target` (VUs or iterations/s) over `durationMs`. */
export interface Stage {
  /** Stage length in ms. */
  durationMs: number;
  /** VUs (ramping-vus) or iterations per second (ramping-arrival-rate) at the stage's end. */
  target: number;
}

/** One HTTP request of a scenario's iteration, fully resolved. */
export interface RequestSpec {
  /** Name for per-request statistics. */
  name: string;
  /** HTTP method, upper case. */
  method: string;
  /** Absolute http(s) URL. */
  url: string;
  /** Request headers (settings headers merged under the request's own). */
  headers: Record<string, string>;
  /** Request body, if any. */
  body?: string;
  /** Pause after this request, in ms. */
  thinkTimeMs: number;
}

/** One validated scenario. */
export interface ScenarioSpec {
  /** The scenario's key in `scenarios`. */
  name: string;
  /** How load is generated. */
  executor: ExecutorKind;
  /** constant-vus: the VUs; ramping-vus: the VUs at the start. */
  vus: number;
  /** constant-* executors: how long to run, in ms (0 for ramping ones). */
  durationMs: number;
  /** constant-arrival-rate: iterations per second (0 otherwise). */
  rate: number;
  /** Arrival-rate executors: VUs allocated up front. */
  preAllocatedVUs: number;
  /** Arrival-rate executors: the most VUs the pool may grow to. */
  maxVUs: number;
  /** Ramping executors: the stages (empty for constant ones). */
  stages: Stage[];
  /** The requests one iteration makes, in order. */
  requests: RequestSpec[];
  /** How long in-flight iterations may finish after the end, in ms. */
  gracefulStopMs: number;
  /** VU executors: the least time one iteration takes, in ms (0: no pacing). */
  pacingMs: number;
}

/** The `settings` block, validated. */
export interface Settings {
  /** Base URL that relative request URLs resolve against. */
  baseUrl?: string;
  /** Per-request timeout in ms. */
  timeoutMs: number;
  /** Connection cap per host (per run; split across workers). */
  maxConnectionsPerHost?: number;
  /** Headers sent with every request. */
  headers: Record<string, string>;
  /** The User-Agent header. */
  userAgent?: string;
  /** Accept any TLS certificate. */
  insecureSkipVerify: boolean;
}

/** A whole validated test. */
export interface TestConfig {
  /** Test name. */
  name: string;
  /** Test description ("" when none). */
  description: string;
  /** Shared settings. */
  settings: Settings;
  /** Scenarios, run concurrently. */
  scenarios: ScenarioSpec[];
  /** The raw `thresholds` value (already checked with `parseThresholds`), or undefined. */
  thresholds: unknown;
  /** Fields accepted but ignored (e.g. Lunge's `extract`), one message each. */
  warnings: string[];
}

/** A configuration problem; the message names the field path. */
export class ConfigError extends Error {
  /** Creates the error; `message` is shown to the user as is. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Default per-request timeout (Lunge's): 30 s. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default gracefulStop (Lunge's and k6's): 30 s. */
export const DEFAULT_GRACEFUL_STOP_MS = 30_000;

type Obj = Record<string, unknown>;

const TOP_KEYS = ["name", "description", "settings", "variables", "scenarios", "thresholds"];
const SETTINGS_KEYS = [
  "baseUrl",
  "timeout",
  "maxConnectionsPerHost",
  "headers",
  "userAgent",
  "insecureSkipVerify",
];
const SCENARIO_KEYS = [
  "executor",
  "vus",
  "duration",
  "rate",
  "preAllocatedVUs",
  "maxVUs",
  "stages",
  "requests",
  "gracefulStop",
  "pacing",
];
const REQUEST_KEYS = ["name", "method", "url", "headers", "body", "thinkTime"];
/** Lunge fields this engine accepts but does not act on. */
const IGNORED_KEYS = new Set(["options", "extract", "assertions"]);
const METHOD = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
}

function checkKeys(o: Obj, allowed: string[], path: string, warnings: string[]): void {
  for (const key of Object.keys(o)) {
    if (allowed.includes(key)) continue;
    const where = path ? `${path}.${key}` : key;
    if (IGNORED_KEYS.has(key)) {
      warnings.push(`${where}: not supported by this engine; ignored`);
      continue;
    }
    throw new ConfigError(`${where}: unknown field`);
  }
}

function str(o: Obj, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") {
    throw new ConfigError(`${path}.${key}: must be a string (got ${describe(v)})`);
  }
  return v;
}

function duration(o: Obj, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const where = path ? `${path}.${key}` : key;
  if (v === 0) return 0;
  if (typeof v !== "string") {
    throw new ConfigError(`${where}: invalid duration ${describe(v)} (use a unit, e.g. "30s")`);
  }
  const ms = parseDurationMs(v);
  if (ms === undefined) throw new ConfigError(`${where}: invalid duration ${describe(v)}`);
  return ms;
}

function int(o: Obj, key: string, path: string, min: number): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    const what = min > 0 ? "a positive integer" : "an integer >= 0";
    throw new ConfigError(`${path}.${key}: must be ${what} (got ${describe(v)})`);
  }
  return v;
}

function positiveNumber(o: Obj, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
    throw new ConfigError(`${path}.${key}: must be a positive number (got ${describe(v)})`);
  }
  return v;
}

function headers(v: unknown, path: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new ConfigError(`${path}: must be a map of header names to values`);
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (!HEADER_NAME.test(k)) throw new ConfigError(`${path}.${k}: invalid header name`);
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      throw new ConfigError(`${path}.${k}: header value must be a string`);
    }
    const text = String(value);
    if (/[\r\n\0]/.test(text)) throw new ConfigError(`${path}.${k}: header value has a line break`);
    out[k] = text;
  }
  return out;
}

/**
 * Replaces every `{{name}}` in every string of `value` (recursively), using
 * `vars`. A string that is exactly one placeholder takes the variable's own
 * type (so `vus: "{{vus}}"` can be a number). Unknown names throw, naming the
 * path.
 */
export function substitute(value: unknown, vars: Record<string, unknown>, path: string): unknown {
  if (typeof value === "string") {
    const whole = /^\{\{\s*([\w.-]+)\s*\}\}$/.exec(value);
    if (whole) {
      if (!(whole[1] in vars)) {
        throw new ConfigError(`${path}: unknown variable "{{${whole[1]}}}"`);
      }
      return vars[whole[1]];
    }
    return value.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_, name: string) => {
      if (!(name in vars)) throw new ConfigError(`${path}: unknown variable "{{${name}}}"`);
      return String(vars[name]);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, vars, `${path}[${i}]`));
  if (isObj(value)) {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = substitute(v, vars, path ? `${path}.${k}` : k);
    }
    return out;
  }
  return value;
}

function resolveUrl(raw: string, baseUrl: string | undefined, path: string): string {
  let url: URL;
  try {
    url = /^[a-z][a-z0-9+.-]*:/i.test(raw) ? new URL(raw) : new URL(raw, baseUrl);
  } catch {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(raw) && baseUrl === undefined) {
      throw new ConfigError(`${path}: relative URL ${describe(raw)} needs settings.baseUrl`);
    }
    throw new ConfigError(`${path}: invalid URL ${describe(raw)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`${path}: URL must be http or https (got ${describe(raw)})`);
  }
  return url.href;
}

function parseStagesValue(v: unknown, path: string): Stage[] {
  if (!Array.isArray(v) || v.length === 0) {
    throw new ConfigError(`${path}: must be a non-empty list of {duration, target}`);
  }
  return v.map((s, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(s)) throw new ConfigError(`${p}: must be a map with duration and target`);
    for (const key of Object.keys(s)) {
      if (key !== "duration" && key !== "target") {
        throw new ConfigError(`${p}.${key}: unknown field`);
      }
    }
    const durationMs = duration(s, "duration", p);
    if (durationMs === undefined) throw new ConfigError(`${p}.duration: required`);
    const t = s.target;
    if (typeof t !== "number" || !Number.isFinite(t) || t < 0) {
      throw new ConfigError(`${p}.target: must be a number >= 0 (got ${describe(t)})`);
    }
    return { durationMs, target: t };
  });
}

function parseRequest(
  v: unknown,
  path: string,
  settings: Settings,
  warnings: string[],
): RequestSpec {
  if (!isObj(v)) throw new ConfigError(`${path}: must be a map`);
  checkKeys(v, REQUEST_KEYS, path, warnings);
  const rawUrl = str(v, "url", path);
  if (rawUrl === undefined || rawUrl === "") throw new ConfigError(`${path}.url: required`);
  const url = resolveUrl(rawUrl, settings.baseUrl, `${path}.url`);
  const method = (str(v, "method", path) ?? "GET").toUpperCase();
  if (!METHOD.test(method)) {
    throw new ConfigError(`${path}.method: invalid method ${describe(method)}`);
  }
  const own = headers(v.headers, `${path}.headers`);
  const merged: Record<string, string> = { ...settings.headers };
  for (const [k, val] of Object.entries(own)) {
    for (const existing of Object.keys(merged)) {
      if (existing.toLowerCase() === k.toLowerCase()) delete merged[existing];
    }
    merged[k] = val;
  }
  let body: string | undefined;
  if (v.body !== undefined && v.body !== null) {
    if (typeof v.body === "string") body = v.body;
    else if (typeof v.body === "object" || typeof v.body === "number") {
      body = JSON.stringify(v.body);
      if (!Object.keys(merged).some((k) => k.toLowerCase() === "content-type")) {
        merged["Content-Type"] = "application/json";
      }
    } else throw new ConfigError(`${path}.body: must be a string or a map`);
  }
  const name = str(v, "name", path) ?? `${method} ${new URL(url).pathname}`;
  return {
    name,
    method,
    url,
    headers: merged,
    body,
    thinkTimeMs: duration(v, "thinkTime", path) ?? 0,
  };
}

function parsePacing(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (isObj(v)) {
    const ms = duration(v, "duration", path) ?? duration(v, "interval", path);
    if (ms === undefined) throw new ConfigError(`${path}.duration: required`);
    return ms;
  }
  if (v === 0) return 0;
  const ms = typeof v === "string" ? parseDurationMs(v) : undefined;
  if (ms === undefined) throw new ConfigError(`${path}: invalid duration ${describe(v)}`);
  return ms;
}

function parseScenario(
  name: string,
  v: unknown,
  settings: Settings,
  warnings: string[],
): ScenarioSpec {
  const path = `scenarios.${name}`;
  if (!isObj(v)) throw new ConfigError(`${path}: must be a map`);
  checkKeys(v, SCENARIO_KEYS, path, warnings);
  const executor = str(v, "executor", path) ?? "constant-vus";
  if (!(EXECUTORS as readonly string[]).includes(executor)) {
    throw new ConfigError(
      `${path}.executor: unknown executor ${describe(executor)} (use ${EXECUTORS.join(", ")})`,
    );
  }
  const kind = executor as ExecutorKind;
  if (!Array.isArray(v.requests) || v.requests.length === 0) {
    throw new ConfigError(`${path}.requests: must be a non-empty list`);
  }
  const requests = v.requests.map((r, i) =>
    parseRequest(r, `${path}.requests[${i}]`, settings, warnings)
  );
  const vusRaw = int(v, "vus", path, 0);
  const durationMs = duration(v, "duration", path);
  const rateRaw = positiveNumber(v, "rate", path);
  const pre = int(v, "preAllocatedVUs", path, 1);
  const max = int(v, "maxVUs", path, 1);
  const stagesRaw = v.stages;
  const gracefulStopMs = duration(v, "gracefulStop", path) ?? DEFAULT_GRACEFUL_STOP_MS;
  const pacingMs = parsePacing(v.pacing, `${path}.pacing`);
  const spec: ScenarioSpec = {
    name,
    executor: kind,
    vus: 0,
    durationMs: 0,
    rate: 0,
    preAllocatedVUs: 0,
    maxVUs: 0,
    stages: [],
    requests,
    gracefulStopMs,
    pacingMs,
  };
  const needDuration = () => {
    if (durationMs === undefined) throw new ConfigError(`${path}.duration: required for ${kind}`);
    if (durationMs <= 0) throw new ConfigError(`${path}.duration: must be greater than 0`);
    return durationMs;
  };
  const needStages = () => {
    if (stagesRaw === undefined) throw new ConfigError(`${path}.stages: required for ${kind}`);
    const stages = parseStagesValue(stagesRaw, `${path}.stages`);
    if (stages.reduce((a, s) => a + s.durationMs, 0) <= 0) {
      throw new ConfigError(`${path}.stages: total duration must be greater than 0`);
    }
    return stages;
  };
  const pool = (peakRate: number) => {
    const preAllocatedVUs = pre ?? vusRaw ?? Math.min(100, Math.max(1, Math.ceil(peakRate / 10)));
    const maxVUs = max ?? Math.max(preAllocatedVUs, 100);
    if (maxVUs < preAllocatedVUs) {
      throw new ConfigError(
        `${path}.maxVUs: must be >= preAllocatedVUs (${maxVUs} < ${preAllocatedVUs})`,
      );
    }
    spec.preAllocatedVUs = preAllocatedVUs;
    spec.maxVUs = maxVUs;
  };
  switch (kind) {
    case "constant-vus":
      spec.vus = vusRaw ?? 1;
      if (spec.vus < 1) throw new ConfigError(`${path}.vus: must be a positive integer (got 0)`);
      spec.durationMs = needDuration();
      break;
    case "ramping-vus":
      spec.vus = vusRaw ?? 0;
      spec.stages = needStages();
      spec.stages.forEach((s, i) => {
        if (!Number.isInteger(s.target)) {
          throw new ConfigError(
            `${path}.stages[${i}].target: must be an integer number of VUs (got ${s.target})`,
          );
        }
      });
      break;
    case "constant-arrival-rate":
      if (rateRaw === undefined) throw new ConfigError(`${path}.rate: required for ${kind}`);
      spec.rate = rateRaw;
      spec.durationMs = needDuration();
      pool(rateRaw);
      break;
    case "ramping-arrival-rate":
      spec.stages = needStages();
      pool(Math.max(...spec.stages.map((s) => s.target)));
      break;
  }
  return spec;
}

function parseSettings(v: unknown, warnings: string[]): Settings {
  if (v === undefined || v === null) {
    return { timeoutMs: DEFAULT_TIMEOUT_MS, headers: {}, insecureSkipVerify: false };
  }
  if (!isObj(v)) throw new ConfigError("settings: must be a map");
  checkKeys(v, SETTINGS_KEYS, "settings", warnings);
  const baseRaw = str(v, "baseUrl", "settings");
  let baseUrl: string | undefined;
  if (baseRaw !== undefined) baseUrl = resolveUrl(baseRaw, undefined, "settings.baseUrl");
  const timeoutMs = duration(v, "timeout", "settings") ?? DEFAULT_TIMEOUT_MS;
  if (timeoutMs <= 0) throw new ConfigError("settings.timeout: must be greater than 0");
  const insecure = v.insecureSkipVerify;
  if (insecure !== undefined && typeof insecure !== "boolean") {
    throw new ConfigError(`settings.insecureSkipVerify: must be true or false`);
  }
  return {
    baseUrl,
    timeoutMs,
    maxConnectionsPerHost: int(v, "maxConnectionsPerHost", "settings", 1),
    headers: headers(v.headers, "settings.headers"),
    userAgent: str(v, "userAgent", "settings"),
    insecureSkipVerify: insecure === true,
  };
}

/**
 * Validates an already-parsed config document (the object a YAML or JSON file
 * holds): substitutes variables, checks every field, resolves URLs. Throws a
 * {@linkcode ConfigError} naming the first bad field.
 */
export function validateConfig(doc: unknown): TestConfig {
  if (!isObj(doc)) throw new ConfigError("config: must be a map at the top level");
  const warnings: string[] = [];
  checkKeys(doc, TOP_KEYS, "", warnings);
  const rawVars = doc.variables ?? {};
  if (!isObj(rawVars)) throw new ConfigError("variables: must be a map of names to values");
  const vars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rawVars)) {
    if (v !== null && typeof v === "object") {
      throw new ConfigError(`variables.${k}: must be a string, number or boolean`);
    }
    vars[k] = v;
  }
  // Settings first (baseUrl may use variables), then everything else may use {{baseUrl}}.
  const settingsDoc = substitute(doc.settings, vars, "settings");
  const settings = parseSettings(settingsDoc, warnings);
  if (settings.baseUrl !== undefined && !("baseUrl" in vars)) {
    vars.baseUrl = settings.baseUrl.replace(/\/$/, "");
  }
  const name = substitute(doc.name, vars, "name");
  const description = substitute(doc.description, vars, "description");
  if (name !== undefined && typeof name !== "string") {
    throw new ConfigError("name: must be a string");
  }
  if (description !== undefined && description !== null && typeof description !== "string") {
    throw new ConfigError("description: must be a string");
  }
  const scenariosDoc = substitute(doc.scenarios, vars, "scenarios");
  if (!isObj(scenariosDoc) || Object.keys(scenariosDoc).length === 0) {
    throw new ConfigError("scenarios: must be a map with at least one scenario");
  }
  const scenarios = Object.entries(scenariosDoc).map(([n, s]) =>
    parseScenario(n, s, settings, warnings)
  );
  const thresholds = substitute(doc.thresholds, vars, "thresholds");
  if (thresholds !== undefined && thresholds !== null) {
    try {
      parseThresholds(thresholds, "thresholds");
    } catch (e) {
      throw new ConfigError(e instanceof Error ? e.message : String(e));
    }
  }
  return {
    name: name ?? "Lunge test",
    description: (description as string | undefined) ?? "",
    settings,
    scenarios,
    thresholds: thresholds ?? undefined,
    warnings,
  };
}

/**
 * Parses config text into a raw document: JSON when `path` ends in `.json`,
 * YAML otherwise. Syntax errors become a {@linkcode ConfigError} naming the file.
 */
export function parseConfigDocument(text: string, path: string): unknown {
  try {
    return path.toLowerCase().endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new ConfigError(`${path}: cannot parse: ${msg}`);
  }
}

/** Parses and validates config text (JSON when `path` ends in `.json`, else YAML). */
export function parseConfigText(text: string, path: string): TestConfig {
  return validateConfig(parseConfigDocument(text, path));
}

/** Reads a config file into a raw document; unreadable files throw a {@linkcode ConfigError}. */
export async function readConfigDocument(path: string): Promise<unknown> {
  let text: string;
  // Query first: reading without the permission would prompt on a terminal.
  const status = await Deno.permissions.query({ name: "read", path });
  if (status.state !== "granted") {
    throw new ConfigError(`${path}: not readable: run Deno with --allow-read=${path}`);
  }
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new ConfigError(`${path}: no such file`);
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      throw new ConfigError(`${path}: not readable: run Deno with --allow-read=${path}`);
    }
    if (e instanceof Deno.errors.IsADirectory) throw new ConfigError(`${path}: is a directory`);
    throw new ConfigError(`${path}: cannot read it: ${e instanceof Error ? e.message : e}`);
  }
  return parseConfigDocument(text, path);
}

/** Reads and validates a config file. */
export async function loadConfig(path: string): Promise<TestConfig> {
  return validateConfig(await readConfigDocument(path));
}

/**
 * Parses `--stages "30s:10,1m:10,30s:0"` into stages. Throws a
 * {@linkcode ConfigError} mentioning `--stages`.
 */
export function parseStagesFlag(text: string): Stage[] {
  const parts = text.split(",").map((p) => p.trim()).filter((p) => p !== "");
  if (parts.length === 0) throw new ConfigError(`--stages: must be like "30s:10,1m:10,30s:0"`);
  return parts.map((p) => {
    const m = /^([^:]+):(\d+(?:\.\d+)?)$/.exec(p);
    const durationMs = m ? parseDurationMs(m[1]) : undefined;
    if (!m || durationMs === undefined) {
      throw new ConfigError(
        `--stages: invalid stage ${JSON.stringify(p)} (want <duration>:<target>, e.g. 30s:10)`,
      );
    }
    return { durationMs, target: Number(m[2]) };
  });
}
