/**
 * The requests a run recorded, one by one, as the engine feeds them to an
 * output that takes them (`Output.append`; the CSV): a batch of
 * one Worker's recorded requests, in the order it recorded them, as columns
 * (structured-cloneable: the Worker posts it to the main thread as is). Each
 * column holds exactly what was given to `recordRequest`; names and error
 * types are indices into the batch's own tables.
 *
 * @module
 */
import type { RequestResult } from "@lunge/metrics";

/** A batch of recorded requests (see the module doc): entry `k` of each column is request `k`. */
export interface RequestRows {
  /** How many requests the batch holds. */
  count: number;
  /** Each request's start, epoch ms. */
  startTime: Float64Array;
  /** Each request's latency, ms. */
  duration: Float64Array;
  /** Each request's status code (0: no response). */
  statusCode: Int32Array;
  /** Each request's bytes received. */
  bytes: Float64Array;
  /** Each request's `[scenario, request name]`, as an index into {@linkcode RequestRows.labels}. */
  label: Uint32Array;
  /** The `[scenario, request name]` pairs of the batch. */
  labels: [string, string][];
  /** Each request's error type: 0 for none, else its index into {@linkcode RequestRows.errors} plus 1. */
  error: Uint32Array;
  /** The error types of the batch. */
  errors: string[];
}

/**
 * Calls `fn` with each request of `rows`, in order: its scenario's name and
 * the request as recorded (one record, reused: `fn` must copy what it keeps).
 *
 * @param rows The batch.
 * @param fn Told each request.
 */
export function forEachRequest(
  rows: RequestRows,
  fn: (scenario: string, request: RequestResult) => void,
): void {
  const r: RequestResult = { startTime: 0, duration: 0, statusCode: 0, bytes: 0, name: "" };
  for (let k = 0; k < rows.count; k++) {
    const [scenario, name] = rows.labels[rows.label[k]];
    const error = rows.error[k];
    r.startTime = rows.startTime[k];
    r.duration = rows.duration[k];
    r.statusCode = rows.statusCode[k];
    r.bytes = rows.bytes[k];
    r.name = name;
    r.error = error === 0 ? undefined : rows.errors[error - 1];
    fn(scenario, r);
  }
}
