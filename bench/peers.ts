/**
 * The collector beside what a library user would otherwise pick: one
 * request's worth of recording, in one process, on warmed, varied input,
 * as ratios to a bare `Atomics.add` measured in the same run.
 *
 *     deno task bench:peers            (30 rounds)
 *     deno run --allow-read=. bench/peers.ts [rounds]
 *
 * The input is `_inputs.ts`'s realistic one: 65,536 pre-generated results
 * (durations log-normal 0.05–200 ms, statuses 200/201/404/500, 1 % errors
 * with status 0, names on three in four, four object shapes), walked in
 * order. Per result, each contender records what a load tester needs:
 *
 * - **lunge atomic / mutex**: `recordRequest(result)` (counts, bytes,
 *   statuses, error types, per-name latency, the 1-second series);
 * - **prom-client**: a Histogram labelled `{name, status}` (its default
 *   buckets, seconds) `observe`d, a Counter of requests labelled
 *   `{status, error}` and a Counter of bytes, in their own Registry;
 * - **hdr-histogram-js**: `recordValue` of the duration in µs (2
 *   significant digits, as the collector's histogram; the default
 *   JavaScript build, and the WebAssembly build) plus plain counters:
 *   requests, failures, bytes, a count per status;
 * - **@opentelemetry/sdk-metrics**: a Histogram (`record`, attributes
 *   `{name, status}`) and a Counter (`add`, attributes `{status, error}`)
 *   of a MeterProvider with a reader attached, so the SDK aggregates (with
 *   no reader it records into nothing);
 * - **Atomics.add**: one `Atomics.add` on shared memory per result: the
 *   unit of the ratios.
 *
 * Labels and attributes are built per call from the result, as a user's
 * code would. Each contender gets its own compiled loop (a `new Function`,
 * so none shares type feedback with another), is warmed, then timed in
 * blocks of about 40 ms, each round starting with the next contender.
 * Prints per contender the median, p25 and min ns per result over the
 * rounds and the median over `Atomics.add`'s, and checks at the end that
 * each one counted every result it was given.
 *
 * The npm packages are pinned and used by this bench only (the module has
 * no dependencies; bench/ is not published).
 *
 * @module
 */
// deno-lint-ignore-file no-import-prefix
import * as prom from "npm:prom-client@15.1.3";
import * as hdr from "npm:hdr-histogram-js@3.0.1";
import { MeterProvider, MetricReader } from "npm:@opentelemetry/sdk-metrics@3.1.1";
import { createCollector, type RequestResult } from "@lunge/metrics";
import { REALISTIC_MASK, realisticResults } from "./_inputs.ts";

/** One contender: how it records a result, and how many it says it counted. */
interface Contender {
  label: string;
  record: (r: RequestResult) => void;
  counted: () => Promise<number>;
}

function atomicsAdd(): Contender {
  const word = new Int32Array(new SharedArrayBuffer(64));
  return {
    label: "Atomics.add (the unit)",
    record: () => {
      Atomics.add(word, 0, 1);
    },
    counted: () => Promise.resolve(Atomics.load(word, 0)),
  };
}

function lunge(kind: "atomic" | "mutex"): Contender {
  const c = createCollector(kind, { flushIntervalMs: 0 });
  return {
    label: `lunge ${kind}: recordRequest`,
    record: (r) => c.recordRequest(r),
    counted: () => Promise.resolve(c.getSnapshot().totalRequests),
  };
}

function promClient(): Contender {
  const registers = [new prom.Registry()];
  const duration = new prom.Histogram({
    name: "http_req_duration_seconds",
    help: "request duration",
    labelNames: ["name", "status"] as const,
    registers,
  });
  const requests = new prom.Counter({
    name: "http_reqs_total",
    help: "requests",
    labelNames: ["status", "error"] as const,
    registers,
  });
  const bytes = new prom.Counter({ name: "http_bytes_total", help: "bytes", registers });
  return {
    label: "prom-client 15.1.3: Histogram{name,status} + 2 Counters",
    record: (r) => {
      duration.observe({ name: r.name ?? "", status: r.statusCode }, r.duration / 1000);
      requests.inc({ status: r.statusCode, error: r.error ?? "" });
      bytes.inc(r.bytes);
    },
    counted: async () => {
      const { values } = await requests.get();
      return values.reduce((sum, v) => sum + v.value, 0);
    },
  };
}

function hdrHistogram(wasm: boolean): Contender {
  const h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000, // 1 h in µs
    numberOfSignificantValueDigits: 2,
    useWebAssembly: wasm,
  });
  const counts = { requests: 0, failures: 0, bytes: 0, statuses: new Float64Array(1000) };
  return {
    label: `hdr-histogram-js 3.0.1 (${wasm ? "wasm" : "js"}): recordValue + counters`,
    record: (r) => {
      h.recordValue(Math.round(r.duration * 1000));
      counts.requests++;
      if (r.error != null || r.statusCode === 0 || r.statusCode >= 400) counts.failures++;
      counts.bytes += r.bytes;
      counts.statuses[r.statusCode]++;
    },
    counted: () => {
      // The histogram and the status counts must agree with the plain counter.
      const byStatus = counts.statuses.reduce((a, b) => a + b, 0);
      if (h.totalCount !== counts.requests || byStatus !== counts.requests) {
        throw new Error(`hdr: ${h.totalCount} and ${byStatus} vs ${counts.requests}`);
      }
      return Promise.resolve(counts.requests);
    },
  };
}

/** A reader that exports nothing: `collect()` on demand, as a pull exporter does. */
class PullReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function openTelemetry(): Contender {
  const reader = new PullReader();
  const meter = new MeterProvider({ readers: [reader] }).getMeter("bench");
  const duration = meter.createHistogram("http.client.request.duration", { unit: "ms" });
  const requests = meter.createCounter("http.client.requests");
  return {
    label: "@opentelemetry/sdk-metrics 3.1.1: Histogram + Counter",
    record: (r) => {
      duration.record(r.duration, { name: r.name ?? "", status: r.statusCode });
      requests.add(1, { status: r.statusCode, error: r.error ?? "" });
    },
    counted: async () => {
      const { resourceMetrics } = await reader.collect();
      let n = 0;
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const m of scope.metrics) {
          if (m.descriptor.name !== "http.client.requests") continue;
          for (const p of m.dataPoints) n += p.value as number;
        }
      }
      return n;
    },
  };
}

type Loop = (record: (r: RequestResult) => void, results: RequestResult[], n: number) => void;

interface Side extends Contender {
  loop: Loop;
  block: number;
  calls: number;
  ns: number[];
}

const rounds = Number(Deno.args[0] ?? 30);
const BLOCK_MS = 40;
const results = realisticResults();

await hdr.initWebAssembly();
const contenders = [
  atomicsAdd(),
  lunge("atomic"),
  lunge("mutex"),
  promClient(),
  hdrHistogram(false),
  hdrHistogram(true),
  openTelemetry(),
];
const sides: Side[] = contenders.map((c) => ({
  ...c,
  // Its own loop per contender: no shared type feedback.
  loop: new Function(
    "record",
    "results",
    "n",
    `for (let i = 0; i < n; i++) record(results[i & ${REALISTIC_MASK}]);`,
  ) as Loop,
  block: 0,
  calls: 0,
  ns: [],
}));

function run(s: Side, n: number): number {
  const t = performance.now();
  s.loop(s.record, results, n);
  s.calls += n;
  return performance.now() - t;
}

// Warm-up: every contender through the whole input 4 times, then size its block.
for (let w = 0; w < 4; w++) for (const s of sides) run(s, results.length);
for (const s of sides) {
  const ms = run(s, results.length);
  s.block = Math.max(results.length, Math.round(results.length * BLOCK_MS / Math.max(ms, 0.01)));
}
for (let r = 0; r < rounds; r++) {
  for (let j = 0; j < sides.length; j++) {
    const s = sides[(r + j) % sides.length];
    s.ns.push(run(s, s.block) * 1e6 / s.block);
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const at = (xs: number[], q: number) => sorted(xs)[Math.floor(q * (xs.length - 1))];
const unit = at(sides[0].ns, 0.5);
const rows: string[] = [
  "| contender | median ns/op | p25 | min | x Atomics.add (medians) |",
  "|---|---:|---:|---:|---:|",
];
for (const s of sides) {
  const counted = await s.counted();
  if (counted !== s.calls) throw new Error(`${s.label}: counted ${counted} of ${s.calls}`);
  const median = at(s.ns, 0.5);
  rows.push(
    `| ${s.label} | ${median.toFixed(1)} | ${at(s.ns, 0.25).toFixed(1)} | ` +
      `${at(s.ns, 0).toFixed(1)} | ${(median / unit).toFixed(1)} |`,
  );
}
console.log(
  `${rounds} rounds of ~${BLOCK_MS} ms per contender, realistic input (65,536 results); ` +
    "every contender counted every result",
);
console.log(rows.join("\n"));
