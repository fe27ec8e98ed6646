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
import { parse } from "yaml";

function envReadable(): boolean {
  try {
    return ["LOG_TOKENS", "LOG_STREAM"].every((variable) =>
      Deno.permissions.querySync({ name: "env", variable }).state === "granted"
    );
  } catch {
    return false;
  }
}

/** Parses YAML text like `yaml`'s `parse`, never touching the environment. */
export function parseYaml(text: string): unknown {
  if (envReadable()) return parse(text);
  const saved = Object.getOwnPropertyDescriptor(process, "env");
  if (saved === undefined || !saved.configurable) return parse(text);
  Object.defineProperty(process, "env", { value: {}, configurable: true, writable: true });
  try {
    return parse(text);
  } finally {
    Object.defineProperty(process, "env", saved);
  }
}
