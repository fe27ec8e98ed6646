/**
 * The live dashboard's stylesheet: the HTML report's (so the two pages look
 * alike, and the page looks the same once it has become the report) plus the
 * live page's own rules — the LIVE badge, the connection line, the live
 * charts' size and the empty-table rows.
 *
 * @module
 */
import { STYLE } from "../html/style.ts";

/** The dashboard's own rules, after the report's. */
const DASHBOARD_RULES = `
.badge.live{background:#2563eb}.badge.ended{background:#5b6475}
.badge.live::before{content:"";display:inline-block;width:8px;height:8px;border-radius:50%;background:#fff;
margin-right:8px;vertical-align:middle;animation:pulse 1.2s ease-in-out infinite}
@keyframes pulse{50%{opacity:.25}}
@media (prefers-reduced-motion:reduce){.badge.live::before{animation:none}}
#status.bad{color:var(--bad)}
.progress{height:4px;background:var(--grid);border-radius:2px;margin-top:8px;overflow:hidden;max-width:420px}
.progress div{height:100%;width:0;background:var(--c0);transition:width .4s linear}
.live-charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(400px,1fr));gap:14px}
svg.live{display:block;width:100%;height:auto}
svg .empty-note{fill:var(--muted);font-size:13px}
td.none{color:var(--muted)}
.note code{font-size:12px}
`;

/** The dashboard's CSS. */
export const DASHBOARD_STYLE: string = STYLE + DASHBOARD_RULES;
