/**
 * `lunge demo`: starts the built-in target server on 127.0.0.1 (a free
 * port), runs the demo's test (../demo/demo.ts) against it with the normal
 * output, says how many requests the server counted, then closes it.
 *
 * @module
 */
import { startTargetServer } from "../demo/target_server.ts";
import { demoConfig } from "../demo/demo.ts";
import { type ReportOptions, runAndReport } from "./run_and_report.ts";

/** Options of {@linkcode runDemo}. */
export interface DemoOptions extends ReportOptions {
  /** Demo length in seconds (default 10). */
  durationSec?: number;
}

/** Runs the demo against a fresh target server; returns the exit code. */
export async function runDemo(options: DemoOptions): Promise<number> {
  const server = await startTargetServer({ hostname: "127.0.0.1", port: 0 });
  try {
    const config = demoConfig(server.url.replace(/\/$/, ""), options.durationSec);
    const code = await runAndReport(config, options);
    if (!options.quiet && !options.json) {
      console.log(`Target server counted ${server.stats().requests} requests.`);
    }
    return code;
  } finally {
    await server.close();
  }
}
