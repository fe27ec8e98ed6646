/**
 * Private helper: config text to one raw document. JSON when the path ends
 * in `.json`, YAML otherwise; a YAML stream with a second non-empty document
 * is refused with one line that says so (Lunge's YAML reader silently uses
 * the first), and so is anything nested deeper than
 * {@linkcode MAX_DEPTH} levels (recursive processing would otherwise
 * overflow the stack).
 *
 * @module
 */
import { ConfigError } from "./config_error.ts";
import { parseYamlDocuments } from "./_yaml.ts";
import { isObj } from "./_fields.ts";

/** The deepest nesting a config may have (maps and lists). */
export const MAX_DEPTH = 64;

function firstLine(e: unknown): string {
  if (e instanceof RangeError || /call stack/i.test(String(e))) {
    return `nested too deeply (a config may nest at most ${MAX_DEPTH} levels)`;
  }
  return e instanceof Error ? e.message.split("\n")[0] : String(e);
}

/** Parses config text; syntax errors become a {@linkcode ConfigError} naming the file. */
export function parseDocument(text: string, path: string): unknown {
  let docs: { value: unknown; line: number }[];
  try {
    docs = path.toLowerCase().endsWith(".json")
      ? [{ value: JSON.parse(text), line: 1 }]
      : parseYamlDocuments(text);
  } catch (e) {
    throw new ConfigError(`${path}: cannot parse: ${firstLine(e)}`);
  }
  const nonEmpty = docs.filter((d) => d.value !== null);
  if (nonEmpty.length > 1) {
    throw new ConfigError(
      `${path}: holds ${nonEmpty.length} YAML documents (the second starts at line ` +
        `${nonEmpty[1].line}); a config is one document: put each test in its own file`,
    );
  }
  const doc = nonEmpty[0]?.value ?? null;
  try {
    checkDepth(doc);
  } catch (e) {
    throw e instanceof ConfigError ? new ConfigError(`${path}: ${e.message}`) : e;
  }
  return doc;
}

/**
 * Throws a {@linkcode ConfigError} naming the first field nested deeper than
 * {@linkcode MAX_DEPTH} levels. Iterative, so any depth is safe to check.
 */
export function checkDepth(doc: unknown): void {
  const stack: [unknown, number, string][] = [[doc, 0, ""]];
  while (stack.length > 0) {
    const [node, depth, path] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    if (depth >= MAX_DEPTH) {
      throw new ConfigError(
        `${
          path || "config"
        }: nested deeper than ${MAX_DEPTH} levels (a config may nest at most ${MAX_DEPTH})`,
      );
    }
    // Paths stop growing at the field level (5), so a deep body is named as the body.
    const named = depth < NAMED_DEPTH;
    if (Array.isArray(node)) {
      node.forEach((v, i) => stack.push([v, depth + 1, named ? `${path}[${i}]` : path]));
    } else if (isObj(node)) {
      for (const [k, v] of Object.entries(node)) {
        stack.push([v, depth + 1, named ? (path ? `${path}.${k}` : k) : path]);
      }
    }
  }
}

/** Levels named in a depth error: `scenarios.<s>.requests[<i>].body`. */
const NAMED_DEPTH = 5;

/** Top-level keys of Lunge's functional-test format (`lunge run`). */
const FUNCTIONAL_KEYS = ["environments", "suites", "baseURL", "requests", "tests"];

/**
 * When `doc` is a Lunge functional-test config rather than a perf config,
 * throws one line saying what it is and what is expected.
 */
export function refuseFunctionalConfig(doc: Record<string, unknown>): void {
  if ("scenarios" in doc) return;
  const found = FUNCTIONAL_KEYS.filter((k) => Object.hasOwn(doc, k));
  if (found.length === 0) return;
  throw new ConfigError(
    `this is a Lunge functional-test config (\`lunge run\` format: ${found.join(", ")}), ` +
      "not a performance config: expected a `scenarios` map, each with an executor and a " +
      "`requests` list (`lunge perf` format)",
  );
}
