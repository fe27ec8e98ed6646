/**
 * The live dashboard's one inline script (admitted by its hash in the page's
 * Content-Security-Policy). It listens to `/events` (Server-Sent Events):
 * `hello` (the run's name and plan), `tick` (one frame a second, see
 * ./_frame.ts), then `report` — the final HTML report, which the page
 * becomes (its scripts are admitted by their hashes too), with a line on
 * top to save it — or `end` when the run ended without a report. Every
 * figure is written with `textContent` or DOM calls, never as markup, and
 * carries its raw number in `data-value`.
 *
 * @module
 */
import { CHART_SCRIPT } from "./_chart_script.ts";

const MAIN_SCRIPT = `
  var root = document.documentElement;
  var button = document.getElementById("theme-toggle");
  function theme() {
    var t = root.getAttribute("data-theme");
    if (t === "dark" || t === "light") return t;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function label() { button.textContent = theme() === "dark" ? "Light theme" : "Dark theme"; }
  button.addEventListener("click", function () {
    var next = theme() === "dark" ? "light" : "dark";
    root.setAttribute("data-theme", next);
    try { localStorage.setItem("lunge-theme", next); } catch (e) { /* storage unavailable */ }
    label();
  });
  label();

  function $(id) { return document.getElementById(id); }
  function count(n) { return String(Math.round(n)).replace(/\\B(?=(\\d{3})+(?!\\d))/g, ","); }
  function rate(n) { var f = n.toFixed(1).split("."); return count(Number(f[0])) + "." + f[1]; }
  function pct(f) { return (f * 100).toFixed(2) + "%"; }
  function three(v) { var a = Math.abs(v); return a < 10 ? v.toFixed(2) : a < 100 ? v.toFixed(1) : v.toFixed(0); }
  function clock(v) {
    var t = Math.round(Math.max(0, v) / 1000), h = Math.floor(t / 3600), m = Math.floor(t % 3600 / 60), s = t % 60;
    function p(n) { return String(n).padStart(2, "0"); }
    return h ? h + "h" + p(m) + "m" + p(s) + "s" : m ? m + "m" + p(s) + "s" : s + "s";
  }
  function ms(v) {
    if (!isFinite(v)) return "-";
    if (v === 0) return "0ms";
    if (Math.abs(v) < 1) return three(v * 1000) + "\\u00b5s";
    if (Math.abs(v) < 1000) return three(v) + "ms";
    if (Math.abs(v) < 60000) return three(v / 1000) + "s";
    return clock(v);
  }

  var hello = null, points = {}, samples = [], ended = false, errors = 0;
  function card(id, value, text, detail) {
    var e = $(id);
    e.textContent = text;
    e.setAttribute("data-value", String(value));
    if (detail !== undefined) $(id + "-detail").textContent = detail;
  }
  /** rows: arrays of cells; a cell is text, or [text, className]. */
  function fill(id, rows, empty, columns) {
    var body = $(id);
    body.textContent = "";
    if (!rows.length) {
      var td = body.insertRow().insertCell();
      td.colSpan = columns;
      td.className = "none";
      td.textContent = empty;
      return;
    }
    rows.forEach(function (cells) {
      var tr = body.insertRow();
      cells.forEach(function (c, i) {
        var td = tr.insertCell();
        var pair = Array.isArray(c) ? c : [c, ""];
        td.textContent = pair[0];
        td.className = (i > 0 ? "num " : "") + pair[1];
      });
    });
  }
  function status(text, bad) {
    var e = $("status");
    e.textContent = text;
    e.className = bad ? "sub bad" : "sub";
  }

  function onHello(h) {
    hello = h;
    $("test-name").textContent = h.name;
    document.title = h.name + " - Lunge live";
    if (!h.startMs) status("Waiting for the run to start");
  }
  function render(f) {
    var planned = hello && hello.plannedMs;
    status("Running \\u00b7 " + clock(f.elapsedMs) + (planned ? " of " + clock(planned) : "") +
      " \\u00b7 updated every second");
    if (planned) $("progress-bar").style.width = Math.min(100, f.elapsedMs / planned * 100) + "%";
    var pts = Object.keys(points).map(Number).sort(function (a, b) { return a - b; })
      .map(function (t) { return points[t]; });
    var last = pts.length ? pts[pts.length - 1] : null;
    var dropped = f.scenarios.reduce(function (n, s) { return n + s.dropped; }, 0);
    card("total-requests", f.requests, count(f.requests), f.notSent ? count(f.notSent) + " not sent" : "sent and answered");
    card("rps", last ? last.requests : 0, rate(last ? last.requests : 0), "last second; " + rate(f.requestsPerSecond) + " average");
    card("error-rate", f.errorRate, pct(f.errorRate), count(f.failures) + " failed");
    card("p95", f.latency.p95, ms(f.latency.p95), "P99 " + ms(f.latency.p99));
    card("vus", f.activeVUs, count(f.activeVUs), "busy now");
    card("dropped", dropped, count(dropped), "iterations due with no VU free");

    var t0 = hello && hello.startMs ? hello.startMs : (pts.length ? pts[0].t : f.t);
    var t1 = Math.max(f.t, planned ? t0 + planned : f.t);
    // A second's figures are plotted at its middle, as the report does.
    function series(key) { return pts.map(function (p) { return [p.t + 500, p[key]]; }); }
    drawChart($("chart-rps"), { t0: t0, t1: t1, format: count, integer: true,
      series: [{ cls: "s0", values: series("requests") }, { cls: "s2", values: series("failures") }] });
    drawChart($("chart-latency"), { t0: t0, t1: t1, format: ms,
      series: [{ cls: "s0", values: series("p50") }, { cls: "s1", values: series("p95") },
        { cls: "s2", values: series("p99"), dashed: true }] });
    var prev = 0, drops = samples.map(function (s) { var d = s.dropped - prev; prev = s.dropped; return [s.t, d]; });
    drawChart($("chart-vus"), { t0: t0, t1: t1, format: count, integer: true,
      series: [{ cls: "s3", values: samples.map(function (s) { return [s.t, s.activeVUs]; }) },
        { cls: "s2", values: drops }] });

    fill("by-name-rows", Object.keys(f.byName).sort().map(function (n) {
      var l = f.byName[n];
      return [n, count(l.count), ms(l.p50), ms(l.p95), ms(l.p99), ms(l.max)];
    }), "no request yet", 6);
    var errs = Object.keys(f.errorsByType).map(function (k) { return [k, f.errorsByType[k]]; })
      .concat(Object.keys(f.errorsByStatus).map(function (k) { return ["HTTP " + k, f.errorsByStatus[k]]; }))
      .sort(function (a, b) { return b[1] - a[1]; });
    fill("errors-rows", errs.map(function (e) { return [e[0], count(e[1])]; }), "no errors", 2);
    fill("thresholds-rows", f.thresholds.map(function (t) {
      return [t.metric, t.expression, t.value, t.passed ? ["holds", "ok"] : ["fails now", "bad"]];
    }), "no thresholds in this test", 4);
    fill("scenarios-rows", f.scenarios.map(function (s) {
      return [s.name, count(s.iterations), count(s.dropped)];
    }), "no scenario", 3);
  }
  function onTick(f) {
    f.points.forEach(function (p) { points[p.t] = p; });
    f.samples.forEach(function (s) {
      if (!samples.length || s.t > samples[samples.length - 1].t) samples.push(s);
    });
    render(f);
  }
  function saveLine(d) {
    var bar = document.createElement("div");
    bar.id = "dashboard-final";
    bar.setAttribute("role", "status");
    bar.style.cssText = "padding:10px 28px;border-bottom:1px solid var(--border);background:var(--panel)";
    bar.appendChild(document.createTextNode("The run is over: this is its final report; the live dashboard has stopped. "));
    var a = document.createElement("a");
    a.id = "save-report";
    a.href = URL.createObjectURL(new Blob([d.html], { type: "text/html" }));
    a.download = d.fileName;
    a.textContent = "Save this report";
    bar.appendChild(a);
    if (d.htmlFile) bar.appendChild(document.createTextNode(" (also written to " + d.htmlFile + ")"));
    document.body.insertBefore(bar, document.body.firstChild);
  }
  function onReport(d) {
    ended = true;
    source.close();
    document.open();
    document.write(d.html);
    document.close();
    saveLine(d);
  }
  function onEnd(d) {
    ended = true;
    source.close();
    var b = $("badge");
    b.textContent = "ENDED";
    b.className = "badge ended";
    status(d.message, true);
  }

  var source = new EventSource("/events");
  function on(name, f) {
    source.addEventListener(name, function (ev) { errors = 0; f(JSON.parse(ev.data)); });
  }
  on("hello", onHello);
  on("tick", onTick);
  on("report", onReport);
  on("end", onEnd);
  source.addEventListener("error", function () {
    if (ended) return;
    errors++;
    // EventSource reconnects by itself; three failures in a row: lunge is gone.
    if (errors < 3 && source.readyState !== EventSource.CLOSED) {
      status("Connection lost: reconnecting", true);
      return;
    }
    ended = true;
    source.close();
    var b = $("badge");
    b.textContent = "OFFLINE";
    b.className = "badge ended";
    status("Disconnected: lunge stopped before sending its report", true);
  });
`;

/** The page's script: the charts' functions, then the main part, in one IIFE. */
export const DASHBOARD_SCRIPT: string = `
(function () {
  "use strict";
${CHART_SCRIPT}${MAIN_SCRIPT}})();
`;
