/**
 * Private helper: the engine's view of a run for the live progress
 * ({@linkcode RunView}): the run's fixed figures (name, executors, planned
 * length, most VUs) and the live ones summed from the Workers' last reports.
 *
 * @module
 */
import type { MetricsSnapshot } from "@lunge/metrics";
import type { ScenarioSpec, TestConfig } from "../config/config.ts";
import type { ProgressState } from "../report/progress.ts";
import { peakVUs, phaseAt, runDurationMs, stageIndexAt } from "./executors.ts";
import type { RunControl } from "./_start.ts";
import { sumCounters } from "./_assemble.ts";

/** Builds progress states: the run's fixed figures, and the live ones from the workers. */
export class RunView {
  #config: TestConfig;
  #control: RunControl;
  #scheduleStart: number;
  #totalMs: number;
  #executor: string;
  #maxVUs: number;
  #stageScenario: ScenarioSpec;

  /** The view of `config`'s run, whose Workers are in `control`, from `scheduleStart` (epoch ms). */
  constructor(config: TestConfig, control: RunControl, scheduleStart: number) {
    const scenarios = config.scenarios;
    this.#config = config;
    this.#control = control;
    this.#scheduleStart = scheduleStart;
    this.#totalMs = runDurationMs(scenarios);
    this.#executor = [...new Set(scenarios.map((s) => s.executor))].join(", ");
    this.#maxVUs = scenarios.reduce((a, s) => a + peakVUs(s), 0);
    this.#stageScenario = scenarios.find((s) => s.stages.length > 0) ?? scenarios[0];
  }

  /** Epoch ms of the schedule's offset 0. */
  get scheduleStart(): number {
    return this.#scheduleStart;
  }

  /** The planned run length, ms. */
  get totalMs(): number {
    return this.#totalMs;
  }

  /** The longest gracefulStop of the scenarios, ms. */
  get maxGraceMs(): number {
    return Math.max(...this.#config.scenarios.map((s) => s.gracefulStopMs));
  }

  /** Requests sent so far, over every worker. */
  requests(): number {
    return sumCounters(this.#control.slots, this.#config.scenarios.length).requests;
  }

  /** The state at `at` (epoch ms), with `snapshot`. */
  state(snapshot: MetricsSnapshot, at: number): ProgressState {
    const scenarios = this.#config.scenarios;
    const offset = Math.max(0, at - this.#scheduleStart);
    const sums = sumCounters(this.#control.slots, scenarios.length);
    return {
      name: this.#config.name,
      executor: this.#executor,
      elapsedMs: offset,
      totalMs: this.#totalMs,
      stageIndex: stageIndexAt(this.#stageScenario, offset),
      stageCount: this.#stageScenario.stages.length,
      phase: this.#control.stopRequested ? "cooldown" : phaseAt(scenarios, offset),
      activeVUs: sums.activeVUs,
      maxVUs: this.#maxVUs,
      snapshot,
    };
  }
}
