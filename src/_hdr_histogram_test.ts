/**
 * LatencyHistogram's HdrHistogram interchange against the real readers and
 * writers: hdr-histogram-js (npm, pinned, tests only) and, where Debian's
 * libhdrhistogram-java and a JRE are installed, HdrHistogram's own
 * HistogramLogProcessor on an .hlog written by formatHdrLog. Merge against a
 * histogram of the union of samples and exact nearest-rank percentiles.
 */
import assert from "node:assert/strict";
// A test-only dependency, pinned here rather than in deno.json (which the module publishes).
// deno-lint-ignore no-import-prefix
import * as hdr from "npm:hdr-histogram-js@3.0.1";
import {
  AtomicMetricsCollector,
  formatHdrLog,
  LatencyHistogram,
  MutexMetricsCollector,
} from "@lunge/metrics";
import { bucketIndex, latencyBucket } from "./_histogram.ts";
import { assertClose, exactPercentile } from "../tests/_contract_suite.ts";
import { mulberry32 as rng } from "../tests/_prng.ts";

/** Latencies log-uniform from 100 ns to 60 s, in ms. */
function samples(n: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => 1e-4 * Math.pow(6e8, r()));
}

function histogramOf(values: number[]): LatencyHistogram {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  return h;
}

const PERCENTILES = [0.1, 1, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100];

/** hdr-histogram-js's JS histograms have these too (its `Histogram` type omits them). */
type JsHistogram = hdr.Histogram & {
  getCountAtIndex(index: number): number;
  countsArrayIndex(value: number): number;
};

function jsHistogram(): JsHistogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2 ** 42 - 1,
    numberOfSignificantValueDigits: 2,
    bitBucketSize: 64,
    useWebAssembly: false,
  }) as JsHistogram;
}

Deno.test("hdr-histogram-js decodes toHdrBase64 with identical counts and percentiles", async () => {
  const values = samples(100_000, 1);
  values.push(0, 0.000_001, 5, 5, 5); // 0 ns, 1 ns, and a repeated value
  const ours = histogramOf(values);
  const js = hdr.decodeFromCompressedBase64(await ours.toHdrBase64(), 64, false) as JsHistogram;
  assert.equal(js.totalCount, values.length);
  const counts = new Map(ours.buckets().map((b) => [b.index, b.count]));
  for (let i = 0; i < 4608; i++) {
    assert.equal(js.getCountAtIndex(i), counts.get(i) ?? 0, `count at index ${i}`);
  }
  for (const p of PERCENTILES) {
    // HdrHistogram reports a bucket's highest equivalent value, we its
    // midpoint clamped to min/max: the same bucket.
    assert.equal(
      js.countsArrayIndex(js.getValueAtPercentile(p)),
      latencyBucket(ours.percentile(p)),
      `bucket of p${p}`,
    );
  }
});

Deno.test("fromHdrBase64 reads what hdr-histogram-js encodes, count for count", async () => {
  const js = jsHistogram();
  const r = rng(2);
  for (let i = 0; i < 50_000; i++) js.recordValue(Math.floor(100 * Math.pow(1e8, r())));
  js.recordValueWithCount(7, 1_000_000); // a large count: a long LEB128 word
  const ours = await LatencyHistogram.fromHdrBase64(hdr.encodeIntoCompressedBase64(js));
  assert.equal(ours.count, js.totalCount);
  const counts = new Map(ours.buckets().map((b) => [b.index, b.count]));
  for (let i = 0; i < 4608; i++) {
    assert.equal(counts.get(i) ?? 0, js.getCountAtIndex(i), `count at index ${i}`);
  }
  for (const p of PERCENTILES) {
    assert.equal(
      latencyBucket(ours.percentile(p)),
      js.countsArrayIndex(js.getValueAtPercentile(p)),
      `bucket of p${p}`,
    );
  }
});

Deno.test("toHdrBase64 then fromHdrBase64 keeps every bucket count", async () => {
  const ours = histogramOf(samples(20_000, 3));
  const back = await LatencyHistogram.fromHdrBase64(await ours.toHdrBase64());
  assert.deepEqual(
    back.buckets().map((b) => [b.index, b.count]),
    ours.buckets().map((b) => [b.index, b.count]),
  );
  const empty = await LatencyHistogram.fromHdrBase64(await new LatencyHistogram().toHdrBase64());
  assert.equal(empty.count, 0);
  assert.equal(empty.percentile(99), 0);
});

Deno.test("merge of several histograms equals one histogram of the union", async () => {
  const parts = [samples(30_000, 4), samples(10_000, 5).map((v) => v * 3), samples(5, 6)];
  const union = parts.flat();
  const single = histogramOf(union);
  const merged = new LatencyHistogram();
  for (const p of parts) merged.merge(histogramOf(p));
  // Through the interchange format too, as machines would exchange them.
  const viaHdr = new LatencyHistogram();
  for (const p of parts) {
    viaHdr.merge(await LatencyHistogram.fromHdrBase64(await histogramOf(p).toHdrBase64()));
  }
  const shape = (h: LatencyHistogram) => h.buckets().map((b) => [b.index, b.count]);
  assert.deepEqual(shape(merged), shape(single));
  assert.deepEqual(shape(viaHdr), shape(single));
  assert.equal(merged.count, union.length);
  assert.equal(merged.stats().min, Math.min(...union));
  assert.equal(merged.stats().max, Math.max(...union));
  const sorted = [...union].sort((a, b) => a - b);
  for (const p of [50, 90, 95, 99, 99.9]) {
    assertClose(merged.percentile(p), exactPercentile(sorted, p), 0.01, `merged p${p}`);
    assertClose(viaHdr.percentile(p), exactPercentile(sorted, p), 0.01, `via HDR p${p}`);
  }
  assertClose(merged.stats().mean, single.stats().mean, 1e-9, "mean");
});

Deno.test("fromHdrBase64 refuses other layouts and malformed input with a RangeError", async () => {
  const three = hdr.build({ numberOfSignificantValueDigits: 3, useWebAssembly: false });
  three.recordValue(1000);
  await assert.rejects(
    LatencyHistogram.fromHdrBase64(hdr.encodeIntoCompressedBase64(three)),
    /3 significant digits/,
  );
  await assert.rejects(LatencyHistogram.fromHdrBase64("@@@"), /not base64/);
  await assert.rejects(LatencyHistogram.fromHdrBase64(btoa("nope nope")), /cookie/);
  const good = await histogramOf([1, 2, 3]).toHdrBase64();
  const bytes = Uint8Array.from(atob(good), (c) => c.charCodeAt(0));
  const cut = btoa(String.fromCharCode(...bytes.subarray(0, bytes.length - 4)));
  await assert.rejects(LatencyHistogram.fromHdrBase64(cut), RangeError);
  assert.throws(() => new LatencyHistogram().record(NaN), /finite number >= 0/);
  assert.throws(() => new LatencyHistogram().percentile(101), /0\.\.100/);
});

Deno.test("getLatencyHistogram: whole run and per name match the snapshot", async () => {
  for (const c of [new AtomicMetricsCollector(), new MutexMetricsCollector()]) {
    try {
      // The start of this second: every completion (now + up to 50 ms) falls in it.
      const now = Math.floor(Date.now() / 1000) * 1000;
      const r = rng(7);
      for (let i = 0; i < 5000; i++) {
        const name = i % 3 === 0 ? "a" : "b";
        c.recordRequest({ startTime: now, duration: 50 * r(), statusCode: 200, bytes: 1, name });
      }
      const s = c.getSnapshot();
      assert.deepEqual(c.getLatencyHistogram().stats(), s.latency);
      assert.deepEqual(c.getLatencyHistogram("a").stats(), s.byName.a);
      assert.deepEqual(c.getLatencyHistogram("b").stats(), s.byName.b);
      assert.equal(c.getLatencyHistogram("never").count, 0);
      assert.equal(c.getIntervalLatencyHistogram(now)?.count, 5000);
      // A copy: recording more does not change it.
      const copy = c.getLatencyHistogram();
      c.recordRequest({ startTime: now, duration: 1, statusCode: 200, bytes: 1 });
      assert.equal(copy.count, 5000);
      const back = await LatencyHistogram.fromHdrBase64(await copy.toHdrBase64());
      assert.equal(back.count, 5000);
    } finally {
      c.close();
    }
  }
});

const JAR = "/usr/share/java/hdrhistogram.jar";

async function javaAvailable(): Promise<boolean> {
  try {
    await Deno.stat(JAR);
    const { success } = await new Deno.Command("java", { args: ["-version"], stderr: "null" })
      .output();
    return success;
  } catch {
    return false;
  }
}

Deno.test("HistogramLogProcessor (HdrHistogram, Java) reads formatHdrLog's .hlog", async (t) => {
  if (!(await javaAvailable())) {
    console.log(
      `skipped: ${JAR} or java not installed (apt-get install libhdrhistogram-java ` +
        "default-jre-headless)",
    );
    return;
  }
  const dir = await Deno.makeTempDir();
  try {
    const t0 = Date.UTC(2026, 0, 1);
    const all = new LatencyHistogram(), union: number[] = [];
    const intervals = [0, 1, 2].map((k) => {
      const values = samples(4000, 10 + k).map((v) => v / 100 + k); // 1 ns .. 600 ms
      union.push(...values);
      const histogram = histogramOf(values);
      all.merge(histogram);
      return { startTime: t0 + k * 1000, endTime: t0 + (k + 1) * 1000, histogram };
    });
    await Deno.writeTextFile(`${dir}/run.hlog`, await formatHdrLog(intervals));
    const out = await new Deno.Command("java", {
      args: [
        "-cp",
        JAR,
        "org.HdrHistogram.HistogramLogProcessor",
        "-i",
        `${dir}/run.hlog`,
        "-o",
        `${dir}/out`,
        "-outputValueUnitRatio",
        "1",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const hgrm = await Deno.readTextFile(`${dir}/out.hgrm`);
    await t.step("total count", () => {
      const total = Number(hgrm.match(/Total count\s*=\s*(\d+)/)?.[1]);
      assert.equal(total, union.length);
    });
    await t.step("every percentile row's cumulative count equals ours", () => {
      // Rows: value (ns: -outputValueUnitRatio 1), percentile, total count, 1/(1-p).
      const rows = hgrm.split("\n").map((l) => l.trim().split(/\s+/).map(Number))
        .filter((r) => r.length >= 3 && r.every(Number.isFinite));
      assert.ok(rows.length > 50, `${rows.length} rows`);
      const buckets = all.buckets();
      for (const [ns, , cumulative] of rows) {
        const index = bucketIndex(ns);
        const ours = buckets.filter((b) => b.index <= index).reduce((n, b) => n + b.count, 0);
        assert.equal(
          cumulative,
          ours,
          `cumulative count at ${ns} ns: ${JSON.stringify(rows.slice(0, 4))}`,
        );
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
