/**
 * The JSONPath subset assertions and extracts use: `$`, `.name`, `['name']`,
 * `["name"]` and `[n]` (negative `n` counts from the end), e.g.
 * `$.data[0].id`. The leading `$` may be left out (`data[0].id`). Parsed
 * once at load time into segments; {@linkcode selectJsonPath} walks them.
 *
 * @module
 */

/** A parsed path: property names and array indexes, in order. */
export type JsonPath = (string | number)[];

const IDENT = /^[A-Za-z_$][\w$-]*/;

/**
 * Parses a JSONPath of the subset above. Returns `undefined` when `text` is
 * not one (wildcards, filters and slices are not supported).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonPath } from "./json_path.ts";
 *
 * assert.deepEqual(parseJsonPath("$.data[0].id"), ["data", 0, "id"]);
 * assert.deepEqual(parseJsonPath("$['a b'][-1]"), ["a b", -1]);
 * assert.equal(parseJsonPath("$..id"), undefined);
 * ```
 */
export function parseJsonPath(text: string): JsonPath | undefined {
  let s = text.trim();
  if (s.startsWith("$")) s = s.slice(1);
  else if (s !== "" && !s.startsWith("[") && !s.startsWith(".")) s = "." + s;
  const out: JsonPath = [];
  while (s.length > 0) {
    if (s.startsWith(".")) {
      const m = IDENT.exec(s.slice(1));
      if (!m) return undefined;
      out.push(m[0]);
      s = s.slice(1 + m[0].length);
      continue;
    }
    const m = /^\[\s*(?:(-?\d+)|'([^']*)'|"([^"]*)")\s*\]/.exec(s);
    if (!m) return undefined;
    out.push(m[1] !== undefined ? Number(m[1]) : (m[2] ?? m[3]));
    s = s.slice(m[0].length);
  }
  return out;
}

/**
 * The value at `path` in `root`, or `undefined` when a step is missing.
 * Own properties only: `constructor` or `__proto__` never resolve to
 * inherited values.
 */
export function selectJsonPath(root: unknown, path: JsonPath): unknown {
  let node = root;
  for (const step of path) {
    if (typeof step === "number") {
      if (!Array.isArray(node)) return undefined;
      node = node[step < 0 ? node.length + step : step];
    } else {
      if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
      if (!Object.hasOwn(node, step)) return undefined;
      node = (node as Record<string, unknown>)[step];
    }
    if (node === undefined) return undefined;
  }
  return node;
}
