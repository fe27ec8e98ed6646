/**
 * Private helper: readers for single config fields. Each returns the value
 * (or `undefined` when the field is absent) or throws a
 * {@linkcode ConfigError} naming the field path.
 *
 * @module
 */
import { ConfigError } from "./config_error.ts";
import { parseDurationMs } from "./_duration.ts";

/** A parsed YAML/JSON map. */
export type Obj = Record<string, unknown>;

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Whether `v` is a map (not an array, not null). */
export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A value as shown in messages (JSON where possible). */
export function describe(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** `path.key`, or `key` at the top level. */
export function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** An optional string field. */
export function str(o: Obj, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") {
    throw new ConfigError(`${join(path, key)}: must be a string (got ${describe(v)})`);
  }
  return v;
}

/** An optional duration field ("30s", "1m30s", "500ms" or 0), in ms. */
export function duration(o: Obj, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const where = join(path, key);
  if (v === 0) return 0;
  if (typeof v !== "string") {
    throw new ConfigError(`${where}: invalid duration ${describe(v)} (use a unit, e.g. "30s")`);
  }
  const ms = parseDurationMs(v);
  if (ms === undefined) throw new ConfigError(`${where}: invalid duration ${describe(v)}`);
  if (ms > MAX_DURATION_MS) {
    throw new ConfigError(`${where}: ${describe(v)} is longer than the 30-day limit`);
  }
  return ms;
}

/** The longest duration any field accepts: 30 days. */
export const MAX_DURATION_MS = 30 * 24 * 3_600_000;

/** A number written as a number, or as a string of one (`"10"`, as `${ENV}` gives). */
function numeric(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/.test(v)) return Number(v);
  return undefined;
}

/** An optional integer field, at least `min`. */
export function int(o: Obj, key: string, path: string, min: number): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const n = numeric(v);
  if (n === undefined || !Number.isSafeInteger(n) || n < min) {
    const what = min > 0 ? "a positive integer" : "an integer >= 0";
    throw new ConfigError(`${join(path, key)}: must be ${what} (got ${describe(v)})`);
  }
  return n;
}

/** An optional finite number field, greater than 0. */
export function positiveNumber(o: Obj, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const n = numeric(v);
  if (n === undefined || !Number.isFinite(n) || n <= 0) {
    throw new ConfigError(`${join(path, key)}: must be a positive number (got ${describe(v)})`);
  }
  return n;
}

/** An optional boolean field (true/false only). */
export function bool(o: Obj, key: string, path: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw new ConfigError(`${join(path, key)}: must be true or false`);
  return v;
}

/** An optional map of header names to values (strings, numbers or booleans). */
export function headers(v: unknown, path: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new ConfigError(`${path}: must be a map of header names to values`);
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const [k, value] of Object.entries(v)) {
    if (!HEADER_NAME.test(k)) problems.push(`${path}.${k}: invalid header name`);
    else if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      problems.push(`${path}.${k}: header value must be a string`);
    } else if (/[\r\n\0]/.test(String(value))) {
      problems.push(`${path}.${k}: header value has a line break`);
    } else out[k] = String(value);
  }
  if (problems.length > 0) throw ConfigError.of(problems);
  return out;
}

/** An optional map of names to string values (scenario `tags`). */
export function stringMap(v: unknown, path: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new ConfigError(`${path}: must be a map of names to values`);
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      throw new ConfigError(`${path}.${k}: must be a string, number or boolean`);
    }
    out[k] = String(value);
  }
  return out;
}

/** Resolves `raw` (absolute, or relative to `baseUrl`) to an http(s) URL. */
export function resolveUrl(raw: string, baseUrl: string | undefined, path: string): string {
  let url: URL;
  try {
    url = SCHEME.test(raw) ? new URL(raw) : new URL(raw, baseUrl);
  } catch {
    if (!SCHEME.test(raw) && baseUrl === undefined) {
      throw new ConfigError(`${path}: relative URL ${describe(raw)} needs settings.baseUrl`);
    }
    throw new ConfigError(`${path}: invalid URL ${describe(raw)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`${path}: URL must be http or https (got ${describe(raw)})`);
  }
  return url.href;
}
