import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { type CdpPage, Chromium, findChromium, type PageLog } from "../_cdp.ts";
import {
  renderHtmlReport,
  RESULT_ELEMENT_ID,
  timeTicks,
  yScale,
} from "../../../examples/lunge/outputs/html/page.ts";
import type { RunResult } from "../../../examples/lunge/result.ts";
import {
  formatCount,
  formatPercent,
  formatRate,
} from "../../../examples/lunge/report/_report_format.ts";
import { buildRunResult, HOSTILE } from "../_report_fixture.ts";

/** The JSON embedded in a report, read back the way a tool would. */
function embeddedJson(html: string): unknown {
  const open = `<script type="application/json" id="${RESULT_ELEMENT_ID}">`;
  const start = html.indexOf(open);
  assert.ok(start >= 0, "the result JSON block is present");
  const end = html.indexOf("</script>", start);
  return JSON.parse(html.slice(start + open.length, end));
}

/** What the result looks like after a JSON round trip. */
function jsonCopy(result: RunResult): unknown {
  return JSON.parse(JSON.stringify(result));
}

Deno.test("renderHtmlReport embeds the result as re-readable JSON", () => {
  for (
    const result of [buildRunResult(), buildRunResult({ names: "hostile", error: HOSTILE.error })]
  ) {
    const html = renderHtmlReport(result);
    assert.deepEqual(embeddedJson(html), jsonCopy(result));
  }
});

Deno.test("renderHtmlReport: a pass with dropped iterations gets a warning badge and verdict", () => {
  const clean = renderHtmlReport(buildRunResult({ errors: false }));
  assert.ok(clean.includes(`<span id="badge" class="badge pass">PASS</span>`));
  assert.ok(clean.includes(`<section class="verdict good" id="verdict">PASSED</section>`));

  const result = buildRunResult({ arrival: true, errors: false });
  assert.equal(result.passed, true);
  const s = result.scenarios.main;
  const due = s.iterations + s.droppedIterations;
  const html = renderHtmlReport(result);
  assert.ok(html.includes(`<span id="badge" class="badge warn">PASS</span>`));
  assert.ok(
    html.includes(
      `<section class="verdict warn" id="verdict">PASSED with ${
        formatCount(s.droppedIterations)
      } dropped iterations (${
        Math.round(s.droppedIterations / due * 100)
      } %): latency excludes iterations that never started; raise --max-vus</section>`,
    ),
  );
});

Deno.test("renderHtmlReport: the generation rate is the run's, below the per-scenario table", () => {
  const html = renderHtmlReport(buildRunResult({ arrival: true }));
  assert.ok(
    html.includes("Generation rate (requests sent, all scenarios): 100.0 req/s."),
    "one run-wide figure, not beside a scenario's target",
  );
});

Deno.test("yScale: 12 % headroom, a nice step, a top on a whole step", () => {
  assert.deepEqual(yScale(0), { yMax: 1, step: 0.25 });
  assert.deepEqual(yScale(100), { yMax: 150, step: 50 }); // 112 -> step 50 -> 150
  assert.deepEqual(yScale(3, true), { yMax: 4, step: 1 }); // whole VUs
  assert.deepEqual(yScale(NaN), { yMax: 1, step: 0.25 });
  for (const max of [0.3, 7, 42, 999, 12_345]) {
    const { yMax, step } = yScale(max);
    assert.ok(yMax >= max * 1.12 && yMax / step <= 8, `${max}: ${yMax}/${step}`);
  }
});

Deno.test("timeTicks: at most 8 intervals, on round steps", () => {
  assert.deepEqual(timeTicks(20), [0, 5, 10, 15, 20]);
  assert.deepEqual(timeTicks(36_000), [0, 7200, 14400, 21600, 28800, 36000]);
  assert.deepEqual(timeTicks(200_000), [0, 1, 2, 3, 4, 5, 6, 7].map((i) => i * 25_200));
  assert.deepEqual(timeTicks(0), [0]);
});

Deno.test("renderHtmlReport references nothing outside the file", () => {
  const html = renderHtmlReport(buildRunResult({ arrival: true }));
  assert.ok(!/\b(?:src|href|srcset|action|poster|data)\s*=/i.test(html), "no URL attributes");
  assert.ok(!/url\(|@import|https?:|\/\/[a-z]/i.test(html), "no URLs in CSS or markup");
  assert.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/,
  );
  assert.ok(html.startsWith("<!DOCTYPE html>"));
});

Deno.test("renderHtmlReport escapes user strings", () => {
  const result = buildRunResult({ names: "hostile", error: `${HOSTILE.error} </script>` });
  const html = renderHtmlReport(result);
  for (const raw of [HOSTILE.name, HOSTILE.requestName, HOSTILE.description, "<i>main</i>"]) {
    assert.ok(!html.includes(raw), `unescaped: ${raw}`);
  }
  assert.ok(!html.includes("<b>bold</b>"), "error strings are escaped");
  assert.ok(html.includes("&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;"));
  // Exactly the report's three script elements, however hostile the data.
  assert.equal(html.match(/<script/g)?.length, 3);
  assert.equal(html.match(/<\/script>/g)?.length, 3);
});

Deno.test("renderHtmlReport without any requests still renders", () => {
  const html = renderHtmlReport(buildRunResult({ empty: true, error: "target unreachable" }));
  assert.ok(html.includes("No time-series data was recorded."));
  assert.ok(html.includes("target unreachable"));
  assert.ok(html.includes(`id="badge" class="badge fail">FAIL<`));
});

// ---------------------------------------------------------------------------
// In a real browser

const CHROMIUM = findChromium();
if (CHROMIUM === null) {
  console.warn(
    "html_report_test: no Chromium found (install Debian's `chromium`, or set CHROMIUM_PATH); " +
      "the browser test is IGNORED.",
  );
}

interface ChartInfo {
  key: string;
  width: number;
  height: number;
  lines: { length: number; width: number; height: number }[];
  dots: number;
  bands: number;
}

/** Measured in the page. */
const READ_CHARTS = `Array.from(document.querySelectorAll("svg.chart")).map((svg) => {
  const box = svg.getBoundingClientRect();
  return {
    key: svg.dataset.chart || "",
    width: box.width,
    height: box.height,
    lines: Array.from(svg.querySelectorAll("path.line")).map((p) => {
      const r = p.getBoundingClientRect();
      return { length: p.getTotalLength(), width: r.width, height: r.height };
    }),
    dots: svg.querySelectorAll("circle.dot").length,
    bands: svg.querySelectorAll("rect.band").length,
  };
})`;

/** `textContent` of every element matching `selector`. */
function texts(page: CdpPage, selector: string): Promise<string[]> {
  return page.evaluate(
    `Array.from(document.querySelectorAll(${JSON.stringify(selector)}), (e) => e.textContent)`,
  );
}

/** `textContent` of the first element matching `selector`, or null. */
function text(page: CdpPage, selector: string): Promise<string | null> {
  return page.evaluate(
    `document.querySelector(${JSON.stringify(selector)})?.textContent ?? null`,
  );
}

function count(page: CdpPage, selector: string): Promise<number> {
  return page.evaluate(`document.querySelectorAll(${JSON.stringify(selector)}).length`);
}

async function openReport(
  browser: Chromium,
  dir: string,
  file: string,
  result: RunResult,
): Promise<{ page: CdpPage; url: string }> {
  const path = `${dir}/${file}`;
  await Deno.writeTextFile(path, renderHtmlReport(result));
  const url = pathToFileURL(path).href;
  const page = await browser.newPage();
  await page.goto(url);
  return { page, url };
}

function assertClean(log: PageLog, url: string): void {
  assert.deepEqual(log.requests, [url], "the report loads nothing but itself");
  assert.deepEqual(log.failed, []);
  assert.deepEqual(log.errors, []);
  assert.deepEqual(log.dialogs, []);
}

Deno.test({
  name: "the HTML report renders in headless Chromium",
  ignore: CHROMIUM === null,
  async fn(t) {
    const out = await Deno.makeTempDir({ prefix: "lunge-report-" });
    // Screenshots go to LUNGE_SCREENSHOT_DIR when set (to look at), else are discarded.
    const shots = Deno.env.get("LUNGE_SCREENSHOT_DIR") ?? out;
    const browser = await Chromium.launch(CHROMIUM!);
    try {
      await t.step("a failing arrival-rate run: FAIL badge, charts, tables, themes", async () => {
        const result = buildRunResult({
          arrival: true,
          thresholds: { http_req_failed: ["rate < 0.001"] },
        });
        assert.equal(result.passed, false);
        const { page, url } = await openReport(browser, out, "failing.html", result);
        try {
          assert.equal(await text(page, "#badge"), "FAIL");
          assert.equal(
            await page.evaluate(`document.getElementById("badge").className`),
            "badge fail",
          );

          const charts = await page.evaluate<ChartInfo[]>(READ_CHARTS);
          assert.deepEqual(charts.map((c) => c.key), ["rps", "latency", "vus", "errors"]);
          const seriesCount: Record<string, number> = { rps: 2, latency: 3, vus: 1, errors: 1 };
          for (const c of charts) {
            assert.ok(c.width > 300 && c.height > 100, `${c.key} chart is ${c.width}x${c.height}`);
            assert.equal(c.lines.length, seriesCount[c.key], `${c.key} series`);
            for (const line of c.lines) {
              assert.ok(line.length > 100, `${c.key}: path length ${line.length}`);
              assert.ok(line.width > 100, `${c.key}: path width ${line.width}`);
            }
            assert.equal(c.dots, result.timeSeries.points.length * seriesCount[c.key]);
            assert.equal(c.bands, 3, `${c.key}: ramp-up, steady and ramp-down bands`);
          }

          assert.deepEqual(await texts(page, ".card-label"), [
            "Total Requests",
            "Throughput",
            "Error Rate",
            "P95 Latency",
            "Success Rate",
            "Data Transferred",
          ]);
          assert.equal(
            (await texts(page, ".card-value"))[0],
            formatCount(result.metrics.totalRequests),
          );
          assert.deepEqual(await texts(page, ".latency-grid span"), [
            "Min",
            "P50",
            "P90",
            "P95",
            "P99",
            "Max",
            "Avg", // the summary's label too: one rule (latencyRows) for both reports
            "StdDev",
          ]);
          assert.equal(
            await count(page, "#by-name tbody tr"),
            Object.keys(result.metrics.byName).length,
          );
          assert.equal(
            await count(page, "#errors tbody tr"),
            Object.keys(result.metrics.errorsByStatus).length +
              Object.keys(result.metrics.errorsByType).length,
          );
          assert.deepEqual(await texts(page, "#thresholds tbody td"), [
            "✗",
            "http_req_failed",
            "rate < 0.001",
            String(Number(result.metrics.errorRate.toFixed(4))),
          ]);
          const metadata = (await text(page, "#metadata")) ?? "";
          assert.ok(
            metadata.includes("Collectoratomic") && metadata.includes("Time unitms"),
            metadata,
          );
          // The verdict says the run failed and that iterations were dropped.
          const scenario = result.scenarios.main;
          assert.match(
            (await text(page, "#verdict")) ?? "",
            new RegExp(
              `^FAILED with ${formatCount(scenario.droppedIterations)} dropped iterations`,
            ),
          );
          // Scenarios: peak busy VUs and configured VUs in their own columns.
          assert.deepEqual(
            (await texts(page, "#scenarios table:first-of-type thead th")).slice(4, 6),
            [
              "Peak VUs",
              "Max VUs",
            ],
          );
          // The rate limiter, per scenario: completion is started / due, at most 100 %.
          assert.deepEqual(await texts(page, "#scenarios table.rate-limiter tbody td"), [
            "main",
            "100.0",
            formatRate(scenario.iterations / (result.duration / 1000)),
            formatPercent(scenario.iterations / scenario.plannedIterations),
            formatPercent(scenario.iterations / (scenario.iterations + scenario.droppedIterations)),
            formatCount(scenario.droppedIterations),
          ]);

          // The embedded JSON reads back in the page.
          const embedded = await page.evaluate(
            `JSON.parse(document.getElementById(${JSON.stringify(RESULT_ELEMENT_ID)}).textContent)`,
          );
          assert.deepEqual(embedded, jsonCopy(result));

          // Theme toggle: both ways, with visibly different backgrounds.
          const theme = () =>
            page.evaluate<[string | null, string]>(
              `[document.documentElement.getAttribute("data-theme"),
                getComputedStyle(document.body).backgroundColor]`,
            );
          const [, lightBg] = await theme();
          await page.screenshot(`${shots}/lunge_report_light.png`);
          const toggle = await page.center("#theme-toggle");
          await page.click(toggle.x, toggle.y);
          const [dark, darkBg] = await theme();
          assert.equal(dark, "dark");
          assert.notEqual(darkBg, lightBg);
          await page.screenshot(`${shots}/lunge_report_dark.png`);
          await page.click(toggle.x, toggle.y);
          assert.deepEqual(await theme(), ["light", lightBg]);

          // Hovering a chart shows the values of that second.
          const chart = await page.center('svg.chart[data-chart="latency"]');
          await page.mouseMove(chart.x, chart.y);
          const tipShown = `getComputedStyle(document.getElementById("chart-tip")).display`;
          assert.equal(await page.evaluate(tipShown), "block");
          assert.match((await text(page, "#chart-tip")) ?? "", /P50: .*P95: .*P99: /);
          assert.equal(
            await page.evaluate(
              `document.querySelector('svg.chart[data-chart="latency"] .hover-line').getAttribute("visibility")`,
            ),
            "visible",
          );
          await page.mouseMove(1, 1);
          assert.equal(await page.evaluate(tipShown), "none");

          assertClean(page.log, url);
        } finally {
          await page.close();
        }
      });

      await t.step("a passing run with hostile strings: PASS badge, nothing injected", async () => {
        const result = buildRunResult({ names: "hostile" });
        assert.equal(result.passed, true);
        const { page, url } = await openReport(browser, out, "passing.html", result);
        try {
          assert.equal(await text(page, "#badge"), "PASS");
          assert.equal(
            await page.evaluate(`document.getElementById("badge").className`),
            "badge pass",
          );
          assert.equal(await page.evaluate("document.title"), `${HOSTILE.name} - Lunge report`);
          assert.equal(await text(page, "#test-name"), HOSTILE.name);
          assert.equal(await count(page, "img"), 0);
          assert.equal(await count(page, "script"), 3);
          assert.equal(await count(page, "[onerror], [onload]"), 0);
          assert.deepEqual(await texts(page, "#by-name tbody tr td:first-child"), [
            HOSTILE.requestName,
            "home",
          ]);
          assert.ok((await texts(page, "#errors code")).includes(HOSTILE.error));
          const charts = await page.evaluate<ChartInfo[]>(READ_CHARTS);
          assert.equal(charts.length, 4);
          assert.ok(charts.every((c) => c.lines.length > 0 && c.width > 0 && c.height > 0));
          assertClean(page.log, url);
        } finally {
          await page.close();
        }
      });

      await t.step("a run with one point and a run without requests render cleanly", async () => {
        const one = buildRunResult({ seconds: 1, errors: false });
        assert.equal(one.timeSeries.points.length, 1);
        let opened = await openReport(browser, out, "one.html", one);
        try {
          const charts = await opened.page.evaluate<ChartInfo[]>(READ_CHARTS);
          assert.equal(charts.length, 4);
          // A single point is drawn as a dot, not a zero-length path.
          for (const c of charts) {
            assert.ok(c.dots > 0 && c.width > 0 && c.height > 0, JSON.stringify(c));
          }
          assertClean(opened.page.log, opened.url);
        } finally {
          await opened.page.close();
        }
        const empty = buildRunResult({ empty: true, error: "target unreachable" });
        opened = await openReport(browser, out, "empty.html", empty);
        try {
          assert.equal(await count(opened.page, "svg.chart"), 0);
          assert.equal(
            await text(opened.page, "#charts .empty"),
            "No time-series data was recorded.",
          );
          assert.equal(await text(opened.page, "#badge"), "FAIL");
          assert.match((await text(opened.page, "#run-error")) ?? "", /target unreachable/);
          assertClean(opened.page.log, opened.url);
        } finally {
          await opened.page.close();
        }
      });
    } finally {
      await browser.close();
      await Deno.remove(out, { recursive: true });
    }
  },
});
