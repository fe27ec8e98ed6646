/**
 * Lunge/k6-style pass/fail thresholds, parsed: the one parser of a
 * threshold's text (called once, when the configuration is validated), and
 * the rebuilding of a parsed threshold from a result's JSON (what `lunge
 * merge` re-evaluates, without parsing any text). Each parsed
 * {@linkcode Threshold} keeps its source text (`expression`) and where it
 * came from (`path`) beside its parsed form, as k6 keeps `Source` beside a
 * parsed threshold. Evaluation is in ./evaluate.ts.
 *
 * ```yaml
 * thresholds:
 *   http_req_duration: ["p95 < 500", "p(99)<1s", "avg < 200", "med <= 100ms"]
 *   http_req_failed: ["rate < 0.01"]
 *   http_reqs: ["count > 100", "rate >= 50"]
 *   dropped_iterations: ["count < 1"]
 *   http_reqs_not_sent: ["count == 0"]
 * ```
 *
 * | metric              | aggregates                                             | unit of the value |
 * | ------------------- | ------------------------------------------------------ | ----------------- |
 * | `http_req_duration` | `min max avg med p50 p90 p95 p99 p99.9`, also `p(N)`    | ms; or suffix `us`/`µs`/`ms`/`s` |
 * | `http_req_failed`   | `rate`                                                 | fraction 0..1, or a `%` suffix |
 * | `http_reqs`         | `count`, `rate`                                        | requests, requests/s |
 * | `dropped_iterations` | `count`, `rate`                                       | iterations, iterations/s |
 * | `http_reqs_not_sent` | `count`, `rate`                                       | requests, requests/s |
 *
 * Operators: `<`, `<=`, `>`, `>=`, `==`, `!=`. Unlike Lunge, `med` is the
 * real median (p50), not the mean. `dropped_iterations` counts the
 * arrival-rate iterations that were due while no VU was free (k6's metric of
 * the same name); as in k6, its `rate` is per second of the run.
 * `http_reqs` counts the requests sent; `http_reqs_not_sent` the requests
 * that never left (e.g. a variable an earlier extract did not find), with
 * its `rate` per second of the run.
 *
 * @module
 */
import type { ThresholdResult } from "../result.ts";

/** The metrics a threshold may name. */
export type ThresholdMetric =
  | "http_req_duration"
  | "http_req_failed"
  | "http_reqs"
  | "dropped_iterations"
  | "http_reqs_not_sent";

/** A comparison operator. */
export type ThresholdOperator = "<" | "<=" | ">" | ">=" | "==" | "!=";

/** The aggregates a threshold may compare (after normalising `p(95)` to `p95`). */
export type ThresholdAggregate =
  | "min"
  | "max"
  | "avg"
  | "med"
  | "p50"
  | "p90"
  | "p95"
  | "p99"
  | "p99.9"
  | "rate"
  | "count";

/** One parsed threshold. */
export interface Threshold {
  /** The metric compared. */
  metric: ThresholdMetric;
  /** The aggregate of the metric compared, normalised (`p(95)` -> `p95`). */
  aggregate: ThresholdAggregate;
  /** The comparison. */
  operator: ThresholdOperator;
  /** The right-hand side, in the metric's base unit (ms, fraction, count, per second). */
  value: number;
  /** The source: the expression as written in the configuration, trimmed. */
  expression: string;
  /** Where it came from, e.g. `thresholds.http_req_duration[0]`. */
  path: string;
}

const AGGREGATES: Record<ThresholdMetric, readonly ThresholdAggregate[]> = {
  http_req_duration: ["min", "max", "avg", "med", "p50", "p90", "p95", "p99", "p99.9"],
  http_req_failed: ["rate"],
  http_reqs: ["count", "rate"],
  dropped_iterations: ["count", "rate"],
  http_reqs_not_sent: ["count", "rate"],
};

const METRICS = Object.keys(AGGREGATES) as ThresholdMetric[];

const OPERATORS: readonly ThresholdOperator[] = ["<=", ">=", "==", "!=", "<", ">"];

const DURATION_UNITS: Record<string, number> = {
  "": 1,
  ms: 1,
  s: 1000,
  us: 0.001,
  "µs": 0.001, // U+00B5 MICRO SIGN
  "μs": 0.001, // U+03BC GREEK SMALL LETTER MU
};

const NUMBER = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zA-Zµμ%]*)$/;

function isThresholdMetric(name: string): name is ThresholdMetric {
  return (METRICS as string[]).includes(name);
}

/** `p(95)` -> `p95`, `p(99.9)` / `p999` -> `p99.9`; other names unchanged. */
function normaliseAggregate(raw: string): string {
  const name = raw.trim().toLowerCase();
  const call = /^p\(\s*([0-9.]+)\s*\)$/.exec(name);
  const p = call ? `p${call[1]}` : name;
  if (p === "p999") return "p99.9";
  return p;
}

function parseExpression(
  metric: ThresholdMetric,
  text: string,
  path: string,
): Threshold {
  const expression = text.trim();
  if (expression === "") throw new Error(`${path}: empty threshold expression`);
  let opIndex = -1;
  let operator: ThresholdOperator | undefined;
  for (let i = 0; i < expression.length && operator === undefined; i++) {
    for (const op of OPERATORS) {
      if (expression.startsWith(op, i)) {
        opIndex = i;
        operator = op;
        break;
      }
    }
  }
  if (operator === undefined) {
    throw new Error(
      `${path}: no comparison operator in "${expression}" (use one of < <= > >= == !=)`,
    );
  }
  const left = expression.slice(0, opIndex).trim();
  const right = expression.slice(opIndex + operator.length).trim();
  if (left === "") {
    throw new Error(`${path}: missing aggregate before "${operator}" in "${expression}"`);
  }
  const aggregate = normaliseAggregate(left);
  const allowed = AGGREGATES[metric];
  if (!(allowed as readonly string[]).includes(aggregate)) {
    const known = Object.values(AGGREGATES).some((list) =>
      (list as readonly string[]).includes(aggregate)
    );
    const hint = `${metric} supports ${allowed.join(", ")}`;
    throw new Error(
      known
        ? `${path}: aggregate "${left}" does not apply to ${metric} (${hint})`
        : `${path}: unknown aggregate "${left}" (${hint})`,
    );
  }
  if (right === "") {
    throw new Error(`${path}: missing value after "${operator}" in "${expression}"`);
  }
  const match = NUMBER.exec(right);
  if (!match) throw new Error(`${path}: invalid value "${right}" in "${expression}"`);
  const number = Number(match[1]);
  const unit = match[2];
  let value: number;
  if (metric === "http_req_duration") {
    const factor = DURATION_UNITS[unit];
    if (factor === undefined) {
      throw new Error(
        `${path}: unknown duration unit "${unit}" in "${expression}" (use us, µs, ms or s)`,
      );
    }
    value = number * factor;
  } else if (metric === "http_req_failed") {
    if (unit === "%") value = number / 100;
    else if (unit === "") value = number;
    else {throw new Error(
        `${path}: unexpected unit "${unit}" in "${expression}" (a rate is 0..1 or N%)`,
      );}
  } else {
    if (unit !== "") {
      throw new Error(
        `${path}: unexpected unit "${unit}" in "${expression}" (${metric} takes a plain number)`,
      );
    }
    value = number;
  }
  if (!Number.isFinite(value)) throw new Error(`${path}: value out of range in "${expression}"`);
  return { metric, aggregate: aggregate as ThresholdAggregate, operator, value, expression, path };
}

/**
 * Parse the `thresholds` section of a configuration: an object mapping a
 * metric name to a list of expressions (a single string is accepted too).
 * `undefined` and `null` mean "no thresholds".
 *
 * @param spec The raw configuration value.
 * @param path Where `spec` sits in the configuration, for error messages.
 * @returns The thresholds, in configuration order.
 * @throws {Error} On anything malformed, with a message naming the path and
 *   the offending text, e.g. `thresholds.http_req_duration[1]: unknown aggregate "p97x" (…)`.
 *
 * @example
 * ```ts
 * import { parseThresholds } from "./thresholds.ts";
 *
 * const thresholds = parseThresholds({
 *   http_req_duration: ["p(95) < 500", "med <= 100ms"],
 *   http_req_failed: ["rate < 0.01"],
 * });
 * console.log(thresholds[0].aggregate, thresholds[0].value); // p95 500
 * ```
 */
export function parseThresholds(spec: unknown, path = "thresholds"): Threshold[] {
  if (spec === undefined || spec === null) return [];
  if (typeof spec !== "object" || Array.isArray(spec)) {
    throw new Error(
      `${path}: expected a mapping of metric name to a list of expressions, got ${describe(spec)}`,
    );
  }
  const out: Threshold[] = [];
  for (const [metric, list] of Object.entries(spec as Record<string, unknown>)) {
    const metricPath = `${path}.${metric}`;
    if (!isThresholdMetric(metric)) {
      throw new Error(
        `${metricPath}: unknown metric "${metric}" (use ${METRICS.join(", ")})`,
      );
    }
    if (typeof list === "string") {
      out.push(parseExpression(metric, list, metricPath));
      continue;
    }
    if (!Array.isArray(list)) {
      throw new Error(`${metricPath}: expected a list of expressions, got ${describe(list)}`);
    }
    list.forEach((item, index) => {
      const itemPath = `${metricPath}[${index}]`;
      if (typeof item !== "string") {
        throw new Error(`${itemPath}: expected an expression string, got ${describe(item)}`);
      }
      out.push(parseExpression(metric, item, itemPath));
    });
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/**
 * Rebuilds the parsed thresholds a result was judged by from its JSON
 * (`thresholds[i]`'s `metric`, `aggregate`, `operator` and `limit`), so
 * that `lunge merge` re-evaluates them without parsing their text.
 *
 * @param results The `thresholds` of a result.
 * @param path Where they sit, for error messages (e.g. the file name).
 * @returns One threshold per entry, in order.
 * @throws {Error} When an entry lacks its parsed form (a result of an older
 *   lunge) or holds one that no threshold has, naming the entry and field.
 *
 * @example
 * ```ts
 * import { thresholdsFromResult } from "./thresholds.ts";
 *
 * const [t] = thresholdsFromResult([{
 *   metric: "http_reqs",
 *   expression: "count > 1",
 *   passed: true,
 *   value: 2,
 *   message: "count > 1 (actual: 2)",
 *   aggregate: "count",
 *   operator: ">",
 *   limit: 1,
 * }]);
 * console.log(t.operator, t.value); // > 1
 * ```
 */
export function thresholdsFromResult(
  results: readonly ThresholdResult[],
  path = "thresholds",
): Threshold[] {
  return results.map((r, i) => {
    const at = `${path}[${i}]`;
    const { metric, aggregate, operator, limit, expression } = r as Partial<ThresholdResult>;
    if (typeof metric !== "string" || !isThresholdMetric(metric)) {
      throw new Error(`${at}.metric: not a threshold metric (${describe(metric)})`);
    }
    if (aggregate === undefined || operator === undefined || limit === undefined) {
      throw new Error(
        `${at}: no parsed form (aggregate, operator, limit): a result of an older lunge?`,
      );
    }
    if (!(AGGREGATES[metric] as readonly string[]).includes(aggregate)) {
      throw new Error(`${at}.aggregate: "${aggregate}" does not apply to ${metric}`);
    }
    if (!(OPERATORS as readonly string[]).includes(operator)) {
      throw new Error(`${at}.operator: not a comparison (${describe(operator)})`);
    }
    if (typeof limit !== "number" || !Number.isFinite(limit)) {
      throw new Error(`${at}.limit: not a finite number (${describe(limit)})`);
    }
    return {
      metric,
      aggregate: aggregate as ThresholdAggregate,
      operator: operator as ThresholdOperator,
      value: limit,
      expression: typeof expression === "string" ? expression : `${aggregate} ${operator} ${limit}`,
      path: at,
    };
  });
}
