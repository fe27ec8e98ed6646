/**
 * The version and the `--help` text: the usage lines, the flag sections
 * generated from the one flag table (./flags.ts), and the notes (implied
 * executor, exit codes, limits, permissions, an example).
 *
 * @module
 */
import { MAX_PACER_RATE } from "../run/limits.ts";
import { flagHelp } from "./flags.ts";

/** The engine's version. */
export const VERSION = "0.1.0";

/** The `--help` text. */
export const HELP = `lunge ${VERSION} — HTTP load testing for Deno (Lunge-compatible)

Usage:
  deno run <permissions> examples/lunge.ts [perf] --url <url> [flags]
  deno run <permissions> examples/lunge.ts [perf] -c <config.yaml|json> [flags]
  deno run <permissions> examples/lunge.ts demo [output flags]
  deno run <permissions> examples/lunge.ts merge <result.json>... [output flags]
  deno run <permissions> examples/lunge.ts compare <base.json> <candidate.json> [--fail-on <rules>]

${flagHelp("Load")}${flagHelp("Output")}${flagHelp("TLS, HTTP/2, proxy, socket")}${
  flagHelp("Many machines", 'Many machines (README: "Running on many machines"):')
}Without --executor: --stages picks ramping-vus (ramping-arrival-rate with --rate or
a VU pool flag), --rate picks constant-arrival-rate, else constant-vus.
--url alone: GET, 10 VUs, 30s. With -c, flags override every scenario.
Times in the JSON result are milliseconds ("timeUnit": "ms").
Exit codes: 0 passed; 1 a threshold failed, the run errored or was interrupted;
2 bad usage; 130 a second Ctrl-C. The first Ctrl-C (or SIGTERM) stops at once, as
k6 does: requests in flight are cut and counted as "interrupted", and the summary,
JSON and report files are written. A second Ctrl-C exits at once, with no report.
Limits, checked before the run (exit 2): arrival rates at most ${MAX_PACER_RATE}/s in
all; one file descriptor per VU (connection) plus 64 within \`ulimit -n\` (read
only with --allow-run=sh, or under --allow-all; else not checked). Output files
are opened before the run. Durations of any length work.

Permissions (the narrowest set; lunge names any flag that is missing, in one line):
  --allow-net=<host:port>         each target (e.g. --allow-net=api.example.com:443)
  --allow-read=examples/lunge,mod.ts,src
                                  the Web Workers load their modules from these
                                  (paths relative to the repository root)
  --allow-read=<config file>      with -c (add it to the list above)
  --allow-write=<output file(s)>  with --output / --html / --hlog / --out csv=<file>
                                  (--allow-net also for --out, --prometheus-listen and
                                  --dashboard: its host:port, e.g. 127.0.0.1:5665)
  \`lunge merge\` needs only --allow-read=<result files> (and --allow-write=<outputs>)
  --allow-env=LUNGE_COLLECTOR,NO_COLOR,FORCE_COLOR   optional: honour those variables
  --allow-env=HTTP_PROXY,HTTPS_PROXY,NO_PROXY   optional: use those proxies
                                  (then --allow-net=<proxy host:port>, not the targets)
  --allow-read=<files>            with --cacert / --cert / --key (settings.tls)
  --allow-net=unix:<sock> --allow-read=<sock> --allow-write=<sock>   with --unix-socket
                                  (instead of --allow-net for the targets)
  --allow-run=sh                  optional: check VUs against \`ulimit -n\` (Deno reads
                                  /proc/self/limits only under --allow-all)
Example:
  deno run --allow-net=127.0.0.1:8080 --allow-read=examples/lunge,mod.ts,src \\
    examples/lunge.ts --url http://127.0.0.1:8080/ --vus 50 --duration 30s
`;
