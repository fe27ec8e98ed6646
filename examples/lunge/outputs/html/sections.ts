/**
 * The HTML report's sections: the headline cards, the latency grid, the
 * per-name table, errors, scenarios, checks, thresholds, the verdict line,
 * the run error banner and the test metadata.
 *
 * @module
 */
import type { RunResult } from "../../result.ts";
import { formatThresholdValue } from "../../verdict/evaluate.ts";
import {
  errorRateTone,
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  formatRate,
  latencyRows,
  MEAN_LABEL,
  NO_RESPONSE_STATUS,
  noResponseCount,
  rateLimiterFigures,
  sortedCounts,
  successRateTone,
  type Tone,
  verdict,
} from "../../report/_report_format.ts";

import { escapeHtml, tableHtml } from "./_html.ts";

function card(label: string, value: string, detail: string, tone = ""): string {
  return `<div class="card${tone ? ` ${tone}` : ""}"><div class="card-label">${
    escapeHtml(label)
  }</div><div class="card-value">${escapeHtml(value)}</div><div class="card-detail">${
    escapeHtml(detail)
  }</div></div>`;
}

export function renderErrors(result: RunResult): string {
  const m = result.metrics;
  const share = (n: number) => m.totalRequests > 0 ? formatPercent(n / m.totalRequests) : "-";
  const byStatus = sortedCounts(m.errorsByStatus);
  const byType = sortedCounts(m.errorsByType);
  const noResponse = noResponseCount(m);
  if (m.failedRequests === 0 && byStatus.length === 0 && byType.length === 0) {
    return `<p class="empty">No failed requests.</p>`;
  }
  const statusTable = byStatus.length > 0
    ? tableHtml(
      ["Status", "Count", "Share"],
      byStatus.map(([s, n]) => [escapeHtml(s), formatCount(n), share(n)]),
    )
    : `<p class="empty">No HTTP error statuses.</p>`;
  const typeTable = byType.length > 0
    ? tableHtml(
      ["Error", "Count", "Share"],
      byType.map(([t, n]) => [`<code>${escapeHtml(t)}</code>`, formatCount(n), share(n)]),
    )
    : `<p class="empty">No transport errors.</p>`;
  const note = noResponse > 0
    ? `<p class="note">${
      formatCount(noResponse)
    } request(s) got no response (status ${NO_RESPONSE_STATUS}).</p>`
    : "";
  return `<div class="two-col">
<div><h3>By status</h3>${statusTable}</div>
<div><h3>By type</h3>${typeTable}</div>
</div>${note}`;
}

export function renderScenarios(result: RunResult): string {
  const entries = Object.entries(result.scenarios);
  if (entries.length === 0) return `<p class="empty">No scenarios.</p>`;
  const table = tableHtml(
    ["Scenario", "Executor", "Iterations", "Dropped", "Peak VUs", "Max VUs", "Target rate"],
    entries.map(([name, s]) => [
      escapeHtml(name) +
      (s.tags
        ? ` <span class="tags">${
          escapeHtml(Object.entries(s.tags).map(([k, v]) => `${k}=${v}`).join(", "))
        }</span>`
        : ""),
      escapeHtml(s.executor),
      formatCount(s.iterations),
      formatCount(s.droppedIterations),
      formatCount(s.maxVUs),
      formatCount(s.configuredVUs),
      s.targetRate > 0 ? `${formatRate(s.targetRate)}/s` : "-",
    ]),
    { numericFrom: 2 },
  );
  const limiter = rateLimiterFigures(result);
  if (limiter === null) return table;
  const pct = (x: number) => Number.isFinite(x) ? formatPercent(x) : "-";
  const limiterTable = tableHtml(
    ["Scenario", "Target RPS", "Actual RPS", "Efficiency", "Completion rate", "Dropped"],
    limiter.scenarios.map((f) => [
      escapeHtml(f.name),
      formatRate(f.targetRps) + (f.ramps ? ` (mean; peak ${formatRate(f.peakRps)})` : ""),
      formatRate(f.actualRps),
      pct(f.efficiency),
      pct(f.completionRate),
      formatCount(f.droppedIterations),
    ]),
    { className: "rate-limiter" },
  );
  return `${table}
<h3>Rate limiter</h3>
${limiterTable}
<p class="note">Generation rate (requests sent, all scenarios): ${
    formatRate(limiter.generationRate)
  } req/s. Peak VUs: the most busy at once; Max VUs: configured.</p>`;
}

/** Each assertion's pass rate, or nothing when no scenario has assertions. */
export function renderChecks(result: RunResult): string {
  const rows = Object.entries(result.scenarios).flatMap(([name, s]) =>
    (s.checks ?? []).map((c) => [
      escapeHtml(name),
      escapeHtml(c.request),
      escapeHtml(c.assertion),
      formatCount(c.passes),
      formatCount(c.fails),
      formatPercent(c.rate),
    ])
  );
  if (rows.length === 0) return "";
  const table = tableHtml(
    ["Scenario", "Request", "Assertion", "Passes", "Fails", "Pass rate"],
    rows,
    {
      numericFrom: 3,
    },
  );
  return `<section id="checks"><h2>Checks</h2>${table}</section>\n`;
}

export function renderThresholds(result: RunResult): string {
  if (result.thresholds.length === 0) return `<p class="empty">No thresholds configured.</p>`;
  return tableHtml(
    ["", "Metric", "Expression", "Actual"],
    result.thresholds.map((t) => [
      t.passed
        ? `<span class="ok" title="passed">✓</span>`
        : `<span class="bad" title="failed">✗</span>`,
      `<code>${escapeHtml(t.metric)}</code>`,
      `<code>${escapeHtml(t.expression)}</code>`,
      escapeHtml(formatThresholdValue(t, t.value)),
    ]),
    { numericFrom: 3, className: "thresholds" },
  );
}

export function renderByName(result: RunResult): string {
  const names = Object.entries(result.metrics.byName).sort((a, b) => a[0].localeCompare(b[0]));
  if (names.length === 0) return `<p class="empty">No named requests.</p>`;
  return tableHtml(
    ["Name", "Count", "Min", MEAN_LABEL, "P50", "P90", "P95", "P99", "Max"],
    names.map(([name, l]) => [
      escapeHtml(name),
      formatCount(l.count),
      formatDuration(l.min),
      formatDuration(l.mean),
      formatDuration(l.p50),
      formatDuration(l.p90),
      formatDuration(l.p95),
      formatDuration(l.p99),
      formatDuration(l.max),
    ]),
  );
}

/** The CSS class of a tone: "good" cards are plain for errors, green for success. */
function toneClass(tone: Tone, good: string): string {
  return tone === "good" ? good : tone;
}

/** The headline cards. */
export function renderCards(result: RunResult): string {
  const m = result.metrics;
  const successRate = m.totalRequests > 0 ? m.successfulRequests / m.totalRequests : NaN;
  const seconds = result.duration / 1000;
  const errorTone = toneClass(errorRateTone(m.errorRate), "");
  const successTone = Number.isFinite(successRate)
    ? toneClass(successRateTone(successRate), "good")
    : "";
  return [
    card("Total Requests", formatCount(m.totalRequests), `${formatCount(m.failedRequests)} failed`),
    card("Throughput", formatRate(m.requestsPerSecond), "req/s"),
    card(
      "Error Rate",
      formatPercent(m.errorRate),
      `${formatCount(m.failedRequests)} errors`,
      errorTone,
    ),
    card("P95 Latency", formatDuration(m.latency.p95), `P99 ${formatDuration(m.latency.p99)}`),
    card(
      "Success Rate",
      Number.isFinite(successRate) ? formatPercent(successRate) : "-",
      `${formatCount(m.successfulRequests)} ok`,
      successTone,
    ),
    card(
      "Data Transferred",
      formatBytes(m.totalBytes),
      `${formatBytes(seconds > 0 ? m.totalBytes / seconds : 0)}/s received`,
    ),
  ].join("\n");
}

/** The latency distribution, one cell per row of {@linkcode latencyRows}. */
export function renderLatencyGrid(result: RunResult): string {
  return latencyRows(result.metrics.latency).map(([k, v]) =>
    `<div><span>${k}</span><b>${escapeHtml(formatDuration(v))}</b></div>`
  ).join("");
}

/** The badge's class: `pass`, `fail`, or `warn` for a pass with dropped iterations. */
export function badgeClass(result: RunResult): string {
  const tone = verdict(result).tone;
  return tone === "good" ? "pass" : tone === "warn" ? "warn" : "fail";
}

/** The verdict line (`PASSED`, `FAILED`, or with the dropped iterations), toned. */
export function renderVerdict(result: RunResult): string {
  const v = verdict(result);
  return `<section class="verdict ${v.tone}" id="verdict">${escapeHtml(v.text)}</section>`;
}

/** The run error banner, or nothing. */
export function renderRunError(result: RunResult): string {
  if (result.error === null) return "";
  return `<section class="run-error" id="run-error"><b>Run error:</b> ${
    escapeHtml(result.error)
  }</section>`;
}

/** The test metadata as `<dt>`/`<dd>` pairs. */
export function renderMeta(result: RunResult): string {
  const m = result.metrics;
  const meta: [string, string][] = [
    ["Test", escapeHtml(result.name)],
    ["Description", result.description ? escapeHtml(result.description) : "-"],
    ["Started", escapeHtml(result.startTime)],
    ["Ended", escapeHtml(result.endTime)],
    ["Duration", escapeHtml(formatDuration(result.duration))],
    ["Collector", escapeHtml(result.collector)],
    ["Time unit", escapeHtml(result.timeUnit)],
    ["Series interval", escapeHtml(formatDuration(result.timeSeries.interval))],
    ["Series points", formatCount(result.timeSeries.points.length)],
    ["Latency samples", formatCount(m.latency.count)],
    ["Dropped samples", formatCount(m.droppedSamples)],
    ["Status codes", statusCodesText(m.statusCodes)],
  ];
  return meta.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("");
}

function statusCodesText(codes: Record<string, number>): string {
  const entries = Object.entries(codes).sort((a, b) => Number(a[0]) - Number(b[0]));
  if (entries.length === 0) return "-";
  return entries.map(([code, n]) => `${escapeHtml(code)}: ${formatCount(n)}`).join(", ");
}
