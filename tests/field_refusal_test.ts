/**
 * A seeded property test of `recordRequest`'s refusals, both collector
 * kinds: every single-field mutation of a valid result (each field set to
 * each of many bad values: wrong types, NaN, infinities, negatives,
 * fractions where an integer is due, out-of-range and out-of-clock values,
 * Symbols, objects, arrays, functions, "", a missing field) is refused with
 * a TypeError or RangeError whose message starts with that field's name and
 * shows the value it got, and changes nothing the collector reports.
 *
 * Seeded (LUNGE_PROPERTY_SEED), so a failure reproduces.
 */
import assert from "node:assert/strict";
import { type CollectorKind, createCollector, type RequestResult } from "@lunge/metrics";
import { mulberry32 } from "./_prng.ts";

function readEnv(name: string): string | undefined {
  return Deno.permissions.querySync({ name: "env", variable: name }).state === "granted"
    ? Deno.env.get(name)
    : undefined;
}
const SEED = Number(readEnv("LUNGE_PROPERTY_SEED") ?? 20261203);
/** Valid base results per kind; each is mutated in every field with every bad value. */
const BASES = 12;

const KEYS = ["startTime", "duration", "statusCode", "bytes", "error", "name"] as const;
type Key = typeof KEYS[number];

/** A bad value and how the message must show it. */
interface Bad {
  value: unknown;
  text: string;
  /** The field is left out of the object instead of set. */
  missing?: boolean;
}
const bad = (value: unknown, text = String(value)): Bad => ({ value, text });

/** Values of a type no field takes: refused by every numeric field (strings are names' type). */
const NOT_NUMBER_NOT_STRING: Bad[] = [
  bad(5n, "5n"),
  bad(true),
  bad(false),
  bad({}, "an object {}"),
  bad({ ms: 5 }, 'an object {"ms":5}'),
  bad([], "an array []"),
  bad([200], "an array [200]"),
  bad(Symbol("s"), "Symbol(s)"),
  bad(Symbol(), "Symbol()"),
  bad(() => 0, "a function"),
  bad(new Number(5), "an object 5"),
  bad(new Date(0), 'an object "1970-01-01T00:00:00.000Z"'),
];
const NOT_A_NUMBER: Bad[] = [
  ...NOT_NUMBER_NOT_STRING,
  bad("200", '"200"'),
  bad("", '""'),
  bad(null),
  bad(undefined),
  { value: undefined, text: "undefined", missing: true },
];
const NON_FINITE: Bad[] = [bad(NaN), bad(Infinity), bad(-Infinity)];

/** The bad values of `key`, some drawn from `rnd`, for a base result `base`. */
function badValues(key: Key, rnd: () => number, base: RequestResult): Bad[] {
  const now = Date.now();
  const negative = -(1 + Math.floor(rnd() * 1e6));
  const fraction = Math.floor(rnd() * 999) + 0.25 + rnd() / 2;
  switch (key) {
    case "startTime":
      return [
        ...NOT_A_NUMBER,
        ...NON_FINITE,
        bad(-1),
        bad(-0.5),
        bad(negative),
        bad(8.64e15 + 1e6),
        bad(1e19),
        bad(0), // the epoch: outside the clock window
        bad(1000),
        bad(Math.round(now / 1000)), // seconds, not ms
        bad(performance.now()), // a monotonic clock, not the epoch
        bad(now + 7_200_000), // two hours ahead
        bad(now - 7_200_000 - rnd() * 1e6), // over an hour behind
      ];
    case "duration":
      return [
        ...NOT_A_NUMBER,
        ...NON_FINITE,
        bad(-1),
        bad(-0.001),
        bad(negative),
        bad(1e9), // the completion far ahead of the clock
        bad(base.startTime > now ? 7_200_000 : 7_200_000 + rnd() * 1e6),
        bad(Number.MAX_VALUE),
      ];
    case "statusCode":
      return [
        ...NOT_A_NUMBER,
        ...NON_FINITE,
        bad(-1),
        bad(negative),
        bad(200.5),
        bad(fraction),
        bad(1000),
        bad(2 ** 31),
        bad(1e19),
      ];
    case "bytes":
      return [
        ...NOT_A_NUMBER,
        ...NON_FINITE,
        bad(-1),
        bad(negative),
        bad(1.5),
        bad(fraction),
        bad(2 ** 53),
        bad(1e19),
      ];
    case "error":
    case "name":
      return [
        ...NOT_NUMBER_NOT_STRING,
        ...NON_FINITE,
        bad("", '""'),
        bad(0),
        bad(5),
        bad(-1),
        bad(fraction),
        bad(new String("x"), 'an object "x"'),
      ];
  }
}

/** A valid result: varied start, duration, status, bytes, and an error and a name or not. */
function validBase(rnd: () => number): RequestResult {
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const duration = Math.exp(Math.log(0.001) + rnd() * Math.log(1e7)); // 1 µs .. 10 s
  const r: RequestResult = {
    startTime: Date.now() - duration - rnd() * 2000,
    duration,
    statusCode: pick([0, 200, 201, 204, 302, 404, 429, 500, 503, 999]),
    bytes: pick([0, 1, 512, 65_536, 2 ** 40]),
  };
  // Half carry an error, half a name, independently: a refusal must not
  // blame the field next to the wrong one (issue 16 item 2: a bad name
  // beside a good error was reported as an empty error).
  if (rnd() < 0.5) r.error = pick(["timeout", "connection reset", "err-0"]);
  if (rnd() < 0.5) r.name = pick(["GET /", "login", "POST /api/checkout"]);
  return r;
}

/** Everything the collector reports, but the clock-dependent rates. */
function counts(c: ReturnType<typeof createCollector>): unknown {
  const s = c.getSnapshot();
  return {
    totalRequests: s.totalRequests,
    successfulRequests: s.successfulRequests,
    failedRequests: s.failedRequests,
    totalBytes: s.totalBytes,
    statusCodes: s.statusCodes,
    errorsByStatus: s.errorsByStatus,
    errorsByType: s.errorsByType,
    byName: s.byName,
    latency: s.latency,
    clampedSamples: s.clampedSamples,
    unflushedRequests: s.unflushedRequests,
    points: c.getTimeSeries().points,
    histogram: c.getLatencyHistogram().count,
  };
}

/** The message names `key` first and shows the value as `text`. */
function assertNames(err: unknown, key: Key, text: string, context: string): void {
  assert.ok(
    err instanceof TypeError || err instanceof RangeError,
    `${context}: not refused with a TypeError or RangeError: ${err}`,
  );
  const m = err.message;
  assert.ok(m.startsWith(`RequestResult.${key} `), `${context}: does not name ${key}: ${m}`);
  // The value as "(got V)", or in the clock message "(got startTime V, duration V; ...)".
  const shown = m.includes(`(got ${text})`) || m.includes(`${key} ${text},`) ||
    m.includes(`${key} ${text};`);
  assert.ok(shown, `${context}: does not show the value ${text}: ${m}`);
}

function mutate(base: RequestResult, key: Key, b: Bad): RequestResult {
  const r: Record<string, unknown> = { ...base };
  if (b.missing) delete r[key];
  else r[key] = b.value;
  return r as unknown as RequestResult;
}

function run(kind: CollectorKind, seed: number): number {
  const rnd = mulberry32(seed);
  const c = createCollector(kind, { flushIntervalMs: 0, batchSize: 7 });
  let refusals = 0;
  try {
    for (let i = 0; i < BASES; i++) {
      const base = validBase(rnd);
      for (const key of KEYS) {
        for (const b of badValues(key, rnd, base)) {
          const before = counts(c);
          const context = `${kind} seed ${seed} base ${i} ${key} = ${b.text}`;
          assert.throws(
            () => c.recordRequest(mutate(base, key, b)),
            (err) => (assertNames(err, key, b.text, context), true),
            `${context}: accepted`,
          );
          assert.deepEqual(counts(c), before, `${context}: a refusal changed the counts`);
          refusals++;
        }
      }
      // The unmutated base is valid and counted: the comparison above can fail.
      const total = c.getSnapshot().totalRequests;
      c.recordRequest(base);
      assert.equal(c.getSnapshot().totalRequests, total + 1, `${kind} base ${i} not counted`);
    }
    return refusals;
  } finally {
    c.close();
  }
}

for (const kind of ["atomic", "mutex"] as const) {
  Deno.test(
    `${kind}: property: every single-field mutation of a valid result is refused naming ` +
      "that field and its value, and counts nothing",
    () => {
      const refusals = run(kind, SEED);
      assert.ok(refusals > BASES * KEYS.length * 15, `only ${refusals} mutations: generator off`);
    },
  );
}
