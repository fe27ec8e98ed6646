/**
 * The cross-runtime workload, in plain JavaScript so that Deno, Node and Bun
 * run the very same code: a seeded generator of varied request results, the
 * exact counts they must add up to, and the part of a snapshot that the
 * runtimes are compared on.
 *
 * Result `i` of writer `w` depends on (w, i) only, never on timing, so the
 * counts are known in advance and the latency histogram (deterministic for a
 * given multiset of durations) must give the same percentiles everywhere.
 *
 * @module
 */

/** Writers (Workers) recording into one collector. */
export const WRITERS = 2;
/**
 * Results each writer records: not a multiple of the default ringSize
 * (10,000), so the last batch of each atomic writer reaches the shared
 * memory only through close().
 */
export const PER_WRITER = 20_011;

/**
 * @typedef {{ startTime: number, duration: number, statusCode: number,
 *   bytes: number, error?: string, name?: string }} Result
 */

/**
 * mulberry32: a tiny 32-bit PRNG, identical in every JavaScript engine.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATUSES = [200, 200, 200, 200, 200, 200, 200, 201, 204, 301, 404, 429, 500, 503];
const ERRORS = ["timeout", "connection refused", "ECONNRESET"];
const NAMES = ["home", "search", "checkout", "api/items"];

/**
 * Writer `writer`'s results, in order; start times spread over the second
 * after `t0` (epoch ms).
 * @param {number} writer
 * @param {number} count
 * @param {number} t0
 * @returns {Generator<Result>}
 */
export function* results(writer, count, t0) {
  const random = mulberry32(0x9e3779b9 ^ (writer * 0x85ebca6b));
  for (let i = 0; i < count; i++) {
    const u = random(), v = random(), w = random(), x = random();
    // Log-uniform over 0.05..200 ms, rounded to 1 µs like a real timer.
    const duration = Math.round(0.05 * Math.pow(4000, u) * 1000) / 1000;
    /** @type {Result} */
    const r = {
      startTime: t0 + Math.floor(x * 1000),
      duration,
      statusCode: STATUSES[Math.floor(v * STATUSES.length)],
      bytes: Math.floor(w * 4096),
    };
    if (i % 97 === 0) {
      // No response at all: status 0, no bytes, an error string.
      r.statusCode = 0;
      r.bytes = 0;
      r.error = ERRORS[i % ERRORS.length];
    } else if (i % 61 === 0) {
      r.error = "timeout"; // a response that still counts as an error
    }
    if (i % 5 !== 0) r.name = NAMES[(i + writer) % NAMES.length];
    yield r;
  }
}

/**
 * @typedef {{ count: number, min: number, max: number, p50: number,
 *   p90: number, p95: number, p99: number, p999: number }} Latency
 * @typedef {{ totalRequests: number, successfulRequests: number,
 *   failedRequests: number, totalBytes: number,
 *   statusCodes: Record<string, number>, errorsByType: Record<string, number>,
 *   byNameCount: Record<string, number> }} Counts
 * @typedef {{ counts: Counts, latency: Latency }} Summary
 */

/**
 * @param {Record<string, number>} record
 * @returns {Record<string, number>} the same entries, keys sorted
 */
function sorted(record) {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The compared part of a collector snapshot.
 * @param {{ totalRequests: number, successfulRequests: number,
 *   failedRequests: number, totalBytes: number,
 *   statusCodes: Record<string, number>, errorsByType: Record<string, number>,
 *   byName: Record<string, { count: number }>, latency: Latency }} s
 * @returns {Summary}
 */
export function summarize(s) {
  const l = s.latency;
  return {
    counts: {
      totalRequests: s.totalRequests,
      successfulRequests: s.successfulRequests,
      failedRequests: s.failedRequests,
      totalBytes: s.totalBytes,
      statusCodes: sorted(s.statusCodes),
      errorsByType: sorted(s.errorsByType),
      byNameCount: sorted(
        Object.fromEntries(Object.entries(s.byName).map(([k, v]) => [k, v.count])),
      ),
    },
    latency: {
      count: l.count,
      min: l.min,
      max: l.max,
      p50: l.p50,
      p90: l.p90,
      p95: l.p95,
      p99: l.p99,
      p999: l.p999,
    },
  };
}

/**
 * What `writers` x `perWriter` results must add up to, and every duration
 * (for exact percentiles), straight from the generator.
 * @param {number} [writers]
 * @param {number} [perWriter]
 * @returns {{ counts: Counts, durations: number[] }}
 */
export function expected(writers = WRITERS, perWriter = PER_WRITER) {
  let ok = 0, failed = 0, bytes = 0;
  /** @type {Record<string, number>} */
  const statusCodes = {}, errorsByType = {}, byNameCount = {};
  /** @type {number[]} */
  const durations = [];
  for (let w = 0; w < writers; w++) {
    for (const r of results(w, perWriter, 0)) {
      if (r.error !== undefined || r.statusCode === 0 || r.statusCode >= 400) failed++;
      else ok++;
      bytes += r.bytes;
      statusCodes[r.statusCode] = (statusCodes[r.statusCode] ?? 0) + 1;
      if (r.error !== undefined) errorsByType[r.error] = (errorsByType[r.error] ?? 0) + 1;
      if (r.name !== undefined) byNameCount[r.name] = (byNameCount[r.name] ?? 0) + 1;
      durations.push(r.duration);
    }
  }
  return {
    counts: {
      totalRequests: ok + failed,
      successfulRequests: ok,
      failedRequests: failed,
      totalBytes: bytes,
      statusCodes: sorted(statusCodes),
      errorsByType: sorted(errorsByType),
      byNameCount: sorted(byNameCount),
    },
    durations,
  };
}
