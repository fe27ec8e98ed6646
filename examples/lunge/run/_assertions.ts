/**
 * Private helper: evaluating Lunge's assertions on a response, like k6
 * checks: every assertion of a request is evaluated on every response and
 * tallied (passes and fails per assertion); the first failing one's label
 * becomes the request's error type, `assertion: <label>`.
 *
 * Semantics (documented in docs/config.md):
 * - `status`, `responseTime` (Lunge's `duration`), `header` (`path` is the
 *   name), `body` (the text; with a `path`, a JSON value) and `json` (a
 *   value at `path`).
 * - `eq`/`ne` compare numbers as numbers when both sides are numeric, else
 *   as text (JSON values as their text: `true`, `null`, `{"a":1}`).
 * - `lt`, `lte`, `gt`, `gte` need both sides numeric, else they fail;
 *   `responseTime` compares milliseconds.
 * - `contains`: text contains the value; for a JSON array, an element
 *   equals it. `matches`: a regular expression test on the text.
 * - `exists`: the header or JSON value is present (and not null);
 *   `value: "false"` inverts it.
 * - A missing header or JSON value fails every condition but
 *   `exists: false`.
 *
 * @module
 */
import type { AssertionSpec } from "../config/config.ts";
import { selectJsonPath } from "../config/json_path.ts";
import { asText, NOT_JSON, type ResponseView } from "./_response.ts";

/** The error type a failed assertion gives its request. */
export function assertionError(label: string): string {
  return `assertion: ${label}`;
}

const regexCache = new Map<string, RegExp | null>();
const REGEX_CACHE_MAX = 256;

function regex(source: string): RegExp | null {
  let r = regexCache.get(source);
  if (r === undefined) {
    try {
      r = new RegExp(source);
    } catch {
      r = null;
    }
    if (regexCache.size >= REGEX_CACHE_MAX) regexCache.clear();
    regexCache.set(source, r);
  }
  return r;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** The value an assertion reads, or undefined when absent. */
function actualOf(a: AssertionSpec, r: ResponseView): unknown {
  switch (a.type) {
    case "status":
      return r.status;
    case "responseTime":
      return r.durationMs;
    case "header":
      return r.header(a.header!) ?? undefined;
    case "body":
    case "json": {
      if (a.jsonPath === undefined) return r.body;
      const doc = r.json();
      if (doc === NOT_JSON) return undefined;
      const v = selectJsonPath(doc, a.jsonPath);
      return v;
    }
  }
}

/**
 * Whether assertion `a` holds for response `r`, with `expected` the
 * assertion's value rendered for this request.
 */
export function checkAssertion(a: AssertionSpec, r: ResponseView, expected: string): boolean {
  const actual = actualOf(a, r);
  if (a.condition === "exists") {
    const present = actual !== undefined && actual !== null;
    return expected.trim().toLowerCase() === "false" ? !present : present;
  }
  if (actual === undefined) return false;
  const want = a.type === "responseTime" && a.valueMs !== undefined && expected === a.value
    ? a.valueMs
    : expected;
  switch (a.condition) {
    case "eq":
    case "ne": {
      const x = toNumber(actual);
      const y = toNumber(want);
      const equal = x !== undefined && y !== undefined ? x === y : asText(actual) === String(want);
      return a.condition === "eq" ? equal : !equal;
    }
    case "lt":
    case "lte":
    case "gt":
    case "gte": {
      const x = toNumber(actual);
      const y = toNumber(want);
      if (x === undefined || y === undefined) return false;
      if (a.condition === "lt") return x < y;
      if (a.condition === "lte") return x <= y;
      if (a.condition === "gt") return x > y;
      return x >= y;
    }
    case "contains":
      if (Array.isArray(actual)) return actual.some((e) => asText(e) === expected);
      return asText(actual).includes(expected);
    case "matches":
      return regex(expected)?.test(asText(actual)) ?? false;
  }
}

/** Pass and fail counts of every assertion of one scenario's requests. */
export class AssertionTally {
  /** `[request][assertion]` passes. */
  readonly passes: number[][];
  /** `[request][assertion]` fails. */
  readonly fails: number[][];

  /** One zeroed tally per request, sized by its assertions. */
  constructor(assertionCounts: readonly number[]) {
    this.passes = assertionCounts.map((n) => new Array<number>(n).fill(0));
    this.fails = assertionCounts.map((n) => new Array<number>(n).fill(0));
  }

  /** Counts every assertion of request `i` as failed (it got no response). */
  failAll(i: number): void {
    const fails = this.fails[i];
    for (let j = 0; j < fails.length; j++) fails[j]++;
  }

  /**
   * Evaluates request `i`'s assertions on `r` (values rendered by
   * `expected(j)`), counts each, and returns the error type of the first
   * that failed, or undefined when all held.
   */
  evaluate(
    i: number,
    specs: readonly AssertionSpec[],
    r: ResponseView,
    expected: (j: number) => string,
  ): string | undefined {
    let error: string | undefined;
    for (let j = 0; j < specs.length; j++) {
      if (checkAssertion(specs[j], r, expected(j))) this.passes[i][j]++;
      else {
        this.fails[i][j]++;
        error ??= assertionError(specs[j].label);
      }
    }
    return error;
  }
}
