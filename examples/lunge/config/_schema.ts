/**
 * Private helper: the fields of Lunge's v2 perf schema at each level, and
 * the unknown-field check (every unknown field is reported, with its path).
 * Settings beyond Lunge's schema: `maxIdleConns` and `idleTimeout` (the HTTP
 * client's idle-connection bounds, as Go's Transport names them),
 * `maxRedirects` (k6's) and `compression`.
 *
 * @module
 */
import type { Problems } from "./_problems.ts";
import { join, type Obj } from "./_fields.ts";

/** Fields of each level of Lunge's schema (`internal/performance/v2/config/schema.go`). */
export const FIELDS = {
  top: ["name", "description", "settings", "variables", "scenarios", "thresholds", "options"],
  settings: [
    "baseUrl",
    "timeout",
    "maxConnectionsPerHost",
    "maxIdleConnsPerHost",
    "maxIdleConns",
    "idleTimeout",
    "headers",
    "userAgent",
    "insecureSkipVerify",
    "maxRedirects",
    "compression",
    "tls",
    "http2",
    "maxConcurrentStreams",
    "proxy",
    "unixSocket",
  ],
  scenario: [
    "executor",
    "vus",
    "duration",
    "rate",
    "preAllocatedVUs",
    "maxVUs",
    "stages",
    "requests",
    "gracefulStop",
    "pacing",
    "startTime",
    "tags",
  ],
  stage: ["duration", "target", "name"],
  request: [
    "name",
    "method",
    "url",
    "headers",
    "body",
    "timeout",
    "thinkTime",
    "extract",
    "assertions",
  ],
  pacing: ["type", "duration", "min", "max"],
  extract: ["name", "source", "path", "regex"],
  assertion: ["type", "condition", "value", "path", "message"],
  thresholds: ["http_req_duration", "http_req_failed", "http_reqs", "custom"],
  options: [
    "sequential",
    "iterationsTimeout",
    "setupTimeout",
    "teardownTimeout",
    "noVUConnectionReuse",
  ],
} as const;

/** Records an "unknown field" problem for each key of `o` not in `allowed`. */
export function checkFields(
  o: Obj,
  allowed: readonly string[],
  path: string,
  problems: Problems,
): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) problems.add(`${join(path, key)}: unknown field`);
  }
}
