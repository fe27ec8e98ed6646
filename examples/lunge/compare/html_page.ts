/**
 * `lunge compare`'s HTML page: one self-contained file that renders
 * offline, with the verdict, the two latency distributions overlaid (CDF
 * on a log latency axis, inline SVG), the overall and per-name figures side
 * by side, the scenarios and the rules. Its Content-Security-Policy forbids
 * every fetch and every script (the page has none); the styles are the run
 * report's (../outputs/html/style.ts). Every user string is HTML-escaped;
 * the whole comparison is embedded as JSON in `#lunge-compare`.
 *
 * @module
 */
import { escapeHtml, scriptSafeJson, tableHtml } from "../outputs/html/_html.ts";
import { STYLE } from "../outputs/html/style.ts";
import type { Cdf, Figure } from "./compare.ts";
import type { CompareOutput } from "./rules.ts";
import { formatChange, formatValue, metricLabel, verdictWord } from "./summary.ts";

/** The id of the `<script type="application/json">` element holding the comparison. */
export const COMPARISON_ELEMENT_ID = "lunge-compare";

const PAGE_STYLE = `
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:5px 8px;border-bottom:1px solid var(--border);text-align:left}
td.num,th.num{text-align:right}
.real{color:var(--bad);font-weight:650}.noise{color:var(--muted)}
.sentences li{margin:2px 0}
.warning{border-color:var(--warn);color:var(--warn)}
svg.cdf{display:block;width:100%;max-width:1100px;height:auto}
svg.cdf .base{stroke:var(--c0)}svg.cdf .candidate{stroke:var(--c1)}
.legend .base{color:var(--c0)}.legend .candidate{color:var(--c1)}
`;

const W = 900, H = 340, L = 56, R = 16, T = 14, B = 40;

/** Ticks of a log axis from `lo` to `hi` (1-2-5 steps). */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}

const tickLabel = (ms: number) => ms >= 1000 ? `${ms / 1000} s` : `${+ms.toPrecision(3)} ms`;

/** The CDF chart: both runs on a log latency axis. */
export function renderCdfChart(cdf: { base: Cdf; candidate: Cdf }): string {
  const pts = [...cdf.base, ...cdf.candidate].map(([ms]) => ms).filter((ms) => ms > 0);
  if (pts.length === 0) return `<p>No latency was recorded.</p>`;
  const lo = Math.min(...pts) * 0.9, hi = Math.max(...pts) * 1.1;
  const x = (ms: number) =>
    L + ((Math.log(ms) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * (W - L - R);
  const y = (f: number) => T + (1 - f) * (H - T - B);
  const path = (c: Cdf) => {
    // A step-free line through (latency, fraction at or below it), from fraction 0.
    const p = c.filter(([ms]) => ms > 0);
    if (p.length === 0) return "";
    return `M${x(p[0][0]).toFixed(1)},${y(0).toFixed(1)}` +
      p.map(([ms, f]) => `L${x(ms).toFixed(1)},${y(f).toFixed(1)}`).join("");
  };
  const grid = logTicks(lo, hi).map((v) =>
    `<line class="grid" x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${T}" y2="${H - B}"/>` +
    `<text class="tick" x="${x(v).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${
      escapeHtml(tickLabel(v))
    }</text>`
  ).join("");
  const yGrid = [0, 0.25, 0.5, 0.75, 0.9, 1].map((f) =>
    `<line class="grid" x1="${L}" x2="${W - R}" y1="${y(f).toFixed(1)}" y2="${y(f).toFixed(1)}"/>` +
    `<text class="tick" x="${L - 6}" y="${(y(f) + 4).toFixed(1)}" text-anchor="end">${
      f * 100
    }%</text>`
  ).join("");
  return `<figure class="chart-card"><figcaption><span class="chart-title">Latency distribution (CDF, log axis)</span>
<span class="legend"><span class="legend-item base"><span class="swatch"></span>base</span>
<span class="legend-item candidate"><span class="swatch"></span>candidate</span></span></figcaption>
<svg class="cdf" viewBox="0 0 ${W} ${H}" role="img" aria-label="Latency CDF of both runs">
${grid}${yGrid}
<line class="axis" x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}"/>
<line class="axis" x1="${L}" x2="${L}" y1="${T}" y2="${H - B}"/>
<text class="tick" x="${(L + W - R) / 2}" y="${H - 4}" text-anchor="middle">latency</text>
<path class="line base" data-run="base" d="${path(cdf.base)}"/>
<path class="line candidate" data-run="candidate" d="${path(cdf.candidate)}"/>
</svg></figure>`;
}

function figureTable(figures: Figure[], name?: string): string {
  const rows = figures.map((f) => [
    escapeHtml(metricLabel(f)),
    `<span data-value="${f.base}">${escapeHtml(formatValue(f, f.base))}</span>`,
    `<span data-value="${f.candidate}">${escapeHtml(formatValue(f, f.candidate))}</span>`,
    escapeHtml(formatChange(f)),
    escapeHtml(
      f.interval === null
        ? "-"
        : f.metric === "error_rate"
        ? `${(f.interval[0] * 100).toFixed(2)}–${(f.interval[1] * 100).toFixed(2)} pp`
        : `${(f.interval[0] * 100).toFixed(1)}–${(f.interval[1] * 100).toFixed(1)} %`,
    ),
    f.p === null ? "-" : f.p < 0.0001 ? "&lt;0.0001" : f.p.toFixed(4),
    `<span class="${f.real ? "real" : "noise"}">${escapeHtml(verdictWord(f))}</span>`,
  ]);
  const html = tableHtml(
    ["", "base", "candidate", "change", "interval", "p", "verdict"],
    rows,
    { className: "figures" },
  );
  // Tag each body row with its metric (and name) for tools and tests.
  let i = 0;
  return html.replace(/<tr>(?=<td)/g, () => {
    const f = figures[i++];
    const n = name === undefined ? "" : ` data-name="${escapeHtml(name)}"`;
    return `<tr data-metric="${f.metric}"${n}>`;
  });
}

/** The page's Content-Security-Policy: nothing fetched, no script run. */
const POLICY = [
  "default-src 'none'",
  "script-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src data:",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

function rulesTable(c: CompareOutput): string {
  if (c.rules === undefined) return "<p>No --fail-on rules were given.</p>";
  return tableHtml(
    ["rule", "change", "broken", "real", "outcome"],
    c.rules.map((o) => [
      escapeHtml(o.rule.source),
      escapeHtml(`${o.value >= 0 ? "+" : ""}${o.value.toFixed(2)} ${o.rule.unit}`),
      o.broken ? "yes" : "no",
      o.real ? "yes" : "no",
      `<span class="${o.failed ? "real" : "noise"}">${
        o.failed ? "FAIL" : o.broken ? "noise" : "ok"
      }</span>`,
    ]),
    { numericFrom: 9 },
  );
}

function scenariosTable(c: CompareOutput): string {
  return tableHtml(
    [
      "scenario",
      "iterations (base)",
      "iterations (candidate)",
      "dropped (base)",
      "dropped (candidate)",
    ],
    c.scenarios.map((s) => [
      escapeHtml(s.name),
      String(s.base?.iterations ?? "-"),
      String(s.candidate?.iterations ?? "-"),
      String(s.base?.dropped ?? "-"),
      String(s.candidate?.dropped ?? "-"),
    ]),
  );
}

function runsList(c: CompareOutput): string {
  const run = (label: string, r: CompareOutput["base"]) =>
    `<dt>${label}</dt><dd>${escapeHtml(r.path)} · ${escapeHtml(r.name)} · ${
      escapeHtml(r.startTime)
    } · ${(r.duration / 1000).toFixed(1)} s · ${r.requests} requests${
      r.merged ? " · merged" : ""
    }</dd>`;
  const m = c.method;
  return `<dl class="meta">${run("base", c.base)}${run("candidate", c.candidate)}
<dt>test</dt><dd>${
    escapeHtml(m.test)
  }; alpha ${m.alpha}; ${m.resamples} resamples; blocks of ${m.blockLength} s; seed ${m.seed}</dd></dl>`;
}

function verdictSection(c: CompareOutput, state: string): string {
  const real = c.figures.filter((f) => f.real);
  const shown = real.length ? real : c.figures.filter((f) => f.metric === "p95");
  const cls = state === "fail" ? "bad" : state === "pass" ? "good" : "warn";
  return `<section id="verdict-section"><h2>Verdict</h2><p id="verdict" class="verdict ${cls}">${
    escapeHtml(c.verdict)
  }</p>
<ul class="sentences" id="sentences">${
    shown.map((f) => `<li data-metric="${f.metric}">${escapeHtml(f.sentence)}</li>`).join("")
  }</ul></section>`;
}

function byNameSection(c: CompareOutput): string {
  const tables = c.byName.map((n) =>
    `<h3>${escapeHtml(n.name)}</h3>${figureTable(n.figures, n.name)}`
  );
  return tables.join("\n") || "<p>No request name is in both runs.</p>";
}

/** Renders the comparison page. */
export function renderComparePage(c: CompareOutput): string {
  const state = c.rules === undefined ? "warn" : c.exitCode === 1 ? "fail" : "pass";
  const badge = c.rules === undefined ? "NO RULES" : c.exitCode === 1 ? "FAIL" : "PASS";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(POLICY)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(`${c.candidate.name} vs base - Lunge compare`)}</title>
<style>${STYLE}${PAGE_STYLE}</style>
</head>
<body>
<header>
<div class="title"><h1>Lunge compare: ${escapeHtml(c.candidate.name)}</h1>
<div class="sub">candidate ${escapeHtml(c.candidate.path)} against base ${
    escapeHtml(c.base.path)
  }</div></div>
<span id="badge" class="badge ${state}">${badge}</span>
</header>
<main>
${verdictSection(c, state)}
${c.warnings.map((w) => `<section class="warning">warning: ${escapeHtml(w)}</section>`).join("\n")}
<section id="distribution"><h2>Latency</h2>${renderCdfChart(c.cdf)}</section>
<section id="overall"><h2>Overall</h2>${figureTable(c.figures)}</section>
<section id="by-name"><h2>By request name</h2>${byNameSection(c)}</section>
<section id="scenarios"><h2>Scenarios</h2>${scenariosTable(c)}</section>
<section id="rules"><h2>Rules</h2>${rulesTable(c)}</section>
<section id="runs"><h2>Runs</h2>${runsList(c)}</section>
</main>
<footer>Generated by lunge compare. The full comparison is embedded as JSON in #${COMPARISON_ELEMENT_ID}.</footer>
<script type="application/json" id="${COMPARISON_ELEMENT_ID}">${scriptSafeJson(c)}</script>
</body>
</html>
`;
}
