/**
 * Private helper: Lunge's `extract` — values taken from a response and stored
 * as the VU's variables for its later requests (a login token, an id).
 *
 * Sources: `header` (`path` is the name), `status`, `body` (the text, or a
 * JSON value when `path` is given), `json` (a value at `path`) and `regex`
 * (on the body). A `regex` on any source keeps its first capture group (or
 * the whole match). A value that is absent (missing header or JSON value,
 * body not JSON, regex not matching) is a failed extract: the variable is
 * removed, so a later request that needs it is reported as failed with
 * `missing variable <name>` rather than sent with a stale value.
 *
 * @module
 */
import type { ExtractSpec } from "../config/config.ts";
import { selectJsonPath } from "../config/json_path.ts";
import { asText, NOT_JSON, type ResponseView } from "./_response.ts";

/** The error type a failed extract gives its request. */
export function extractError(name: string): string {
  return `extract: ${name}`;
}

function applyRegex(text: string, source: string): string | undefined {
  const m = new RegExp(source).exec(text);
  if (m === null) return undefined;
  return m[1] ?? m[0];
}

/** The value `e` takes from `r`, or undefined when absent. */
export function extractValue(e: ExtractSpec, r: ResponseView): string | undefined {
  let text: string | undefined;
  switch (e.source) {
    case "header":
      text = r.header(e.header!) ?? undefined;
      break;
    case "status":
      text = r.status > 0 ? String(r.status) : undefined;
      break;
    case "regex":
      text = r.body;
      break;
    case "body":
    case "json": {
      if (e.jsonPath === undefined) {
        text = r.body;
        break;
      }
      const doc = r.json();
      const v = doc === NOT_JSON ? undefined : selectJsonPath(doc, e.jsonPath);
      text = v === undefined || v === null ? undefined : asText(v);
      break;
    }
  }
  if (text === undefined || e.regex === undefined) return text;
  return applyRegex(text, e.regex);
}

/**
 * Runs every extract of a request into `vars` (set on success, deleted on
 * failure). Returns the error type of the first failure, or undefined.
 */
export function runExtracts(
  specs: readonly ExtractSpec[],
  r: ResponseView,
  vars: Map<string, string>,
): string | undefined {
  let error: string | undefined;
  for (const e of specs) {
    const v = extractValue(e, r);
    if (v === undefined) {
      vars.delete(e.name);
      error ??= extractError(e.name);
    } else vars.set(e.name, v);
  }
  return error;
}
