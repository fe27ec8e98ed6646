/**
 * Inputs for the hot-path benches, and the loop that feeds them.
 *
 * The realistic input: 65,536 pre-generated, varied
 * `RequestResult`s from a seeded PRNG, so that every run (and every Worker)
 * records the same sequence.
 *
 * - durations log-normal-ish (median ~6 ms, long right tail), clamped to
 *   0.05–200 ms, fractional: they fall into many histogram buckets;
 * - statuses mixed: 200 (82 %), 201 (8 %), 404 (5 %), 500 (4 %), and 1 %
 *   with no response (status 0 and an error string from a small set);
 * - bytes 0–64 KiB, 0 on failures;
 * - start times from `t0` (a whole second, 5 s ago when this module loaded:
 *   collectors refuse completions far from their clock) in sending order
 *   over `spanMs` (2 s), with up to 1 ms of
 *   jitter, so completions (start + duration) interleave across second
 *   boundaries as real ones do;
 * - a request name from a small set on three results in four.
 *
 * The objects come in several shapes (with and without `error` / `name`),
 * as a load generator's do, and 65,536 of them (with their strings) are
 * several MB: more than the caches hold. A bench walks them in order.
 */
import type { MetricsCollector, RequestResult } from "@lunge/metrics";

/**
 * Which input a bench records: realistic (four shapes, names, errors:
 * {@linkcode realisticResults}), varied (one shape, no names: the issue's
 * input, {@linkcode variedResults}) or constant (two objects).
 */
export type Input = "realistic" | "varied" | "constant";

/** How many results a realistic input holds (a power of two: index with `& REALISTIC_MASK`). */
export const REALISTIC_COUNT = 65_536;
/** `i & REALISTIC_MASK` walks the results cyclically. */
export const REALISTIC_MASK = REALISTIC_COUNT - 1;

const ERRORS = ["timeout", "connection reset", "connection refused"] as const;
const NAMES = ["GET /", "GET /api/items", "POST /api/checkout", "GET /static/app.js"] as const;

/**
 * Default start of the inputs: a whole second, 5 s before this module
 * loaded. Pass one value to every thread (see `_contention.ts`) so that all
 * record the same intervals.
 */
export const DEFAULT_T0: number = Math.floor(Date.now() / 1000) * 1000 - 5_000;

/** mulberry32: a small, fast, seeded PRNG with uniform output in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@linkcode realisticResults}. */
export interface RealisticOptions {
  /** PRNG seed; default 0x5eed. */
  seed?: number;
  /** Start time of the first result, ms since the epoch; default {@linkcode DEFAULT_T0}. */
  t0?: number;
  /** Start times spread over this many ms; default 2,000. */
  spanMs?: number;
}

/** Totals a run over a realistic input must reproduce exactly. */
export interface ExpectedTotals {
  totalRequests: number;
  failedRequests: number;
  totalBytes: number;
}

/** The realistic input: {@linkcode REALISTIC_COUNT} varied results, the same for a given seed. */
export function realisticResults(options: RealisticOptions = {}): RequestResult[] {
  const random = mulberry32(options.seed ?? 0x5eed);
  const t0 = options.t0 ?? DEFAULT_T0;
  const spanMs = options.spanMs ?? 2_000;
  const out: RequestResult[] = [];
  for (let i = 0; i < REALISTIC_COUNT; i++) {
    // Box-Muller: a standard normal, then exp(mu + sigma z): median e^1.8 ~ 6 ms.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const duration = Math.round(Math.min(200, Math.max(0.05, Math.exp(1.8 + 1.3 * z))) * 1000) /
      1000;
    const startTime = t0 + (i / REALISTIC_COUNT) * spanMs + random();
    const u = random();
    const name = random() < 0.75 ? NAMES[Math.floor(random() * NAMES.length)] : undefined;
    let r: RequestResult;
    if (u < 0.01) {
      const error = ERRORS[Math.floor(random() * ERRORS.length)];
      r = { startTime, duration, statusCode: 0, bytes: 0, error };
    } else {
      const statusCode = u < 0.05 ? 500 : u < 0.10 ? 404 : u < 0.18 ? 201 : 200;
      const bytes = statusCode >= 400 ? Math.floor(random() * 512) : Math.floor(random() * 65_536);
      r = { startTime, duration, statusCode, bytes };
    }
    if (name !== undefined) r.name = name;
    out.push(r);
  }
  return out;
}

/** Options of {@linkcode variedResults}. */
export interface VariedOptions {
  /**
   * Where in a wall-clock second the start times begin, in ms (0..999);
   * default 500. Start times are uniform over one second in random order,
   * so the share of consecutive results whose completions fall in different
   * seconds depends on it: about 50 % at 500 (the worst case), about 5 % at 0.
   * Pinning it keeps runs comparable (with `Date.now()` as the start, it
   * changed with every run).
   */
  phaseMs?: number;
  /** Give three results in four one of three request names; default false. */
  names?: boolean;
  /** A whole second before the start times; default 2 s before now. */
  t0?: number;
}

/**
 * The varied input: {@linkcode REALISTIC_COUNT} results with
 * durations log-uniform over 0.05–200 ms, statuses 200 (50 %), 201, 404
 * and 500, bytes 0–4 KiB, start times over one second (`phaseMs` into the
 * second `t0`), one object shape, seeded.
 */
export function variedResults(options: VariedOptions = {}): RequestResult[] {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const t0 = (options.t0 ?? Math.floor(Date.now() / 1000) * 1000 - 2000) + (options.phaseMs ?? 500);
  const names = options.names ?? false;
  return Array.from({ length: REALISTIC_COUNT }, (): RequestResult => {
    const r = {
      startTime: t0 + rnd() * 1000,
      duration: 0.05 * Math.pow(4000, rnd()),
      statusCode: [200, 200, 200, 201, 404, 500][Math.floor(rnd() * 6)],
      bytes: Math.floor(rnd() * 4096),
    };
    return names ? { ...r, name: ["a", "b", "c", undefined][Math.floor(rnd() * 4)] } : r;
  });
}

/** What recording `results[i & REALISTIC_MASK]` for i in [0, count) adds to a collector. */
export function expectedTotals(results: readonly RequestResult[], count: number): ExpectedTotals {
  let failed = 0, bytes = 0;
  const laps = Math.floor(count / results.length), rest = count % results.length;
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    const times = laps + (i < rest ? 1 : 0);
    if (r.error != null || r.statusCode === 0 || r.statusCode >= 400) failed += times;
    bytes += r.bytes * times;
  }
  return { totalRequests: count, failedRequests: failed, totalBytes: bytes };
}

/**
 * The constant input the first benches used: two objects, a success and
 * (one call in 16) a 503 failure; 16 entries, so `drive` walks it with mask 15.
 */
export function constantResults(t0: number = DEFAULT_T0): RequestResult[] {
  const ok: RequestResult = { startTime: t0, duration: 12.5, statusCode: 200, bytes: 100 };
  const bad: RequestResult = { startTime: t0, duration: 30, statusCode: 503, bytes: 0 };
  return Array.from({ length: 16 }, (_, i) => i === 0 ? bad : ok);
}

/** The input named `input`, starting at `t0`. */
export function inputResults(input: Input, t0: number = DEFAULT_T0): RequestResult[] {
  if (input === "varied") return variedResults({ t0 });
  return input === "constant" ? constantResults(t0) : realisticResults({ t0 });
}

/**
 * The hot loop every bench times: `count` calls, walking `results`
 * cyclically (`results.length` a power of two, `mask` = length - 1). One
 * function for warm-up and timing, so that the timed call runs the code the
 * warm-up optimised.
 */
export function drive(
  collector: MetricsCollector,
  results: readonly RequestResult[],
  mask: number,
  count: number,
): void {
  for (let i = 0; i < count; i++) collector.recordRequest(results[i & mask]);
}
