/**
 * The HTML report's charts: inline SVG of the series over time (throughput,
 * latency P50/P95/P99, active VUs, error rate) with the run's phases as
 * bands, axes with "nice" ticks, a legend and a hover line.
 *
 * @module
 */
import type { RunResult, RunTimeSeriesPoint } from "../../result.ts";
import { formatClock, formatCount, formatDuration } from "../../report/_report_format.ts";

import { escapeHtml, finite } from "./_html.ts";

const CHART_WIDTH = 720;
const CHART_HEIGHT = 240;
const MARGIN = { left: 60, right: 16, top: 16, bottom: 30 };
const PLOT_WIDTH = CHART_WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = CHART_HEIGHT - MARGIN.top - MARGIN.bottom;

interface Series {
  label: string;
  /** CSS class giving the colour: s0..s3. */
  className: string;
  values: number[];
  dashed?: boolean;
}

interface ChartSpec {
  /** Key the inline script uses to build the tooltip. */
  key: "rps" | "latency" | "vus" | "errors";
  title: string;
  series: Series[];
  formatTick: (v: number) => string;
  /** Whether the values are whole numbers (ticks then are too). */
  integer?: boolean;
}

interface TimeAxis {
  t0: number;
  t1: number;
  interval: number;
  points: RunTimeSeriesPoint[];
  phases: RunResult["phases"];
}

function timeAxis(result: RunResult): TimeAxis {
  const points = result.timeSeries.points;
  const interval = result.timeSeries.interval > 0 ? result.timeSeries.interval : 1000;
  const starts = [Date.parse(result.startTime)];
  const ends = [Date.parse(result.endTime)];
  if (points.length > 0) {
    starts.push(points[0].timestamp);
    ends.push(points[points.length - 1].timestamp + interval);
  }
  const finiteStarts = starts.filter(Number.isFinite);
  const finiteEnds = ends.filter(Number.isFinite);
  const t0 = finiteStarts.length > 0 ? Math.min(...finiteStarts) : 0;
  let t1 = finiteEnds.length > 0 ? Math.max(...finiteEnds) : t0 + interval;
  if (!(t1 > t0)) t1 = t0 + interval;
  return { t0, t1, interval, points, phases: result.phases };
}

/** A "nice" step (1, 2, 2.5, 5 × 10^k) for about `count` ticks up to `max`. */
function niceStep(max: number, count: number): number {
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * pow >= raw) return m * pow;
  }
  return 10 * pow;
}

const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];

/** An x-axis label for `s` seconds: `45s`, `2m30s`, `10m`, `1h`, `1h30m`. */
function axisTime(s: number): string {
  const total = Math.round(s);
  if (total < 60 || total % 60 !== 0) return formatClock(total * 1000);
  const h = Math.floor(total / 3600);
  const m = (total % 3600) / 60;
  if (h === 0) return `${m}m`;
  return m === 0 ? `${h}h` : `${h}h${String(m).padStart(2, "0")}m`;
}

/** A tick label: grouped integers, or up to two decimals. */
function tickNumber(v: number): string {
  return Number.isInteger(v) ? formatCount(v) : String(Number(v.toFixed(2)));
}

function num(x: number): string {
  return String(Math.round(x * 10) / 10);
}

/** The y axis of a chart: its top and tick step, from the highest value. */
export interface YScale {
  /** The value at the top of the plot. */
  yMax: number;
  /** The distance between two ticks. */
  step: number;
}

/**
 * The y scale for values up to `max`: 12 % headroom above the highest value
 * (for the phase labels), a "nice" step for about four ticks (whole when
 * `integer`), and a top on a whole step. Pure.
 */
export function yScale(max: number, integer = false): YScale {
  const top = finite(max) * 1.12;
  let step = top > 0 ? niceStep(top, 4) : 0.25;
  if (integer) step = Math.max(1, Math.round(step));
  const yMax = top > 0 ? Math.max(step, Math.ceil(top / step) * step) : 1;
  return { yMax, step };
}

/**
 * The x ticks of a time axis `spanS` seconds long, in seconds since its
 * start: a step from {@linkcode TIME_STEPS_S} giving at most 8 intervals
 * (whole hours beyond). Pure.
 */
export function timeTicks(spanS: number): number[] {
  const stepS = TIME_STEPS_S.find((s) => spanS / s <= 8) ?? Math.ceil(spanS / 8 / 3600) * 3600;
  const ticks: number[] = [];
  for (let s = 0; s <= spanS + 1e-9; s += stepS) ticks.push(s);
  return ticks;
}

/** Maps time and value to plot coordinates. */
interface Plot {
  xOf: (t: number) => number;
  yOf: (v: number) => number;
}

/** The phase bands and markers (with a label where a band is wide enough). */
function phaseParts(axis: TimeAxis, plot: Plot): string[] {
  const parts: string[] = [];
  axis.phases.forEach((phase, i) => {
    const start = Math.max(axis.t0, phase.timestamp);
    const end = Math.min(axis.t1, axis.phases[i + 1]?.timestamp ?? axis.t1);
    if (!(end > start) || phase.phase === "done") return;
    const x = plot.xOf(start);
    const w = plot.xOf(end) - x;
    const name = escapeHtml(phase.phase);
    parts.push(
      `<rect class="band phase-${name}" x="${num(x)}" y="${MARGIN.top}" width="${
        num(w)
      }" height="${PLOT_HEIGHT}"><title>${name}</title></rect>`,
      `<line class="phase-marker" x1="${num(x)}" x2="${num(x)}" y1="${MARGIN.top}" y2="${
        MARGIN.top + PLOT_HEIGHT
      }"/>`,
    );
    if (w >= 48) {
      parts.push(
        `<text class="phase-label" x="${num(x + 4)}" y="${MARGIN.top + 11}">${name}</text>`,
      );
    }
  });
  return parts;
}

/** The horizontal grid with y tick labels, the x ticks (elapsed time) and the x axis. */
function axisParts(spec: ChartSpec, axis: TimeAxis, plot: Plot, scale: YScale): string[] {
  const parts: string[] = [];
  const bottom = MARGIN.top + PLOT_HEIGHT;
  for (let v = 0; v <= scale.yMax + scale.step / 2; v += scale.step) {
    const y = num(plot.yOf(v));
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${
        MARGIN.left + PLOT_WIDTH
      }" y1="${y}" y2="${y}"/>`,
      `<text class="tick" x="${MARGIN.left - 6}" y="${num(plot.yOf(v) + 4)}" text-anchor="end">${
        escapeHtml(spec.formatTick(v))
      }</text>`,
    );
  }
  for (const s of timeTicks((axis.t1 - axis.t0) / 1000)) {
    const x = num(plot.xOf(axis.t0 + s * 1000));
    parts.push(
      `<line class="axis" x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 4}"/>`,
      `<text class="tick" x="${x}" y="${bottom + 17}" text-anchor="middle">${axisTime(s)}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${MARGIN.left}" x2="${
      MARGIN.left + PLOT_WIDTH
    }" y1="${bottom}" y2="${bottom}"/>`,
  );
  return parts;
}

/** The series: a path each, plus point markers when there are few points. */
function seriesParts(spec: ChartSpec, axis: TimeAxis, plot: Plot): string[] {
  const parts: string[] = [];
  const xs = axis.points.map((p) => plot.xOf(p.timestamp + axis.interval / 2));
  for (const s of spec.series) {
    const coords = s.values.map((v, i) => `${num(xs[i])},${num(plot.yOf(v))}`);
    if (coords.length >= 2) {
      parts.push(
        `<path class="line ${s.className}${s.dashed ? " dashed" : ""}" d="M${
          coords.join("L")
        }"><title>${escapeHtml(s.label)}</title></path>`,
      );
    }
    if (coords.length <= 120) {
      for (const c of coords) {
        const [cx, cy] = c.split(",");
        parts.push(`<circle class="dot ${s.className}" cx="${cx}" cy="${cy}" r="2.5"/>`);
      }
    }
  }
  return parts;
}

/** One chart: an SVG of the series over time, with phases, axes, a legend and a hover line. */
function renderChart(spec: ChartSpec, axis: TimeAxis): string {
  const { t0, t1 } = axis;
  let max = 0;
  for (const s of spec.series) for (const v of s.values) max = Math.max(max, finite(v));
  const scale = yScale(max, spec.integer);
  const plot: Plot = {
    xOf: (t) => MARGIN.left + ((t - t0) / (t1 - t0)) * PLOT_WIDTH,
    yOf: (v) => MARGIN.top + PLOT_HEIGHT - (finite(v) / scale.yMax) * PLOT_HEIGHT,
  };
  const parts = [
    ...phaseParts(axis, plot),
    ...axisParts(spec, axis, plot, scale),
    ...seriesParts(spec, axis, plot),
    `<line class="hover-line" x1="0" x2="0" y1="${MARGIN.top}" y2="${
      MARGIN.top + PLOT_HEIGHT
    }" visibility="hidden"/>`,
  ];
  const legend = spec.series.map((s) =>
    `<span class="legend-item"><span class="swatch ${s.className}${
      s.dashed ? " dashed" : ""
    }"></span>${escapeHtml(s.label)}</span>`
  ).join("");
  return `<figure class="chart-card">
<figcaption><span class="chart-title">${escapeHtml(spec.title)}</span>${legend}</figcaption>
<svg class="chart" data-chart="${spec.key}" data-t0="${t0}" data-t1="${t1}" data-left="${MARGIN.left}" data-width="${PLOT_WIDTH}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" role="img" aria-label="${
    escapeHtml(spec.title)
  } over time">
${parts.join("\n")}
</svg>
</figure>`;
}

export function renderCharts(result: RunResult): string {
  const axis = timeAxis(result);
  const points = axis.points;
  if (points.length === 0) {
    return `<p class="empty">No time-series data was recorded.</p>`;
  }
  const generation = points.map((p) => p.generationRate);
  const rpsSeries: Series[] = [
    { label: "Requests/s", className: "s0", values: points.map((p) => p.requestsPerSecond) },
  ];
  if (generation.some((v) => v > 0)) {
    rpsSeries.push({
      label: "Generation rate",
      className: "s3",
      values: generation,
      dashed: true,
    });
  }
  const specs: ChartSpec[] = [
    {
      key: "rps",
      title: "Throughput (req/s)",
      series: rpsSeries,
      formatTick: tickNumber,
    },
    {
      key: "latency",
      title: "Latency",
      series: [
        { label: "P50", className: "s0", values: points.map((p) => p.latency.p50) },
        { label: "P95", className: "s1", values: points.map((p) => p.latency.p95) },
        { label: "P99", className: "s2", values: points.map((p) => p.latency.p99) },
      ],
      formatTick: (v) => formatDuration(v).replace(/\.0+(?=[a-zµ])/, ""),
    },
    {
      key: "vus",
      title: "Active VUs",
      series: [{ label: "VUs", className: "s3", values: points.map((p) => p.activeVUs) }],
      formatTick: tickNumber,
      integer: true,
    },
    {
      key: "errors",
      title: "Error rate (%)",
      series: [{
        label: "Error rate",
        className: "s2",
        values: points.map((p) => p.errorRate * 100),
      }],
      formatTick: (v) => `${Number(v.toFixed(2))}%`,
    },
  ];
  return `<div class="charts">\n${specs.map((s) => renderChart(s, axis)).join("\n")}\n</div>`;
}
