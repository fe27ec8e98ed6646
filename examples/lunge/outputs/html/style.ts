/**
 * The HTML report's stylesheet (inline; light and dark themes).
 *
 * @module
 */

/** The report's CSS. */
export const STYLE = `
:root{color-scheme:light;--bg:#f6f7f9;--panel:#fff;--text:#1c2230;--muted:#5b6475;--border:#dde1e8;
--grid:#e6e9ef;--c0:#2563eb;--c1:#d97706;--c2:#dc2626;--c3:#059669;--ok:#15803d;--bad:#b91c1c;--warn:#b45309;
--band-init:#94a3b8;--band-warmup:#f59e0b;--band-ramp-up:#3b82f6;--band-steady:#10b981;--band-ramp-down:#8b5cf6;
--band-cooldown:#06b6d4;--band-opacity:.10}
:root[data-theme=dark]{color-scheme:dark;--bg:#0f141b;--panel:#171e28;--text:#e6e9ef;--muted:#9aa4b5;--border:#2a3342;
--grid:#252e3b;--c0:#60a5fa;--c1:#fbbf24;--c2:#f87171;--c3:#34d399;--ok:#4ade80;--bad:#f87171;--warn:#fbbf24;--band-opacity:.10}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]){color-scheme:dark;--bg:#0f141b;--panel:#171e28;
--text:#e6e9ef;--muted:#9aa4b5;--border:#2a3342;--grid:#252e3b;--c0:#60a5fa;--c1:#fbbf24;--c2:#f87171;--c3:#34d399;
--ok:#4ade80;--bad:#f87171;--warn:#fbbf24;--band-opacity:.10}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif}
header{display:flex;align-items:center;gap:16px;flex-wrap:wrap;padding:20px 28px;background:var(--panel);border-bottom:1px solid var(--border)}
header .title{flex:1;min-width:240px}
h1{margin:0;font-size:22px;word-break:break-word}
h2{font-size:16px;margin:0 0 12px}
h3{font-size:13px;margin:12px 0 6px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.sub{color:var(--muted);margin-top:2px;word-break:break-word}
.badge{font-weight:700;font-size:18px;letter-spacing:.08em;padding:6px 16px;border-radius:8px;color:#fff}
.badge.pass{background:#15803d}.badge.fail{background:#b91c1c}.badge.warn{background:#b45309}
.verdict{font-weight:650}.verdict.good{color:var(--ok)}.verdict.warn{color:var(--warn);border-color:var(--warn)}
.verdict.bad{color:var(--bad);border-color:var(--bad)}
button{font:inherit;color:var(--text);background:transparent;border:1px solid var(--border);border-radius:8px;padding:6px 12px;cursor:pointer}
button:hover{border-color:var(--muted)}
main{padding:20px 28px;max-width:1400px;margin:0 auto}
section{background:var(--panel);border:1px solid var(--border);border-radius:10px;padding:16px 18px;margin-bottom:18px}
.run-error{border-color:var(--bad);color:var(--bad);white-space:pre-wrap;word-break:break-word}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;background:none;border:0;padding:0}
.card{background:var(--panel);border:1px solid var(--border);border-radius:10px;padding:12px 14px}
.card-label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card-value{font-size:24px;font-weight:650;margin-top:2px;font-variant-numeric:tabular-nums}
.card-detail{color:var(--muted);font-size:12px}
.card.warn .card-value{color:var(--warn)}.card.bad .card-value{color:var(--bad)}.card.good .card-value{color:var(--ok)}
.latency-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(110px,1fr));gap:10px}
.latency-grid div{border:1px solid var(--border);border-radius:8px;padding:8px 10px}
.latency-grid span{display:block;color:var(--muted);font-size:12px}
.latency-grid b{font-size:18px;font-variant-numeric:tabular-nums}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:14px}
.chart-card{margin:0;border:1px solid var(--border);border-radius:8px;padding:10px 10px 4px}
figcaption{display:flex;flex-wrap:wrap;gap:12px;align-items:center;font-size:12px;color:var(--muted);margin-bottom:4px}
.chart-title{font-weight:650;color:var(--text);font-size:13px;margin-right:auto}
.legend-item{display:inline-flex;align-items:center;gap:5px}
.swatch{display:inline-block;width:16px;height:0;border-top:3px solid currentColor}
.swatch.dashed{border-top-style:dashed}
svg.chart{display:block;width:100%;height:auto;overflow:visible}
svg .grid{stroke:var(--grid);stroke-width:1}
svg .axis{stroke:var(--muted);stroke-width:1}
svg .tick{fill:var(--muted);font-size:11px}
svg .line{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
svg .line.dashed{stroke-dasharray:5 4;stroke-width:1.5}
svg .phase-marker{stroke:var(--muted);stroke-dasharray:2 3;stroke-width:1;opacity:.7}
svg .phase-label{fill:var(--muted);font-size:10px}
svg .band{fill:var(--band-init);opacity:var(--band-opacity)}
svg .band.phase-warmup{fill:var(--band-warmup)}svg .band.phase-ramp-up{fill:var(--band-ramp-up)}
svg .band.phase-steady{fill:var(--band-steady)}svg .band.phase-ramp-down{fill:var(--band-ramp-down)}
svg .band.phase-cooldown{fill:var(--band-cooldown)}
svg .hover-line{stroke:var(--text);stroke-width:1;opacity:.5;pointer-events:none}
.s0{color:var(--c0);stroke:var(--c0)}.s1{color:var(--c1);stroke:var(--c1)}.s2{color:var(--c2);stroke:var(--c2)}.s3{color:var(--c3);stroke:var(--c3)}
svg .dot{stroke:none}svg .dot.s0{fill:var(--c0)}svg .dot.s1{fill:var(--c1)}svg .dot.s2{fill:var(--c2)}svg .dot.s3{fill:var(--c3)}
#chart-tip{position:fixed;pointer-events:none;background:var(--panel);color:var(--text);border:1px solid var(--border);
border-radius:6px;padding:6px 8px;font-size:12px;box-shadow:0 4px 14px rgba(0,0,0,.18);display:none;z-index:10;white-space:nowrap}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--border);word-break:break-word}
th{color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
td.num,th.num{text-align:right;white-space:nowrap}
code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
.two-col{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:18px}
.ok{color:var(--ok);font-weight:700}.bad{color:var(--bad);font-weight:700}
.empty,.note{color:var(--muted);margin:4px 0}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;word-break:break-word}
footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 24px}
`;
