/**
 * Hostile input and faults, for both collector kinds: values outside the
 * valid ranges, fields that change between reads, clock mistakes, latencies
 * past the histogram's range, forged headers, and threads that stop while
 * holding the lock or an unmerged batch (real Workers, terminated).
 */
import assert from "node:assert/strict";
import {
  attachCollector,
  type CollectorKind,
  createCollector,
  type RequestResult,
} from "@lunge/metrics";
import { withCollector } from "./_contract_suite.ts";

const KINDS: CollectorKind[] = ["atomic", "mutex"];
const ok = (over: Partial<RequestResult> = {}): RequestResult => ({
  startTime: Date.now(),
  duration: 5,
  statusCode: 200,
  bytes: 10,
  ...over,
});

/** Assert `f` throws an instance of `type` whose message matches `pattern`. */
function throwsLike(f: () => unknown, type: ErrorConstructor, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e}`);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

function message(url: URL, data: unknown, expect: string): Promise<Worker> {
  const worker = new Worker(url.href, { type: "module" });
  return new Promise((resolve, reject) => {
    worker.onmessage = (e) => e.data === expect ? resolve(worker) : reject(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(e.message));
    };
    worker.postMessage(data);
  });
}
/** The largest double below `x` (x > 0). */
function nextDown(x: number): number {
  const f = new Float64Array([x]);
  const bits = new BigUint64Array(f.buffer);
  bits[0] -= 1n;
  return f[0];
}
const WORKER = new URL("./_stopping_worker.ts", import.meta.url);

for (const kind of KINDS) {
  Deno.test(
    `${kind}: startTime outside what a Date holds, or an infinite completion, is refused and the series stays readable`,
    withCollector(kind, { flushIntervalMs: 0 }, (c) => {
      throwsLike(() => c.recordRequest(ok({ startTime: 1e19 })), RangeError, /startTime/);
      throwsLike(
        () => c.recordRequest(ok({ startTime: 1.7e308, duration: 1.7e308 })),
        RangeError,
        /startTime/,
      );
      throwsLike(
        () => c.recordRequest(ok({ startTime: 8e15, duration: 1.7e308 })),
        RangeError,
        /startTime \+ duration/,
      );
      c.recordRequest(ok());
      const s = c.getSnapshot();
      assert.equal(s.totalRequests, 1);
      assert.deepEqual(s.statusCodes, { "200": 1 });
      assert.equal(c.getTimeSeries().points.length, 1);
    }),
  );

  Deno.test(
    `${kind}: clock mistakes (performance.now(), seconds, an hour ahead) are refused with the fix named`,
    withCollector(kind, { flushIntervalMs: 0 }, (c) => {
      for (const startTime of [performance.now(), Date.now() / 1000, Date.now() + 3_600_000]) {
        assert.throws(
          () => c.recordRequest(ok({ startTime })),
          (e: Error) => e instanceof RangeError && /epoch milliseconds/.test(e.message),
        );
      }
      // Inside the window (30 s ahead, 30 min behind) is fine.
      c.recordRequest(ok({ startTime: Date.now() + 30_000 }));
      c.recordRequest(ok({ startTime: Date.now() - 1_800_000 }));
      assert.equal(c.getSnapshot().totalRequests, 2);
      assert.ok(c.getTimeSeries().points.length <= 1_832);
    }),
  );

  Deno.test(
    `${kind}: a BigInt or other non-number field is a TypeError naming the field`,
    withCollector(kind, { flushIntervalMs: 0 }, (c) => {
      const bad = (over: Record<string, unknown>) => ({ ...ok(), ...over }) as RequestResult;
      throwsLike(() => c.recordRequest(bad({ bytes: 5n })), TypeError, /bytes.*5n/);
      throwsLike(() => c.recordRequest(bad({ statusCode: 200n })), TypeError, /statusCode/);
      throwsLike(() => c.recordRequest(bad({ duration: 1n })), TypeError, /duration/);
      assert.equal(c.getSnapshot().totalRequests, 0);
    }),
  );

  Deno.test(
    `${kind}: each field is read once (a getter that turns invalid after its first read is recorded as first read)`,
    withCollector(kind, { flushIntervalMs: 0 }, (c) => {
      const flipping = <T>(first: T, later: unknown) => {
        let reads = 0;
        return () => (reads++ === 0 ? first : later) as T;
      };
      const status = flipping(200, 5000), bytes = flipping(100, -100);
      const duration = flipping(7, -5), name = flipping("home", { toString: () => "x" });
      const result = {
        startTime: Date.now(),
        get statusCode() {
          return status();
        },
        get bytes() {
          return bytes();
        },
        get duration() {
          return duration();
        },
        get name() {
          return name();
        },
      } as unknown as RequestResult;
      c.recordRequest(result);
      const s = c.getSnapshot();
      assert.deepEqual(s.statusCodes, { "200": 1 });
      assert.equal(s.totalBytes, 100);
      assert.equal(s.latency.min, 7);
      assert.deepEqual(Object.keys(s.byName), ["home"]);
      // A Proxy that lies the same way.
      let n = 0;
      const proxy = new Proxy(ok({ statusCode: 201 }), {
        get: (t, k) => (k === "statusCode" && n++ > 0 ? 5000 : t[k as keyof RequestResult]),
      });
      c.recordRequest(proxy);
      assert.deepEqual(c.getSnapshot().statusCodes, { "200": 1, "201": 1 });
    }),
  );

  Deno.test(
    `${kind}: latencies past 2^42 ns are counted as clamped; min, max and mean stay exact`,
    withCollector(kind, { flushIntervalMs: 0 }, (c) => {
      const now = Date.now();
      for (let i = 0; i < 1000; i++) c.recordRequest(ok({ startTime: now - 5e6, duration: 5e6 }));
      for (let i = 0; i < 1000; i++) c.recordRequest(ok({ startTime: now - 1e7, duration: 1e7 }));
      c.recordRequest(ok({ duration: 10 }));
      const s = c.getSnapshot();
      assert.equal(s.clampedSamples, 2000);
      assert.equal(s.totalRequests, 2001);
      assert.equal(s.latency.max, 1e7);
      assert.equal(s.latency.min, 10);
      assert.ok(Math.abs(s.latency.mean - (1000 * 5e6 + 1000 * 1e7 + 10) / 2001) < 1e-3);
      c.reset();
      assert.equal(c.getSnapshot().clampedSamples, 0);
    }),
  );

  Deno.test(
    `${kind}: a completion one double below a whole second counts in the second before it`,
    withCollector(kind, { flushIntervalMs: 0 }, (c) => {
      const second = Math.floor(Date.now() / 1000) * 1000 - 2000;
      const below = nextDown(second);
      assert.ok(below < second && second - below < 0.001);
      // Alternate, so the atomic batch's cached bounds switch second each time.
      for (const end of [below, second, below, second, below, second + 999.999]) {
        c.recordRequest(ok({ startTime: end - 1.5, duration: 1.5 }));
      }
      const points = c.getTimeSeries().points;
      assert.deepEqual(
        points.map((p) => [p.timestamp, p.requests]),
        [[second - 1000, 3], [second, 3]],
      );
      assert.equal(c.getSnapshot().totalRequests, 6);
    }),
  );

  Deno.test(`${kind}: attachCollector checks the header as the constructor checks options`, () => {
    const c = createCollector(kind, { flushIntervalMs: 0 });
    try {
      const handle = c.share();
      const header = new Int32Array(handle.buffer, 0, 16);
      // Header words 3.. hold batchSize, timeSeriesCapacity, maxErrorTypes, ...
      const cases: [number, number, RegExp][] = [
        [5, 20000, /maxErrorTypes must be within 0\.\.1000 \(got 20000\)/],
        [5, -1, /maxErrorTypes must be within/],
        [4, 0, /timeSeriesCapacity must be within/],
        [4, 2 ** 21, /timeSeriesCapacity must be within/],
        [3, -5, /batchSize must be within/],
      ];
      for (const [word, value, pattern] of cases) {
        const saved = header[word];
        header[word] = value;
        throwsLike(() => attachCollector(handle), RangeError, pattern);
        header[word] = saved;
      }
      assert.equal(attachCollector(handle).kind, kind);
      // Posting the collector instead of its handle: the message names the fix.
      const posted = { kind } as unknown as Parameters<typeof attachCollector>[0];
      throwsLike(() => attachCollector(posted), TypeError, /collector\.share\(\)/);
    } finally {
      c.close();
    }
  });

  Deno.test(
    `${kind}: a Worker terminated while holding the lock makes calls throw after lockTimeoutMs, not hang`,
    // (Terminated inside a real read on Node and Bun: tests/runtime.)
    async () => {
      const c = createCollector(kind, {
        flushIntervalMs: 0,
        lockTimeoutMs: 200,
      });
      try {
        const lockWord = new Int32Array(c.share().buffer, 64, 1);
        const worker = await message(WORKER, { handle: c.share(), mode: "holder" }, "holding");
        worker.terminate();
        const held = Atomics.load(lockWord, 0) !== 0;
        assert.ok(held, "the lock was never left held");
        const started = performance.now();
        assert.throws(
          () => c.recordRequest(ok({ error: "fresh error string" })),
          /held by a thread that stopped|thread holding it has stopped/,
        );
        assert.throws(() => c.getSnapshot(), /lockTimeoutMs/);
        assert.ok(performance.now() - started < 2_000);
      } finally {
        Atomics.store(new Int32Array(c.share().buffer, 64, 1), 0, 0);
        c.close();
      }
    },
  );
}

Deno.test(
  "atomic: Workers terminated without close() leave their batches counted as unflushedRequests",
  async () => {
    const c = createCollector("atomic", { flushIntervalMs: 0, batchSize: 1_000_000 });
    try {
      const counts = [5_582, 7_001, 1];
      const workers = await Promise.all(
        counts.map((count) =>
          message(WORKER, { handle: c.share(), mode: "unclosed", count }, "recorded")
        ),
      );
      workers.forEach((w) => w.terminate());
      const s = c.getSnapshot();
      assert.equal(s.totalRequests, 0);
      assert.equal(s.unflushedRequests, 5_582 + 7_001 + 1);
      c.reset(); // a reset forgets them too: they belong to the old epoch
      assert.equal(c.getSnapshot().unflushedRequests, 0);
    } finally {
      c.close();
    }
  },
);

Deno.test("atomic: a writer that closes leaves nothing unflushed and frees its slot", () => {
  const c = createCollector("atomic", { flushIntervalMs: 0, maxWriters: 2 });
  try {
    for (let round = 0; round < 5; round++) {
      const w = attachCollector(c.share());
      w.recordRequest(ok());
      assert.equal(c.getSnapshot().unflushedRequests, 1);
      w.close();
    }
    c.recordRequest(ok());
    const s = c.getSnapshot();
    assert.equal(s.totalRequests, 6);
    assert.equal(s.unflushedRequests, 0);
    // Two slots: this thread's and one more; a third live writer is refused.
    const a = attachCollector(c.share());
    a.recordRequest(ok());
    const b = attachCollector(c.share());
    throwsLike(() => b.recordRequest(ok()), RangeError, /maxWriters/);
    a.close();
    b.recordRequest(ok());
    b.close();
    assert.equal(c.getSnapshot().totalRequests, 8);
  } finally {
    c.close();
  }
});
