/**
 * The per-second histograms (`--histograms-per-second`, `--hlog`): what a
 * run keeps of each second is its encoded histogram, not the 36.9 KB
 * histogram (a subprocess measures the live memory after a full GC), and the
 * JSON's texts and the .hlog are the ones the whole histograms give
 * (`toHdrBase64`, `formatHdrLog`).
 */
import assert from "node:assert/strict";
import {
  createCollector,
  formatHdrLog,
  LatencyHistogram,
  type SharedMetricsCollector,
} from "@lunge/metrics";
import {
  encodeRunHistograms,
  runHlog,
  SecondHistograms,
} from "../../../examples/lunge/distributed/run_histograms.ts";

/** Bytes of one whole histogram (`LatencyHistogram`: 4,616 float64 words). */
const HISTOGRAM_BYTES = 4_616 * 8;

Deno.test("per-second histograms: 600 seconds captured keep < 2 MiB of live ArrayBuffers (600 whole histograms: 21 MiB)", async () => {
  const fixture = new URL("../_second_histograms_memory.ts", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--v8-flags=--expose-gc", fixture.href],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, stderr);
  const r = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    captured: number;
    before: number;
    after: number;
  };
  assert.equal(r.captured, 600);
  const grown = r.after - r.before;
  assert.ok(
    grown < 2 * 2 ** 20,
    `live ArrayBuffers grew ${(grown / 2 ** 20).toFixed(1)} MiB over 600 seconds ` +
      `(whole histograms would be ${(600 * HISTOGRAM_BYTES / 2 ** 20).toFixed(1)} MiB)`,
  );
});

/**
 * Records `perSecond[k]` requests with varied latencies into second
 * `first + k` (epoch s), capturing as the engine's tick does; returns the
 * whole histogram of each second read the way the outputs used to keep it.
 */
function recordSeconds(
  collector: SharedMetricsCollector,
  seconds: SecondHistograms,
  o: { first: number; perSecond: number[] },
): Map<number, LatencyHistogram> {
  const whole = new Map<number, LatencyHistogram>();
  const c = collector as unknown as {
    getIntervalLatencyHistogram(t: number): LatencyHistogram | undefined;
  };
  for (const [k, n] of o.perSecond.entries()) {
    const s = o.first + k;
    for (let i = 0; i < n; i++) {
      // Exact maxima that are no bucket's midpoint: 0.2 .. 27 ms, to the ns.
      const duration = 0.2 + ((i * 7919 + k * 104_729) % 26_801) / 1000 + 0.000123;
      collector.recordRequest({
        startTime: s * 1000 + i % 900,
        duration,
        statusCode: 200,
        bytes: 0,
      });
    }
    const h = c.getIntervalLatencyHistogram(s * 1000);
    if (h !== undefined && h.count > 0) whole.set(s * 1000, h);
    seconds.capture((s + 2) * 1000 + 500);
  }
  return whole;
}

Deno.test("per-second histograms: the JSON's texts and the .hlog equal those of the whole histograms (empty seconds included)", async () => {
  const collector = createCollector("atomic");
  try {
    const first = Math.floor(Date.now() / 1000) - 120;
    const fromMs = first * 1000 + 250; // a run starts inside a second
    const seconds = new SecondHistograms(collector, fromMs);
    const perSecond = [40, 300, 0, 0, 1, 2_000, 75, 0, 500];
    const whole = recordSeconds(collector, seconds, { first, perSecond });
    const toMs = (first + perSecond.length) * 1000 + 400; // one more second, without requests
    seconds.finish(toMs);
    assert.equal(whole.size, 6);

    const json = await encodeRunHistograms(collector, { names: [], seconds });
    const expected = [];
    for (const [timestamp, h] of [...whole].sort((a, b) => a[0] - b[0])) {
      expected.push({ timestamp, hdr: await h.toHdrBase64() });
    }
    assert.deepEqual(json.perSecond, expected);

    const intervals = [];
    for (let t = first * 1000; t <= Math.floor(toMs / 1000) * 1000; t += 1000) {
      intervals.push({
        startTime: t,
        endTime: t + 1000,
        histogram: whole.get(t) ?? new LatencyHistogram(),
      });
    }
    assert.equal(intervals.length, perSecond.length + 1);
    assert.equal(await runHlog(seconds, { fromMs, toMs }), await formatHdrLog(intervals));
    assert.equal(
      seconds.retainedChars,
      expected.reduce((n, s) => n + s.hdr.length, 0),
    );
  } finally {
    collector.close();
  }
});
