/**
 * `lunge`: an HTTP load tester for Deno that keeps the Go Lunge's `perf`
 * command, config files and report formats, and counts every request through
 * `@lunge/metrics` (lock-free shared counters across Web Workers).
 *
 * Install the command (permissions are part of the install):
 *
 * ```sh
 * deno install -g -n lunge --allow-net --allow-read --allow-write --allow-env jsr:@lunge/cli
 * lunge demo
 * lunge --url http://127.0.0.1:8080/ --rps 200 --duration 10s
 * ```
 *
 * Or call it from code: {@linkcode main} takes the command line and returns
 * the exit code (0 passed, 1 a threshold failed, 2 bad input).
 *
 * @example Print the version
 * ```ts
 * import { main } from "@lunge/cli";
 *
 * const code = await main(["--version"]);
 * console.log(code); // 0
 * ```
 *
 * @module
 */
import { main } from "./cli.ts";

export { main };

if (import.meta.main) Deno.exit(await main(Deno.args));
