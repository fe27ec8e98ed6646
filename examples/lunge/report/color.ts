/**
 * Whether to colour console output, and the few ANSI styles the reporters
 * use. Colour follows the conventions of <https://no-color.org> and
 * `FORCE_COLOR`, and reading the environment never prompts or throws: a
 * variable the process may not read counts as unset.
 *
 * @module
 */

/**
 * The value of environment variable `name`, or `undefined` when it is unset
 * **or** the process has no permission to read it. Never prompts.
 */
function readEnv(name: string): string | undefined {
  try {
    const status = Deno.permissions.querySync({ name: "env", variable: name });
    if (status.state !== "granted") return undefined;
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * Whether console output should be coloured.
 *
 * 1. `NO_COLOR` set to a non-empty value: no colour (it wins over everything).
 * 2. `FORCE_COLOR` set: colour, unless its value is `"0"` (or `"false"`),
 *    which forces colour off.
 * 3. Otherwise: colour exactly when the output is a terminal (`isTty`).
 *
 * A variable the process lacks `--allow-env` permission for counts as unset;
 * the check never shows a permission prompt.
 *
 * @param isTty Whether the output stream is a terminal.
 * @returns `true` when ANSI colour codes should be written.
 *
 * @example Deciding for standard output
 * ```ts
 * import { colorEnabled, green } from "./color.ts";
 *
 * const color = colorEnabled(Deno.stdout.isTerminal());
 * console.log(green("ready", color));
 * ```
 */
export function colorEnabled(isTty: boolean): boolean {
  const noColor = readEnv("NO_COLOR");
  if (noColor !== undefined && noColor !== "") return false;
  const force = readEnv("FORCE_COLOR");
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  return isTty;
}

function style(open: number, close: number, text: string, enabled: boolean): string {
  return enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text;
}

/**
 * `text` in green when `enabled`, else `text` unchanged.
 *
 * @example
 * ```ts
 * import { green } from "./color.ts";
 *
 * console.log(green("✓ passed", true));
 * ```
 */
export function green(text: string, enabled: boolean): string {
  return style(32, 39, text, enabled);
}

/**
 * `text` in yellow when `enabled`, else `text` unchanged.
 *
 * @example
 * ```ts
 * import { yellow } from "./color.ts";
 *
 * console.log(yellow("1.50%", true));
 * ```
 */
export function yellow(text: string, enabled: boolean): string {
  return style(33, 39, text, enabled);
}

/**
 * `text` in red when `enabled`, else `text` unchanged.
 *
 * @example
 * ```ts
 * import { red } from "./color.ts";
 *
 * console.log(red("✗ failed", true));
 * ```
 */
export function red(text: string, enabled: boolean): string {
  return style(31, 39, text, enabled);
}

/**
 * `text` in bold when `enabled`, else `text` unchanged.
 *
 * @example
 * ```ts
 * import { bold } from "./color.ts";
 *
 * console.log(bold("Latency Distribution", true));
 * ```
 */
export function bold(text: string, enabled: boolean): string {
  return style(1, 22, text, enabled);
}

/**
 * `text` dimmed (faint) when `enabled`, else `text` unchanged.
 *
 * @example
 * ```ts
 * import { dim } from "./color.ts";
 *
 * console.log(dim("(no thresholds)", true));
 * ```
 */
export function dim(text: string, enabled: boolean): string {
  return style(2, 22, text, enabled);
}
