/**
 * Test helper: reading `--out csv=` files back with an independent RFC 4180
 * parser (csv-parse), and exact nearest-rank percentiles over raw samples.
 *
 * @module
 */
import assert from "node:assert/strict";
// A test-only dependency (an independent CSV parser), pinned here.
// deno-lint-ignore no-import-prefix
import { parse } from "npm:csv-parse@7.0.3/sync";
import { type CSV_COLUMNS, CSV_HEADER } from "../../examples/lunge/report/csv_rows.ts";

/** One row of the file, as csv-parse reads it with the header's column names. */
export type CsvRecord = Record<(typeof CSV_COLUMNS)[number], string>;

/** Parses CSV text (header first) with csv-parse: a row of another field count throws. */
export function parseCsvText(text: string): CsvRecord[] {
  return parse<CsvRecord>(text, { columns: true });
}

/** Reads a CSV output; its header must be the documented one. */
export async function readCsvRows(path: string): Promise<CsvRecord[]> {
  const text = await Deno.readTextFile(path);
  assert.ok(text.startsWith(CSV_HEADER), `header: ${text.slice(0, 80)}`);
  return parseCsvText(text);
}

/**
 * The exact percentile `p` of ascending `sorted`, nearest rank as the
 * collector defines it (src/_histogram.ts): the sample of rank
 * max(1, ceil(p/100 * n)).
 */
export function exactPercentile(sorted: Float64Array, p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}
