/**
 * `{{name}}` placeholders in request URLs, headers, bodies and assertion
 * values: which names exist, and rendering a template at run time.
 *
 * Names are resolved in this order:
 * 1. at load time: `variables`, `{{baseUrl}}` (alias `{{baseURL}}`) and the
 *    scenario's `tags` (Lunge merges tags into a scenario's variables);
 * 2. at run time, per request: values an earlier `extract` stored for the VU,
 *    then the built-ins {@linkcode BUILTIN_VARIABLES}.
 *
 * Lookups use own keys only (`Map`), so `{{constructor}}` or `{{__proto__}}`
 * is an unknown name like any other.
 *
 * @module
 */

/** One `{{ name }}` placeholder (names: letters, digits, `_`, `.`, `-`). */
export const PLACEHOLDER: RegExp = /\{\{\s*([\w.-]+)\s*\}\}/g;

/**
 * The built-in variables, set for every request at run time:
 *
 * | name | value |
 * |---|---|
 * | `timestamp` | the request's start, epoch milliseconds (`Date.now()`) |
 * | `iteration` | the VU's iteration number within its scenario, from 0 (k6's `__ITER`) |
 * | `vuId` | the VU's number, from 1, unique within the run (k6's `__VU`) |
 * | `requestId` | a number unique to this request within the run's worker, `<worker>-<n>` |
 * | `uuid` | a fresh random UUID v4 per request (`crypto.randomUUID()`) |
 */
export const BUILTIN_VARIABLES: readonly string[] = [
  "timestamp",
  "iteration",
  "vuId",
  "requestId",
  "uuid",
];

/** The distinct placeholder names in `text`, in order of first use. */
export function placeholderNames(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) if (!out.includes(m[1])) out.push(m[1]);
  return out;
}

/**
 * A template split for fast rendering: `parts[0] name[0] parts[1] name[1] …
 * parts[n]`. Build it once with {@linkcode compileTemplate}.
 */
export interface CompiledTemplate {
  /** The literal text around the placeholders (`names.length + 1` items). */
  parts: string[];
  /** The placeholder names, in order. */
  names: string[];
}

/** Splits `text` at its placeholders. */
export function compileTemplate(text: string): CompiledTemplate {
  const parts: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    parts.push(text.slice(last, m.index));
    names.push(m[1]);
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return { parts, names };
}

/**
 * Renders a compiled template. Returns the text, or `{ missing }` naming the
 * first placeholder `lookup` has no value for (the request is then reported
 * failed, never sent with a literal `{{x}}`).
 *
 * @example Render a token extracted earlier
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileTemplate, renderTemplate } from "./template.ts";
 *
 * const t = compileTemplate("Bearer {{token}}");
 * const vars = new Map([["token", "abc"]]);
 * assert.equal(renderTemplate(t, (n) => vars.get(n)), "Bearer abc");
 * assert.deepEqual(renderTemplate(t, () => undefined), { missing: "token" });
 * ```
 */
export function renderTemplate(
  template: CompiledTemplate,
  lookup: (name: string) => string | undefined,
): string | { missing: string } {
  const { parts, names } = template;
  if (names.length === 0) return parts[0];
  let out = parts[0];
  for (let i = 0; i < names.length; i++) {
    const value = lookup(names[i]);
    if (value === undefined) return { missing: names[i] };
    out += value + parts[i + 1];
  }
  return out;
}
