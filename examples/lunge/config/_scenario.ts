/**
 * Private helper: one scenario (`scenarios.<name>`) validated into a
 * {@linkcode ScenarioSpec}: its common fields, its executor's load shape,
 * stages, pacing, startTime and tags. Every problem is recorded; none stops
 * the others from being found.
 *
 * @module
 */
import { ConfigError } from "./config_error.ts";
import type {
  ExecutorKind,
  PacingSpec,
  RequestSpec,
  ScenarioSpec,
  Settings,
  Stage,
} from "./types.ts";
import type { Problems } from "./_problems.ts";
import {
  describe,
  duration,
  int,
  isObj,
  type Obj,
  positiveNumber,
  str,
  stringMap,
} from "./_fields.ts";
import { checkFields, FIELDS } from "./_schema.ts";
import { type Scope, substituteAll, substituteIn } from "./_substitute.ts";
import { extractedNames, parseRequest } from "./_request.ts";

/** Every executor name, in documentation order. */
export const EXECUTORS: readonly ExecutorKind[] = [
  "constant-vus",
  "ramping-vus",
  "constant-arrival-rate",
  "ramping-arrival-rate",
];

/** Defaults that come from outside the scenario. */
export interface ScenarioDefaults {
  /** gracefulStop when the scenario sets none (options.iterationsTimeout, else 30 s). */
  gracefulStopMs: number;
}

function parseStages(v: unknown, path: string, problems: Problems): Stage[] | undefined {
  if (!Array.isArray(v) || v.length === 0) {
    problems.add(`${path}: must be a non-empty list of {duration, target}`);
    return undefined;
  }
  const before = problems.errorCount;
  const stages = v.map((s, i): Stage => {
    const p = `${path}[${i}]`;
    if (!isObj(s)) {
      problems.add(`${p}: must be a map with duration and target`);
      return { durationMs: 0, target: 0 };
    }
    checkFields(s, FIELDS.stage, p, problems);
    const durationMs = problems.try(() => duration(s, "duration", p));
    if (s.duration === undefined) problems.add(`${p}.duration: required`);
    const t = typeof s.target === "string" && /^\d+(\.\d+)?$/.test(s.target)
      ? Number(s.target)
      : s.target;
    if (typeof t !== "number" || !Number.isFinite(t) || t < 0) {
      problems.add(`${p}.target: must be a number >= 0 (got ${describe(s.target)})`);
    }
    const name = problems.try(() => str(s, "name", p));
    const stage: Stage = { durationMs: durationMs ?? 0, target: typeof t === "number" ? t : 0 };
    if (name !== undefined) stage.name = name;
    return stage;
  });
  if (problems.errorCount > before) return undefined;
  if (stages.reduce((a, s) => a + s.durationMs, 0) <= 0) {
    problems.add(`${path}: total duration must be greater than 0`);
    return undefined;
  }
  return stages;
}

/** Lunge's pacing: `{type: none|constant|random, duration, min, max}`, or a duration string. */
function parsePacing(v: unknown, path: string): PacingSpec {
  const none: PacingSpec = { type: "none", minMs: 0, maxMs: 0 };
  if (v === undefined || v === null || v === 0) return none;
  if (typeof v === "string") {
    const ms = duration({ pacing: v }, "pacing", path.replace(/\.pacing$/, ""));
    return { type: "constant", minMs: ms!, maxMs: ms! };
  }
  if (!isObj(v)) {
    throw new ConfigError(`${path}: must be a map {type, duration} or {type: random, min, max}`);
  }
  const type = str(v, "type", path) ?? (v.min !== undefined ? "random" : "constant");
  if (type === "none") return none;
  if (type === "constant") {
    const ms = duration(v, "duration", path);
    if (ms === undefined) throw new ConfigError(`${path}.duration: required for constant pacing`);
    return { type, minMs: ms, maxMs: ms };
  }
  if (type === "random") {
    const min = duration(v, "min", path);
    const max = duration(v, "max", path);
    if (min === undefined) throw new ConfigError(`${path}.min: required for random pacing`);
    if (max === undefined) throw new ConfigError(`${path}.max: required for random pacing`);
    if (min > max) throw new ConfigError(`${path}: min must be <= max (${v.min} > ${v.max})`);
    return { type, minMs: min, maxMs: max };
  }
  throw new ConfigError(`${path}.type: must be none, constant or random (got ${describe(type)})`);
}

/** The executor-specific fields: fills `spec`'s load shape, recording problems. */
function applyLoadShape(spec: ScenarioSpec, v: Obj, path: string, problems: Problems): void {
  const kind = spec.executor;
  const vusRaw = problems.try(() => int(v, "vus", path, 0));
  const durationMs = problems.try(() => duration(v, "duration", path));
  const rate = problems.try(() => positiveNumber(v, "rate", path));
  const pre = problems.try(() => int(v, "preAllocatedVUs", path, 1));
  const max = problems.try(() => int(v, "maxVUs", path, 1));
  const needDuration = () => {
    if (v.duration === undefined) problems.add(`${path}.duration: required for ${kind}`);
    else if (durationMs === 0) problems.add(`${path}.duration: must be greater than 0`);
    return durationMs ?? 0;
  };
  const needStages = () => {
    if (v.stages === undefined) {
      problems.add(`${path}.stages: required for ${kind}`);
      return [];
    }
    return parseStages(v.stages, `${path}.stages`, problems) ?? [];
  };
  const pool = (peakRate: number) => {
    const preAllocatedVUs = pre ?? vusRaw ?? Math.min(100, Math.max(1, Math.ceil(peakRate / 10)));
    const maxVUs = max ?? Math.max(preAllocatedVUs, 100);
    if (maxVUs < preAllocatedVUs) {
      problems.add(`${path}.maxVUs: must be >= preAllocatedVUs (${maxVUs} < ${preAllocatedVUs})`);
    }
    spec.preAllocatedVUs = preAllocatedVUs;
    spec.maxVUs = maxVUs;
  };
  switch (kind) {
    case "constant-vus":
      spec.vus = vusRaw ?? 1;
      if (vusRaw === 0) problems.add(`${path}.vus: must be a positive integer (got 0)`);
      spec.durationMs = needDuration();
      break;
    case "ramping-vus":
      spec.vus = vusRaw ?? 0;
      spec.stages = needStages();
      spec.stages.forEach((s, i) => {
        if (!Number.isInteger(s.target)) {
          problems.add(
            `${path}.stages[${i}].target: must be an integer number of VUs (got ${s.target})`,
          );
        }
      });
      break;
    case "constant-arrival-rate":
      if (v.rate === undefined) problems.add(`${path}.rate: required for ${kind}`);
      spec.rate = rate ?? 0;
      spec.durationMs = needDuration();
      pool(spec.rate);
      break;
    case "ramping-arrival-rate":
      spec.stages = needStages();
      pool(Math.max(0, ...spec.stages.map((s) => s.target)));
      break;
  }
}

function parseRequests(
  v: Obj,
  path: string,
  settings: Settings,
  scope: Scope,
  problems: Problems,
): RequestSpec[] {
  if (!Array.isArray(v.requests) || v.requests.length === 0) {
    problems.add(`${path}.requests: must be a non-empty list`);
    return [];
  }
  const out: RequestSpec[] = [];
  v.requests.forEach((r, i) => {
    const spec = parseRequest(r, `${path}.requests[${i}]`, settings, scope, problems);
    if (spec) out.push(spec);
  });
  return out;
}

/**
 * Validates scenario `name`. Problems are recorded in `problems`; the
 * returned spec is meaningful only when none were.
 */
export function parseScenario(
  name: string,
  raw: unknown,
  settings: Settings,
  vars: ReadonlyMap<string, unknown>,
  defaults: ScenarioDefaults,
  problems: Problems,
): ScenarioSpec | undefined {
  const path = `scenarios.${name}`;
  if (!isObj(raw)) {
    problems.add(`${path}: must be a map`);
    return undefined;
  }
  checkFields(raw, FIELDS.scenario, path, problems);
  const tags =
    problems.try(() =>
      stringMap(substituteIn(raw.tags, { vars }, `${path}.tags`), `${path}.tags`)
    ) ?? {};
  // Lunge makes a scenario's tags variables of that scenario (over the global ones).
  const scoped = new Map(vars);
  for (const [k, t] of Object.entries(tags)) scoped.set(k, t);
  const scope: Scope = { vars: scoped, extracted: extractedNames(raw.requests) };
  const { requests: _r, tags: _t, ...rest } = raw;
  const v = substituteAll(rest, scope, path, problems) as Obj;
  const before = problems.errorCount;
  const executor = problems.try(() => str(v, "executor", path)) ?? "constant-vus";
  if (!(EXECUTORS as readonly string[]).includes(executor)) {
    problems.add(
      `${path}.executor: unknown executor ${describe(executor)} (use ${EXECUTORS.join(", ")})`,
    );
    return undefined;
  }
  const requests = parseRequests(raw, path, settings, scope, problems);
  const pacing = problems.try(() => parsePacing(v.pacing, `${path}.pacing`)) ??
    { type: "none", minMs: 0, maxMs: 0 };
  const spec: ScenarioSpec = {
    name,
    executor: executor as ExecutorKind,
    vus: 0,
    durationMs: 0,
    rate: 0,
    preAllocatedVUs: 0,
    maxVUs: 0,
    stages: [],
    requests,
    gracefulStopMs: problems.try(() => duration(v, "gracefulStop", path)) ??
      defaults.gracefulStopMs,
    pacingMs: pacing.type === "constant" ? pacing.minMs : 0,
    pacing,
    startTimeMs: problems.try(() => duration(v, "startTime", path)) ?? 0,
    tags,
  };
  applyLoadShape(spec, v, path, problems);
  return problems.errorCount > before ? undefined : spec;
}
