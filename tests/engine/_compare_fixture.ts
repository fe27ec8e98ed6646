/**
 * Test helper: two-request-name run results for `lunge compare`, recorded
 * through a REAL collector (seeded synthetic requests, second by second),
 * with the histograms a run writes with `--histograms-per-second`
 * (encodeRunHistograms, SecondHistograms), assembled as the engine does.
 *
 * @module
 */
import { createCollector } from "@lunge/metrics";
import type { RunResult, RunTimeSeriesPoint } from "../../examples/lunge/result.ts";
import {
  encodeRunHistograms,
  SecondHistograms,
} from "../../examples/lunge/distributed/run_histograms.ts";
import { Random } from "../../examples/lunge/compare/_statistics.ts";

/** What to fabricate. */
export interface CompareFixtureOptions {
  /** PRNG seed. */
  seed: number;
  /** Seconds (default 10). */
  seconds?: number;
  /** Requests per second (default 150). */
  rate?: number;
  /** Latency multiplier (default 1). */
  slower?: number;
  /** Failed share (default 0.01). */
  errorRate?: number;
  /** The two request names (default "home", "login"). */
  names?: [string, string];
  /** Config hash (default "cafe…"). */
  configHash?: string;
}

/** A run result recorded from a synthetic request stream. */
export async function compareFixture(o: CompareFixtureOptions): Promise<RunResult> {
  const seconds = o.seconds ?? 10, rate = o.rate ?? 150, slower = o.slower ?? 1;
  const names = o.names ?? ["home", "login"];
  const random = new Random(o.seed);
  const collector = createCollector("atomic", { flushIntervalMs: 0 });
  try {
    const t0 = Math.floor(collector.getSnapshot().startTime / 1000) * 1000;
    const perSecond = new SecondHistograms(collector, t0);
    for (let s = 0; s < seconds; s++) {
      const level = 0.1 * random.normal();
      for (let i = 0; i < rate; i++) {
        const name = i % 3 === 0 ? names[1] : names[0];
        const base = name === names[1] ? 40 : 12;
        const failed = random.next() < (o.errorRate ?? 0.01);
        collector.recordRequest({
          startTime: t0 + s * 1000 + Math.floor((i * 1000) / rate),
          duration: base * slower * Math.exp(level + 0.4 * random.normal()),
          statusCode: failed ? 500 : 200,
          bytes: 100,
          name,
        });
      }
      collector.flush();
      perSecond.finish(t0 + s * 1000);
    }
    collector.flush();
    const metrics = collector.getSnapshot();
    const points: RunTimeSeriesPoint[] = collector.getTimeSeries().points.map((p) => ({
      ...p,
      activeVUs: 10,
      phase: "steady",
    }));
    const histograms = await encodeRunHistograms(collector, { names, seconds: perSecond });
    const iterations = metrics.totalRequests;
    return {
      name: "Compare fixture",
      description: "",
      startTime: new Date(t0).toISOString(),
      endTime: new Date(t0 + seconds * 1000).toISOString(),
      duration: seconds * 1000,
      timeUnit: "ms",
      collector: collector.kind,
      scenarios: {
        main: {
          executor: "constant-arrival-rate",
          iterations,
          droppedIterations: Math.round(seconds * rate * 0.01 * slower),
          maxVUs: 10,
          configuredVUs: 10,
          targetRate: rate,
          plannedIterations: seconds * rate,
        },
      },
      metrics: { ...metrics, retries: 0 },
      timeSeries: { interval: 1000, points },
      phases: [{ timestamp: t0, phase: "steady" }, {
        timestamp: t0 + seconds * 1000,
        phase: "done",
      }],
      passed: true,
      thresholds: [],
      error: null,
      histograms,
      configHash: o.configHash ?? "cafe".repeat(16),
    };
  } finally {
    collector.close();
  }
}
