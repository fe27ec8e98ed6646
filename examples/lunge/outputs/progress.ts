/**
 * The live progress view as an output: at each tick the engine's live
 * state ({@linkcode ProgressState}; none once a stop was asked for, so the
 * view then waits quietly) redraws the panel on a terminal or appends a
 * line ({@linkcode ProgressReporter}, ../report/progress.ts); at the run's
 * end the final state, and the view is finished, before the summary.
 *
 * @module
 */
import { ProgressReporter, type ProgressReporterOptions } from "../report/progress.ts";
import type { Output, OutputEnd, OutputTick } from "./output.ts";

/** The live progress view (see the module doc). */
export class ProgressOutput implements Output {
  #reporter: ProgressReporter;

  /** A view that writes with `options.write` (a panel when `options.tty`). */
  constructor(options: ProgressReporterOptions) {
    this.#reporter = new ProgressReporter(options);
  }

  /** `progress`. */
  get name(): string {
    return "progress";
  }

  /** Nothing to open: the view writes where it was told. */
  open(): void {}

  /** Shows the tick's live state, if it has one. */
  tick(tick: OutputTick): void {
    if (tick.state !== undefined) this.#reporter.update(tick.state);
  }

  /**
   * Shows the final state, then ends the view.
   *
   * @param end The run's end.
   * @returns Null: the view cannot fail the run.
   */
  end(end: OutputEnd): Promise<string | null> {
    if (end.state !== undefined) this.#reporter.update(end.state);
    this.finish();
    return Promise.resolve(null);
  }

  /** Ends the view, leaving its last panel or line (e.g. before a stop message); later states are ignored. */
  finish(): void {
    this.#reporter.finish();
  }

  /** Ends the view. */
  close(): void {
    this.finish();
  }
}
