/**
 * Private helper: the engine's glue to what a run sends beyond its summary
 * (../outputs/run_outputs.ts): the per-tick counters it needs, and the
 * result fields that let runs of several machines merge (histograms, config
 * hash, segment, push counts).
 *
 * @module
 */
import type { TestConfig } from "../config/config.ts";
import type { RunResult } from "../result.ts";
import { configHash } from "../distributed/config_hash.ts";
import type { RunOutputs, TickCounters } from "../outputs/run_outputs.ts";
import type { Segment } from "../distributed/segment.ts";
import type { ProgressState } from "../report/progress.ts";
import { segmentScenarios } from "./segment_scenarios.ts";
import { sumCounters, type WorkerReport } from "./_assemble.ts";

/** The config one segment runs (the whole config without a segment). */
export function segmentConfig(config: TestConfig, segment: Segment | undefined): TestConfig {
  return segment === undefined
    ? config
    : { ...config, scenarios: segmentScenarios(config.scenarios, segment) };
}

/** VUs busy and per-scenario iterations from the workers' last reports. */
export function tickCounters(config: TestConfig, workers: readonly WorkerReport[]): TickCounters {
  const sums = sumCounters(workers, config.scenarios.length);
  return {
    activeVUs: sums.activeVUs,
    scenarios: config.scenarios.map((s, i) => ({
      name: s.name,
      iterations: sums.iterations[i],
      dropped: sums.dropped[i],
      notSent: sums.notSent[i],
    })),
  };
}

/**
 * Fills the result with what merging needs: the outputs' last work (final
 * push, .hlog, the server closed), the histograms, the hash of the whole
 * (unsegmented) config, the segment. Returns the outputs' problems, one
 * line (a final push that failed: its metrics did not reach Prometheus; the
 * run then fails in the verdict), else null.
 */
export async function withDistributed(
  result: RunResult,
  o: {
    outputs: RunOutputs;
    counters: TickCounters;
    range: { fromMs: number; toMs: number };
    /** The progress view's final state. */
    state?: ProgressState;
    config: TestConfig;
    segment?: Segment;
  },
): Promise<string | null> {
  const done = await o.outputs.finish({
    counters: o.counters,
    range: o.range,
    result,
    state: o.state,
  });
  result.histograms = done.histograms;
  result.configHash = await configHash(o.config);
  if (o.segment) result.segment = { ...o.segment };
  return done.problems.length > 0 ? done.problems.join("; ") : null;
}
