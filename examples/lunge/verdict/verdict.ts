/**
 * The verdict: the one place that decides a result's `passed` and `error`.
 * A run fails when any threshold failed, or when any problem was found —
 * the run's own ({@linkcode runError}: lost requests, an error, an
 * interruption, nothing recorded, no response), a merge's
 * ({@linkcode mergedError}), or an output's once every output has finished
 * (a CSV file missing rows, a final push that failed).
 *
 * @module
 */
import type { MetricsSnapshot } from "@lunge/metrics";
import type { NotSentCounts, ThresholdResult } from "../result.ts";
import { noResponseCount } from "../report/_report_format.ts";

/** A result's verdict. */
export interface Verdict {
  /** Every threshold held and no problem was found. */
  passed: boolean;
  /** The problems, one line joined with "; ", or null when none. */
  error: string | null;
}

/**
 * Decides the verdict: failed when a threshold failed or any problem is
 * given (problems that are null or undefined are none).
 *
 * @param input The evaluated thresholds and the problems found, in order.
 * @returns Whether the run passed and its error line.
 *
 * @example
 * ```ts
 * import { decideVerdict } from "./verdict.ts";
 *
 * const v = decideVerdict({ thresholds: [], problems: [null, "rows were lost"] });
 * console.log(v); // { passed: false, error: "rows were lost" }
 * ```
 */
export function decideVerdict(input: {
  thresholds: readonly Pick<ThresholdResult, "passed">[];
  problems: readonly (string | null | undefined)[];
}): Verdict {
  const problems = input.problems.filter((p): p is string => typeof p === "string" && p !== "");
  const error = problems.length > 0 ? problems.join("; ") : null;
  return { passed: error === null && input.thresholds.every((t) => t.passed), error };
}

/**
 * Settles `result`'s verdict once every output has finished: its
 * `passed`/`error` decided from its thresholds, its error so far (the
 * run's) and the outputs' problems. Mutates and returns `result`.
 *
 * @param result The result (its thresholds evaluated, its error the run's).
 * @param problems The outputs' problems (null when an output had none).
 * @returns `result`.
 */
export function settleVerdict<
  R extends { thresholds: readonly Pick<ThresholdResult, "passed">[] } & Verdict,
>(
  result: R,
  problems: readonly (string | null | undefined)[],
): R {
  const v = decideVerdict({ thresholds: result.thresholds, problems: [result.error, ...problems] });
  result.passed = v.passed;
  result.error = v.error;
  return result;
}

/** What {@linkcode runError} reads. */
export interface RunErrorInput {
  /** The first error during the run, or null. */
  error: string | null;
  /** The user stopped the run. */
  interrupted: boolean;
  /** The collector's final snapshot. */
  snapshot: MetricsSnapshot;
  /** Requests never sent (not in the snapshot), when the run counted any. */
  notSent?: Pick<NotSentCounts, "total" | "byReason">;
}

/**
 * The run's error, one line: requests lost by a Worker that ended without
 * closing its collector (`unflushedRequests` > 0; added to any other error),
 * else the first error during the run, else an interruption, else "no
 * request" when nothing was recorded (naming how many were not sent, and the
 * commonest reason, when some were), else "no response" when every request
 * got none (unreachable target, or every request interrupted at the cut): a
 * failed run whatever the thresholds say. Null when none of these.
 *
 * @param input The run's error, whether it was interrupted, its snapshot.
 * @returns The error line, or null.
 */
export function runError(input: RunErrorInput): string | null {
  const s = input.snapshot;
  if (s.unflushedRequests > 0) {
    const lost = `${s.unflushedRequests} recorded requests were lost: a worker ended ` +
      "without closing its collector (the figures are incomplete)";
    return input.error === null ? lost : `${input.error}; ${lost}`;
  }
  if (input.error !== null) return input.error;
  if (input.interrupted) return "interrupted: stopped before the end of the schedule";
  if (s.totalRequests === 0) {
    const notSent = input.notSent?.total ?? 0;
    if (notSent === 0) return "no request was recorded: the run completed no request";
    const [reason] = topEntry(input.notSent!.byReason) ?? ["unknown"];
    return `no request was sent: all ${notSent} requests were not sent (most: ${reason})`;
  }
  if (s.totalRequests > 0 && noResponseCount(s) === s.totalRequests) {
    const [type] = topEntry(s.errorsByType) ?? ["no response"];
    return `no response from the target: all ${s.totalRequests} requests failed (${type})`;
  }
  return null;
}

/** The entry with the largest count, or undefined when there is none. */
function topEntry(counts: Record<string, number>): [string, number] | undefined {
  return Object.entries(counts).sort((a, b) => b[1] - a[1])[0];
}

/**
 * A merge's error, one line: any input's error (named by its file), else
 * lost requests, else nothing recorded by any run. Null when none.
 *
 * @param inputs Each input's file and error.
 * @param metrics The merged metrics.
 * @returns The error line, or null.
 */
export function mergedError(
  inputs: readonly { path: string; error: string | null }[],
  metrics: Pick<MetricsSnapshot, "unflushedRequests" | "totalRequests">,
): string | null {
  const errors = inputs.filter((i) => i.error !== null).map((i) => `${i.path}: ${i.error}`);
  if (metrics.unflushedRequests > 0 && errors.length === 0) {
    errors.push(`${metrics.unflushedRequests} recorded requests were lost`);
  }
  if (metrics.totalRequests === 0 && errors.length === 0) {
    errors.push("no request was recorded by any run");
  }
  return errors.length > 0 ? errors.join("; ") : null;
}
