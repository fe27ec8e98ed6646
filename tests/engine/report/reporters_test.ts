import assert from "node:assert/strict";
import { createCollector, type MetricsSnapshot } from "@lunge/metrics";
import {
  bold,
  colorEnabled,
  dim,
  green,
  red,
  yellow,
} from "../../../examples/lunge/report/color.ts";
import {
  formatProgressLine,
  formatProgressPanel,
  ProgressReporter,
  type ProgressState,
} from "../../../examples/lunge/report/progress.ts";
import { renderSummary } from "../../../examples/lunge/report/summary.ts";
import {
  formatBytes,
  formatClock,
  formatCount,
  formatDuration,
  formatPercent,
  formatRate,
  stripAnsi,
  visibleWidth,
} from "../../../examples/lunge/report/_report_format.ts";
import { buildRunResult } from "../_report_fixture.ts";

const ESC = "\x1b[";
const YELLOW = "\x1b[33m";
const RED = "\x1b[31m";
const GREEN = "\x1b[32m";

/** A real snapshot with `total` requests of which `failed` got a 500. */
function snapshotWith(total: number, failed: number): MetricsSnapshot {
  const collector = createCollector("mutex", { flushIntervalMs: 0 });
  try {
    const now = Date.now();
    for (let i = 0; i < total; i++) {
      collector.recordRequest({
        startTime: now,
        duration: 1 + (i % 50),
        statusCode: i < failed ? 500 : 200,
        bytes: 10,
      });
    }
    collector.flush();
    return collector.getSnapshot();
  } finally {
    collector.close();
  }
}

function stateWith(
  snapshot: MetricsSnapshot,
  overrides: Partial<ProgressState> = {},
): ProgressState {
  return {
    name: "Checkout flow",
    executor: "ramping-vus",
    elapsedMs: 12_345,
    totalMs: 30_000,
    stageIndex: 1,
    stageCount: 3,
    phase: "steady",
    activeVUs: 10,
    maxVUs: 20,
    snapshot,
    ...overrides,
  };
}

/** Run `fn` with the given environment variables set (or removed), then restore them. */
function withEnv(vars: Record<string, string | undefined>, fn: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, Deno.env.get(k)]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  };
  apply(vars);
  try {
    fn();
  } finally {
    apply(saved);
  }
}

// ---------------------------------------------------------------------------
// color.ts

Deno.test("colorEnabled follows the terminal when neither variable is set", () => {
  withEnv({ NO_COLOR: undefined, FORCE_COLOR: undefined }, () => {
    assert.equal(colorEnabled(true), true);
    assert.equal(colorEnabled(false), false);
  });
});

Deno.test("colorEnabled: a non-empty NO_COLOR turns colour off, even with FORCE_COLOR", () => {
  withEnv({ NO_COLOR: "1", FORCE_COLOR: undefined }, () => {
    assert.equal(colorEnabled(true), false);
  });
  withEnv({ NO_COLOR: "1", FORCE_COLOR: "1" }, () => {
    assert.equal(colorEnabled(true), false);
  });
  withEnv({ NO_COLOR: "", FORCE_COLOR: undefined }, () => {
    assert.equal(colorEnabled(true), true, "an empty NO_COLOR counts as unset");
  });
});

Deno.test("colorEnabled: FORCE_COLOR forces colour on, and 0 forces it off", () => {
  withEnv({ NO_COLOR: undefined, FORCE_COLOR: "1" }, () => {
    assert.equal(colorEnabled(false), true);
  });
  withEnv({ NO_COLOR: undefined, FORCE_COLOR: "" }, () => {
    assert.equal(colorEnabled(false), true);
  });
  withEnv({ NO_COLOR: undefined, FORCE_COLOR: "0" }, () => {
    assert.equal(colorEnabled(true), false);
  });
});

Deno.test("colorEnabled never prompts or throws without env permission", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/probe.ts`;
    const colorUrl = new URL("../../../examples/lunge/report/color.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { colorEnabled } from ${JSON.stringify(colorUrl)};\n` +
        `console.log(JSON.stringify([colorEnabled(true), colorEnabled(false)]));\n`,
    );
    const run = async (permission: string[]) => {
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-prompt", "--no-config", "--no-lock", ...permission, script],
        cwd: dir,
        env: { NO_COLOR: "1", FORCE_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(stderr);
      assert.equal(code, 0, err);
      return JSON.parse(new TextDecoder().decode(stdout));
    };
    // No permission: both variables count as unset, so the TTY decides.
    assert.deepEqual(await run([]), [true, false]);
    // Only FORCE_COLOR readable: it forces colour.
    assert.deepEqual(await run(["--allow-env=FORCE_COLOR"]), [true, true]);
    // NO_COLOR readable: it wins.
    assert.deepEqual(await run(["--allow-env=NO_COLOR,FORCE_COLOR"]), [false, false]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ANSI helpers wrap text only when colour is on", () => {
  for (const [fn, open] of [[green, 32], [yellow, 33], [red, 31], [bold, 1], [dim, 2]] as const) {
    assert.equal(fn("x", false), "x");
    const on = fn("x", true);
    assert.ok(on.startsWith(`${ESC}${open}m`), JSON.stringify(on));
    assert.equal(stripAnsi(on), "x");
  }
});

// ---------------------------------------------------------------------------
// _report_format.ts

Deno.test("formatting helpers pick readable units", () => {
  assert.equal(formatDuration(0), "0ms");
  assert.equal(formatDuration(0.0123), "12.3µs");
  assert.equal(formatDuration(0.5), "500µs");
  assert.equal(formatDuration(0.9999), "1.00ms");
  assert.equal(formatDuration(12.345), "12.3ms");
  assert.equal(formatDuration(999.9), "1.00s");
  assert.equal(formatDuration(1500), "1.50s");
  assert.equal(formatDuration(59_999), "1m00s");
  assert.equal(formatDuration(125_000), "2m05s");
  assert.equal(formatDuration(3_723_000), "1h02m03s");
  assert.equal(formatClock(12_345), "12s");
  assert.equal(formatCount(1234567), "1,234,567");
  assert.equal(formatCount(999), "999");
  assert.equal(formatPercent(0.0123), "1.23%");
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(1536), "1.50 KiB");
  assert.equal(formatBytes(5 * 1024 ** 3), "5.00 GiB");
});

// ---------------------------------------------------------------------------
// progress.ts

Deno.test("formatProgressLine has Lunge's non-TTY layout", () => {
  const snapshot = snapshotWith(200, 3);
  const line = formatProgressLine(stateWith(snapshot), false);
  const match =
    /^\[12s\] Progress: 41% \| VUs: 10 \| Reqs: 200 \| RPS: ([\d,]+\.\d) \| Errors: 3 \(1\.50%\) \| P95: (\S+)$/
      .exec(line);
  assert.ok(match, line);
  assert.equal(match[1], formatRate1(snapshot.requestsPerSecond));
  assert.equal(match[2], formatDuration(snapshot.latency.p95));
  assert.ok(!line.includes(ESC), "no ANSI codes without colour");
});

function formatRate1(x: number): string {
  return formatCount(Math.trunc(x)) + "." + x.toFixed(1).split(".")[1];
}

Deno.test("formatProgressLine colours errors yellow above 1 % and red above 5 %", () => {
  const low = formatProgressLine(stateWith(snapshotWith(200, 2)), true); // 1 %
  assert.ok(!low.includes(ESC), low);
  const mid = formatProgressLine(stateWith(snapshotWith(200, 3)), true); // 1.5 %
  assert.ok(mid.includes(`${YELLOW}3 (1.50%)`), mid);
  const high = formatProgressLine(stateWith(snapshotWith(200, 11)), true); // 5.5 %
  assert.ok(high.includes(`${RED}11 (5.50%)`), high);
  const total0 = formatProgressLine(stateWith(snapshotWith(0, 0), { totalMs: 0 }), false);
  assert.ok(total0.includes("Progress: 0%"), total0);
  const over = formatProgressLine(stateWith(snapshotWith(1, 0), { elapsedMs: 40_000 }), false);
  assert.ok(over.startsWith("[40s] Progress: 100% |"), over);
});

Deno.test("formatProgressPanel draws the bar, a 1-based stage and the box", () => {
  const snapshot = snapshotWith(200, 3);
  const panel = formatProgressPanel(stateWith(snapshot), false);
  const lines = panel.split("\n");
  assert.equal(lines.length, 6, panel);
  const bar = /^\[([█░]+)\] 41% {2}12s \/ 30s$/.exec(lines[0]);
  assert.ok(bar, lines[0]);
  assert.equal([...bar[1]].length, 40);
  assert.equal([...bar[1]].filter((c) => c === "█").length, 16); // round(0.4115 * 40)
  assert.equal(lines[1], "Stage: steady (2/3)");
  const box = lines.slice(2);
  const width = visibleWidth(box[0]);
  for (const l of box) assert.equal(visibleWidth(l), width, `ragged box:\n${panel}`);
  assert.ok(box[0].startsWith("┌") && box[3].startsWith("└"), panel);
  const labels = box[1].split("│").map((c) => c.trim()).filter(Boolean);
  assert.deepEqual(labels, ["VUs", "Requests", "RPS", "Errors", "P95", "Avg"]);
  const values = box[2].split("│").map((c) => c.trim()).filter(Boolean);
  assert.deepEqual(values, [
    "10/20",
    "200",
    formatRate1(snapshot.requestsPerSecond),
    "3 (1.50%)",
    formatDuration(snapshot.latency.p95),
    formatDuration(snapshot.latency.mean),
  ]);
  // The first stage is 1, not Lunge's 0; no stages: no counter.
  assert.equal(
    formatProgressPanel(stateWith(snapshot, { stageIndex: 0 }), false).split("\n")[1],
    "Stage: steady (1/3)",
  );
  assert.equal(
    formatProgressPanel(stateWith(snapshot, { stageCount: 0, phase: "warmup" }), false).split(
      "\n",
    )[1],
    "Stage: warmup",
  );
});

Deno.test("formatProgressPanel colours keep the box aligned", () => {
  const snapshot = snapshotWith(100, 6);
  const plain = formatProgressPanel(stateWith(snapshot), false);
  const colored = formatProgressPanel(stateWith(snapshot), true);
  assert.ok(colored.includes(`${RED}6 (6.00%)`), colored);
  assert.ok(colored.includes(GREEN), "the bar is green");
  assert.deepEqual(
    stripAnsi(colored).split("\n").slice(2).map(visibleWidth),
    plain.split("\n").slice(2).map(visibleWidth),
  );
});

Deno.test("ProgressReporter appends lines without a TTY", () => {
  const out: string[] = [];
  const reporter = new ProgressReporter({ tty: false, color: false, write: (s) => out.push(s) });
  const snapshot = snapshotWith(10, 0);
  reporter.update(stateWith(snapshot, { elapsedMs: 1000 }));
  reporter.update(stateWith(snapshot, { elapsedMs: 2000 }));
  reporter.finish();
  reporter.update(stateWith(snapshot, { elapsedMs: 3000 })); // ignored after finish
  const text = out.join("");
  assert.ok(!text.includes(ESC), "no escape sequences without a TTY");
  const lines = text.split("\n");
  assert.equal(lines[0], "━".repeat(56));
  assert.equal(lines[1], "Checkout flow - Running [ramping-vus]");
  const progress = lines.filter((l) => l.includes("Progress:"));
  assert.equal(progress.length, 2, text);
  assert.ok(progress[0].startsWith("[1s] Progress: 3% |"), progress[0]);
  assert.ok(progress[1].startsWith("[2s] Progress: 6% |"), progress[1]);
  assert.equal(text.split("Running [").length, 2, "the header is written once");
});

Deno.test("ProgressReporter redraws in place on a TTY", () => {
  const out: string[] = [];
  const reporter = new ProgressReporter({ tty: true, color: true, write: (s) => out.push(s) });
  const snapshot = snapshotWith(10, 0);
  reporter.update(stateWith(snapshot, { elapsedMs: 1000 }));
  reporter.update(stateWith(snapshot, { elapsedMs: 2000 }));
  reporter.finish();
  assert.equal(out.length, 3);
  assert.ok(out[0].includes("Running [ramping-vus]"), "header first");
  assert.ok(!out[0].includes(`${ESC}6A`), "no cursor-up before the first panel");
  assert.ok(out[1].startsWith(`${ESC}6A\r`), JSON.stringify(out[1].slice(0, 10)));
  assert.ok(!out[1].includes("Running ["), "the header is not redrawn");
  const redrawn = out[1].split(`${ESC}2K`).slice(1);
  assert.equal(redrawn.length, 6, "each panel line is cleared and rewritten");
  assert.ok(stripAnsi(redrawn[0]).includes("2s / 30s"), redrawn[0]);
  assert.equal(out[2], "\n");
});

// ---------------------------------------------------------------------------
// summary.ts

Deno.test("renderSummary quiet mode prints only PASSED or FAILED", () => {
  const pass = buildRunResult({ errors: false });
  const fail = buildRunResult({ thresholds: { http_req_duration: ["max < 1"] } });
  assert.equal(pass.passed, true);
  assert.equal(fail.passed, false);
  assert.equal(renderSummary(pass, { color: false, quiet: true }), "PASSED");
  assert.equal(renderSummary(fail, { color: false, quiet: true }), "FAILED");
  assert.equal(renderSummary(pass, { color: true, quiet: true }), `${GREEN}PASSED\x1b[39m`);
  assert.equal(renderSummary(fail, { color: true, quiet: true }), `${RED}FAILED\x1b[39m`);
});

Deno.test("renderSummary shows the headline figures and the latency distribution", () => {
  const result = buildRunResult({ errors: false });
  const m = result.metrics;
  const text = renderSummary(result, { color: false, quiet: false });
  assert.ok(!text.includes(ESC));
  const lines = text.split("\n");
  assert.equal(lines[0], "━".repeat(56));
  assert.equal(lines[1], "Checkout flow - Completed ✓");
  const field = (label: string) => lines.find((l) => l.trimStart().startsWith(`${label}:`));
  assert.equal(field("Duration")?.split(":")[1].trim(), "20.0s");
  assert.ok(m.totalRequests >= 1000, "the fixture is large enough to group digits");
  assert.equal(field("Total Reqs")?.split(":")[1].trim(), formatCount(m.totalRequests));
  assert.match(field("Total Reqs") ?? "", /\d,\d{3}$/);
  assert.match(field("Success Rate") ?? "", /100\.00% \([\d,]+ ok, 0 failed\)$/);
  assert.ok(field("Throughput")?.endsWith(" req/s"));
  assert.ok(field("Data Transferred")?.includes(`${formatBytes(m.totalBytes)} received (`));
  const start = lines.indexOf("Latency Distribution");
  assert.ok(start > 0, text);
  const dist = lines.slice(start + 1, start + 9).map((l) => l.trim().split(/\s+/));
  assert.deepEqual(dist, [
    ["Min", formatDuration(m.latency.min)],
    ["P50", formatDuration(m.latency.p50)],
    ["P90", formatDuration(m.latency.p90)],
    ["P95", formatDuration(m.latency.p95)],
    ["P99", formatDuration(m.latency.p99)],
    ["Max", formatDuration(m.latency.max)],
    ["Avg", formatDuration(m.latency.mean)],
    ["StdDev", formatDuration(m.latency.stdDev)],
  ]);
  // Per-name table, one row per name.
  const names = lines.indexOf("Requests by Name");
  assert.ok(names > 0);
  assert.deepEqual(
    lines.slice(names + 2, names + 5).map((l) => l.trim().split(/\s+/).slice(0, 2)),
    ["checkout", "home", "search"].map((n) => [n, formatCount(m.byName[n].count)]),
  );
  assert.ok(!text.includes("Errors\n"), "no error section without errors");
  assert.ok(!text.includes("Rate Limiter"), "no rate-limiter block for VU executors");
  assert.ok(!text.includes("Scenarios"), "scenarios only when verbose");
});

Deno.test("renderSummary: success rate yellow below 99 %, red below 95 %", () => {
  const rate = (r: ReturnType<typeof buildRunResult>) =>
    renderSummary(r, { color: true, quiet: false }).split("\n").find((l) =>
      l.includes("Success Rate:")
    ) ?? "";
  const green99 = buildRunResult({ errors: false });
  assert.ok(rate(green99).includes(`${GREEN}100.00%`), rate(green99));
  const yellow98 = buildRunResult({ errors: true });
  const s98 = yellow98.metrics.successfulRequests / yellow98.metrics.totalRequests;
  assert.ok(s98 < 0.99 && s98 >= 0.95, `fixture success rate ${s98}`);
  assert.ok(rate(yellow98).includes(`${YELLOW}${formatPercent(s98)}`), rate(yellow98));
  const red90 = buildRunResult({ errors: true, extraFailures: 200 });
  const s90 = red90.metrics.successfulRequests / red90.metrics.totalRequests;
  assert.ok(s90 < 0.95, `fixture success rate ${s90}`);
  assert.ok(rate(red90).includes(`${RED}${formatPercent(s90)}`), rate(red90));
});

Deno.test("renderSummary breaks errors down by status and by type", () => {
  const result = buildRunResult({ errors: true, extraFailures: 5 });
  const m = result.metrics;
  const text = renderSummary(result, { color: false, quiet: false });
  const lines = text.split("\n");
  const start = lines.indexOf("Errors");
  assert.ok(start > 0, text);
  const section = lines.slice(start + 1, lines.indexOf("", start + 1));
  const rows = (header: string) => {
    const i = section.findIndex((l) => l.trim().startsWith(header));
    const out: Record<string, number> = {};
    for (const l of section.slice(i + 1)) {
      const m = /^ {2}(.+?)\s+([\d,]+)\s+[\d.]+%$/.exec(l);
      if (!m) break;
      out[m[1]] = Number(m[2].replaceAll(",", ""));
    }
    return out;
  };
  assert.deepEqual(rows("By Status"), m.errorsByStatus);
  assert.deepEqual(rows("By Type"), m.errorsByType);
  assert.ok("502" in m.errorsByStatus && "timeout" in m.errorsByType, "fixture has both kinds");
});

Deno.test("renderSummary shows the rate-limiter block for arrival-rate scenarios", () => {
  const result = buildRunResult({ arrival: true });
  const scenario = result.scenarios.main;
  const lines = renderSummary(result, { color: false, quiet: false }).split("\n");
  const start = lines.indexOf("Rate Limiter (main)");
  assert.ok(start > 0, lines.join("\n"));
  const block = Object.fromEntries(
    lines.slice(start + 1, start + 7).map((l) => l.trim().split(/:\s+/) as [string, string]),
  );
  assert.deepEqual(Object.keys(block), [
    "Target RPS",
    "Actual RPS",
    "Efficiency",
    "Completion Rate",
    "Dropped Iterations",
    "Generation Rate",
  ]);
  // The limiter paces iterations: 100/s were due; the fixture started fewer and dropped the rest.
  const seconds = result.duration / 1000;
  const due = scenario.iterations + scenario.droppedIterations;
  assert.equal(due, 100 * seconds);
  assert.ok(scenario.droppedIterations > 0);
  assert.equal(block["Target RPS"], "100.0");
  assert.equal(block["Actual RPS"], formatRate(scenario.iterations / seconds));
  assert.equal(block["Efficiency"], formatPercent(scenario.iterations / (100 * seconds)));
  // A share of the due iterations, never above 100 %.
  assert.equal(block["Completion Rate"], formatPercent(scenario.iterations / due));
  assert.ok(scenario.iterations / due <= 1);
  assert.equal(block["Dropped Iterations"], formatCount(scenario.droppedIterations));
  assert.equal(block["Generation Rate"], "100.0 req/s (requests sent, all scenarios)");
});

Deno.test("renderSummary rate limiter per scenario, beside a VU scenario, with a ramping target", () => {
  const base = buildRunResult({ arrival: true });
  const result = {
    ...base,
    scenarios: {
      browse: {
        executor: "constant-vus",
        iterations: 5000,
        droppedIterations: 0,
        maxVUs: 8,
        configuredVUs: 10,
        targetRate: 0,
        plannedIterations: 0,
      },
      api: {
        ...base.scenarios.main,
        executor: "ramping-arrival-rate",
        iterations: 1000,
        droppedIterations: 0,
        plannedIterations: 1000, // a ramp to 100/s averaging 50/s over 20 s
      },
      orders: {
        ...base.scenarios.main,
        executor: "constant-arrival-rate",
        targetRate: 20,
        iterations: 300,
        droppedIterations: 100,
        plannedIterations: 400,
      },
    },
  };
  const lines = renderSummary(result, { color: false, quiet: false }).split("\n");
  const start = lines.indexOf("Rate Limiter (api, orders)");
  assert.ok(start > 0, lines.join("\n"));
  const block = lines.slice(start + 1, start + 14).map((l) => l.trim());
  assert.deepEqual(block, [
    "api:",
    "Target RPS:         50.0 (mean; peak 100.0)",
    "Actual RPS:         50.0", // 1000 iterations in 20 s; the VU scenario does not count
    "Efficiency:         100.00%",
    "Completion Rate:    100.00%",
    "Dropped Iterations: 0",
    "orders:",
    "Target RPS:         20.0", // its own target, not the sum of every scenario's
    "Actual RPS:         15.0",
    "Efficiency:         75.00%",
    "Completion Rate:    75.00%", // 300 of 400 due
    "Dropped Iterations: 100",
    "Generation Rate:    100.0 req/s (requests sent, all scenarios)",
  ]);
});

Deno.test("renderSummary lists thresholds and the run error", () => {
  const result = buildRunResult({
    thresholds: { http_req_duration: ["p95 < 10s", "max < 1ms"], http_reqs: ["count > 10"] },
    error: "scenario main: connection refused to <target>",
  });
  const text = renderSummary(result, { color: false, quiet: false });
  const lines = text.split("\n");
  assert.equal(lines[1], "Checkout flow - Failed ✗");
  const start = lines.indexOf("Thresholds");
  assert.deepEqual(lines.slice(start + 1, start + 4).map((l) => l.trim()), [
    `✓ http_req_duration ${result.thresholds[0].message}`,
    `✗ http_req_duration ${result.thresholds[1].message}`,
    `✓ http_reqs ${result.thresholds[2].message}`,
  ]);
  assert.match(lines[start + 2], /^ {2}✗ http_req_duration max < 1ms \(actual: [\d.]+ms\)$/);
  assert.equal(lines.at(-1), "Error: scenario main: connection refused to <target>");
  const colored = renderSummary(result, { color: true, quiet: false });
  assert.ok(colored.includes(`${RED}✗\x1b[39m http_req_duration max < 1ms`));
  assert.ok(colored.includes(`${GREEN}✓\x1b[39m http_req_duration p95 < 10s`));
  assert.ok(colored.includes(`${RED}Failed ✗`));
  assert.equal(stripAnsi(colored), text, "colour changes nothing but the escape codes");
});

Deno.test("renderSummary verbose adds scenarios, status codes and run details", () => {
  const result = buildRunResult({ kind: "mutex" });
  const text = renderSummary(result, { color: false, quiet: false, verbose: true });
  for (const heading of ["Scenarios", "Status Codes", "Run"]) {
    assert.ok(text.split("\n").includes(heading), `missing ${heading}`);
  }
  assert.match(text, /^ {2}P99\.9 +\S+$/m);
  assert.match(text, /^ {2}Collector: +mutex$/m);
  // Peak VUs (busy at once) and Max VUs (configured), side by side.
  assert.match(
    text,
    /^ {2}Scenario +Executor +Iterations +Dropped +Peak VUs +Max VUs +Target Rate$/m,
  );
  assert.match(text, /^ {2}main +ramping-vus +[\d,]+ +0 +20 +20 +-$/m);
  assert.match(
    text,
    new RegExp(`^ {2}200 +${formatCount(result.metrics.statusCodes["200"])}$`, "m"),
  );
});

Deno.test("renderSummary handles a run without requests", () => {
  const result = buildRunResult({ empty: true, error: "target unreachable" });
  const text = renderSummary(result, { color: false, quiet: false });
  assert.match(text, /Total Reqs: +0$/m);
  assert.match(text, /Success Rate: +- \(no requests\)/);
  assert.ok(text.includes("  (no samples)"));
  assert.ok(text.endsWith("Error: target unreachable"));
});

Deno.test("renderSummary: a pass with dropped iterations says so, in warning colour, -q too", () => {
  const result = buildRunResult({ arrival: true, errors: false });
  assert.equal(result.passed, true);
  const s = result.scenarios.main;
  const due = s.iterations + s.droppedIterations;
  assert.ok(s.droppedIterations > 0 && due === 2000);
  const verdict = `PASSED with ${formatCount(s.droppedIterations)} dropped iterations (${
    Math.round(s.droppedIterations / due * 100)
  } %): latency excludes iterations that never started; raise --max-vus`;
  assert.equal(renderSummary(result, { color: false, quiet: true }), verdict);
  assert.equal(renderSummary(result, { color: true, quiet: true }), `${YELLOW}${verdict}\x1b[39m`);
  const lines = renderSummary(result, { color: false, quiet: false }).split("\n");
  assert.equal(lines[1], `Checkout flow - ${verdict}`);
  const colored = renderSummary(result, { color: true, quiet: false }).split("\n");
  assert.ok(colored[1].endsWith(`${YELLOW}${verdict}\x1b[39m`), colored[1]);
});

Deno.test("renderSummary: a failure with dropped iterations says FAILED with them, in red", () => {
  const result = buildRunResult({
    arrival: true,
    errors: false,
    thresholds: { dropped_iterations: ["count < 1"] },
  });
  // The fixture evaluates thresholds on the snapshot alone: fail it the way the engine would.
  const failed = { ...result, passed: false };
  const text = renderSummary(failed, { color: true, quiet: true });
  assert.ok(text.startsWith(`${RED}FAILED with `), text);
  assert.ok(stripAnsi(text).includes("dropped iterations"));
});

Deno.test("formatBytes prints whole bytes below 1 KiB (a rate is no longer 976.469… B)", () => {
  assert.equal(formatBytes(976.4695099601669), "976 B");
  assert.equal(formatBytes(0.4), "0 B");
  assert.equal(formatBytes(1023.6), "1.00 KiB");
  const result = buildRunResult({ errors: false });
  const lines = renderSummary(
    { ...result, duration: result.metrics.totalBytes / 976.4695099601669 * 1000 },
    { color: false, quiet: false },
  ).split("\n");
  const data = lines.find((l) => l.trimStart().startsWith("Data Transferred:")) ?? "";
  assert.match(data, /\(976 B\/s\)$/);
});
