/**
 * Private helper: `${NAME}` and `${NAME:-default}` in any string of a config
 * expand from the environment (as Lunge's published configs write
 * `baseUrl: "${BASE_URL:-https://httpbin.org}"`). `$${` is a literal `${`.
 *
 * Only the variables the config names are read, each after a permission
 * query, so `--allow-env=<those names>` is enough and nothing prompts:
 * - a readable variable that is set gives its value;
 * - otherwise the default is used, if there is one (a variable that is set
 *   but not readable is reported in one warning line naming the flag);
 * - a variable with no default that is unset or not readable is a problem;
 *   all of them are reported in one line.
 *
 * @module
 */
import type { Problems } from "./_problems.ts";
import { isObj } from "./_fields.ts";

const ENV_REF = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Whether the process may read environment variable `name` (never prompts). */
function readable(name: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "env", variable: name }).state === "granted";
  } catch {
    return false;
  }
}

/** Every string of `doc`, visited iteratively (`set` replaces it in place). */
function forEachString(doc: unknown, visit: (s: string, set: (v: string) => void) => void): void {
  const stack: unknown[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        if (typeof v === "string") visit(v, (s) => (node[i] = s));
        else stack.push(v);
      });
    } else if (isObj(node)) {
      for (const [k, v] of Object.entries(node)) {
        if (typeof v === "string") visit(v, (s) => (node[k] = s));
        else stack.push(v);
      }
    }
  }
}

/**
 * Expands `${NAME}` / `${NAME:-default}` in every string of `doc`, in place
 * (the caller passes a document it owns). Problems and warnings go to
 * `problems`.
 */
export function expandEnv(doc: unknown, problems: Problems): void {
  const refs = new Map<string, boolean>(); // name -> has a default everywhere it is used
  forEachString(doc, (s) => {
    if (!s.includes("${")) return;
    for (const m of s.matchAll(ENV_REF)) {
      if (m[1] === "$") continue;
      refs.set(m[2], (refs.get(m[2]) ?? true) && m[3] !== undefined);
    }
  });
  if (refs.size === 0) return;
  const values = new Map<string, string>();
  const unset: string[] = [];
  const denied: string[] = [];
  const defaulted: string[] = [];
  for (const [name, hasDefault] of refs) {
    const ok = readable(name);
    const value = ok ? Deno.env.get(name) : undefined;
    if (value !== undefined) values.set(name, value);
    else if (!ok) (hasDefault ? defaulted : denied).push(name);
    else if (!hasDefault) unset.push(name);
  }
  const flag = (names: string[]) => `--allow-env=${names.join(",")}`;
  if (denied.length > 0 || unset.length > 0) {
    const parts: string[] = [];
    if (unset.length > 0) {
      parts.push(`${unset.join(", ")} not set and no default (\${NAME:-default})`);
    }
    if (denied.length > 0) {
      parts.push(`${denied.join(", ")} not readable: run Deno with ${flag(denied)}`);
    }
    problems.add(`environment: ${parts.join("; ")}`);
  }
  if (defaulted.length > 0) {
    problems.warn(
      "environment",
      `environment: ${defaulted.join(", ")} not readable, so the defaults were used ` +
        `(to read them, run Deno with ${flag(defaulted)})`,
    );
  }
  forEachString(doc, (s, set) => {
    if (!s.includes("${")) return;
    set(s.replace(ENV_REF, (whole, escape: string, name: string, fallback?: string) => {
      if (escape === "$") return whole.slice(1);
      return values.get(name) ?? fallback ?? whole;
    }));
  });
}
