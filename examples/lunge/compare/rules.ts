/**
 * `lunge compare --fail-on`: the CI gate's rules, parsed once (each parsed
 * rule keeps its source text beside its parsed form) and judged against a
 * {@linkcode Comparison}. A rule is broken when the observed change crosses
 * its limit; the gate fails (exit 1) only when a broken rule's change is
 * also real.
 *
 * Grammar, rules separated by commas:
 *
 * ```text
 * rule   = metric [ "[" name "]" ] op limit
 * metric = p50 | p90 | p95 | p99 | p99.9 | rps | error_rate
 * op     = > | >= | < | <=
 * limit  = signed number, then "%" (relative change), "pp" (error_rate
 *          only: percentage points) or "ms" (latency only: absolute change)
 * ```
 *
 * e.g. `p95 > +10%, error_rate > +0.5pp, rps < -5%, p99[login] > +20ms`.
 *
 * @module
 */
import { type Comparison, type Figure, LATENCY_METRICS, type Metric } from "./compare.ts";

/** A parsed rule, with its source text. */
export interface Rule {
  /** The rule as written (trimmed). */
  source: string;
  /** The figure it reads. */
  metric: Metric;
  /** The request name it is scoped to; absent: the whole run. */
  name?: string;
  /** The comparison. */
  operator: ">" | ">=" | "<" | "<=";
  /** The limit, in `unit`. */
  limit: number;
  /** "%": relative change; "pp": percentage points; "ms": absolute change. */
  unit: "%" | "pp" | "ms";
}

/** A bad rule; the CLI prints it as one line (exit 2). */
export class RuleError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "RuleError";
  }
}

const METRICS: readonly Metric[] = [...LATENCY_METRICS, "rps", "error_rate"];
const RULE =
  /^([a-z_]+\d*(?:\.\d+)?)(?:\[([^\]]+)\])?\s*(>=|<=|>|<)\s*([+-]?\d+(?:\.\d+)?)\s*(%|pp|ms)$/;

/** Parses the `--fail-on` text; throws {@linkcode RuleError} naming the bad rule. */
export function parseRules(text: string): Rule[] {
  const parts = text.split(",").map((s) => s.trim());
  if (parts.every((p) => p === "")) {
    throw new RuleError(`--fail-on: no rule in ${JSON.stringify(text)}`);
  }
  return parts.map((source) => {
    if (source === "") throw new RuleError(`--fail-on: empty rule in ${JSON.stringify(text)}`);
    const m = RULE.exec(source);
    if (!m) {
      throw new RuleError(
        `--fail-on: bad rule ${JSON.stringify(source)} (expected e.g. "p95 > +10%", ` +
          `"error_rate > +0.5pp", "rps < -5%")`,
      );
    }
    const [, rawMetric, name, operator, number, unit] = m;
    const metric = (rawMetric === "p999" ? "p99.9" : rawMetric) as Metric;
    if (!METRICS.includes(metric)) {
      throw new RuleError(
        `--fail-on: unknown metric ${JSON.stringify(rawMetric)} in ${JSON.stringify(source)} ` +
          `(one of ${METRICS.join(", ")})`,
      );
    }
    if (unit === "pp" && metric !== "error_rate") {
      throw new RuleError(`--fail-on: "pp" is for error_rate only, in ${JSON.stringify(source)}`);
    }
    if (unit === "ms" && !LATENCY_METRICS.includes(metric)) {
      throw new RuleError(`--fail-on: "ms" is for latency only, in ${JSON.stringify(source)}`);
    }
    if (name !== undefined && metric === "error_rate") {
      throw new RuleError(
        `--fail-on: results have no per-name error rate, in ${JSON.stringify(source)}`,
      );
    }
    const rule: Rule = {
      source,
      metric,
      operator: operator as Rule["operator"],
      limit: Number(number),
      unit: unit as Rule["unit"],
    };
    if (name !== undefined) rule.name = name.trim();
    return rule;
  });
}

/** The JSON `lunge compare` writes: the comparison, the rules' outcomes, the verdict. */
export interface CompareOutput extends Comparison {
  /** Each `--fail-on` rule's outcome (absent without `--fail-on`). */
  rules?: RuleOutcome[];
  /** The one-line verdict. */
  verdict: string;
  /** The exit code: 0 passed, 1 a rule failed. */
  exitCode: 0 | 1;
}

/** A rule judged against a comparison. */
export interface RuleOutcome {
  /** The rule. */
  rule: Rule;
  /** The observed change in the rule's unit. */
  value: number;
  /** Whether the observed change crosses the limit. */
  broken: boolean;
  /** Whether the change is real. */
  real: boolean;
  /** broken and real: the gate fails. */
  failed: boolean;
  /** The figure's sentence. */
  sentence: string;
}

/** The figure a rule reads, or throws {@linkcode RuleError} (a rule the inputs cannot answer). */
function figureOf(rule: Rule, c: Comparison): Figure {
  const figures = rule.name === undefined
    ? c.figures
    : c.byName.find((n) => n.name === rule.name)?.figures;
  if (!figures) {
    throw new RuleError(
      `--fail-on ${JSON.stringify(rule.source)}: no request named ${
        JSON.stringify(rule.name)
      } in both runs`,
    );
  }
  const f = figures.find((x) => x.metric === rule.metric)!;
  if (f.p === null) {
    throw new RuleError(
      `--fail-on ${
        JSON.stringify(rule.source)
      }: cannot judge whether the change is real: ${f.notJudged}`,
    );
  }
  return f;
}

/** Judges every rule; throws {@linkcode RuleError} when the inputs cannot answer one. */
export function judgeRules(rules: readonly Rule[], c: Comparison): RuleOutcome[] {
  return rules.map((rule) => {
    const f = figureOf(rule, c);
    let value: number;
    if (rule.unit === "%") {
      if (f.relative === null) {
        throw new RuleError(
          `--fail-on ${JSON.stringify(rule.source)}: the base's ${rule.metric} is 0, ` +
            `no relative change (use ${rule.metric === "error_rate" ? "pp" : "an absolute unit"})`,
        );
      }
      value = f.relative * 100;
    } else if (rule.unit === "pp") value = f.change * 100;
    else value = f.change;
    const broken = rule.operator === ">"
      ? value > rule.limit
      : rule.operator === ">="
      ? value >= rule.limit
      : rule.operator === "<"
      ? value < rule.limit
      : value <= rule.limit;
    return { rule, value, broken, real: f.real, failed: broken && f.real, sentence: f.sentence };
  });
}
