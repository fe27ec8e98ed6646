/**
 * The per-request CSV output's format (`--out csv=<file>`, as k6's
 * `--out csv=file.csv`): a header row, then one row per recorded request,
 * `\n`-terminated. Fields that hold a comma, a double quote, CR or LF are
 * quoted as RFC 4180 says (in double quotes, each `"` doubled): request and
 * scenario names are user text.
 *
 * | column | value |
 * |---|---|
 * | `timestamp_ms` | the request's start, epoch ms, 3 decimals (as recorded) |
 * | `duration_ms` | the latency recorded, ms, 6 decimals (exact to the ns) |
 * | `scenario` | the scenario's name |
 * | `name` | the request's name |
 * | `status` | the status code, 0 when no response arrived |
 * | `bytes` | bytes received for the response |
 * | `error` | the error type (e.g. `timeout`, `interrupted`), empty when none |
 *
 * @module
 */
import type { RequestResult } from "@lunge/metrics";

/** The columns, in order. */
export const CSV_COLUMNS = [
  "timestamp_ms",
  "duration_ms",
  "scenario",
  "name",
  "status",
  "bytes",
  "error",
] as const;

/** The header row, with its line end. */
export const CSV_HEADER: string = CSV_COLUMNS.join(",") + "\n";

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field: `text` as is, or in double quotes (each `"` doubled) when
 * it holds a comma, a quote, CR or LF.
 *
 * @param text The field's text.
 * @returns The field as it goes in a row.
 */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The row of one recorded request (with its line end): exactly the numbers
 * given to `recordRequest`, the start to the µs and the duration to the ns.
 *
 * @param scenario The scenario's name.
 * @param r The request as recorded.
 * @returns The row.
 */
export function csvRow(scenario: string, r: RequestResult): string {
  const error = r.error === undefined ? "" : csvField(r.error);
  return `${r.startTime.toFixed(3)},${r.duration.toFixed(6)},${csvField(scenario)},${
    csvField(r.name ?? "")
  },${r.statusCode},${r.bytes},${error}\n`;
}
