/**
 * `--out prometheus-rw=<url>`: the run's metrics pushed to a Prometheus
 * remote-write endpoint (remote write 1.0: protobuf + Snappy, see
 * _remote_write_proto.ts) every few seconds and once at the end.
 *
 * Series (every one with the instance's labels: `instance`, and `segment`
 * when the run is one):
 * - `lunge_http_reqs_total{status}`, `lunge_http_req_failed_total`,
 *   `lunge_data_received_bytes_total`, `lunge_http_reqs_by_name_total{name}`;
 * - `lunge_vus` (active), `lunge_generation_rate`,
 *   `lunge_iterations_total{scenario}`, `lunge_dropped_iterations_total{scenario}`,
 *   `lunge_http_reqs_not_sent_total{scenario,name,reason}` (requests never
 *   sent: not in `lunge_http_reqs_total`);
 * - latency, `lunge_http_req_duration_seconds` (and `…_by_name_seconds{name}`):
 *   a native histogram of schema 8 (buckets 2^(1/256) ≈ 0.27 % wide; each
 *   of our buckets, at most 1/128 of its value wide, goes to the native
 *   bucket of its midpoint, so a quantile moves by at most 0.39 % + 0.27 %:
 *   within 1 %), or with `classic` the classic buckets of
 *   `PROMETHEUS_BUCKETS_SECONDS` (1 % too, at 2,201 series per histogram).
 *
 * @module
 */
import {
  type LatencyHistogram,
  type MetricsSnapshot,
  PROMETHEUS_BUCKETS_SECONDS,
} from "@lunge/metrics";
import {
  encodeWriteRequest,
  type Label,
  type NativeHistogram,
  type Series,
  snappyCompress,
} from "./_remote_write_proto.ts";

/** How latency histograms are sent. */
export type HistogramMode = "native" | "classic";

/** The native-histogram schema: 2^8 buckets per power of two. */
export const NATIVE_SCHEMA = 8;

/** A run's figures at one moment, as pushed. */
export interface PushFigures {
  /** The collector's snapshot. */
  snapshot: MetricsSnapshot;
  /** Latency histograms: every request, and per name. */
  histograms: { all: LatencyHistogram; byName: Record<string, LatencyHistogram> };
  /** VUs busy now, over every worker. */
  activeVUs: number;
  /**
   * Per scenario: iterations started and dropped so far, and the requests
   * never sent, `[reason][request name]` (not in the snapshot's counts).
   */
  scenarios: {
    name: string;
    iterations: number;
    dropped: number;
    notSent?: Record<string, Record<string, number>>;
  }[];
  /** Epoch ms of the figures. */
  timestamp: number;
}

/** Our histogram as a native histogram of `schema` (cumulative counts). */
export function nativeHistogram(
  h: LatencyHistogram,
  o: { schema: number; timestamp: number },
): NativeHistogram {
  const scale = 2 ** o.schema;
  const buckets = new Map<number, number>();
  let zeroCount = 0, sum = 0;
  for (const b of h.buckets()) {
    const seconds = b.index === 0 ? 0 : (b.lowerNs + b.upperNs) / 2 / 1e9;
    sum += seconds * b.count;
    if (seconds === 0) {
      zeroCount += b.count;
      continue;
    }
    const i = Math.ceil(Math.log2(seconds) * scale);
    buckets.set(i, (buckets.get(i) ?? 0) + b.count);
  }
  const stats = h.stats();
  return {
    count: h.count,
    sum: h.count > 0 ? stats.mean * stats.count / 1000 : sum,
    schema: o.schema,
    zeroCount,
    buckets: [...buckets].sort((a, b) => a[0] - b[0]),
    timestamp: o.timestamp,
  };
}

function classicSeries(
  name: string,
  labels: Label[],
  h: LatencyHistogram,
  timestamp: number,
): Series[] {
  const out: Series[] = [];
  const buckets = h.buckets();
  let b = 0, below = 0;
  for (const le of PROMETHEUS_BUCKETS_SECONDS) {
    const leNs = Math.round(le * 1e9);
    while (b < buckets.length && buckets[b].upperNs <= leNs) below += buckets[b++].count;
    out.push({
      labels: [["__name__", `${name}_bucket`], ...labels, ["le", String(le)]],
      sample: { value: below, timestamp },
    });
  }
  const s = h.stats();
  out.push(
    {
      labels: [["__name__", `${name}_bucket`], ...labels, ["le", "+Inf"]],
      sample: { value: h.count, timestamp },
    },
    {
      labels: [["__name__", `${name}_sum`], ...labels],
      sample: { value: s.mean * s.count / 1000, timestamp },
    },
    { labels: [["__name__", `${name}_count`], ...labels], sample: { value: h.count, timestamp } },
  );
  return out;
}

/** Every series of `f`, with the instance labels `base`. */
export function runSeries(f: PushFigures, base: Label[], mode: HistogramMode): Series[] {
  const t = f.timestamp;
  const out: Series[] = [];
  const add = (name: string, labels: Label[], value: number) =>
    out.push({ labels: [["__name__", name], ...base, ...labels], sample: { value, timestamp: t } });
  const s = f.snapshot;
  for (const [status, n] of Object.entries(s.statusCodes)) {
    add("lunge_http_reqs_total", [["status", status]], n);
  }
  add("lunge_http_req_failed_total", [], s.failedRequests);
  add("lunge_data_received_bytes_total", [], s.totalBytes);
  for (const [name, stats] of Object.entries(s.byName)) {
    add("lunge_http_reqs_by_name_total", [["name", name]], stats.count);
  }
  add("lunge_vus", [], f.activeVUs);
  add("lunge_generation_rate", [], s.generation.rate);
  for (const sc of f.scenarios) {
    add("lunge_iterations_total", [["scenario", sc.name]], sc.iterations);
    add("lunge_dropped_iterations_total", [["scenario", sc.name]], sc.dropped);
    for (const [reason, byName] of Object.entries(sc.notSent ?? {})) {
      for (const [name, n] of Object.entries(byName)) {
        add("lunge_http_reqs_not_sent_total", [
          ["scenario", sc.name],
          ["name", name],
          ["reason", reason],
        ], n);
      }
    }
  }
  const latency = (name: string, labels: Label[], h: LatencyHistogram) => {
    if (mode === "classic") out.push(...classicSeries(name, [...base, ...labels], h, t));
    else {
      out.push({
        labels: [["__name__", name], ...base, ...labels],
        histogram: nativeHistogram(h, { schema: NATIVE_SCHEMA, timestamp: t }),
      });
    }
  };
  latency("lunge_http_req_duration_seconds", [], f.histograms.all);
  for (const [name, h] of Object.entries(f.histograms.byName)) {
    latency("lunge_http_req_duration_by_name_seconds", [["name", name]], h);
  }
  return out;
}

/** What one push cost and sent. */
export interface PushStats {
  /** Pushes that succeeded. */
  pushes: number;
  /** Pushes that failed (the last error is in `lastError`). */
  failures: number;
  /** Compressed bytes sent in all. */
  bytes: number;
  /** The last failure, one line. */
  lastError?: string;
}

/** Pushes series to one remote-write URL. */
export class RemoteWriter {
  #url: string;
  #timeoutMs: number;
  /** Counters of the pushes so far. */
  readonly stats: PushStats = { pushes: 0, failures: 0, bytes: 0 };

  /** A writer to `url` (http or https), each push bounded by `timeoutMs`. */
  constructor(url: string, timeoutMs = 5_000) {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new Error(`--out prometheus-rw=${url}: expected an http(s) URL`);
    }
    this.#url = u.href;
    this.#timeoutMs = timeoutMs;
  }

  /** Sends `series`; resolves true when the endpoint answered 2xx (failures are counted). */
  async push(series: readonly Series[]): Promise<boolean> {
    const body = snappyCompress(encodeWriteRequest(series));
    try {
      const res = await fetch(this.#url, {
        method: "POST",
        body: body as Uint8Array<ArrayBuffer>,
        headers: {
          "Content-Encoding": "snappy",
          "Content-Type": "application/x-protobuf",
          "X-Prometheus-Remote-Write-Version": "0.1.0",
          "User-Agent": "lunge",
        },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.trim().split("\n")[0]}`);
      this.stats.pushes++;
      this.stats.bytes += body.length;
      return true;
    } catch (e) {
      this.stats.failures++;
      this.stats.lastError = (e instanceof Error ? e.message : String(e)).split("\n")[0];
      return false;
    }
  }
}
