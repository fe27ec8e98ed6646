/**
 * A deterministic workload shared by the concurrency tests and their Worker:
 * request i of writer w is the same everywhere, so the main thread can
 * compute exactly what the collector must report.
 */
import type { RequestResult } from "@lunge/metrics";

/** Request `i` of writer `writer`, completing in the collector's first seconds. */
export function workloadResult(writer: number, i: number, t0: number): RequestResult {
  const failed = i % 10 === 0;
  return {
    startTime: t0 + (i % 2000),
    duration: ((i * 7919 + writer * 13) % 1000) / 10 + 0.05,
    statusCode: failed ? 500 + (i % 3) : 200,
    bytes: (i % 100) + writer,
    error: i % 50 === 0 ? "timeout" : undefined,
    name: `w${i % 3}`,
  };
}

/** What `count` requests of each of `writers` writers add up to. */
export function workloadTotals(writers: number, count: number): {
  total: number;
  failed: number;
  bytes: number;
  timeouts: number;
  status500: number;
} {
  let failed = 0, bytes = 0, timeouts = 0, status500 = 0;
  for (let w = 0; w < writers; w++) {
    for (let i = 0; i < count; i++) {
      const r = workloadResult(w, i, 0);
      if (r.statusCode >= 400 || r.error) failed++;
      if (r.statusCode === 500) status500++;
      if (r.error) timeouts++;
      bytes += r.bytes;
    }
  }
  return { total: writers * count, failed, bytes, timeouts, status500 };
}
