/**
 * The HTML report's two scripts, inline and admitted by their hashes in the
 * page's Content-Security-Policy: the theme applied before first paint, and
 * the theme toggle and chart tooltips.
 *
 * @module
 */
import { RESULT_ELEMENT_ID } from "./_html.ts";

/** Runs in <head>: apply a remembered theme before first paint. */
export const THEME_SCRIPT = `try{var t=localStorage.getItem("lunge-theme");` +
  `if(t==="dark"||t==="light")document.documentElement.setAttribute("data-theme",t);}catch(e){}`;

/**
 * Runs at the end of <body>: the theme toggle and chart tooltips. It is one
 * function past 80 lines on purpose: the page's only body script, admitted by
 * its hash in the Content-Security-Policy, written as one self-contained IIFE
 * of small inner functions.
 */
export const PAGE_SCRIPT = `
(function () {
  "use strict";
  var root = document.documentElement;
  var button = document.getElementById("theme-toggle");
  function theme() {
    var t = root.getAttribute("data-theme");
    if (t === "dark" || t === "light") return t;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function label() {
    button.textContent = theme() === "dark" ? "Light theme" : "Dark theme";
  }
  button.addEventListener("click", function () {
    var next = theme() === "dark" ? "light" : "dark";
    root.setAttribute("data-theme", next);
    try { localStorage.setItem("lunge-theme", next); } catch (e) { /* storage unavailable */ }
    label();
  });
  label();

  var result;
  try {
    result = JSON.parse(document.getElementById("${RESULT_ELEMENT_ID}").textContent);
  } catch (e) {
    return;
  }
  var points = result.timeSeries.points;
  var interval = result.timeSeries.interval || 1000;
  if (!points.length) return;
  function ms(v) {
    if (v < 1) return (v * 1000).toFixed(0) + "\\u00b5s";
    if (v < 1000) return (v < 10 ? v.toFixed(2) : v.toFixed(1)) + "ms";
    return (v / 1000).toFixed(2) + "s";
  }
  var rows = {
    rps: function (p) {
      var r = [["Requests/s", p.requestsPerSecond.toFixed(1)]];
      if (p.generationRate > 0) r.push(["Generation rate", p.generationRate.toFixed(1)]);
      return r;
    },
    latency: function (p) {
      return [["P50", ms(p.latency.p50)], ["P95", ms(p.latency.p95)], ["P99", ms(p.latency.p99)]];
    },
    vus: function (p) { return [["VUs", String(p.activeVUs)]]; },
    errors: function (p) {
      return [["Error rate", (p.errorRate * 100).toFixed(2) + "%"], ["Failures", String(p.failures)]];
    }
  };
  var tip = document.getElementById("chart-tip");
  function clock(msValue) {
    var s = Math.round(msValue / 1000), m = Math.floor(s / 60);
    return m > 0 ? m + "m" + String(s % 60).padStart(2, "0") + "s" : s + "s";
  }
  Array.prototype.forEach.call(document.querySelectorAll("svg.chart"), function (svg) {
    var line = svg.querySelector(".hover-line");
    var t0 = Number(svg.getAttribute("data-t0")), t1 = Number(svg.getAttribute("data-t1"));
    var left = Number(svg.getAttribute("data-left")), width = Number(svg.getAttribute("data-width"));
    var key = svg.getAttribute("data-chart");
    svg.addEventListener("pointermove", function (ev) {
      var ctm = svg.getScreenCTM();
      if (!ctm) return;
      var pt = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(ctm.inverse());
      var t = t0 + ((pt.x - left) / width) * (t1 - t0);
      var i = Math.round((t - interval / 2 - points[0].timestamp) / interval);
      i = Math.max(0, Math.min(points.length - 1, i));
      var p = points[i];
      var x = left + ((p.timestamp + interval / 2 - t0) / (t1 - t0)) * width;
      line.setAttribute("x1", String(x));
      line.setAttribute("x2", String(x));
      line.setAttribute("visibility", "visible");
      tip.textContent = "";
      var head = document.createElement("div");
      head.style.fontWeight = "600";
      head.textContent = clock(p.timestamp - t0) + " \\u00b7 " + p.phase;
      tip.appendChild(head);
      (rows[key] ? rows[key](p) : []).forEach(function (r) {
        var d = document.createElement("div");
        d.textContent = r[0] + ": " + r[1];
        tip.appendChild(d);
      });
      tip.style.display = "block";
      var x0 = ev.clientX + 14, y0 = ev.clientY + 14;
      if (x0 + tip.offsetWidth > window.innerWidth) x0 = ev.clientX - tip.offsetWidth - 14;
      tip.style.left = x0 + "px";
      tip.style.top = y0 + "px";
    });
    svg.addEventListener("pointerleave", function () {
      line.setAttribute("visibility", "hidden");
      tip.style.display = "none";
    });
  });
})();
`;
