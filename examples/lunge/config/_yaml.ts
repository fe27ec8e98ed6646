/**
 * Private helper: YAML parsing without an environment permission prompt.
 *
 * The `yaml` npm package reads `process.env.LOG_TOKENS` and
 * `process.env.LOG_STREAM` (debug switches) on every parse. In Deno that is
 * an env permission check: it prompts on a terminal, or throws under
 * `--no-prompt`. Unless those two variables are readable, the parse runs
 * with `process.env` swapped for an empty object (parsing is synchronous, so
 * nothing else can observe the swap), and restored afterwards.
 *
 * @module
 */
import process from "node:process";
import { parse, parseAllDocuments } from "yaml";

function envReadable(): boolean {
  try {
    return ["LOG_TOKENS", "LOG_STREAM"].every((variable) =>
      Deno.permissions.querySync({ name: "env", variable }).state === "granted"
    );
  } catch {
    return false;
  }
}

/** Runs `fn` with `process.env` hidden unless the debug switches are readable. */
function withoutEnv<T>(fn: () => T): T {
  if (envReadable()) return fn();
  const saved = Object.getOwnPropertyDescriptor(process, "env");
  if (saved === undefined || !saved.configurable) return fn();
  Object.defineProperty(process, "env", { value: {}, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    Object.defineProperty(process, "env", saved);
  }
}

/** Parses YAML text like `yaml`'s `parse`, never touching the environment. */
export function parseYaml(text: string): unknown {
  return withoutEnv(() => parse(text));
}

/** One YAML document of a stream: its value and the line it starts on (1-based). */
export interface YamlDocument {
  /** The document's value (`null` for an empty or comment-only document). */
  value: unknown;
  /** The line the document's content starts on. */
  line: number;
}

/**
 * Parses every document of a YAML stream (`---` separated). Throws the first
 * syntax error of any document.
 */
export function parseYamlDocuments(text: string): YamlDocument[] {
  return withoutEnv(() => {
    const docs = parseAllDocuments(text);
    if (!Array.isArray(docs)) return [];
    return docs.map((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0];
      const start = (doc.contents as { range?: number[] } | null)?.range?.[0] ?? doc.range[0];
      let line = 1;
      for (let i = 0; i < start && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
      return { value: doc.toJS() ?? null, line };
    });
  });
}
