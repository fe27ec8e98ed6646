/**
 * The live dashboard's page: one self-contained document with no external
 * asset (inline style, one inline script, SVG charts drawn by it), under a
 * strict Content-Security-Policy like the HTML report's: nothing may load
 * but the page's own script and the report's two (admitted by hash, for
 * when the page becomes the report), and the only connection allowed is the
 * page's own event stream (`connect-src 'self'`).
 *
 * @module
 */
import { escapeHtml, sha256Base64 } from "../html/_html.ts";
import { PAGE_SCRIPT, THEME_SCRIPT } from "../html/script.ts";
import { DASHBOARD_STYLE } from "./style.ts";
import { DASHBOARD_SCRIPT } from "./script.ts";

/**
 * The page's policy. Sent as a header (so `frame-ancestors` holds) and, but
 * for `frame-ancestors`, in a `<meta>` element too.
 *
 * @param header Whether for the header (with `frame-ancestors 'none'`).
 * @returns The policy.
 */
export function dashboardPolicy(header: boolean): string {
  const scripts = [THEME_SCRIPT, DASHBOARD_SCRIPT, PAGE_SCRIPT]
    .map((s) => `'sha256-${sha256Base64(s)}'`).join(" ");
  return [
    "default-src 'none'",
    `script-src ${scripts}`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    ...(header ? ["frame-ancestors 'none'"] : []),
  ].join("; ");
}

function card(id: string, label: string): string {
  return `<div class="card"><div class="card-label">${label}</div>` +
    `<div class="card-value" id="${id}" data-value="0">-</div>` +
    `<div class="card-detail" id="${id}-detail"></div></div>`;
}

function chart(id: string, title: string, legend: [string, string][]): string {
  const items = legend.map(([cls, text]) =>
    `<span class="legend-item ${cls}"><span class="swatch${
      cls === "s2 dashed" ? " dashed" : ""
    }"></span>${text}</span>`
  ).join("");
  return `<figure class="chart-card"><figcaption><span class="chart-title">${title}</span>${items}` +
    `</figcaption><svg class="live" id="${id}" role="img" aria-label="${title}"></svg></figure>`;
}

function table(id: string, title: string, headers: string[]): string {
  const head = headers.map((h, i) => `<th${i > 0 ? ` class="num"` : ""}>${h}</th>`).join("");
  return `<section id="${id}"><h2>${title}</h2><table><thead><tr>${head}</tr></thead>` +
    `<tbody id="${id}-rows"><tr><td class="none" colspan="${headers.length}">waiting</td></tr>` +
    `</tbody></table></section>`;
}

/**
 * The live page of a run named `name`.
 *
 * @param name The test's name (escaped here).
 * @returns The document.
 */
export function renderDashboardPage(name: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(dashboardPolicy(false))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(name)} - Lunge live</title>
<script>${THEME_SCRIPT}</script>
<style>${DASHBOARD_STYLE}</style>
</head>
<body>
<header>
<div class="title"><h1 id="test-name">${escapeHtml(name)}</h1>
<div class="sub" id="status">Connecting</div>
<div class="progress"><div id="progress-bar"></div></div></div>
<span id="badge" class="badge live">LIVE</span>
<button id="theme-toggle" type="button" aria-label="Toggle dark/light theme">Toggle theme</button>
</header>
<main>
<section class="cards" id="cards">
${card("total-requests", "Requests")}
${card("rps", "Requests/s")}
${card("error-rate", "Error rate")}
${card("p95", "P95 latency")}
${card("vus", "Active VUs")}
${card("dropped", "Dropped iterations")}
</section>
<section id="charts"><h2>Per second</h2><div class="live-charts">
${chart("chart-rps", "Requests per second", [["s0", "requests"], ["s2", "failed"]])}
${
    chart("chart-latency", "Latency per second", [["s0", "P50"], ["s1", "P95"], [
      "s2 dashed",
      "P99",
    ]])
  }
${chart("chart-vus", "VUs and drops", [["s3", "active VUs"], ["s2", "dropped per second"]])}
</div></section>
<div class="two-col">
${table("by-name", "Requests by name", ["Name", "Requests", "P50", "P95", "P99", "Max"])}
${table("errors", "Errors", ["Type or status", "Count"])}
</div>
<div class="two-col">
${table("thresholds", "Thresholds", ["Metric", "Threshold", "Now", "Status"])}
${table("scenarios", "Scenarios", ["Scenario", "Iterations", "Dropped"])}
</div>
</main>
<footer>Live from the collector's snapshot and time series, once a second (Server-Sent Events).
When the run ends this page becomes its final report, and the dashboard stops.</footer>
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;
}
