/**
 * Private helper: one request of a scenario (`scenarios.<s>.requests[i]`),
 * with its assertions and extracts, validated into a {@linkcode RequestSpec}.
 *
 * @module
 */
import { ConfigError } from "./config_error.ts";
import type {
  AssertionCondition,
  AssertionSpec,
  AssertionType,
  ExtractSource,
  ExtractSpec,
  RequestSpec,
  Settings,
} from "./types.ts";
import type { Problems } from "./_problems.ts";
import { describe, duration, headers, isObj, type Obj, resolveUrl, str } from "./_fields.ts";
import { checkFields, FIELDS } from "./_schema.ts";
import { type Scope, substituteAll } from "./_substitute.ts";
import { PLACEHOLDER } from "./template.ts";
import { parseJsonPath } from "./json_path.ts";

const METHOD = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*$/;
const ASSERTION_TYPES: Record<string, AssertionType> = {
  status: "status",
  header: "header",
  body: "body",
  json: "json",
  responseTime: "responseTime",
  duration: "responseTime",
};
const CONDITIONS: readonly AssertionCondition[] = [
  "eq",
  "ne",
  "lt",
  "lte",
  "gt",
  "gte",
  "contains",
  "matches",
  "exists",
];
const SOURCES: readonly ExtractSource[] = ["header", "body", "json", "regex", "status"];

/** The names the `extract` lists of `requests` define (unvalidated; for scoping). */
export function extractedNames(requests: unknown): Set<string> {
  const out = new Set<string>();
  if (!Array.isArray(requests)) return out;
  for (const r of requests) {
    if (!isObj(r) || !Array.isArray(r.extract)) continue;
    for (const e of r.extract) if (isObj(e) && typeof e.name === "string") out.add(e.name);
  }
  return out;
}

function checkRegex(text: string, path: string): void {
  try {
    new RegExp(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ConfigError(`${path}: invalid regular expression ${describe(text)} (${why})`);
  }
}

function jsonPathOf(text: string, path: string) {
  const p = parseJsonPath(text);
  if (p === undefined) {
    throw new ConfigError(
      `${path}: unsupported JSONPath ${describe(text)} (use $.a.b, $.list[0], $['key'])`,
    );
  }
  return p;
}

function scalarText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

function parseAssertion(v: unknown, path: string, problems: Problems): AssertionSpec | undefined {
  if (!isObj(v)) {
    problems.add(`${path}: must be a map with type, condition and value`);
    return undefined;
  }
  checkFields(v, FIELDS.assertion, path, problems);
  const before = problems.errorCount;
  const rawType = problems.try(() => str(v, "type", path));
  const type = rawType === undefined ? undefined : ASSERTION_TYPES[rawType];
  if (rawType === undefined) {
    problems.add(`${path}.type: required (status, header, body, json, responseTime)`);
  } else if (type === undefined || !Object.hasOwn(ASSERTION_TYPES, rawType)) {
    problems.add(
      `${path}.type: unknown type ${
        describe(rawType)
      } (use status, header, body, json, responseTime)`,
    );
  }
  const condition = (problems.try(() => str(v, "condition", path)) ?? "eq") as AssertionCondition;
  if (!CONDITIONS.includes(condition)) {
    problems.add(
      `${path}.condition: unknown condition ${describe(condition)} (use ${CONDITIONS.join(", ")})`,
    );
  }
  const value = scalarText(v.value);
  if (v.value !== undefined && v.value !== null && value === undefined) {
    problems.add(`${path}.value: must be a string or a number`);
  }
  const rawPath = problems.try(() => str(v, "path", path));
  const message = problems.try(() => str(v, "message", path));
  if (problems.errorCount > before || type === undefined) return undefined;
  const spec: AssertionSpec = { type, condition, value: value ?? "", label: "" };
  problems.try(() => {
    if (condition !== "exists" && value === undefined) {
      throw new ConfigError(`${path}.value: required for condition ${condition}`);
    }
    if (condition === "matches") checkRegex(spec.value, `${path}.value`);
    if (type === "header") {
      if (rawPath === undefined) throw new ConfigError(`${path}.path: the header name is required`);
      spec.header = rawPath.toLowerCase();
    }
    if (type === "json" || (type === "body" && rawPath !== undefined)) {
      if (rawPath === undefined) throw new ConfigError(`${path}.path: required for type json`);
      spec.jsonPath = jsonPathOf(rawPath, `${path}.path`);
    }
    if (condition === "exists" && (type === "status" || type === "responseTime")) {
      throw new ConfigError(`${path}.condition: exists does not apply to ${type}`);
    }
    if (type === "responseTime" && condition !== "exists") {
      spec.valueMs = /^\d+(\.\d+)?$/.test(spec.value)
        ? Number(spec.value)
        : duration({ value: spec.value }, "value", path);
      if (["contains", "matches"].includes(condition)) {
        throw new ConfigError(`${path}.condition: ${condition} does not apply to responseTime`);
      }
    }
  });
  const subject = rawPath === undefined ? rawType! : `${rawType} ${rawPath}`;
  spec.label = message ??
    `${subject} ${condition}${condition === "exists" ? "" : ` ${spec.value}`}`;
  return spec;
}

function parseExtract(v: unknown, path: string, problems: Problems): ExtractSpec | undefined {
  if (!isObj(v)) {
    problems.add(`${path}: must be a map with name and source`);
    return undefined;
  }
  checkFields(v, FIELDS.extract, path, problems);
  return problems.try(() => {
    const name = str(v, "name", path);
    if (name === undefined || !/^[\w.-]+$/.test(name)) {
      throw new ConfigError(`${path}.name: required: a variable name (letters, digits, _ . -)`);
    }
    const source = (str(v, "source", path) ?? "") as ExtractSource;
    if (!SOURCES.includes(source)) {
      throw new ConfigError(
        `${path}.source: must be one of ${SOURCES.join(", ")} (got ${describe(v.source)})`,
      );
    }
    const rawPath = str(v, "path", path);
    const regex = str(v, "regex", path);
    const spec: ExtractSpec = { name, source };
    if (regex !== undefined) {
      checkRegex(regex, `${path}.regex`);
      spec.regex = regex;
    }
    if (source === "header") {
      if (rawPath === undefined) throw new ConfigError(`${path}.path: the header name is required`);
      spec.header = rawPath.toLowerCase();
    } else if (source === "json" || (source === "body" && rawPath !== undefined)) {
      if (rawPath === undefined) throw new ConfigError(`${path}.path: required for source json`);
      spec.jsonPath = jsonPathOf(rawPath, `${path}.path`);
    } else if (source === "regex" && regex === undefined) {
      throw new ConfigError(`${path}.regex: required for source regex`);
    }
    return spec;
  });
}

function list<T>(
  v: unknown,
  path: string,
  problems: Problems,
  parse: (x: unknown, p: string, problems: Problems) => T | undefined,
): T[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    problems.add(`${path}: must be a list`);
    return [];
  }
  return v.map((x, i) => parse(x, `${path}[${i}]`, problems)).filter((x): x is T =>
    x !== undefined
  );
}

/**
 * Resolves a URL template: relative to the base like any URL, with its
 * run-time placeholders kept (swapped for lower-case sentinels that survive
 * URL parsing, then swapped back).
 */
function resolveTemplateUrl(raw: string, base: string | undefined, path: string): string {
  const names: string[] = [];
  const masked = raw.replace(PLACEHOLDER, (_, name: string) => `lungeph${names.push(name) - 1}x`);
  const href = resolveUrl(masked, base, path);
  return href.replace(/lungeph(\d+)x/g, (_, i: string) => `{{${names[Number(i)]}}}`);
}

function mergeHeaders(base: Record<string, string>, own: Record<string, string>) {
  const merged: Record<string, string> = { ...base };
  for (const [k, val] of Object.entries(own)) {
    for (const existing of Object.keys(merged)) {
      if (existing.toLowerCase() === k.toLowerCase()) delete merged[existing];
    }
    merged[k] = val;
  }
  return merged;
}

/** Parses the request at `path`; records every problem and returns undefined on any. */
export function parseRequest(
  raw: unknown,
  path: string,
  settings: Settings,
  scope: Scope,
  problems: Problems,
): RequestSpec | undefined {
  if (!isObj(raw)) {
    problems.add(`${path}: must be a map`);
    return undefined;
  }
  checkFields(raw, FIELDS.request, path, problems);
  const before = problems.errorCount;
  const rt: Scope = { ...scope, runtime: true };
  const sub = (key: string, s: Scope) => substituteAll(raw[key], s, `${path}.${key}`, problems);
  const v: Obj = {
    name: sub("name", scope),
    method: sub("method", scope),
    url: sub("url", rt),
    headers: sub("headers", rt),
    body: sub("body", rt),
    timeout: sub("timeout", scope),
    thinkTime: sub("thinkTime", scope),
  };
  // Assertion values may use run-time names (an extracted id, say).
  const assertionsRaw = substituteAll(raw.assertions, rt, `${path}.assertions`, problems);
  const rawUrl = problems.try(() => str(v, "url", path));
  if (raw.url === undefined || raw.url === null || rawUrl === "") {
    problems.add(`${path}.url: required`);
  }
  const method = (problems.try(() => str(v, "method", path)) ?? "GET").toUpperCase();
  if (!METHOD.test(method)) problems.add(`${path}.method: invalid method ${describe(method)}`);
  const url = rawUrl
    ? problems.try(() => resolveTemplateUrl(rawUrl, settings.baseUrl, `${path}.url`))
    : undefined;
  const own = problems.try(() => headers(v.headers, `${path}.headers`)) ?? {};
  const merged = mergeHeaders(settings.headers, own);
  let body: string | undefined;
  if (v.body !== undefined && v.body !== null) {
    if (typeof v.body === "string") body = v.body;
    else if (
      typeof v.body === "object" || typeof v.body === "number" || typeof v.body === "boolean"
    ) {
      body = JSON.stringify(v.body);
      if (!Object.keys(merged).some((k) => k.toLowerCase() === "content-type")) {
        merged["Content-Type"] = "application/json";
      }
    }
  }
  const timeoutMs = problems.try(() => duration(v, "timeout", path));
  if (timeoutMs === 0) problems.add(`${path}.timeout: must be greater than 0`);
  const thinkTimeMs = problems.try(() => duration(v, "thinkTime", path)) ?? 0;
  const name = problems.try(() => str(v, "name", path));
  const assertions = list(assertionsRaw, `${path}.assertions`, problems, parseAssertion);
  const extract = list(raw.extract, `${path}.extract`, problems, parseExtract);
  if (problems.errorCount > before || url === undefined) return undefined;
  const templated = [url, body ?? "", ...Object.values(merged)].some((s) => s.includes("{{"));
  return {
    name: name ??
      `${method} ${rawUrl!.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "").split("?")[0] || "/"}`,
    method,
    url,
    headers: merged,
    body,
    thinkTimeMs,
    timeoutMs,
    templated,
    assertions,
    extract,
    readBody: assertions.some((a) => a.type === "body" || a.type === "json") ||
      extract.some((e) => e.source !== "header" && e.source !== "status"),
  };
}
