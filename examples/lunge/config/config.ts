/**
 * The test configuration: Lunge's v2 perf schema (YAML or JSON), read,
 * expanded (`${ENV:-default}`), substituted (`{{var}}`, `{{baseUrl}}`) and
 * validated into a {@linkcode TestConfig} the engine can run without further
 * checks. Every field of Lunge's schema is accepted; the few this engine
 * cannot act on are reported as warnings, one line per field. Every problem
 * of a config is reported at once, each naming its field path, e.g.
 * `scenarios.api.stages[1].duration: invalid duration "5x"`.
 *
 * @module
 */
import { parseThresholds, type Threshold } from "../verdict/thresholds.ts";
import { ConfigError } from "./config_error.ts";
import { Problems } from "./_problems.ts";
import { bool, duration, headers, int, isObj, resolveUrl, str } from "./_fields.ts";
import { checkFields, FIELDS } from "./_schema.ts";
import { substituteIn } from "./_substitute.ts";
import { expandEnv } from "./_env.ts";
import { checkDepth, parseDocument, refuseFunctionalConfig } from "./_document.ts";
import { parseScenario } from "./_scenario.ts";
import { parseDurationMs } from "./_duration.ts";
import { parseTransport } from "./_transport.ts";
import type { ScenarioSpec, Settings, Stage, TestConfig } from "./types.ts";

export { formatDurationMs, parseDurationMs } from "./_duration.ts";
export { ConfigError } from "./config_error.ts";
export { EXECUTORS } from "./_scenario.ts";
export type * from "./types.ts";

/** Default per-request timeout (Lunge's): 30 s. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Go's `http.DefaultMaxIdleConnsPerHost`: what `settings.maxIdleConnsPerHost: 0` means. */
export const GO_DEFAULT_MAX_IDLE_CONNS_PER_HOST = 2;
/** Default gracefulStop (Lunge's and k6's): 30 s. */
export const DEFAULT_GRACEFUL_STOP_MS = 30_000;

/** Why a Lunge field is accepted but not acted on, by field pattern. */
const NOT_APPLIED: Record<string, string> = {
  "options.setupTimeout":
    "options.setupTimeout: not applied: Lunge perf configs have no setup phase",
  "options.teardownTimeout":
    "options.teardownTimeout: not applied: Lunge perf configs have no teardown phase",
  "options.noVUConnectionReuse":
    "options.noVUConnectionReuse: not applied: connections are pooled per worker thread, not per VU",
  "thresholds.custom":
    "thresholds.custom: checked but not evaluated: the run has no per-scenario metrics " +
    "(Lunge does not evaluate them either); use http_req_duration, http_req_failed, http_reqs",
};

function parseSettings(v: unknown, problems: Problems): Settings {
  const settings: Settings = {
    timeoutMs: DEFAULT_TIMEOUT_MS,
    headers: {},
    insecureSkipVerify: false,
  };
  if (v === undefined || v === null) return settings;
  if (!isObj(v)) {
    problems.add("settings: must be a map");
    return settings;
  }
  checkFields(v, FIELDS.settings, "settings", problems);
  const p = "settings";
  const baseRaw = problems.try(() => str(v, "baseUrl", p));
  if (baseRaw !== undefined) {
    settings.baseUrl = problems.try(() => resolveUrl(baseRaw, undefined, "settings.baseUrl"));
  }
  const timeoutMs = problems.try(() => duration(v, "timeout", p));
  if (timeoutMs === 0) problems.add("settings.timeout: must be greater than 0");
  else if (timeoutMs !== undefined) settings.timeoutMs = timeoutMs;
  settings.maxConnectionsPerHost = problems.try(() => int(v, "maxConnectionsPerHost", p, 1));
  // As Go's Transport.MaxIdleConnsPerHost: 0 means its default, 2.
  const idlePerHost = problems.try(() => int(v, "maxIdleConnsPerHost", p, 0));
  if (idlePerHost !== undefined) {
    settings.maxIdleConnsPerHost = idlePerHost === 0
      ? GO_DEFAULT_MAX_IDLE_CONNS_PER_HOST
      : idlePerHost;
  }
  // Beyond Lunge's schema: the client's overall idle cap and idle timeout (Go's
  // Transport.MaxIdleConns and IdleConnTimeout); absent, the client's defaults.
  settings.maxIdleConns = problems.try(() => int(v, "maxIdleConns", p, 1));
  const idleMs = problems.try(() => duration(v, "idleTimeout", p));
  if (idleMs === 0) problems.add("settings.idleTimeout: must be greater than 0 (got 0)");
  else if (idleMs !== undefined) settings.idleTimeoutMs = idleMs;
  settings.headers = problems.try(() => headers(v.headers, "settings.headers")) ?? {};
  settings.userAgent = problems.try(() => str(v, "userAgent", p));
  settings.insecureSkipVerify = problems.try(() => bool(v, "insecureSkipVerify", p)) ?? false;
  // Beyond Lunge's schema: redirects followed (k6's maxRedirects) and compression.
  settings.maxRedirects = problems.try(() => int(v, "maxRedirects", p, 0));
  const compression = v.compression;
  if (typeof compression === "boolean") settings.compression = compression;
  else if (typeof compression === "string" && compression.trim() !== "") {
    if (/[\r\n\0]/.test(compression)) {
      problems.add(
        `settings.compression: must be one header line, got ${JSON.stringify(compression)}`,
      );
    } else settings.compression = compression;
  } else if (compression !== undefined && compression !== null) {
    problems.add(
      `settings.compression: must be true, false or an Accept-Encoding value such as "gzip, br", got ${
        JSON.stringify(compression)
      }`,
    );
  }
  parseTransport(v, settings, problems);
  return settings;
}

/** Execution options (`options`), validated; unknown ones are problems. */
interface Options {
  sequential: boolean;
  iterationsTimeoutMs?: number;
}

function parseOptions(v: unknown, problems: Problems): Options {
  if (v === undefined || v === null) return { sequential: false };
  if (!isObj(v)) {
    problems.add("options: must be a map");
    return { sequential: false };
  }
  checkFields(v, FIELDS.options, "options", problems);
  const p = "options";
  for (const key of ["setupTimeout", "teardownTimeout"]) {
    if (v[key] === undefined) continue;
    problems.try(() => duration(v, key, p));
    problems.warn(`${p}.${key}`, NOT_APPLIED[`${p}.${key}`]);
  }
  if (problems.try(() => bool(v, "noVUConnectionReuse", p)) === true) {
    problems.warn("options.noVUConnectionReuse", NOT_APPLIED["options.noVUConnectionReuse"]);
  }
  return {
    sequential: problems.try(() => bool(v, "sequential", p)) ?? false,
    iterationsTimeoutMs: problems.try(() => duration(v, "iterationsTimeout", p)),
  };
}

function parseVariables(v: unknown, problems: Problems): Map<string, unknown> {
  const vars = new Map<string, unknown>();
  if (v === undefined || v === null) return vars;
  if (!isObj(v)) {
    problems.add("variables: must be a map of names to values");
    return vars;
  }
  for (const [k, value] of Object.entries(v)) {
    if (value !== null && typeof value === "object") {
      problems.add(`variables.${k}: must be a string, number or boolean`);
    } else vars.set(k, value);
  }
  return vars;
}

/**
 * Parses `thresholds` (and checks Lunge's `custom` per-scenario ones): the
 * one place a threshold's text is parsed. Returns the evaluable part as
 * written (`raw`) and parsed (`parsed`, each beside its source text).
 */
function parseThresholdsBlock(
  v: unknown,
  problems: Problems,
): { raw: unknown; parsed: Threshold[] } {
  if (v === undefined || v === null) return { raw: undefined, parsed: [] };
  let evaluable = v;
  if (isObj(v) && v.custom !== undefined) {
    const { custom, ...rest } = v;
    evaluable = rest;
    if (!isObj(custom)) {
      problems.add("thresholds.custom: must be a map of names to expression lists");
    } else {
      for (const [name, list] of Object.entries(custom)) {
        // Check the expressions with the metric the name's suffix implies.
        const metric = name.endsWith("_failed")
          ? "http_req_failed"
          : name.endsWith("_reqs")
          ? "http_reqs"
          : "http_req_duration";
        problems.try(() => {
          try {
            parseThresholds({ [metric]: list }, "thresholds.custom");
          } catch (e) {
            const m = e instanceof Error ? e.message : String(e);
            throw new ConfigError(
              m.replace(`thresholds.custom.${metric}`, `thresholds.custom.${name}`),
            );
          }
        });
      }
      problems.warn("thresholds.custom", NOT_APPLIED["thresholds.custom"]);
    }
  }
  const parsed = problems.try(() => {
    try {
      return parseThresholds(evaluable, "thresholds");
    } catch (e) {
      throw new ConfigError(e instanceof Error ? e.message : String(e));
    }
  });
  return { raw: evaluable, parsed: parsed ?? [] };
}

/**
 * `options.sequential`: each scenario starts when the previous one's
 * duration (after its own startTime) ends; its graceful stop overlaps the
 * next one's start. Scenarios run in document order.
 */
function applySequential(scenarios: ScenarioSpec[]): void {
  let at = 0;
  for (const s of scenarios) {
    s.startTimeMs += at;
    const length = s.durationMs > 0
      ? s.durationMs
      : s.stages.reduce((a, st) => a + st.durationMs, 0);
    at = s.startTimeMs + length;
  }
}

/** Warnings for fields that do not apply to a scenario's executor. */
function warnInapplicable(s: ScenarioSpec, problems: Problems): void {
  const arrival = s.executor.endsWith("arrival-rate");
  if (arrival && s.pacing.type !== "none") {
    problems.warn(
      "pacing",
      `scenarios.${s.name}.pacing: not applied: arrival-rate executors start iterations on ` +
        "their own schedule (pacing applies to constant-vus and ramping-vus)",
    );
  }
}

/**
 * Validates an already-parsed config document (the object a YAML or JSON file
 * holds): expands `${ENV}`, substitutes variables, checks every field,
 * resolves URLs. Throws one {@linkcode ConfigError} listing every problem.
 * The document is not modified.
 */
export function validateConfig(doc: unknown): TestConfig {
  if (!isObj(doc)) throw new ConfigError("config: must be a map at the top level");
  refuseFunctionalConfig(doc);
  checkDepth(doc);
  const problems = new Problems();
  const own = structuredClone(doc);
  expandEnv(own, problems);
  checkFields(own, FIELDS.top, "", problems);
  const vars = parseVariables(own.variables, problems);
  // Settings first (baseUrl may use variables), then everything else may use {{baseUrl}}.
  const settingsDoc = problems.try(() => substituteIn(own.settings, { vars }, "settings"));
  const settings = parseSettings(settingsDoc, problems);
  if (settings.baseUrl !== undefined) {
    const base = settings.baseUrl.replace(/\/$/, "");
    if (!vars.has("baseUrl")) vars.set("baseUrl", base);
    if (!vars.has("baseURL")) vars.set("baseURL", base);
  }
  const name = problems.try(() => substituteIn(own.name, { vars }, "name"));
  const description = problems.try(() => substituteIn(own.description, { vars }, "description"));
  if (name !== undefined && name !== null && typeof name !== "string") {
    problems.add("name: must be a string");
  }
  if (description !== undefined && description !== null && typeof description !== "string") {
    problems.add("description: must be a string");
  }
  const options = parseOptions(own.options, problems);
  const defaults = { gracefulStopMs: options.iterationsTimeoutMs ?? DEFAULT_GRACEFUL_STOP_MS };
  const scenarios: ScenarioSpec[] = [];
  if (!isObj(own.scenarios) || Object.keys(own.scenarios).length === 0) {
    problems.add("scenarios: must be a map with at least one scenario");
  } else {
    for (const [n, s] of Object.entries(own.scenarios)) {
      const spec = parseScenario(n, s, settings, vars, defaults, problems);
      if (spec) scenarios.push(spec);
    }
  }
  const thresholdsDoc = problems.try(() => substituteIn(own.thresholds, { vars }, "thresholds"));
  const thresholds = parseThresholdsBlock(thresholdsDoc, problems);
  problems.throwIfAny();
  if (options.sequential) applySequential(scenarios);
  for (const s of scenarios) warnInapplicable(s, problems);
  return {
    name: typeof name === "string" ? name : "Lunge test",
    description: typeof description === "string" ? description : "",
    settings,
    scenarios,
    thresholds: thresholds.raw ?? undefined,
    parsedThresholds: thresholds.parsed,
    warnings: problems.warnings,
  };
}

/**
 * Parses config text into a raw document: JSON when `path` ends in `.json`,
 * YAML otherwise. Syntax errors become a {@linkcode ConfigError} naming the file.
 */
export function parseConfigDocument(text: string, path: string): unknown {
  return parseDocument(text, path);
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
