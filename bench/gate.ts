/**
 * Bench regression gate (`deno task bench:gate`): three ratios, each of two
 * figures measured in this run, in alternating rounds, so that a slow or
 * busy machine slows both sides alike and cannot fool it:
 *
 * 1. `hot`: atomic `recordRequest` ns/op on realistic input (65,536 varied
 *    results with names and some errors, see `_inputs.ts`) over a bare
 *    `Atomics.add` per op, one thread. Lower is better. Seen on the busy
 *    2-vCPU VM: 5.1–5.8 (7.2 once, under a load average of 5); the issue's
 *    3.5–3.7 was for results without names or errors.
 * 2. `atomic/mutex`: total throughput of 2 Workers recording realistic input
 *    into one atomic collector over the same into one mutex collector.
 *    Higher is better; issue 11, quiet VM: 4.9–5.3; busy VM: 1.3–3.9.
 * 3. `shared/private`: 2 Workers into one atomic collector over 2 Workers
 *    each into its own (the machine's limit). Higher is better; issue 11,
 *    quiet VM: 0.95–1.0; busy VM: 0.77–0.93.
 *
 * Each ratio is the median of per-round ratios (the two sides of a ratio
 * run back to back in each round, in alternating order); every run's final
 * counts must also be exact. A ratio past its limit is measured again once,
 * and fails only if it is past the limit again: a real regression fails
 * both times, a burst of load on the machine hardly ever twice.
 *
 * Limits (see BENCHMARKS.md, "Bench gate"), per profile:
 *
 * | ratio          | `--profile github` | `--profile vm` (default, .ci/run) |
 * | -------------- | ------------------ | --------------------------------- |
 * | hot            | fail above 8       | fail above 10                     |
 * | atomic/mutex   | fail below 2       | fail below 1.1                    |
 * | shared/private | fail below 0.6     | fail below 0.5                    |
 *
 * What they catch: `hot`, the hot path getting ~1.5x (github) or ~2x (vm)
 * slower, e.g. a lock or several atomics per call, or V8 no longer
 * inlining it; `atomic/mutex`, the atomic collector serialising its
 * writers (a lock per call brings it to ~1); `shared/private`, writers
 * sharing cache lines on the hot path (shared counters, false sharing).
 *
 * Usage:
 *   deno task bench:gate [--profile vm|github] [--rounds 7] [--count 1000000]
 *     [--max-hot X] [--min-atomic-mutex X] [--min-shared-private X]
 *     [--only hot,atomic/mutex,shared/private]
 *
 * Exit 0 when every ratio is within its limit; 1 with a one-line reason
 * (the last line, on stderr) when one is not; 2 on bad arguments.
 */
import { parseArgs } from "node:util";
import { createCollector, type RequestResult, type SharedMetricsCollector } from "@lunge/metrics";
import { median, type Mode, runContention } from "./_contention.ts";
import { expectedTotals, REALISTIC_MASK, realisticResults } from "./_inputs.ts";

/** The limits of one profile. */
interface Limits {
  /** Fail when atomic recordRequest / Atomics.add is above this. */
  maxHot: number;
  /** Fail when atomic / mutex throughput at 2 Workers is below this. */
  minAtomicMutex: number;
  /** Fail when shared / private throughput at 2 Workers is below this. */
  minSharedPrivate: number;
}

/**
 * `vm`: a 2-vCPU VM that runs other work at the same time (.ci/run): there
 * the two Workers are often not running at once, which takes the mutex
 * collector's contention away, and co-running work slows a memory-bound
 * loop more than a bare atomic; the limits sit beyond the worst medians
 * seen under a load average of 5. `github`: 4-vCPU GitHub runners
 * (ubuntu-latest, windows-latest), one job each: tighter, still with
 * about 1.5-2x headroom over the figures expected there.
 */
const PROFILES: Record<string, Limits> = {
  vm: { maxHot: 10, minAtomicMutex: 1.1, minSharedPrivate: 0.5 },
  github: { maxHot: 8, minAtomicMutex: 2, minSharedPrivate: 0.6 },
};

const { values } = parseArgs({
  args: Deno.args,
  options: {
    profile: { type: "string", default: "vm" },
    rounds: { type: "string", default: "7" },
    count: { type: "string", default: "1000000" },
    "max-hot": { type: "string" },
    "min-atomic-mutex": { type: "string" },
    "min-shared-private": { type: "string" },
    only: { type: "string" },
  },
});
const profile = PROFILES[values.profile];
const NAMES = ["hot", "atomic/mutex", "shared/private"];
const only = values.only === undefined ? undefined : new Set(values.only.split(","));
const rounds = Number(values.rounds);
const count = Number(values.count);
const limits: Limits = profile && {
  maxHot: Number(values["max-hot"] ?? profile.maxHot),
  minAtomicMutex: Number(values["min-atomic-mutex"] ?? profile.minAtomicMutex),
  minSharedPrivate: Number(values["min-shared-private"] ?? profile.minSharedPrivate),
};
if (
  !profile || !Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(count) || count < 1 ||
  !Object.values(limits).every((x) => x > 0) || (only && ![...only].every((n) => NAMES.includes(n)))
) {
  console.error(
    "bench gate: --profile vm|github, --rounds and --count positive integers, limits positive, " +
      `--only a list of ${NAMES.join(",")}`,
  );
  Deno.exit(2);
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

// ---- 1. hot: atomic recordRequest on realistic input vs a bare Atomics.add

const HOT_OPS = 1 << 20;
const results = realisticResults();
const counter = new Int32Array(new SharedArrayBuffer(64));

/** The timed loops: one function each, so each call site sees one class. */
function recordLoop(c: SharedMetricsCollector, rs: readonly RequestResult[], n: number): void {
  for (let i = 0; i < n; i++) c.recordRequest(rs[i & REALISTIC_MASK]);
}
function addLoop(a: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) Atomics.add(a, 0, 1);
}

function timeRecord(c: SharedMetricsCollector): number {
  const t0 = performance.now();
  recordLoop(c, results, HOT_OPS);
  c.flush();
  return (performance.now() - t0) * 1e6 / HOT_OPS;
}
function timeAdd(): number {
  const t0 = performance.now();
  addLoop(counter, HOT_OPS);
  return (performance.now() - t0) * 1e6 / HOT_OPS;
}

interface Check {
  name: string;
  /** Median of the per-round ratios. */
  ratio: number;
  ok: boolean;
  detail: string;
  exact: boolean;
}

function measureHot(): Check {
  const collector = createCollector("atomic", { flushIntervalMs: 0 });
  try {
    // Warm-up: both loops, several calls each, before any timing.
    for (let k = 0; k < 4; k++) {
      recordLoop(collector, results, 1 << 17);
      addLoop(counter, 1 << 17);
    }
    collector.reset();
    const ratios: number[] = [], rec: number[] = [], add: number[] = [];
    for (let r = 0; r < Math.max(rounds, 5) + 2; r++) {
      // Alternate which side goes first.
      let a: number, b: number;
      if (r % 2 === 0) {
        a = timeRecord(collector);
        b = timeAdd();
      } else {
        b = timeAdd();
        a = timeRecord(collector);
      }
      rec.push(a), add.push(b), ratios.push(a / b);
    }
    const s = collector.getSnapshot();
    const want = expectedTotals(results, HOT_OPS);
    const exact = s.totalRequests === want.totalRequests * rec.length &&
      s.failedRequests === want.failedRequests * rec.length &&
      s.totalBytes === want.totalBytes * rec.length;
    const ratio = median(ratios);
    return {
      name: "hot",
      ratio,
      ok: ratio <= limits.maxHot,
      exact,
      detail: `atomic recordRequest ${f1(median(rec))} ns/op / Atomics.add ${
        f1(median(add))
      } ns/op = ${f2(ratio)}x (limit <= ${limits.maxHot}x)`,
    };
  } finally {
    collector.close();
  }
}

// ---- 2 and 3: 2 Workers, realistic input

const WRITERS = 2;
const ways = [
  { label: "atomic", kind: "atomic", mode: "shared" },
  { label: "mutex", kind: "mutex", mode: "shared" },
  { label: "private", kind: "atomic", mode: "private" },
] as const satisfies readonly { label: string; kind: "atomic" | "mutex"; mode: Mode }[];

async function measureContention(): Promise<Check[]> {
  const mops: number[][] = ways.map(() => []);
  let exact = true;
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round, so that no way always runs first.
    for (let k = 0; k < ways.length; k++) {
      const w = (k + r) % ways.length;
      const { kind, mode } = ways[w];
      const run = await runContention({ kind, mode, writers: WRITERS, count, input: "realistic" });
      mops[w].push(run.mops);
      exact &&= run.exact;
    }
  }
  const [atomic, mutex, priv] = mops;
  const am = median(atomic.map((x, i) => x / mutex[i]));
  const sp = median(atomic.map((x, i) => x / priv[i]));
  const m = mops.map((xs) => f1(median(xs)));
  return [
    {
      name: "atomic/mutex",
      ratio: am,
      ok: am >= limits.minAtomicMutex,
      exact,
      detail: `${WRITERS} Workers: atomic ${m[0]} M ops/s / mutex ${m[1]} M ops/s = ${
        f2(am)
      }x (limit >= ${limits.minAtomicMutex}x)`,
    },
    {
      name: "shared/private",
      ratio: sp,
      ok: sp >= limits.minSharedPrivate,
      exact,
      detail: `${WRITERS} Workers: shared ${m[0]} M ops/s / private ${m[2]} M ops/s = ${
        f2(sp)
      } (limit >= ${limits.minSharedPrivate})`,
    },
  ];
}

async function measureAll(only?: Set<string>): Promise<Check[]> {
  const checks: Check[] = [];
  if (!only || only.has("hot")) checks.push(measureHot());
  if (!only || only.has("atomic/mutex") || only.has("shared/private")) {
    checks.push(...(await measureContention()).filter((c) => !only || only.has(c.name)));
  }
  return checks;
}

const started = performance.now();
console.log(
  `bench gate (profile ${values.profile}): ${rounds} rounds, realistic input, ` +
    `${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, ${Deno.build.os}`,
);
let checks = await measureAll(only);
for (const c of checks) console.log(`  ${c.ok ? "ok  " : "over"} ${c.name}: ${c.detail}`);
const inexact = checks.filter((c) => !c.exact);
if (inexact.length > 0) {
  console.error(`bench gate: FAIL: counts not exact in ${inexact.map((c) => c.name).join(", ")}`);
  Deno.exit(1);
}
const over = checks.filter((c) => !c.ok);
if (over.length > 0) {
  console.log(`  measuring ${over.map((c) => c.name).join(", ")} again (a failure must repeat)`);
  checks = await measureAll(new Set(over.map((c) => c.name)));
  for (const c of checks) console.log(`  ${c.ok ? "ok  " : "over"} ${c.name}: ${c.detail}`);
  const failed = checks.filter((c) => !c.ok || !c.exact);
  if (failed.length > 0) {
    console.error(
      `bench gate: FAIL: ${
        failed.map((c) => c.exact ? `${c.name} ${c.detail}` : `${c.name} counts not exact`)
          .join("; ")
      }`,
    );
    Deno.exit(1);
  }
}
console.log(`bench gate: ok (${f1((performance.now() - started) / 1000)} s)`);
