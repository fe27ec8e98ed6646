/**
 * The validated test configuration's types: what {@linkcode validateConfig}
 * returns and the engine runs without further checks.
 *
 * @module
 */
import type { JsonPath } from "./json_path.ts";
import type { Threshold } from "../verdict/thresholds.ts";

/** The four executors Lunge (and k6) offer. */
export type ExecutorKind =
  | "constant-vus"
  | "ramping-vus"
  | "constant-arrival-rate"
  | "ramping-arrival-rate";

/** One ramp stage: move linearly to `target` (VUs or iterations/s) over `durationMs`. */
export interface Stage {
  /** Stage length in ms. */
  durationMs: number;
  /** VUs (ramping-vus) or iterations per second (ramping-arrival-rate) at the stage's end. */
  target: number;
  /** The stage's name (Lunge's `stages[].name`), if given. */
  name?: string;
}

/** What an assertion checks. Lunge's `duration` is read as `responseTime`. */
export type AssertionType = "status" | "header" | "body" | "json" | "responseTime";

/** How an assertion compares. */
export type AssertionCondition =
  | "eq"
  | "ne"
  | "lt"
  | "lte"
  | "gt"
  | "gte"
  | "contains"
  | "matches"
  | "exists";

/** One validated assertion on a response (a k6 check). */
export interface AssertionSpec {
  /** What is checked. */
  type: AssertionType;
  /** How. */
  condition: AssertionCondition;
  /**
   * The expected value, as text; may hold `{{name}}` placeholders rendered
   * per request. For `responseTime` see `valueMs`; for `exists`, `"false"`
   * means "must not exist".
   */
  value: string;
  /** `responseTime`: the expected value in ms. */
  valueMs?: number;
  /** `header`: the header name (lower case). */
  header?: string;
  /** `json` (and `body` with a `path`): where in the JSON body. */
  jsonPath?: JsonPath;
  /** Name in reports and in the error type: the `message`, or the expression. */
  label: string;
}

/** Where an extract reads from. */
export type ExtractSource = "header" | "body" | "json" | "regex" | "status";

/** One validated extract: a value from the response stored as a VU variable. */
export interface ExtractSpec {
  /** The variable set (used as `{{name}}` by later requests). */
  name: string;
  /** Where the value comes from. */
  source: ExtractSource;
  /** `header`: the header name (lower case). */
  header?: string;
  /** `json` (and `body` with a `path`): where in the JSON body. */
  jsonPath?: JsonPath;
  /** A regular expression applied to the source text: its first group (or whole match). */
  regex?: string;
}

/** One HTTP request of a scenario's iteration, fully resolved. */
export interface RequestSpec {
  /** Name for per-request statistics. */
  name: string;
  /** HTTP method, upper case. */
  method: string;
  /**
   * Absolute http(s) URL. When `templated`, it may hold `{{name}}`
   * placeholders rendered per request.
   */
  url: string;
  /** Request headers (settings headers merged under the request's own). */
  headers: Record<string, string>;
  /** Request body, if any. */
  body?: string;
  /** Pause after this request, in ms (never after the iteration's last request). */
  thinkTimeMs: number;
  /** This request's timeout in ms (`requests[].timeout`), overriding settings.timeout. */
  timeoutMs?: number;
  /** Whether url, a header value or the body holds run-time `{{name}}` placeholders. */
  templated: boolean;
  /** Assertions checked on every response. */
  assertions: AssertionSpec[];
  /** Values stored from the response for later requests. */
  extract: ExtractSpec[];
  /** Whether the response body must be read as text (body/json assertions or extracts). */
  readBody: boolean;
}

/** Lunge's pacing: a wait after each iteration (VU executors). */
export interface PacingSpec {
  /** `none`, `constant` (wait `minMs`) or `random` (uniform in `minMs..maxMs`). */
  type: "none" | "constant" | "random";
  /** constant: the wait; random: the least wait (ms). */
  minMs: number;
  /** random: the longest wait (ms); constant: equals `minMs`. */
  maxMs: number;
}

/** One validated scenario. */
export interface ScenarioSpec {
  /** The scenario's key in `scenarios`. */
  name: string;
  /** How load is generated. */
  executor: ExecutorKind;
  /** constant-vus: the VUs; ramping-vus: the VUs at the start. */
  vus: number;
  /** constant-* executors: how long to run, in ms (0 for ramping ones). */
  durationMs: number;
  /** constant-arrival-rate: iterations per second (0 otherwise). */
  rate: number;
  /** Arrival-rate executors: VUs allocated up front. */
  preAllocatedVUs: number;
  /** Arrival-rate executors: the most VUs the pool may grow to. */
  maxVUs: number;
  /** Ramping executors: the stages (empty for constant ones). */
  stages: Stage[];
  /** The requests one iteration makes, in order. */
  requests: RequestSpec[];
  /** How long in-flight iterations may finish after the end, in ms. */
  gracefulStopMs: number;
  /**
   * VU executors: the constant pacing wait in ms (0: none). Kept for
   * compatibility; `pacing` is the full setting.
   */
  pacingMs: number;
  /** VU executors: the wait after each iteration. */
  pacing: PacingSpec;
  /**
   * When the scenario starts, ms after the run starts (`startTime`; with
   * `options.sequential`, when the previous scenario's duration ends).
   */
  startTimeMs: number;
  /** Lunge's `tags`: reported with the scenario, usable as `{{tag}}` in it. */
  tags: Record<string, string>;
  /**
   * This instance runs one execution segment (`--segment`): it owns the
   * global iterations `j` with `j mod period` in `residues` (ascending).
   * Arrival-rate executors issue only those; VU executors run, at each
   * instant, the stripe's share of the whole test's VU target (`vus` and
   * `stages` stay the whole test's; arrival-rate pools are already the
   * segment's). Absent: all of it (run/stripe.ts).
   */
  stripe?: { period: number; residues: readonly number[] };
}

/** The `settings` block, validated. */
export interface Settings {
  /** Base URL that relative request URLs resolve against. */
  baseUrl?: string;
  /** Per-request timeout in ms. */
  timeoutMs: number;
  /** Connection cap per host (per run; split across workers). */
  maxConnectionsPerHost?: number;
  /**
   * Idle keep-alive connections kept per host (per run; split across
   * workers), as Go's `MaxIdleConnsPerHost`. Absent: every open connection
   * is kept, up to the client's overall idle cap.
   */
  maxIdleConnsPerHost?: number;
  /**
   * Idle keep-alive connections kept over all hosts (per run; split across
   * workers), as Go's `MaxIdleConns`. Absent: the client's default (at least
   * 100, and never fewer than the connections in use at once).
   */
  maxIdleConns?: number;
  /**
   * How long an idle keep-alive connection is kept before it is closed, ms,
   * as Go's `IdleConnTimeout`. Absent: the client's default, 90 s.
   */
  idleTimeoutMs?: number;
  /** Headers sent with every request. */
  headers: Record<string, string>;
  /** The User-Agent header. */
  userAgent?: string;
  /** Accept any TLS certificate. */
  insecureSkipVerify: boolean;
  /**
   * Most redirects followed per request (k6's `maxRedirects`); each hop is
   * counted as a request. `0`: none. Absent: the client's default, 10.
   */
  maxRedirects?: number;
  /**
   * Ask for compressed responses: `true` sends `Accept-Encoding: gzip,
   * deflate, br, zstd`, a string sends that value (on requests that set no
   * `Accept-Encoding`); bodies read for assertions and extracts are decoded.
   */
  compression?: boolean | string;
  /** `settings.tls`: CA file, client certificate and key files, skip-verify, SNI. */
  tls?: TlsFileSettings;
  /** The PEM text of `tls`'s files, read before the run (config/_transport.ts loadTlsFiles). */
  tlsPem?: { ca?: string; cert?: string; key?: string };
  /** HTTP/2 for https: absent uses it when the server offers it (ALPN), true forces, false never. */
  http2?: boolean;
  /** Most concurrent streams per HTTP/2 connection (default 100; the server's limit applies too). */
  maxConcurrentStreams?: number;
  /** Proxies by scheme (`--proxy`, `settings.proxy`, or HTTP_PROXY / HTTPS_PROXY / NO_PROXY). */
  proxy?: { http?: string; https?: string; noProxy?: string };
  /** Connect through this Unix socket instead of TCP (`--unix-socket`). */
  unixSocket?: string;
}

/** `settings.tls` as given: file paths (relative to the working directory) and flags. */
export interface TlsFileSettings {
  /** CA certificate file (PEM) trusted besides the system's roots. */
  caFile?: string;
  /** Client certificate file (PEM), with `keyFile`. */
  certFile?: string;
  /** Client private key file (PEM), with `certFile`. */
  keyFile?: string;
  /** Skip the host name check (chain checks need Deno's --unsafely-ignore-certificate-errors). */
  insecureSkipVerify?: boolean;
  /** The TLS server name (SNI) instead of the URL's host. */
  serverName?: string;
}

/** A whole validated test. */
export interface TestConfig {
  /** Test name. */
  name: string;
  /** Test description ("" when none). */
  description: string;
  /** Shared settings. */
  settings: Settings;
  /** Scenarios, run concurrently (each from its `startTimeMs`). */
  scenarios: ScenarioSpec[];
  /** The raw `thresholds` value, as written (its source text), or undefined. */
  thresholds: unknown;
  /** The same thresholds parsed, once, at validation (each keeps its source text and path). */
  parsedThresholds: Threshold[];
  /** Fields accepted but not acted on, one line per field. */
  warnings: string[];
}
