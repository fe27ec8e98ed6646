/**
 * The version and the `--help` text: the usage lines, the flag sections
 * generated from the one flag table (./flags.ts), and the notes (implied
 * executor, exit codes, limits, permissions, an example). The usage and the
 * permissions are those of the installed `lunge` command and of
 * `deno run examples/lunge.ts` from a checkout; the Workers' read permission
 * is the one this copy asks for (`workerReadPaths`: local module files in a
 * checkout, none installed from JSR or in a single binary).
 *
 * @module
 */
import { MAX_PACER_RATE } from "../run/limits.ts";
import { flagHelp } from "./flags.ts";
import { workerReadPaths } from "../_paths.ts";

/** The engine's version. */
export const VERSION = "0.1.0";

/** The Workers' read permission in `--help`: what this copy asks for, and when none is. */
function workerReadHelp(): string {
  const paths = workerReadPaths();
  if (paths.length === 0) {
    return `  (no --allow-read for the Web Workers' modules: installed from JSR they are
   remote, in a single binary embedded)
`;
  }
  return `  --allow-read=${paths.join(",")}
                                  the Web Workers load their modules from these local
                                  files (a checkout, or installed from one); none are
                                  read installed from JSR or in a single binary
`;
}

/** The `--help` text. */
export const HELP = `lunge ${VERSION} — HTTP load testing for Deno (Lunge-compatible)

Usage:
  lunge [perf] --url <url> [flags]
  lunge [perf] -c <config.yaml|json> [flags]
  lunge demo [output flags]
  lunge merge <result.json>... [output flags]
  lunge compare <base.json> <candidate.json> [--fail-on <rules>]
  lunge is the installed command (deno install -g -n lunge <permissions> jsr:@lunge/cli)
  or a single binary; from a checkout, \`deno run <permissions> examples/lunge.ts\` takes
  the same arguments.

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

Permissions (the narrowest set, given to \`deno install\` or \`deno run\`; lunge names any
flag that is missing, in one line):
  --allow-net=<host:port>         each target (e.g. --allow-net=api.example.com:443)
${workerReadHelp()}  --allow-read=<config file>      with -c (one --allow-read lists every path)
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
  deno install -g -n lunge --allow-net=127.0.0.1:8080 jsr:@lunge/cli
  lunge --url http://127.0.0.1:8080/ --vus 50 --duration 30s
or, from a checkout's root, without installing:
  deno run --allow-net=127.0.0.1:8080 --allow-read=examples/lunge,mod.ts,src \\
    examples/lunge.ts --url http://127.0.0.1:8080/ --vus 50 --duration 30s
`;
