/**
 * The one table of the command line's flags: each flag's name, short form,
 * kind, value, help and section. The parser's options
 * ({@linkcode PARSE_OPTIONS}, for `node:util` parseArgs), the flags `demo`
 * refuses ({@linkcode LOAD_ONLY}) and the flag sections of `--help`
 * ({@linkcode flagHelp}) are all generated from it, so they cannot disagree.
 *
 * @module
 */
import { EXECUTORS } from "../config/config.ts";

/** The `--help` sections, in order. */
export type FlagSection = "Load" | "Output" | "TLS, HTTP/2, proxy, socket" | "Many machines";

/** One flag of the table. */
export interface FlagSpec {
  /** The long name, without `--`. */
  readonly name: string;
  /** The one-letter short form, without `-`. */
  readonly short?: string;
  /** A boolean switch, or a flag that takes a value. */
  readonly type: "string" | "boolean";
  /** Repeatable: its values are collected in a list. */
  readonly multiple?: true;
  /** The value's placeholder in `--help`, e.g. `<url>`. */
  readonly value?: string;
  /** The help text; `\n` starts a continuation line. */
  readonly help: string;
  /** The `--help` section it is listed in. */
  readonly section: FlagSection;
  /** Shapes the load: `demo` refuses it. */
  readonly load?: true;
}

/** Every flag (see the module doc). */
// deno-fmt-ignore
export const FLAGS = [
  { name: "url", type: "string", value: "<url>", help: "target URL (with -c: overrides settings.baseUrl)", section: "Load", load: true },
  { name: "config", short: "c", type: "string", value: "<file>", help: "YAML or JSON test config (Lunge's schema)", section: "Load", load: true },
  { name: "executor", type: "string", value: "<name>", help: EXECUTORS.join(" | "), section: "Load", load: true },
  { name: "vus", type: "string", value: "<n>", help: "VUs (constant-vus; start VUs of ramping-vus) [10]", section: "Load", load: true },
  { name: "duration", type: "string", value: "<d>", help: "e.g. 500ms, 30s, 2m, 1h30m [30s]", section: "Load" },
  { name: "stages", type: "string", value: "<list>", help: 'ramps, e.g. "30s:10,1m:10,30s:0" (target VUs or rate)', section: "Load", load: true },
  { name: "rate", type: "string", value: "<n>", help: "iterations per second (arrival-rate executors)", section: "Load", load: true },
  { name: "pre-allocated-vus", type: "string", value: "<n>", help: "VUs allocated up front (arrival-rate)", section: "Load", load: true },
  { name: "max-vus", type: "string", value: "<n>", help: "most VUs the pool may grow to (arrival-rate)", section: "Load", load: true },
  { name: "method", type: "string", value: "<m>", help: "HTTP method [GET]", section: "Load", load: true },
  { name: "header", short: "H", type: "string", multiple: true, value: '"K: V"', help: "request header (repeatable)", section: "Load", load: true },
  { name: "body", type: "string", value: "<text>", help: "request body", section: "Load", load: true },
  { name: "timeout", short: "t", type: "string", value: "<d>", help: "per-request timeout [30s]", section: "Load", load: true },
  { name: "max-idle-conns", type: "string", value: "<n>", help: "idle keep-alive connections kept, all hosts [>= 100]", section: "Load", load: true },
  { name: "idle-timeout", type: "string", value: "<d>", help: "close a keep-alive connection idle this long [90s]", section: "Load", load: true },
  { name: "max-redirects", type: "string", value: "<n>", help: "redirects followed per request, 0 = none [10]", section: "Load", load: true },
  { name: "workers", type: "string", value: "<n>", help: "Web Workers running the VUs [CPU count; half on loopback]", section: "Load" },
  { name: "collector", type: "string", value: "<kind>", help: "atomic | mutex [$LUNGE_COLLECTOR, else atomic]", section: "Load" },
  { name: "json", type: "boolean", help: "the JSON result: to stdout (console output then goes to stderr),\nor with --output only to its .json file, as Lunge does (= --out json=)", section: "Output" },
  { name: "html", type: "boolean", help: "write an HTML report (to --output, else ./lunge-report.html)", section: "Output" },
  { name: "output", short: "o", type: "string", value: "<path>", help: ".json: JSON result; .html: HTML report; no extension: both", section: "Output" },
  { name: "format", type: "string", value: "<f>", help: "Lunge's spelling: json = --json, html = --html, text = neither", section: "Output" },
  { name: "out", type: "string", multiple: true, value: "<kind>=<target>", help: "every output by one spelling (repeatable): json=<file>.json,\nhtml=<file>.html, csv=<file>, hlog=<file>, prometheus-rw=<url>,\nmetrics=<host:port>, dashboard=<[host:]port>; --json, --html, -o,\n--format, --hlog, --prometheus-listen and --dashboard are spellings\nof the same outputs.\ncsv: one row per request (k6's --out csv): timestamp_ms (start,\nepoch ms), duration_ms (6 decimals), scenario, name, status\n(0: none), bytes, error (empty: none); header row, RFC 4180 quoting", section: "Output" },
  { name: "dashboard", type: "string", value: "<host:port>", help: "a live page while the run lasts, e.g. 127.0.0.1:5665 or 5665\n(host 127.0.0.1); when the run ends it becomes the final report", section: "Output" },
  { name: "quiet", short: "q", type: "boolean", help: "print only PASSED or FAILED", section: "Output" },
  { name: "verbose", short: "v", type: "boolean", help: "detailed summary", section: "Output" },
  { name: "help", short: "h", type: "boolean", help: "this text", section: "Output" },
  { name: "version", type: "boolean", help: "the version", section: "Output" },
  { name: "cacert", type: "string", value: "<file>", help: "CA certificate (PEM) to trust (settings.tls.ca)", section: "TLS, HTTP/2, proxy, socket", load: true },
  { name: "cert", type: "string", value: "<file>", help: "client certificate (PEM) (settings.tls.cert)", section: "TLS, HTTP/2, proxy, socket", load: true },
  { name: "key", type: "string", value: "<file>", help: "client key (PEM) (settings.tls.key)", section: "TLS, HTTP/2, proxy, socket", load: true },
  { name: "insecure", short: "k", type: "boolean", help: "skip the host name check; for an untrusted chain also run\nDeno with --unsafely-ignore-certificate-errors[=host]", section: "TLS, HTTP/2, proxy, socket", load: true },
  { name: "http2", type: "boolean", help: "force HTTP/2 on https (default: h2 when the server offers it)", section: "TLS, HTTP/2, proxy, socket", load: true },
  { name: "proxy", short: "x", type: "string", value: "<url>", help: "http:// proxy for every request (else $HTTP_PROXY, $HTTPS_PROXY,\n$NO_PROXY when --allow-env grants them)", section: "TLS, HTTP/2, proxy, socket", load: true },
  { name: "unix-socket", type: "string", value: "<path>", help: "connect through this Unix socket (the URL names the Host)", section: "TLS, HTTP/2, proxy, socket", load: true },
  { name: "segment", type: "string", value: "<i/n>", help: "run part i (0-based) of n: its share of VUs and iterations\n(also k6's a:b, e.g. 0:1/3); merge the results with `lunge merge`", section: "Many machines" },
  { name: "segment-sequence", type: "string", value: "<0,a,b,...,1>", help: "unequal parts: --segment a:b must be two consecutive\npoints; the same on every instance (e.g. 0,1/4,3/4,1)", section: "Many machines" },
  { name: "execution-segment", type: "string", value: "<a:b>", help: "k6's spelling of --segment", section: "Many machines" },
  { name: "execution-segment-sequence", type: "string", value: "<list>", help: "k6's spelling of --segment-sequence", section: "Many machines" },
  { name: "start-at", type: "string", value: "<ISO time>", help: "start the schedule then, e.g. 2026-11-28T10:00:00Z", section: "Many machines" },
  { name: "histograms-per-second", type: "boolean", help: "keep one latency histogram per second in the JSON", section: "Many machines" },
  { name: "hlog", type: "string", value: "<file>", help: "write HdrHistogram's interval log, one interval per second (= --out hlog=)", section: "Many machines" },
  { name: "prometheus-histograms", type: "string", value: "native|classic", help: "latency as a native histogram (schema 8) or\nclassic buckets, with --out prometheus-rw= [native]", section: "Many machines" },
  { name: "push-interval", type: "string", value: "<d>", help: "time between remote-write pushes [5s]", section: "Many machines" },
  { name: "prometheus-listen", type: "string", value: "<host:port>", help: "serve /metrics while the run lasts (= --out metrics=)", section: "Many machines" },
  { name: "instance", type: "string", value: "<name>", help: "the instance label of pushed and served series\n[segment-i-of-n with --segment, else lunge-<pid>]", section: "Many machines" },
] as const satisfies readonly FlagSpec[];

type Flag = typeof FLAGS[number];

/** parseArgs' option of one flag. */
type OptionOf<F extends Flag> = F extends { multiple: true }
  ? { type: F["type"]; multiple: true; short?: string }
  : { type: F["type"]; short?: string };

/** parseArgs' options of every flag. */
export type ParseOptions = { [F in Flag as F["name"]]: OptionOf<F> };

/** The parser's options, from the table. */
export const PARSE_OPTIONS: ParseOptions = Object.fromEntries(
  (FLAGS as readonly FlagSpec[]).map((f) => [
    f.name,
    {
      type: f.type,
      ...(f.short ? { short: f.short } : {}),
      ...(f.multiple ? { multiple: true } : {}),
    },
  ]),
) as ParseOptions;

/** The flags that shape the load (`demo` refuses them), in table order. */
export const LOAD_ONLY: readonly Extract<Flag, { load: true }>["name"][] = FLAGS
  .filter((f): f is Extract<Flag, { load: true }> => "load" in f && f.load === true)
  .map((f) => f.name);

/** Where a flag's help starts (its spelling is padded to this width). */
const HELP_COLUMN = 28;

/** One flag's `--help` lines. */
function helpLines(f: FlagSpec): string {
  const spelling = `  ${f.short ? `-${f.short}, ` : ""}--${f.name}${f.value ? ` ${f.value}` : ""}`;
  const [first, ...rest] = f.help.split("\n");
  const head = spelling.length < HELP_COLUMN - 1
    ? `${spelling.padEnd(HELP_COLUMN)}${first}`
    : `${spelling}   ${first}`;
  return [head, ...rest.map((l) => `${" ".repeat(HELP_COLUMN)}${l}`)].join("\n") + "\n";
}

/**
 * The `--help` section of the table's flags: a title line, then one entry
 * per flag.
 *
 * @param section The section.
 * @param title Its title line (default: the section's name and a colon).
 * @returns The text, newline-terminated.
 */
export function flagHelp(section: FlagSection, title = `${section}:`): string {
  return `${title}\n` +
    (FLAGS as readonly FlagSpec[]).filter((f) => f.section === section).map(helpLines).join("");
}
