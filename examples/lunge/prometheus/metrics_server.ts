/**
 * `--prometheus-listen <host:port>`: serves `/metrics` (Prometheus text
 * exposition 0.0.4) while the run lasts: the module's
 * `toPrometheusText` of the latest snapshot with classic latency histograms
 * (its fixed 1 % bucket set), plus the engine's VUs and iterations, and the
 * requests never sent (`lunge_http_reqs_not_sent_total{scenario,name,reason}`:
 * not in the module's request counts).
 *
 * @module
 */
import { toPrometheusText } from "@lunge/metrics";
import type { PushFigures } from "./remote_write.ts";

/** Parses `host:port` (port 1..65535); throws a one-line `Error`. */
export function parseListen(text: string): { hostname: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new Error(`--prometheus-listen ${text}: expected host:port, e.g. 127.0.0.1:9464`);
  }
  return { hostname: m[1].replace(/^\[|\]$/g, ""), port };
}

/** The /metrics text of `f`, with constant `labels` on every sample. */
export function metricsText(f: PushFigures, labels: Record<string, string>): string {
  const base = toPrometheusText(f.snapshot, { labels, histograms: f.histograms });
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  const lbl = (extra: string[]) => {
    const all = [...pairs, ...extra];
    return all.length ? `{${all.join(",")}}` : "";
  };
  const lines = [
    "# HELP lunge_vus Virtual users busy now.",
    "# TYPE lunge_vus gauge",
    `lunge_vus${lbl([])} ${f.activeVUs}`,
    "# HELP lunge_iterations_total Iterations started, by scenario.",
    "# TYPE lunge_iterations_total counter",
    ...f.scenarios.map((s) =>
      `lunge_iterations_total${lbl([`scenario="${escape(s.name)}"`])} ${s.iterations}`
    ),
    "# HELP lunge_dropped_iterations_total Arrival-rate iterations due when no VU was free.",
    "# TYPE lunge_dropped_iterations_total counter",
    ...f.scenarios.map((s) =>
      `lunge_dropped_iterations_total${lbl([`scenario="${escape(s.name)}"`])} ${s.dropped}`
    ),
    "# HELP lunge_http_reqs_not_sent_total Requests never sent (not in the request counts), " +
    "by scenario, name and reason.",
    "# TYPE lunge_http_reqs_not_sent_total counter",
    ...f.scenarios.flatMap((s) =>
      Object.entries(s.notSent ?? {}).flatMap(([reason, byName]) =>
        Object.entries(byName).map(([name, n]) =>
          `lunge_http_reqs_not_sent_total${
            lbl([
              `scenario="${escape(s.name)}"`,
              `name="${escape(name)}"`,
              `reason="${escape(reason)}"`,
            ])
          } ${n}`
        )
      )
    ),
  ];
  return base + lines.join("\n") + "\n";
}

function escape(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A running /metrics server. */
export interface MetricsServer {
  /** The port it listens on. */
  port: number;
  /** Stops it (waits for open requests). */
  close(): Promise<void>;
}

/** Serves `text()` at /metrics on `listen` (host:port) until closed. */
export function serveMetrics(listen: string, text: () => string): MetricsServer {
  const { hostname, port } = parseListen(listen);
  const server = Deno.serve({ hostname, port, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path !== "/metrics") return new Response("not found: use /metrics\n", { status: 404 });
    return new Response(text(), {
      headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  });
  return { port: server.addr.port, close: () => server.shutdown() };
}
