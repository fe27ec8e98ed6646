/**
 * `lunge` — an HTTP load-testing CLI for Deno, compatible with the Go Lunge's
 * `perf` command and config files. See `--help`, or run the demo:
 *
 * ```sh
 * deno task demo
 * deno run --allow-net=127.0.0.1:8080 --allow-read=. examples/lunge.ts --url http://127.0.0.1:8080/
 * ```
 *
 * @module
 */
import { main } from "@lunge/cli";

if (import.meta.main) Deno.exit(await main(Deno.args));
