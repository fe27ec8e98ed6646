/**
 * {@linkcode ConfigError}: a configuration problem, or several, each naming
 * its field path.
 *
 * @module
 */

/**
 * A configuration problem. The message names the field path, e.g.
 * `scenarios.api.stages[1].duration: invalid duration "5x"`. When a config
 * has several problems, {@linkcode ConfigError.problems} lists each and the
 * message is `N problems:` followed by one indented line per problem.
 *
 * @example One problem, then several
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError } from "./config_error.ts";
 *
 * assert.equal(new ConfigError("vus: required").message, "vus: required");
 * const e = ConfigError.of(["a: bad", "b: bad"]);
 * assert.equal(e.message, "2 problems:\n  a: bad\n  b: bad");
 * assert.deepEqual(e.problems, ["a: bad", "b: bad"]);
 * ```
 */
export class ConfigError extends Error {
  /** Every problem, one line each (one element for a single problem). */
  readonly problems: readonly string[];

  /**
   * Creates the error; `message` is shown to the user as is.
   *
   * @param message The problem, naming its field path.
   * @param problems Every problem when there are several (default: `[message]`).
   */
  constructor(message: string, problems?: readonly string[]) {
    super(message);
    this.name = "ConfigError";
    this.problems = problems ?? [message];
  }

  /**
   * One error for a list of problems: the problem itself when there is one,
   * else `N problems:` and one indented line each.
   *
   * @param problems The problems (at least one).
   * @returns The error.
   */
  static of(problems: readonly string[]): ConfigError {
    if (problems.length === 1) return new ConfigError(problems[0]);
    const lines = problems.map((p) => `  ${p}`).join("\n");
    return new ConfigError(`${problems.length} problems:\n${lines}`, problems);
  }
}
