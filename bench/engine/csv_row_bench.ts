/**
 * The per-request CSV output's work per row (`--out csv=`), the parts
 * bench/engine/csv_cost.ts measures together end to end:
 *
 * - a Worker formats one row (`csvRow`: two `toFixed`, quoting checks) and
 *   appends it to its chunk (1,000 rows per iteration: divide by 1,000);
 * - the main thread receives a 625-row chunk (what one Worker posts every
 *   250 ms at 2,500 RPS) — a structured clone of the string, as
 *   `postMessage` does — and encodes it to UTF-8 for the write (divide by
 *   625 for a row).
 *
 * ```sh
 * deno bench bench/engine/csv_row_bench.ts
 * ```
 *
 * @module
 */
import type { RequestResult } from "@lunge/metrics";
import { csvRow } from "../../examples/lunge/report/csv_rows.ts";

const r: RequestResult = {
  startTime: Date.now(),
  duration: 0.123456,
  statusCode: 200,
  bytes: 164,
  name: "GET /bytes/100",
};
let sink = 0;

Deno.bench("csvRow + append to the chunk, 1,000 rows", { group: "row" }, () => {
  let text = "";
  for (let i = 0; i < 1_000; i++) {
    r.startTime += 0.2;
    r.duration = 0.1 + (i % 997) / 3331;
    text += csvRow("default", r);
  }
  sink += text.length;
});

const encoder = new TextEncoder();
let chunk = "";
for (let i = 0; i < 625; i++) chunk += csvRow("default", r);

Deno.bench("a 625-row chunk: structured clone + UTF-8 encode", { group: "chunk" }, () => {
  sink += encoder.encode(structuredClone(chunk)).length;
});

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});
