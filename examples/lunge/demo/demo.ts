/**
 * The demo's test (`lunge.ts demo`; ../cli/run_demo.ts starts the built-in
 * target server on 127.0.0.1, a free port, and runs it): a ~10 s load test
 * with a built-in config — two scenarios (closed and open model), several
 * named requests, a delay endpoint, an endpoint answering 500, and Lunge
 * assertions (checks).
 *
 * Needs only `--allow-net=127.0.0.1 --allow-read=<repo>` (the workers load
 * their modules), plus `--allow-env=LUNGE_COLLECTOR,NO_COLOR,FORCE_COLOR`
 * to honour those variables.
 *
 * @module
 */
import { type TestConfig, validateConfig } from "../config/config.ts";

/** The demo's test document (Lunge's config schema), for a server at `baseUrl`. */
export function demoDocument(baseUrl: string, durationSec = 10): Record<string, unknown> {
  const ramp = Math.max(1, Math.round(durationSec * 0.3));
  return {
    name: "Lunge demo",
    description: "Built-in target server on 127.0.0.1: pages, a slow endpoint and a failing one",
    settings: { baseUrl, timeout: "5s", headers: { Accept: "*/*" } },
    variables: { slowMs: 25 },
    scenarios: {
      browse: {
        executor: "constant-vus",
        vus: 8,
        duration: `${durationSec}s`,
        requests: [
          {
            name: "home",
            url: "{{baseUrl}}/",
            thinkTime: "20ms",
            assertions: [{ type: "status", condition: "eq", value: 200 }],
          },
          { name: "slow", url: "/delay/{{slowMs}}" },
          { name: "asset", url: "/bytes/2048", thinkTime: "30ms" },
        ],
      },
      api: {
        executor: "ramping-arrival-rate",
        preAllocatedVUs: 10,
        maxVUs: 50,
        stages: [
          { duration: `${ramp}s`, target: 100 },
          { duration: `${Math.max(1, durationSec - 2 * ramp)}s`, target: 100 },
          { duration: `${ramp}s`, target: 0 },
        ],
        requests: [
          {
            name: "search",
            method: "POST",
            url: "/echo",
            body: { q: "lunge", at: "{{timestamp}}" },
            assertions: [{ type: "json", path: "$.q", condition: "eq", value: "lunge" }],
          },
          { name: "broken", url: "/status/500" },
        ],
      },
    },
    thresholds: {
      http_req_duration: ["p(95) < 500", "avg < 200"],
      http_req_failed: ["rate < 0.5"],
      http_reqs: ["count > 100"],
    },
  };
}

/** The validated demo config for a server at `baseUrl`. */
export function demoConfig(baseUrl: string, durationSec = 10): TestConfig {
  return validateConfig(demoDocument(baseUrl, durationSec));
}
