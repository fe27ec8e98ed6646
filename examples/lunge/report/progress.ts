/**
 * Live progress output while a test runs, in Lunge's console format: on a
 * terminal a panel redrawn in place (bar, stage, a box of live figures),
 * otherwise one plain line per update, fit for CI logs.
 *
 * @module
 */
import type { MetricsSnapshot } from "@lunge/metrics";
import type { Phase } from "../result.ts";
import { bold, dim, green, red, yellow } from "./color.ts";
import {
  errorRateTone,
  formatClock,
  formatCount,
  formatDuration,
  formatPercent,
  formatRate,
  MEAN_LABEL,
  padEndVisible,
  RULE,
  visibleWidth,
} from "./_report_format.ts";

/** Everything one progress update shows. */
export interface ProgressState {
  /** Test name. */
  name: string;
  /** Executor of the running scenario, e.g. "ramping-vus". */
  executor: string;
  /** Ms since the run started. */
  elapsedMs: number;
  /** Planned run length in ms (0 when unknown). */
  totalMs: number;
  /** **0-based** index of the current stage; shown 1-based (`Stage: steady (1/3)`). */
  stageIndex: number;
  /** Number of stages (0 when the executor has none: then no `(i/n)` is shown). */
  stageCount: number;
  /** The phase the run is in. */
  phase: Phase;
  /** Virtual users active now. */
  activeVUs: number;
  /** Most virtual users the scenario may use. */
  maxVUs: number;
  /** The collector's current snapshot. */
  snapshot: MetricsSnapshot;
}

/** Width of the progress bar, in characters. */
const BAR_WIDTH = 40;

/** Fraction of the run done, 0..1 (0 when the total is unknown). */
function progressFraction(state: ProgressState): number {
  if (!(state.totalMs > 0) || !Number.isFinite(state.elapsedMs)) return 0;
  return Math.min(1, Math.max(0, state.elapsedMs / state.totalMs));
}

/** The error count and rate, yellow above 1 %, red above 5 %. */
function errorsText(snapshot: MetricsSnapshot, color: boolean): string {
  const text = `${formatCount(snapshot.failedRequests)} (${formatPercent(snapshot.errorRate)})`;
  const tone = errorRateTone(snapshot.errorRate);
  if (tone === "bad") return red(text, color);
  if (tone === "warn") return yellow(text, color);
  return text;
}

function stageText(state: ProgressState): string {
  if (!(state.stageCount > 0)) return state.phase;
  const index = Math.min(state.stageCount, Math.max(1, Math.floor(state.stageIndex) + 1));
  return `${state.phase} (${index}/${state.stageCount})`;
}

/**
 * The header printed once before progress: a 56-character `━` rule, then
 * `<name> - Running [<executor>]`.
 *
 * @example
 * ```ts
 * import { formatProgressHeader } from "./progress.ts";
 *
 * console.log(formatProgressHeader("checkout", "ramping-vus", false));
 * ```
 */
export function formatProgressHeader(name: string, executor: string, color: boolean): string {
  return `${dim(RULE, color)}\n${bold(name, color)} - Running [${executor}]`;
}

/**
 * The one-line progress report used when output is not a terminal:
 * `[12s] Progress: 40% | VUs: 10 | Reqs: 1,234 | RPS: 102.8 | Errors: 3 (0.24%) | P95: 12.3ms`.
 *
 * @param state The current progress.
 * @param color Whether to colour the error figure.
 * @returns The line, without a trailing newline.
 *
 * @example
 * ```ts ignore
 * import { formatProgressLine } from "./progress.ts";
 *
 * console.log(formatProgressLine(state, false));
 * ```
 */
export function formatProgressLine(state: ProgressState, color: boolean): string {
  const s = state.snapshot;
  const percent = Math.floor(progressFraction(state) * 100);
  return [
    `[${formatClock(state.elapsedMs)}] Progress: ${percent}%`,
    `VUs: ${formatCount(state.activeVUs)}`,
    `Reqs: ${formatCount(s.totalRequests)}`,
    `RPS: ${formatRate(s.requestsPerSecond)}`,
    `Errors: ${errorsText(s, color)}`,
    `P95: ${formatDuration(s.latency.p95)}`,
  ].join(" | ");
}

/**
 * The multi-line panel shown (and redrawn in place) on a terminal:
 *
 * ```text
 * [████████████████░░░░░░░░░░░░░░░░░░░░░░░░] 40%  12s / 30s
 * Stage: steady (2/3)
 * ┌─────────┬────────────┬─────────┬──────────────┬─────────┬─────────┐
 * │ VUs     │ Requests   │ RPS     │ Errors       │ P95     │ Avg     │
 * │ 10/10   │ 1,234      │ 102.8   │ 3 (0.24%)    │ 12.3ms  │ 4.51ms  │
 * └─────────┴────────────┴─────────┴──────────────┴─────────┴─────────┘
 * ```
 *
 * The stage index is 1-based (Lunge printed it 0-based). Errors are yellow
 * above 1 % and red above 5 % when `color` is on.
 *
 * @param state The current progress.
 * @param color Whether to use ANSI colours.
 * @returns The panel lines joined by `\n`, without a trailing newline.
 *
 * @example
 * ```ts ignore
 * import { formatProgressPanel } from "./progress.ts";
 *
 * console.log(formatProgressPanel(state, Deno.stdout.isTerminal()));
 * ```
 */
export function formatProgressPanel(state: ProgressState, color: boolean): string {
  const s = state.snapshot;
  const fraction = progressFraction(state);
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = green("█".repeat(filled), color) + dim("░".repeat(BAR_WIDTH - filled), color);
  const percent = `${Math.floor(fraction * 100)}%`;
  const clock = state.totalMs > 0
    ? `${formatClock(state.elapsedMs)} / ${formatClock(state.totalMs)}`
    : formatClock(state.elapsedMs);
  const cells: [string, string, number][] = [
    ["VUs", `${formatCount(state.activeVUs)}/${formatCount(state.maxVUs)}`, 7],
    ["Requests", formatCount(s.totalRequests), 10],
    ["RPS", formatRate(s.requestsPerSecond), 7],
    ["Errors", errorsText(s, color), 12],
    ["P95", formatDuration(s.latency.p95), 7],
    [MEAN_LABEL, formatDuration(s.latency.mean), 7],
  ];
  const widths = cells.map(([label, value, min]) =>
    Math.max(min, label.length, visibleWidth(value))
  );
  const border = (left: string, mid: string, right: string) =>
    left + widths.map((w) => "─".repeat(w + 2)).join(mid) + right;
  const row = (texts: string[]) =>
    "│" + texts.map((t, i) => ` ${padEndVisible(t, widths[i])} `).join("│") + "│";
  return [
    `[${bar}] ${percent}  ${clock}`,
    `Stage: ${bold(stageText(state), color)}`,
    border("┌", "┬", "┐"),
    row(cells.map(([label]) => dim(label, color))),
    row(cells.map(([, value]) => value)),
    border("└", "┴", "┘"),
  ].join("\n");
}

/** Options of a {@linkcode ProgressReporter}. */
export interface ProgressReporterOptions {
  /** Whether output goes to a terminal: redraw in place instead of appending lines. */
  tty: boolean;
  /** Whether to use ANSI colours. */
  color: boolean;
  /** Where output goes, e.g. a function encoding to `Deno.stdout.writeSync`. */
  write: (text: string) => void;
}

/**
 * Writes live progress. The first update prints the header (rule and
 * `<name> - Running [<executor>]`); then on a terminal each update redraws
 * the panel in place (cursor-up and clear-line sequences), otherwise each
 * update appends one {@linkcode formatProgressLine}.
 *
 * @example Reporting once a second
 * ```ts ignore
 * import { ProgressReporter } from "./progress.ts";
 *
 * const encoder = new TextEncoder();
 * const tty = Deno.stdout.isTerminal();
 * const reporter = new ProgressReporter({
 *   tty,
 *   color: tty,
 *   write: (s) => Deno.stdout.writeSync(encoder.encode(s)),
 * });
 * const timer = setInterval(() => reporter.update(currentState()), 1000);
 * await run;
 * clearInterval(timer);
 * reporter.update(currentState());
 * reporter.finish();
 * ```
 */
export class ProgressReporter {
  #tty: boolean;
  #color: boolean;
  #write: (text: string) => void;
  #headerWritten = false;
  #panelLines = 0;
  #finished = false;

  /** Create a reporter; nothing is written until the first update. */
  constructor(options: ProgressReporterOptions) {
    this.#tty = options.tty;
    this.#color = options.color;
    this.#write = options.write;
  }

  /** Show `state`: redraw the panel (terminal) or append a line. Ignored after {@linkcode finish}. */
  update(state: ProgressState): void {
    if (this.#finished) return;
    let out = "";
    if (!this.#headerWritten) {
      out += formatProgressHeader(state.name, state.executor, this.#color) + "\n\n";
      this.#headerWritten = true;
    }
    if (!this.#tty) {
      this.#write(out + formatProgressLine(state, this.#color) + "\n");
      return;
    }
    const lines = formatProgressPanel(state, this.#color).split("\n");
    // Move to the start of the previous panel, then rewrite each line after
    // clearing it, and clear anything left below.
    if (this.#panelLines > 0) out += `\x1b[${this.#panelLines}A\r`;
    for (const line of lines) out += `\x1b[2K${line}\n`;
    out += "\x1b[J";
    this.#panelLines = lines.length;
    this.#write(out);
  }

  /** End the live output, leaving the last panel or line in place; later updates are ignored. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#headerWritten) this.#write("\n");
  }
}
