/**
 * Executor planning: the pure, clock-free arithmetic of the four executors.
 * What each scenario asks for at a given offset from the start (VUs or
 * iterations/s), the rate profile an arrival-rate scenario hands to the
 * pacer, how VUs, rates and connection pools split across workers, and the
 * run's phases (init, ramp-up, steady, ramp-down, cooldown, done).
 *
 * Semantics (where they differ from the Go Lunge, this is the better one):
 * - constant-vus: `vus` VUs loop over the requests for `duration`.
 * - ramping-vus: starts at `vus` (default 0) and moves linearly to each
 *   stage's target; the worker re-plans every {@linkcode REPLAN_MS} ms.
 * - constant-arrival-rate: `rate` iterations/s for `duration`.
 * - ramping-arrival-rate: ramps linearly **from 0** through the stages
 *   (Lunge jumps to the first target).
 *
 * @module
 */
import type { ScenarioSpec, Stage } from "../config/config.ts";
import type { RateSegment } from "./pacer.ts";
import type { Phase } from "../result.ts";
import { stripeShare } from "../distributed/stripe.ts";

/** How often VU targets are re-planned during ramps, in ms. */
export const REPLAN_MS = 100;

/** Whether a scenario is an open-model (arrival-rate) one. */
export function isArrivalRate(s: ScenarioSpec): boolean {
  return s.executor === "constant-arrival-rate" || s.executor === "ramping-arrival-rate";
}

/** How long a scenario's schedule lasts, in ms (gracefulStop not included). */
export function scenarioDurationMs(s: ScenarioSpec): number {
  if (s.stages.length > 0) return s.stages.reduce((a, st) => a + st.durationMs, 0);
  return s.durationMs;
}

/** When a scenario starts, ms after the run starts (its `startTime`). */
export function scenarioStartMs(s: ScenarioSpec): number {
  return s.startTimeMs ?? 0;
}

/** When the last scenario's schedule ends (startTime included), in ms. */
export function runDurationMs(scenarios: readonly ScenarioSpec[]): number {
  return Math.max(0, ...scenarios.map((s) => scenarioStartMs(s) + scenarioDurationMs(s)));
}

/** The value ramping starts from: `vus` for ramping-vus, 0 for ramping-arrival-rate. */
function rampStart(s: ScenarioSpec): number {
  return s.executor === "ramping-vus" ? s.vus : 0;
}

function stageAt(stages: readonly Stage[], start: number, tMs: number) {
  let from = start;
  let t0 = 0;
  for (let i = 0; i < stages.length; i++) {
    const st = stages[i];
    if (tMs < t0 + st.durationMs) {
      const frac = st.durationMs > 0 ? (tMs - t0) / st.durationMs : 1;
      return { index: i, from, to: st.target, value: from + (st.target - from) * frac };
    }
    from = st.target;
    t0 += st.durationMs;
  }
  return undefined;
}

/**
 * The scenario's target at `tMs` from its start: VUs (an integer) for VU
 * executors, iterations/s for arrival-rate ones; 0 once the schedule ended.
 */
export function targetAt(s: ScenarioSpec, tMs: number): number {
  if (tMs < 0 || tMs >= scenarioDurationMs(s)) return 0;
  switch (s.executor) {
    case "constant-vus":
      return s.vus;
    case "constant-arrival-rate":
      return s.rate;
    case "ramping-vus":
      return Math.round(stageAt(s.stages, s.vus, tMs)?.value ?? 0);
    case "ramping-arrival-rate":
      return stageAt(s.stages, 0, tMs)?.value ?? 0;
  }
}

/**
 * The VUs worker `index` of `count` runs at `tMs` from the scenario's start
 * (VU executors): the whole test's target at that instant ({@linkcode targetAt}
 * of the unsplit schedule), then the execution segment's share of it
 * (`stripe`, run/stripe.ts), then this worker's ({@linkcode shareOf}). Every
 * step splits an integer into shares that add up, so at every instant the
 * workers of all instances run exactly the VUs one machine would.
 */
export function workerVUsAt(s: ScenarioSpec, tMs: number, index: number, count: number): number {
  return shareOf(stripeShare(targetAt(s, tMs), s.stripe), index, count);
}

/**
 * The most VUs a scenario may use at once (an execution segment's share of
 * the VU executors' peak: their `stripe` applies at run time; arrival-rate
 * pools are the segment's already).
 */
export function peakVUs(s: ScenarioSpec): number {
  switch (s.executor) {
    case "constant-vus":
      return stripeShare(s.vus, s.stripe);
    case "ramping-vus":
      return stripeShare(Math.max(s.vus, ...s.stages.map((st) => st.target)), s.stripe);
    default:
      return s.maxVUs;
  }
}

/** The peak arrival rate of a scenario (iterations/s; 0 for VU executors). */
export function peakRate(s: ScenarioSpec): number {
  if (s.executor === "constant-arrival-rate") return s.rate;
  if (s.executor === "ramping-arrival-rate") return Math.max(0, ...s.stages.map((st) => st.target));
  return 0;
}

/** The rate profile of an arrival-rate scenario, for the {@linkcode Pacer}. */
export function rateSegments(s: ScenarioSpec): RateSegment[] {
  if (s.executor === "constant-arrival-rate") {
    return [{ durationMs: s.durationMs, fromRate: s.rate, toRate: s.rate }];
  }
  if (s.executor === "ramping-arrival-rate") {
    let from = rampStart(s);
    return s.stages.map((st) => {
      const seg = { durationMs: st.durationMs, fromRate: from, toRate: st.target };
      from = st.target;
      return seg;
    });
  }
  return [];
}

/**
 * Iterations an arrival-rate schedule calls for in its first `untilMs`: the
 * integral of its rate (0 for VU executors). What efficiency compares with,
 * so a ramp is not judged against its peak.
 */
export function plannedIterations(s: ScenarioSpec, untilMs: number): number {
  let t = scenarioStartMs(s), n = 0;
  for (const seg of rateSegments(s)) {
    const d = Math.min(seg.durationMs, Math.max(0, untilMs - t));
    if (d > 0) {
      const rateAtEnd = seg.fromRate + (seg.toRate - seg.fromRate) * (d / seg.durationMs);
      n += ((seg.fromRate + rateAtEnd) / 2) * (d / 1000);
    }
    t += seg.durationMs;
  }
  return n;
}

/** Worker `index`'s share of `total` items split over `count` workers (the first ones take the remainder). */
export function shareOf(total: number, index: number, count: number): number {
  const base = Math.floor(total / count);
  return base + (index < total - base * count ? 1 : 0);
}

/**
 * How many workers to start: the requested count (default: the CPU count),
 * but never more than the most VUs any moment needs, and at least 1.
 */
export function workerCount(scenarios: readonly ScenarioSpec[], requested: number): number {
  const vus = scenarios.reduce((a, s) => a + peakVUs(s), 0);
  return Math.max(1, Math.min(requested, vus));
}

/** The 0-based stage a scenario is in at `tMs` (0 for constant executors; the last after the end). */
export function stageIndexAt(s: ScenarioSpec, tMs: number): number {
  if (s.stages.length === 0) return 0;
  const t = tMs - scenarioStartMs(s);
  if (t < 0) return 0;
  return stageAt(s.stages, rampStart(s), t)?.index ?? s.stages.length - 1;
}

function scenarioPhase(s: ScenarioSpec, tRun: number): Phase | undefined {
  const tMs = tRun - scenarioStartMs(s);
  if (tMs < 0 || tMs >= scenarioDurationMs(s)) return undefined;
  if (s.stages.length === 0) return "steady";
  const st = stageAt(s.stages, rampStart(s), tMs);
  if (!st || st.to === st.from) return "steady";
  return st.to > st.from ? "ramp-up" : "ramp-down";
}

/**
 * The run's phase at `tMs` into the schedule: ramp-up when any scenario
 * ramps up, else ramp-down when any ramps down, else steady; "cooldown"
 * once every schedule ended (in-flight iterations finishing); "init" while
 * none runs yet but one starts later (a `startTime`). `tMs` is from the run's start.
 */
export function phaseAt(scenarios: readonly ScenarioSpec[], tMs: number): Phase {
  let result: Phase | undefined;
  for (const s of scenarios) {
    const p = scenarioPhase(s, tMs);
    if (p === "ramp-up") return p;
    if (p === "ramp-down" || (p === "steady" && result === undefined)) result = p;
  }
  if (result === undefined && scenarios.some((s) => tMs < scenarioStartMs(s))) return "init";
  return result ?? "cooldown";
}

/**
 * Every phase change of the schedule, as offsets from its start: the phase
 * entered at each stage boundary where it changes. Ends with "cooldown" at
 * the schedule's end.
 */
export function phaseTimeline(
  scenarios: readonly ScenarioSpec[],
): { offsetMs: number; phase: Phase }[] {
  const bounds = new Set<number>([0]);
  for (const s of scenarios) {
    let t = scenarioStartMs(s);
    bounds.add(t);
    for (const st of s.stages) bounds.add(t += st.durationMs);
    bounds.add(scenarioStartMs(s) + scenarioDurationMs(s));
  }
  const out: { offsetMs: number; phase: Phase }[] = [];
  for (const t of [...bounds].sort((a, b) => a - b)) {
    const phase = phaseAt(scenarios, t);
    if (out.length === 0 || out[out.length - 1].phase !== phase) out.push({ offsetMs: t, phase });
  }
  return out;
}
