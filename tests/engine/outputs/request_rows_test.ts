/**
 * The recorded requests a Worker posts (run/_row_buffer.ts: columns, in
 * chunks) and what the CSV output makes of them: the same bytes as
 * `csvRow` of each record as it was given to `recordRequest`, in order,
 * across chunk boundaries and the final flush.
 */
import assert from "node:assert/strict";
import type { RequestResult } from "@lunge/metrics";
import { CHUNK_ROWS, RowBuffer } from "../../../examples/lunge/run/_row_buffer.ts";
import type { FromWorker } from "../../../examples/lunge/run/_protocol.ts";
import { CsvFile } from "../../../examples/lunge/outputs/csv.ts";
import { forEachRequest, type RequestRows } from "../../../examples/lunge/outputs/request_rows.ts";
import { CSV_HEADER, csvRow } from "../../../examples/lunge/report/csv_rows.ts";

/** A seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const SCENARIOS = ["load", 'a,"quoted" one'];
const NAMES = ["GET /", "with, comma", 'say "hi"', "two\nlines", ""];
const ERRORS = [undefined, undefined, "timeout", "interrupted", "a,b", ""];
const STATUS = [200, 200, 404, 0, 503, 302];

/** `n` varied records, each with its scenario. */
function records(n: number, seed: number): [string, RequestResult][] {
  const rnd = random(seed);
  const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)];
  const t0 = 1_764_700_000_000 + rnd();
  return Array.from({ length: n }, (_, k) => {
    const name = pick(NAMES);
    const r: RequestResult = {
      startTime: t0 + k * 0.37 + rnd() * 1e-3,
      duration: rnd() * 2_000,
      statusCode: pick(STATUS),
      bytes: Math.floor(rnd() * 1e6),
      name: name === "" && rnd() < 0.5 ? undefined : name,
    };
    const error = pick(ERRORS);
    if (error !== undefined) r.error = error;
    return [pick(SCENARIOS), r];
  });
}

/** The batches a RowBuffer posts for `input` (added one by one, then flushed). */
function batches(input: [string, RequestResult][]): RequestRows[] {
  const out: RequestRows[] = [];
  const buffer = new RowBuffer((m: FromWorker) => {
    assert.equal(m.type, "rows");
    if (m.type === "rows") out.push(structuredClone(m.rows)); // as postMessage delivers it
  });
  const reused: RequestResult = { startTime: 0, duration: 0, statusCode: 0, bytes: 0 };
  for (const [scenario, r] of input) {
    // The Worker reuses one record: the buffer must copy what it keeps.
    Object.assign(reused, { error: undefined }, r);
    buffer.add(scenario, reused);
  }
  buffer.flush();
  buffer.flush(); // nothing left: posts nothing
  return out;
}

Deno.test("request rows: chunks of at most CHUNK_ROWS, every request once, in order, as recorded", () => {
  const input = records(2 * CHUNK_ROWS + 123, 17);
  const out = batches(input);
  assert.deepEqual(out.map((b) => b.count), [CHUNK_ROWS, CHUNK_ROWS, 123]);
  const back: [string, RequestResult][] = [];
  for (const b of out) {
    forEachRequest(b, (scenario, r) => back.push([scenario, { ...r, name: r.name }]));
  }
  assert.equal(back.length, input.length);
  for (let k = 0; k < input.length; k++) {
    const [scenario, r] = input[k];
    const [s2, r2] = back[k];
    assert.equal(s2, scenario, `request ${k}`);
    assert.equal(r2.startTime, r.startTime, `request ${k}`);
    assert.equal(r2.duration, r.duration, `request ${k}`);
    assert.equal(r2.statusCode, r.statusCode, `request ${k}`);
    assert.equal(r2.bytes, r.bytes, `request ${k}`);
    assert.equal(r2.name, r.name ?? "", `request ${k}`);
    assert.equal(r2.error, r.error, `request ${k}`);
  }
});

Deno.test("request rows: the CSV file made from the batches holds the bytes of csvRow of each record", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lunge-rows-" });
  try {
    const input = records(CHUNK_ROWS + 777, 5);
    const file = CsvFile.open(`${dir}/r.csv`);
    assert.ok(file instanceof CsvFile);
    for (const b of batches(input)) file.append(b);
    assert.equal(await file.finish(input.length), null);
    file.close();
    const expected = CSV_HEADER + input.map(([s, r]) => csvRow(s, r)).join("");
    assert.equal(await Deno.readTextFile(`${dir}/r.csv`), expected);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
