/**
 * Private helper: collects every configuration problem of one load, so that
 * a config with several mistakes reports all of them in one run, and the
 * warnings, one line per field (not per occurrence).
 *
 * @module
 */
import { ConfigError } from "./config_error.ts";

/** The problems and warnings found while validating one config. */
export class Problems {
  #errors: string[] = [];
  #warnings = new Map<string, string>();

  /**
   * Records a problem (its message names the field path). One problem per
   * field: a second one for the same path (a consequence of the first, such
   * as an invalid duration after an unknown variable in it) is dropped.
   */
  add(message: string): void {
    const field = message.split(": ", 1)[0];
    if (this.#errors.some((e) => e.split(": ", 1)[0] === field)) return;
    this.#errors.push(message);
  }

  /**
   * Runs `fn`; a {@linkcode ConfigError} it throws is recorded (with each of
   * its problems) and `undefined` returned. Other errors propagate.
   */
  try<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      for (const p of e.problems) this.add(p);
      return undefined;
    }
  }

  /** Records a warning once per `key` (a field pattern, e.g. `options.setupTimeout`). */
  warn(key: string, message: string): void {
    if (!this.#warnings.has(key)) this.#warnings.set(key, message);
  }

  /** How many problems so far. */
  get errorCount(): number {
    return this.#errors.length;
  }

  /** The warnings, in the order first seen. */
  get warnings(): string[] {
    return [...this.#warnings.values()];
  }

  /** Throws one {@linkcode ConfigError} holding every problem, if any. */
  throwIfAny(): void {
    if (this.#errors.length > 0) throw ConfigError.of(this.#errors);
  }
}
