import assert from "node:assert/strict";
import { createCollector, type MetricsSnapshot, type TimeSeriesData } from "@lunge/metrics";
import { type ScenarioSpec, validateConfig } from "../../../examples/lunge/config/config.ts";
import { parseThresholds } from "../../../examples/lunge/verdict/thresholds.ts";
import { LagHistogram } from "../../../examples/lunge/run/_lag_histogram.ts";
import {
  type AssembleInput,
  assembleResult,
  closePhases,
  runError,
  sumCounters,
  type WorkerReport,
} from "../../../examples/lunge/run/_assemble.ts";

/** Epoch ms, a whole second, recent enough for the collector's clock window. */
const T0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;

function scenarios(): ScenarioSpec[] {
  return validateConfig({
    scenarios: {
      vus: { executor: "constant-vus", vus: 4, duration: "10s", requests: [{ url: "http://h/" }] },
      open: {
        executor: "constant-arrival-rate",
        rate: 100,
        duration: "10s",
        preAllocatedVUs: 5,
        maxVUs: 10,
        requests: [{ url: "http://h/" }],
      },
    },
  }).scenarios;
}

/** A snapshot with `ok` 200s and `none` status-0 timeouts. */
function figures(ok: number, none: number): { snapshot: MetricsSnapshot; series: TimeSeriesData } {
  const c = createCollector("atomic");
  try {
    for (let i = 0; i < ok; i++) {
      c.recordRequest({ startTime: T0 + 100 + i, duration: 5, statusCode: 200, bytes: 10 });
    }
    for (let i = 0; i < none; i++) {
      c.recordRequest({
        startTime: T0 + 1_100 + i,
        duration: 5,
        statusCode: 0,
        bytes: 0,
        error: "timeout",
      });
    }
    c.flush();
    return { snapshot: c.getSnapshot(), series: c.getTimeSeries() };
  } finally {
    c.close();
  }
}

function lagState(...lags: number[]) {
  const h = new LagHistogram();
  for (const l of lags) h.record(l);
  return h.toJSON();
}

function workers(): WorkerReport[] {
  return [
    {
      done: true,
      counters: {
        requests: 30,
        activeVUs: 3,
        iterations: [10, 20],
        dropped: [0, 1],
        peakVUs: [2, 3],
        retries: 2,
        notSent: [{ "missing variable id": { use: 2 } }, {}],
      },
      lags: [null, lagState(1, 2)],
    },
    {
      done: false,
      counters: {
        requests: 12,
        activeVUs: 2,
        iterations: [5, 7],
        dropped: [0, 2],
        peakVUs: [2, 4],
        retries: 1,
        notSent: [{ "missing variable id": { use: 1 }, "dns error": { other: 4 } }, {}],
      },
      lags: [null, lagState(8)],
    },
    { done: false }, // never reported
  ];
}

function input(overrides: Partial<AssembleInput> = {}): AssembleInput {
  const { snapshot, series } = figures(40, 0);
  return {
    name: "t",
    description: "d",
    scenarios: scenarios(),
    thresholds: [],
    collector: "atomic",
    workers: workers(),
    snapshot,
    series,
    samples: [],
    phases: [{ timestamp: T0 - 50, phase: "init" }, { timestamp: T0, phase: "steady" }, {
      timestamp: T0 + 10_000,
      phase: "cooldown",
    }],
    startedAt: T0 - 50,
    scheduleStart: T0,
    endedAt: T0 + 10_500,
    interrupted: false,
    error: null,
    ...overrides,
  };
}

Deno.test("sumCounters adds every worker's counters; finished workers have no active VUs", () => {
  const s = sumCounters(workers(), 2);
  assert.deepEqual(s, {
    requests: 42,
    activeVUs: 2,
    iterations: [15, 27],
    dropped: [0, 3],
    peakVUs: [4, 7],
    retries: 3,
    notSent: [{ "missing variable id": { use: 3 }, "dns error": { other: 4 } }, {}],
  });
});

Deno.test("assembleResult: scenarios from summed counters, send lag merged for arrival rate", () => {
  const r = assembleResult(input());
  assert.deepEqual(Object.keys(r.scenarios), ["vus", "open"]);
  assert.deepEqual(
    { ...r.scenarios.vus },
    {
      executor: "constant-vus",
      iterations: 15,
      droppedIterations: 0,
      maxVUs: 4,
      configuredVUs: 4, // the VUs configured, beside the peak busy
      targetRate: 0,
      plannedIterations: 0,
      notSent: {
        total: 7,
        byReason: { "missing variable id": 3, "dns error": 4 },
        byName: { use: 3, other: 4 },
      },
    },
  );
  // The HTTP clients' retries and the requests not sent reach the JSON, metrics-level.
  assert.equal(r.metrics.retries, 3);
  assert.deepEqual(r.metrics.notSent, r.scenarios.vus.notSent);
  assert.deepEqual(r.scenarios.open.notSent, { total: 0, byReason: {}, byName: {} });
  const open = r.scenarios.open;
  assert.equal(open.configuredVUs, 10); // maxVUs: the pool's limit
  assert.equal(open.iterations, 27);
  assert.equal(open.droppedIterations, 3);
  assert.equal(open.targetRate, 100);
  assert.equal(open.plannedIterations, 1000); // the whole 10 s schedule ran
  assert.equal(open.sendLag?.count, 3);
  assert.ok(Math.abs(open.sendLag!.max - 8) < 0.1);
  assert.equal(r.duration, 10_500);
  assert.equal(r.startTime, new Date(T0 - 50).toISOString());
  assert.equal(r.endTime, new Date(T0 + 10_500).toISOString());
  assert.equal(r.timeUnit, "ms");
  assert.equal(r.passed, true);
  assert.equal(r.error, null);
});

Deno.test("assembleResult: a stop cuts the plan and the phases, and enters cooldown", () => {
  const r = assembleResult(input({ stopTime: T0 + 4_000, endedAt: T0 + 4_200, interrupted: true }));
  assert.equal(r.scenarios.open.plannedIterations, 400);
  assert.deepEqual(r.phases.map((p) => [p.timestamp - T0, p.phase]), [
    [-50, "init"],
    [0, "steady"],
    [4_000, "cooldown"],
    [4_200, "done"],
  ]);
  assert.equal(r.error, "interrupted: stopped before the end of the schedule");
  assert.equal(r.passed, false);
});

Deno.test("closePhases keeps a planned cooldown and adds no second one", () => {
  const planned = input().phases;
  assert.deepEqual(closePhases(planned, T0 + 10_500, T0 + 10_200).map((p) => p.phase), [
    "init",
    "steady",
    "cooldown",
    "done",
  ]);
  assert.deepEqual(closePhases(planned, T0 + 5_000, undefined).map((p) => p.phase), [
    "init",
    "steady",
    "done",
  ]);
});

Deno.test("assembleResult: each point gets the last VU sample and the phase at its second's end", () => {
  const { snapshot, series } = figures(10, 10); // points at T0 and T0 + 1000
  const r = assembleResult(input({
    snapshot,
    series,
    endedAt: T0 + 1_600,
    phases: [{ timestamp: T0 - 50, phase: "init" }, { timestamp: T0 + 500, phase: "steady" }],
    samples: [
      { timestamp: T0 + 300, activeVUs: 1, phase: "init" },
      { timestamp: T0 + 900, activeVUs: 3, phase: "steady" },
      { timestamp: T0 + 1_500, activeVUs: 5, phase: "steady" },
    ],
  }));
  assert.deepEqual(
    r.timeSeries.points.map((p) => [p.timestamp - T0, p.activeVUs, p.phase]),
    [[0, 3, "steady"], [1_000, 5, "steady"]],
  );
  assert.equal(r.timeSeries.interval, series.interval);
});

Deno.test("runError: the run's error first, then an interruption, then no response at all", () => {
  const dead = figures(0, 7).snapshot;
  assert.equal(
    runError({ error: null, interrupted: false, snapshot: dead }),
    "no response from the target: all 7 requests failed (timeout)",
  );
  assert.equal(
    runError({ error: null, interrupted: false, snapshot: figures(1, 7).snapshot }),
    null,
  );
  assert.match(runError({ error: null, interrupted: true, snapshot: dead })!, /^interrupted/);
  assert.equal(
    runError({ error: "worker 0: boom", interrupted: true, snapshot: dead }),
    "worker 0: boom",
  );
});

Deno.test("assembleResult: a failed threshold fails the run, without an error", () => {
  const thresholds = parseThresholds({ http_reqs: ["count > 1000"] });
  const r = assembleResult(input({ thresholds }));
  assert.equal(r.thresholds.length, 1);
  assert.equal(r.thresholds[0].passed, false);
  assert.equal(r.passed, false);
  assert.equal(r.error, null);
});

Deno.test("assembleResult: a dropped_iterations threshold sees the workers' drops", () => {
  const r = assembleResult(input({
    thresholds: parseThresholds({ dropped_iterations: ["count < 1", "count <= 3"] }),
  }));
  assert.deepEqual(r.thresholds.map((t) => [t.expression, t.passed, t.value]), [
    ["count < 1", false, 3],
    ["count <= 3", true, 3],
  ]);
  assert.equal(r.passed, false);
  assert.equal(r.error, null);
});
