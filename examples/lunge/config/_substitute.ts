/**
 * Private helper: load-time `{{name}}` substitution. Names known at load
 * time (`variables`, `baseUrl`, a scenario's tags) are replaced; names only
 * known at run time (built-ins, extracted values) are kept as `{{name}}` in
 * the fields that are rendered per request, and refused elsewhere; a name
 * nothing could ever define is a problem naming the field.
 *
 * @module
 */
import { ConfigError } from "./config_error.ts";
import { BUILTIN_VARIABLES, PLACEHOLDER } from "./template.ts";
import { isObj } from "./_fields.ts";

/** The names a field may use. Lookups are own-key only (`Map`). */
export interface Scope {
  /** Load-time values. */
  vars: ReadonlyMap<string, unknown>;
  /** Names an `extract` of this scenario defines (run time). */
  extracted?: ReadonlySet<string>;
  /** Whether this field is rendered per request (url, headers, body, assertion values). */
  runtime?: boolean;
}

const WHOLE = /^\{\{\s*([\w.-]+)\s*\}\}$/;

function runtimeName(name: string, scope: Scope): boolean {
  return BUILTIN_VARIABLES.includes(name) || scope.extracted?.has(name) === true;
}

function unknown(name: string, scope: Scope, path: string): ConfigError {
  if (runtimeName(name, scope)) {
    return new ConfigError(
      `${path}: "{{${name}}}" is set per request at run time; it can be used only in a ` +
        "request's url, headers, body and assertion values",
    );
  }
  return new ConfigError(`${path}: unknown variable "{{${name}}}"`);
}

/**
 * Substitutes the placeholders of every string in `value` (recursively; the
 * document's depth is bounded before this runs). A string that is exactly
 * one load-time placeholder takes the variable's own type (so
 * `vus: "{{vus}}"` can be a number). Throws a {@linkcode ConfigError}
 * listing every unknown name found.
 */
export function substituteIn(value: unknown, scope: Scope, path: string): unknown {
  const problems: string[] = [];
  const out = substituteAll(value, scope, path, problems);
  if (problems.length > 0) throw ConfigError.of(problems);
  return out;
}

/**
 * Like {@linkcode substituteIn}, but records each unknown name in `problems`
 * and leaves it in the text, so the rest of the value is still checked.
 */
export function substituteAll(
  value: unknown,
  scope: Scope,
  path: string,
  problems: string[] | { add(message: string): void },
): unknown {
  const sink = Array.isArray(problems) ? problems : [];
  const walk = (v: unknown, p: string): unknown => {
    if (typeof v === "string") return substituteString(v, scope, p, sink);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${p}[${i}]`));
    if (isObj(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, p ? `${p}.${k}` : k);
      return out;
    }
    return v;
  };
  const out = walk(value, path);
  if (!Array.isArray(problems)) { for (const p of sink) problems.add(p); }
  return out;
}

function substituteString(s: string, scope: Scope, path: string, problems: string[]): unknown {
  if (!s.includes("{{")) return s;
  const whole = WHOLE.exec(s);
  if (whole && scope.vars.has(whole[1])) return scope.vars.get(whole[1]);
  return s.replace(PLACEHOLDER, (text, name: string) => {
    if (scope.vars.has(name)) return String(scope.vars.get(name));
    if (scope.runtime && runtimeName(name, scope)) return `{{${name}}}`;
    const e = unknown(name, scope, path);
    if (!problems.includes(e.message)) problems.push(e.message);
    return text;
  });
}
