/**
 * Builds {@linkcode RunResult} fixtures for the reporter tests from a REAL
 * collector: a synthetic, seeded request stream (ramp-up, steady,
 * ramp-down) is recorded through `createCollector`, and the result is
 * assembled from its snapshot and time series the way the engine does.
 *
 * @module
 */
import { type CollectorKind, createCollector } from "@lunge/metrics";
import type { Phase, RunResult, RunTimeSeriesPoint } from "../../examples/lunge/result.ts";
import { parseThresholds } from "../../examples/lunge/verdict/thresholds.ts";
import { evaluateThresholds } from "../../examples/lunge/verdict/evaluate.ts";
import { mulberry32 as prng } from "../_prng.ts";

/** What kind of run to fabricate. */
export interface FixtureOptions {
  /** Seconds of traffic (default 20). */
  seconds?: number;
  /** Collector implementation (default "atomic"). */
  kind?: CollectorKind;
  /** Use a constant-arrival-rate scenario (with dropped iterations) instead of ramping-vus. */
  arrival?: boolean;
  /** Add HTTP 5xx statuses and transport errors (default true). */
  errors?: boolean;
  /** Threshold configuration (default: a set that passes). */
  thresholds?: unknown;
  /** The run error, if any. */
  error?: string | null;
  /** Name requests; with "hostile", names and errors carry HTML/JS injection attempts. */
  names?: "plain" | "hostile" | "none";
  /** Test name (default "Checkout flow"). */
  name?: string;
  /** Record nothing at all. */
  empty?: boolean;
  /** Extra HTTP 502 responses recorded in the last second, to push the error rate up. */
  extraFailures?: number;
}

/** Strings that would break out of HTML or a script block if not escaped. */
export const HOSTILE = {
  name: `<img src=x onerror="document.title='pwned'">`,
  requestName: `</script><script>document.title='pwned'</script>`,
  error: `connect failed <b>bold</b> & "quoted" 'single' <!-- \u2028`,
  description: `<svg onload="document.title='pwned'"></svg>`,
} as const;

/** The phase and active VUs at second `s` of a `seconds`-long ramp. */
function plan(s: number, seconds: number, peak: number): { phase: Phase; vus: number } {
  const up = Math.max(1, Math.floor(seconds / 4));
  const down = Math.max(1, Math.floor(seconds / 4));
  if (s < up) return { phase: "ramp-up", vus: Math.max(1, Math.round((peak * (s + 1)) / up)) };
  if (s >= seconds - down) {
    return { phase: "ramp-down", vus: Math.max(1, Math.round((peak * (seconds - s)) / down)) };
  }
  return { phase: "steady", vus: peak };
}

/** Build a run result by recording a synthetic run into a real collector. */
export function buildRunResult(options: FixtureOptions = {}): RunResult {
  const seconds = options.seconds ?? 20;
  const arrival = options.arrival ?? false;
  const withErrors = options.errors ?? true;
  const names = options.names ?? "plain";
  const collector = createCollector(options.kind ?? "atomic", { flushIntervalMs: 0 });
  try {
    // The run starts on a whole second, so each second of traffic is one point.
    const t0 = Math.floor(collector.getSnapshot().startTime / 1000) * 1000;
    const random = prng(42);
    const peak = 20;
    const requestNames = names === "hostile"
      ? ["home", HOSTILE.requestName]
      : names === "plain"
      ? ["home", "search", "checkout"]
      : [];
    let iterations = 0;
    const vusBySecond: number[] = [];
    if (!options.empty) {
      collector.recordGenerationRate(arrival ? 100 : 0);
      for (let s = 0; s < seconds; s++) {
        const { vus } = plan(s, seconds, peak);
        vusBySecond.push(vus);
        const count = arrival ? 95 + Math.floor(random() * 6) : vus * 8;
        iterations += arrival ? 100 : count;
        for (let i = 0; i < count; i++) {
          const startTime = t0 + s * 1000 + (i / count) * 800;
          // Log-normal-ish latency around 20 ms, slower under load and in second 7.
          const base = 8 + vus * 0.6 + (s === 7 ? 40 : 0);
          const duration = base * Math.exp((random() - 0.5) * 1.2) + random() * 3;
          const name = requestNames.length > 0 ? requestNames[i % requestNames.length] : undefined;
          let statusCode = 200;
          let error: string | undefined;
          const roll = random();
          if (withErrors && roll < 0.006) statusCode = 500;
          else if (withErrors && roll < 0.01) statusCode = 503;
          else if (withErrors && s === 12 && roll < 0.08) {
            statusCode = 0;
            error = names === "hostile" ? HOSTILE.error : "timeout";
          } else if (withErrors && roll < 0.012) {
            statusCode = 0;
            error = "connection refused";
          }
          collector.recordRequest({
            startTime,
            duration,
            statusCode,
            bytes: statusCode === 200 ? 512 + Math.floor(random() * 1024) : 0,
            error,
            name,
          });
        }
      }
    }
    for (let i = 0; i < (options.extraFailures ?? 0); i++) {
      collector.recordRequest({
        startTime: t0 + (seconds - 1) * 1000 + i % 900,
        duration: 5,
        statusCode: 502,
        bytes: 0,
      });
    }
    collector.flush();
    const metrics = collector.getSnapshot();
    const series = collector.getTimeSeries();
    const points: RunTimeSeriesPoint[] = series.points.map((p) => {
      const s = Math.max(0, Math.min(seconds - 1, Math.round((p.timestamp - t0) / 1000)));
      const { phase } = plan(s, seconds, peak);
      return { ...p, activeVUs: arrival ? 10 : (vusBySecond[s] ?? 0), phase };
    });
    const phases: { timestamp: number; phase: Phase }[] = [{ timestamp: t0, phase: "init" }];
    if (!options.empty) {
      let last: Phase = "init";
      for (let s = 0; s < seconds; s++) {
        const { phase } = plan(s, seconds, peak);
        if (phase !== last) {
          phases.push({ timestamp: t0 + s * 1000, phase });
          last = phase;
        }
      }
    }
    phases.push({ timestamp: t0 + seconds * 1000, phase: "done" });
    const thresholds = evaluateThresholds(
      parseThresholds(
        options.thresholds ?? {
          http_req_duration: ["p95 < 5s", "med < 1s"],
          http_req_failed: ["rate < 0.5"],
          http_reqs: [`count >= ${options.empty ? 0 : 1}`],
        },
      ),
      metrics,
    );
    const error = options.error ?? null;
    const executor = arrival ? "constant-arrival-rate" : "ramping-vus";
    return {
      name: options.name ?? (names === "hostile" ? HOSTILE.name : "Checkout flow"),
      description: names === "hostile"
        ? HOSTILE.description
        : "Synthetic run for the reporter tests",
      startTime: new Date(t0).toISOString(),
      endTime: new Date(t0 + seconds * 1000).toISOString(),
      duration: seconds * 1000,
      timeUnit: "ms",
      collector: collector.kind,
      scenarios: {
        [names === "hostile" ? "<i>main</i>" : "main"]: {
          executor,
          // Arrival: 100 iterations were due each second; those that sent no request were dropped.
          iterations: arrival ? metrics.totalRequests : iterations,
          droppedIterations: arrival ? iterations - metrics.totalRequests : 0,
          maxVUs: arrival ? 10 : peak,
          configuredVUs: arrival ? 10 : peak,
          targetRate: arrival ? 100 : 0,
          plannedIterations: arrival ? 100 * seconds : 0,
        },
      },
      metrics: { ...metrics, retries: 0 },
      timeSeries: { interval: series.interval, points },
      phases,
      passed: error === null && thresholds.every((t) => t.passed),
      thresholds,
      error,
    };
  } finally {
    collector.close();
  }
}
