/**
 * Private helper of the live dashboard: the page's line charts, as a piece
 * of the page's one inline script (./script.ts). `drawChart` redraws an
 * `<svg>` from scratch each second: nice y ticks from 0, time ticks in
 * seconds from the run's start, one path per series. Built with DOM calls
 * only (no markup from strings), so no name or value can inject anything.
 *
 * @module
 */

/** The chart functions (`drawChart(svg, options)`), for the page's script. */
export const CHART_SCRIPT = `
  var SVG_NS = "http://www.w3.org/2000/svg";
  var CW = 640, CH = 220, ML = 58, MR = 14, MT = 12, MB = 26;
  var TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
  function svgEl(name, attrs, parent) {
    var e = document.createElementNS(SVG_NS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }
  function niceStep(max, count) {
    var raw = max / count, pow = Math.pow(10, Math.floor(Math.log10(raw)));
    var ms = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < ms.length; i++) if (ms[i] * pow >= raw) return ms[i] * pow;
    return 10 * pow;
  }
  function axisTime(s) {
    var m = Math.floor(s / 60), r = s % 60;
    if (m === 0) return s + "s";
    return r === 0 ? m + "m" : m + "m" + String(r).padStart(2, "0") + "s";
  }
  /**
   * options: t0, t1 (epoch ms of the x range), series: [{ cls, values: [[t, v]], dashed }],
   * format(v) for the y labels, integer (whole-number ticks).
   */
  function drawChart(svg, o) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.setAttribute("viewBox", "0 0 " + CW + " " + CH);
    var max = 0, any = false;
    o.series.forEach(function (s) {
      s.values.forEach(function (p) {
        any = true;
        if (p[1] > max) max = p[1];
      });
    });
    if (!any) {
      var note = svgEl("text", { x: CW / 2, y: CH / 2, "text-anchor": "middle", "class": "empty-note" }, svg);
      note.textContent = "waiting for the first complete second";
      return;
    }
    var step = niceStep(max > 0 ? max : 1, 4);
    if (o.integer) step = Math.max(1, Math.ceil(step));
    var top = step * Math.max(1, Math.ceil(max / step - 1e-9));
    var pw = CW - ML - MR, ph = CH - MT - MB, span = Math.max(1000, o.t1 - o.t0);
    function x(t) { return ML + (t - o.t0) / span * pw; }
    function y(v) { return MT + ph - v / top * ph; }
    for (var v = 0; v <= top + step / 2; v += step) {
      svgEl("line", { x1: ML, x2: CW - MR, y1: y(v), y2: y(v), "class": "grid" }, svg);
      var label = svgEl("text", { x: ML - 6, y: y(v) + 4, "text-anchor": "end", "class": "tick" }, svg);
      label.textContent = o.format(v);
    }
    var spanS = span / 1000, ts = TIME_STEPS[TIME_STEPS.length - 1];
    for (var i = 0; i < TIME_STEPS.length; i++) {
      if (spanS / TIME_STEPS[i] <= 8) { ts = TIME_STEPS[i]; break; }
    }
    for (var s = 0; s <= spanS + 1e-9; s += ts) {
      var tx = x(o.t0 + s * 1000);
      svgEl("line", { x1: tx, x2: tx, y1: MT + ph, y2: MT + ph + 4, "class": "axis" }, svg);
      var tl = svgEl("text", { x: tx, y: CH - 6, "text-anchor": "middle", "class": "tick" }, svg);
      tl.textContent = axisTime(s);
    }
    svgEl("line", { x1: ML, x2: CW - MR, y1: MT + ph, y2: MT + ph, "class": "axis" }, svg);
    o.series.forEach(function (ser) {
      if (!ser.values.length) return;
      var d = ser.values.map(function (p, j) {
        return (j ? "L" : "M") + x(p[0]).toFixed(1) + " " + y(p[1]).toFixed(1);
      }).join(" ");
      svgEl("path", { d: d, "class": "line " + ser.cls + (ser.dashed ? " dashed" : "") }, svg);
    });
  }
`;
