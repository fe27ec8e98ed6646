/**
 * `lunge merge`'s core: several runs' JSON results (one per machine or
 * execution segment) into one result, as if one machine had run the whole
 * test. Pure but for decoding the histograms (async).
 *
 * - Counts (requests, successes, failures, bytes, status codes, error types,
 *   retries, iterations, dropped iterations, requests not sent) are summed
 *   exactly.
 * - Latency: count, min, max, mean and standard deviation combine exactly
 *   from each run's statistics; percentiles come from the merged HdrHistogram
 *   histograms (whole run, per name), so they keep the histogram's 0.4 %
 *   bound, clamped to the exact min and max.
 * - The time series is aligned by wall-clock second: counts summed, mean
 *   weighted, max the highest; per-second percentiles from merged per-second
 *   histograms when every run carries them, else the highest of the runs'
 *   (an upper bound; `notes` says so).
 * - Thresholds are re-evaluated on the merged figures, from the parsed form
 *   each result's JSON carries (../verdict/thresholds.ts), never from text.
 * - Refused, with a one-line {@linkcode MergeError}: a run without
 *   histograms, another histogram layout or encoding, another config hash,
 *   overlapping segments.
 *
 * @module
 */
import { HISTOGRAM_LAYOUT, type LatencyHistogram } from "@lunge/metrics";
import type { RunResult } from "../result.ts";
import { thresholdsFromResult } from "../verdict/thresholds.ts";
import { evaluateResult } from "../verdict/evaluate.ts";
import { decideVerdict, mergedError } from "../verdict/verdict.ts";
import type { RunHistograms } from "../distributed/run_histograms.ts";
import { type Segment, segmentLabel } from "../distributed/segment.ts";
import { decodeMerged, encodeMerged, mergePerSecond } from "./_histograms.ts";
import { mergeMetrics, mergeScenarios, mergeSeries } from "./_figures.ts";

export { mergeStats } from "./_histograms.ts";

/** A run result with what merging needs (written by the engine). */
export type MergeableResult = RunResult & {
  /** The run's latency histograms. */
  histograms?: RunHistograms;
  /** SHA-256 of the test config. */
  configHash?: string;
  /** The run's execution segment, when it ran one. */
  segment?: Segment;
  /** Set on a merged result: its inputs. */
  merged?: { inputs: { path: string; segment?: string }[]; notes: string[] };
};

/** One input: where it came from (for messages) and its result. */
export interface MergeInput {
  /** The file it was read from. */
  path: string;
  /** The result. */
  result: MergeableResult;
}

/** Why inputs cannot merge; the CLI prints it as one line (exit 2). */
export class MergeError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "MergeError";
  }
}

/** Merges the inputs (at least one) into one result; throws {@linkcode MergeError}. */
export async function mergeResults(inputs: readonly MergeInput[]): Promise<MergeableResult> {
  if (inputs.length === 0) throw new MergeError("nothing to merge: give result files");
  const notes = checkMergeable(inputs);
  const all = await decodeMerged(inputs.map((i) => i.result.histograms!.all));
  const names = [...new Set(inputs.flatMap((i) => Object.keys(i.result.histograms!.byName)))];
  const byName: Record<string, LatencyHistogram> = {};
  for (const name of names) {
    byName[name] = await decodeMerged(
      inputs.map((i) => i.result.histograms!.byName[name]).filter((x) => x !== undefined),
    );
  }
  const perSecond = await mergePerSecond(inputs.map((i) => i.result.histograms!));
  if (!perSecond) notes.push("per-second percentiles are the highest of the runs' (upper bounds)");
  const rs = inputs.map((i) => i.result);
  const first = [...rs].sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime))[0];
  const endMs = Math.max(...rs.map((r) => Date.parse(r.endTime)));
  const startMs = Math.min(...rs.map((r) => Date.parse(r.endTime) - r.duration));
  const duration = endMs - startMs;
  const metrics = mergeMetrics(rs, { all, byName, elapsed: duration });
  const scenarios = mergeScenarios(rs);
  // Re-evaluated from the parsed form the result carries, never from its text.
  const thresholds = evaluateResult(parsedThresholds(inputs, first), {
    scenarios,
    duration,
    metrics,
  });
  const verdict = decideVerdict({
    thresholds,
    problems: [mergedError(inputs.map((i) => ({ path: i.path, error: i.result.error })), metrics)],
  });
  return {
    ...first,
    startTime: new Date(Math.min(...rs.map((r) => Date.parse(r.startTime)))).toISOString(),
    endTime: new Date(endMs).toISOString(),
    duration,
    scenarios,
    metrics,
    timeSeries: { interval: 1000, points: mergeSeries(rs, perSecond, notes) },
    phases: [
      ...first.phases.filter((p) => p.phase !== "done"),
      { timestamp: endMs, phase: "done" },
    ],
    thresholds,
    ...verdict,
    histograms: await encodeMerged(all, byName, perSecond),
    configHash: first.configHash,
    segment: undefined,
    merged: {
      inputs: inputs.map((i) => ({
        path: i.path,
        segment: i.result.segment ? segmentLabel(i.result.segment) : undefined,
      })),
      notes,
    },
  };
}

/** Refuses inputs that cannot merge; returns notes on what merged with caveats. */
function checkMergeable(inputs: readonly MergeInput[]): string[] {
  const notes: string[] = [];
  const [a] = inputs;
  for (const { path, result } of inputs) {
    const h = result.histograms;
    if (!h || typeof h.all !== "string" || typeof h.byName !== "object") {
      throw new MergeError(`${path}: has no latency histograms (a result of an older lunge?)`);
    }
    if (h.encoding !== "hdr-v2-compressed-base64") {
      throw new MergeError(
        `${path}: histogram encoding ${h.encoding} is not hdr-v2-compressed-base64`,
      );
    }
    for (const k of Object.keys(HISTOGRAM_LAYOUT) as (keyof typeof HISTOGRAM_LAYOUT)[]) {
      if (h.layout?.[k] !== HISTOGRAM_LAYOUT[k]) {
        throw new MergeError(
          `${path}: histogram layout ${k} ${h.layout?.[k]} differs from ${HISTOGRAM_LAYOUT[k]}`,
        );
      }
    }
    if (result.configHash !== a.result.configHash) {
      throw new MergeError(
        `${path}: config hash ${short(result.configHash)} differs from ${a.path}'s ` +
          `${short(a.result.configHash)}: not the same test`,
      );
    }
  }
  checkSegments(inputs, notes);
  return notes;
}

function short(hash: string | undefined): string {
  return hash === undefined ? "(none)" : hash.slice(0, 12);
}

/** Segments must be parts of one split and pairwise distinct; a whole run overlaps any other. */
function checkSegments(inputs: readonly MergeInput[], notes: string[]): void {
  const seen = new Map<number, string>();
  let count: number | undefined, sequence: string | undefined;
  for (const { path, result } of inputs) {
    const s = result.segment;
    if (inputs.length > 1 && s === undefined) {
      throw new MergeError(`overlapping segment: ${path} ran the whole test (no --segment)`);
    }
    if (s === undefined) continue;
    if (count !== undefined && (s.count !== count || s.sequence !== sequence)) {
      throw new MergeError(
        `overlapping segment: ${path} is ${segmentLabel(s)}, the others are parts of ${
          sequence ?? count
        }`,
      );
    }
    [count, sequence] = [s.count, s.sequence];
    const other = seen.get(s.index);
    if (other !== undefined) {
      throw new MergeError(
        `overlapping segment: ${other} and ${path} are both ${segmentLabel(s)}`,
      );
    }
    seen.set(s.index, path);
  }
  if (count !== undefined && seen.size < count) {
    const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
    notes.push(
      `${seen.size} of ${count} segments merged (missing ${
        missing.map((index) => segmentLabel({ index, count: count!, sequence })).join(", ")
      })`,
    );
  }
}

/** The thresholds the first run was judged by, rebuilt from its JSON (a MergeError when it cannot be). */
function parsedThresholds(inputs: readonly MergeInput[], first: MergeableResult) {
  const path = inputs.find((i) => i.result === first)!.path;
  try {
    return thresholdsFromResult(first.thresholds, `${path}: thresholds`);
  } catch (e) {
    throw new MergeError(e instanceof Error ? e.message : String(e));
  }
}
