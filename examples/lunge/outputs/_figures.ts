/**
 * Private helper of the Prometheus outputs: the figures of a push or a
 * scrape — the collector's snapshot and latency histograms (whole run and
 * per name) beside the engine's counters at one instant.
 *
 * @module
 */
import type { SharedMetricsCollector } from "@lunge/metrics";
import type { PushFigures } from "../prometheus/remote_write.ts";
import type { TickCounters } from "./output.ts";

/** The figures of `collector` and `counters` at `now` (epoch ms). */
export function pushFigures(
  collector: SharedMetricsCollector,
  counters: TickCounters,
  now: number,
): PushFigures {
  const snapshot = collector.getSnapshot();
  const byName = Object.fromEntries(
    Object.keys(snapshot.byName).map((n) => [n, collector.getLatencyHistogram(n)]),
  );
  return {
    snapshot,
    histograms: { all: collector.getLatencyHistogram(), byName },
    activeVUs: counters.activeVUs,
    scenarios: counters.scenarios,
    timestamp: now,
  };
}
