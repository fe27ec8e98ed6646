/**
 * `lunge compare`'s console text: the two runs, each figure side by side
 * with its change and whether the change is real, per name, per scenario,
 * the rules' outcomes and the verdict.
 *
 * @module
 */
import type { Comparison, Figure } from "./compare.ts";
import type { RuleOutcome } from "./rules.ts";

/** A figure's value in its unit. */
export function formatValue(f: Pick<Figure, "metric">, v: number): string {
  if (f.metric === "error_rate") return `${(v * 100).toFixed(2)} %`;
  if (f.metric === "rps") return `${v.toFixed(1)}/s`;
  return `${v < 10 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(1)} ms`;
}

/** A figure's change: absolute, then relative (error rate in percentage points). */
export function formatChange(f: Figure): string {
  if (f.metric === "error_rate") {
    return `${f.change >= 0 ? "+" : ""}${(f.change * 100).toFixed(2)} pp`;
  }
  const sign = f.change >= 0 ? "+" : "-";
  const abs = `${sign}${formatValue(f, Math.abs(f.change))}`;
  const rel = f.relative === null
    ? ""
    : ` (${f.relative >= 0 ? "+" : ""}${(f.relative * 100).toFixed(1)} %)`;
  return abs + rel;
}

/** "real", "noise" or "not judged". */
export function verdictWord(f: Figure): string {
  return f.p === null ? "not judged" : f.real ? "real" : "noise";
}

/** The label of a figure. */
export function metricLabel(f: Pick<Figure, "metric">): string {
  return f.metric === "rps" ? "throughput" : f.metric === "error_rate" ? "error rate" : f.metric;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")
  ).join("\n");
}

function figureRows(figures: Figure[]): string[][] {
  return figures.map((f) => [
    `  ${metricLabel(f)}`,
    formatValue(f, f.base),
    formatValue(f, f.candidate),
    formatChange(f),
    f.p === null ? "-" : f.p < 0.0001 ? "<0.0001" : f.p.toFixed(4),
    verdictWord(f),
  ]);
}

/** The one-line verdict of a comparison with its rules' outcomes. */
export function verdictLine(outcomes: readonly RuleOutcome[] | undefined): string {
  if (outcomes === undefined) return "No --fail-on rules: nothing to gate.";
  const failed = outcomes.filter((o) => o.failed);
  if (failed.length) {
    return `FAILED: ${failed.map((o) => o.rule.source).join(", ")} (broken and real)`;
  }
  const noise = outcomes.filter((o) => o.broken && !o.real);
  return noise.length
    ? `PASSED: ${noise.map((o) => o.rule.source).join(", ")} crossed but within noise`
    : "PASSED: no rule broken";
}

/** The console text of `c` (and the rules' outcomes when `--fail-on` was given). */
export function renderCompareSummary(c: Comparison, outcomes?: readonly RuleOutcome[]): string {
  const lines: string[] = [];
  const run = (label: string, r: Comparison["base"]) =>
    `${label}: ${r.path} (${r.name}, ${r.startTime}, ${(r.duration / 1000).toFixed(1)} s, ` +
    `${r.requests} requests${r.merged ? ", merged" : ""})`;
  lines.push(run("base     ", c.base), run("candidate", c.candidate));
  for (const w of c.warnings) lines.push(`warning: ${w}`);
  const head = ["", "base", "candidate", "change", "p", "verdict"];
  lines.push("", "Overall", table([head, ...figureRows(c.figures)]));
  for (const f of c.figures) if (f.real) lines.push(`  ${f.sentence}`);
  for (const n of c.byName) {
    lines.push("", `Name ${n.name}`, table([head, ...figureRows(n.figures)]));
  }
  if (c.unmatchedNames.base.length || c.unmatchedNames.candidate.length) {
    lines.push(
      `names in one run only: base ${c.unmatchedNames.base.join(", ") || "-"}; ` +
        `candidate ${c.unmatchedNames.candidate.join(", ") || "-"}`,
    );
  }
  if (c.scenarios.length) {
    const rows = [["", "iterations", "", "dropped", ""], [
      "",
      "base",
      "candidate",
      "base",
      "candidate",
    ]];
    for (const s of c.scenarios) {
      rows.push([
        `  ${s.name}`,
        String(s.base?.iterations ?? "-"),
        String(s.candidate?.iterations ?? "-"),
        String(s.base?.dropped ?? "-"),
        String(s.candidate?.dropped ?? "-"),
      ]);
    }
    lines.push("", "Scenarios", table(rows));
  }
  lines.push(
    "",
    `Test: ${c.method.test}; alpha ${c.method.alpha}, ${c.method.resamples} resamples, ` +
      `blocks of ${c.method.blockLength} s, seed ${c.method.seed}.`,
  );
  if (outcomes) {
    lines.push("", "Rules");
    for (const o of outcomes) {
      const state = o.failed ? "FAIL" : o.broken ? "noise" : "ok";
      lines.push(`  ${state.padEnd(5)} ${o.rule.source}: ${o.sentence}`);
    }
  }
  lines.push("", verdictLine(outcomes));
  return lines.join("\n");
}
