/**
 * The command-line flags for running on many machines, checked:
 * `--segment`, `--segment-sequence`, `--start-at`, `--histograms-per-second`, `--hlog`,
 * `--out csv=<file>`, `--out prometheus-rw=<url>`, `--prometheus-histograms`,
 * `--push-interval`, `--prometheus-listen`, `--instance`. Errors are one-line `Error`s naming
 * the flag (the CLI turns them into usage errors, exit 2). Their parser
 * options and help are rows of the one flag table (./flags.ts).
 *
 * @module
 */
import { parseDurationMs } from "../config/config.ts";
import { parseSegment, parseStartAt, type Segment, segmentLabel } from "../distributed/segment.ts";
import type { OutputOptions } from "../outputs/run_outputs.ts";
import { parseDashboardAddress } from "../outputs/dashboard/dashboard.ts";
import { parseListen } from "../prometheus/metrics_server.ts";

/** The flags' values as node:util parseArgs returns them. */
export interface DistributedFlagValues {
  segment?: string;
  "segment-sequence"?: string;
  "execution-segment"?: string;
  "execution-segment-sequence"?: string;
  "start-at"?: string;
  "histograms-per-second"?: boolean;
  hlog?: string;
  out?: string[];
  "prometheus-histograms"?: string;
  "push-interval"?: string;
  "prometheus-listen"?: string;
  instance?: string;
}

/** What the flags ask of a run. */
export interface DistributedRun {
  /** The execution segment. */
  segment?: Segment;
  /** Epoch ms to start at. */
  startAt?: number;
  /** The outputs (labels: instance, and segment when there is one). */
  outputs: OutputOptions;
  /** `--out json=<file>` and `--out html=<file>`: the report files (the CLI merges them with -o's). */
  reports: { jsonFile?: string; htmlFile?: string; dashboard?: string };
}

/** The kinds `--out kind=target` takes. */
const OUT_KINDS =
  "expected csv=<file> or prometheus-rw=<url>, json=<file>.json, html=<file>.html, " +
  "hlog=<file>, metrics=<host:port> or dashboard=<[host:]port>";

/**
 * `--out json=|html=|hlog=|metrics=|dashboard=<target>` into `outputs` and `reports`;
 * returns false for another kind (csv, prometheus-rw: parsed by the caller).
 */
function outFlag(
  out: string,
  outputs: OutputOptions,
  reports: DistributedRun["reports"],
): boolean {
  const m = /^(json|html|hlog|metrics|dashboard)=(.*)$/.exec(out);
  if (!m) return false;
  const [, kind, target] = m;
  if (target === "") throw new Error(`--out ${out}: ${OUT_KINDS}`);
  const once = (have: string | undefined, flag: string) => {
    if (have !== undefined && have !== target) {
      throw new Error(`--out ${out}: ${flag} ${have} is already given (give one)`);
    }
  };
  const ext = /\.([^./\\]+)$/.exec(target)?.[1]?.toLowerCase();
  if (kind === "json" || kind === "html") {
    const ok = kind === "json" ? ext === "json" : ext === "html" || ext === "htm";
    if (!ok) throw new Error(`--out ${out}: a ${kind} file must end in .${kind} (${OUT_KINDS})`);
    const key = kind === "json" ? "jsonFile" : "htmlFile";
    once(reports[key], `--out ${kind}=`);
    reports[key] = target;
  } else if (kind === "dashboard") {
    try {
      parseDashboardAddress(target);
    } catch {
      throw new Error(
        `--out ${out}: expected dashboard=[host:]port, e.g. dashboard=127.0.0.1:5665`,
      );
    }
    once(reports.dashboard, "--out dashboard=");
    reports.dashboard = target;
  } else if (kind === "hlog") {
    once(outputs.hlogFile, "--hlog");
    outputs.hlogFile = target;
  } else {
    parseListen(target);
    once(outputs.listen, "--prometheus-listen");
    outputs.listen = target;
  }
  return true;
}

/** Checks the flags; throws a one-line `Error` naming the flag. */
export function distributedFlags(v: DistributedFlagValues): DistributedRun {
  const segment = segmentFlags(v);
  const startAt = v["start-at"] === undefined ? undefined : parseStartAt(v["start-at"]);
  const instance = v.instance ??
    (segment ? `segment-${segment.index}-of-${segment.count}` : `lunge-${Deno.pid}`);
  if (!/^[\w.:/-]{1,128}$/.test(instance)) {
    throw new Error(`--instance ${JSON.stringify(instance)}: use letters, digits and _.:/- only`);
  }
  const labels: Record<string, string> = { instance };
  if (segment) labels.segment = segmentLabel(segment);
  const outputs: OutputOptions = { labels, perSecond: v["histograms-per-second"] ?? false };
  if (v.hlog !== undefined) {
    if (v.hlog === "") throw new Error("--hlog needs a file path");
    outputs.hlogFile = v.hlog;
  }
  const reports: DistributedRun["reports"] = {};
  for (const out of v.out ?? []) {
    if (outFlag(out, outputs, reports)) continue;
    if (/^csv(=|$)/.test(out)) {
      outputs.csvFile = csvPath(out, outputs.csvFile);
      continue;
    }
    const m = /^prometheus-rw=(.+)$/.exec(out);
    if (!m) throw new Error(`--out ${out}: ${OUT_KINDS}`);
    let url: URL;
    try {
      url = new URL(m[1]);
    } catch {
      throw new Error(`--out ${out}: ${m[1]} is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new Error(`--out ${out}: expected an http(s) URL`);
    }
    if (outputs.remoteWrite) throw new Error("--out prometheus-rw= may be given once");
    const mode = v["prometheus-histograms"] ?? "native";
    if (mode !== "native" && mode !== "classic") {
      throw new Error(`--prometheus-histograms must be native or classic (got ${mode})`);
    }
    const interval = v["push-interval"] === undefined ? 5000 : parseDurationMs(v["push-interval"]);
    if (interval === undefined || interval < 1000) {
      throw new Error(
        `--push-interval must be a duration of at least 1s (got ${v["push-interval"]})`,
      );
    }
    outputs.remoteWrite = { url: url.href, mode, intervalMs: interval };
  }
  if (!outputs.remoteWrite && (v["prometheus-histograms"] || v["push-interval"])) {
    throw new Error("--prometheus-histograms and --push-interval need --out prometheus-rw=<url>");
  }
  if (v["prometheus-listen"] !== undefined) {
    parseListen(v["prometheus-listen"]);
    if (outputs.listen !== undefined && outputs.listen !== v["prometheus-listen"]) {
      throw new Error(`--prometheus-listen and --out metrics= disagree: give one`);
    }
    outputs.listen = v["prometheus-listen"];
  }
  return { segment, startAt, outputs, reports };
}

/** The file of `--out csv=<file>` (given once, not empty). */
function csvPath(out: string, earlier: string | undefined): string {
  const path = out.slice("csv=".length);
  if (path === "") throw new Error(`--out ${out}: expected csv=<file>`);
  if (earlier !== undefined) throw new Error("--out csv= may be given once");
  return path;
}

/** `--segment` and `--segment-sequence` (or k6's spellings), checked. */
function segmentFlags(v: DistributedFlagValues): Segment | undefined {
  const one = (ours: string | undefined, k6: string | undefined, name: string) => {
    if (ours !== undefined && k6 !== undefined && ours !== k6) {
      throw new Error(`--${name} and --execution-${name} disagree (${ours}, ${k6}): give one`);
    }
    return ours ?? k6;
  };
  const text = one(v.segment, v["execution-segment"], "segment");
  const sequence = one(v["segment-sequence"], v["execution-segment-sequence"], "segment-sequence");
  if (text === undefined) {
    if (sequence !== undefined) throw new Error("--segment-sequence needs --segment a:b");
    return undefined;
  }
  return parseSegment(text, sequence);
}

/** The `host:port`s the outputs connect to or listen on (for --allow-net). */
export function distributedHosts(d: DistributedRun | undefined): string[] {
  const hosts: string[] = [];
  const rw = d?.outputs.remoteWrite;
  if (rw) {
    const u = new URL(rw.url);
    hosts.push(`${u.hostname}:${u.port || (u.protocol === "https:" ? "443" : "80")}`);
  }
  if (d?.outputs.listen) {
    const { hostname, port } = parseListen(d.outputs.listen);
    hosts.push(`${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`);
  }
  return hosts;
}
