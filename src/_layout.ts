/**
 * The one place the collectors' shared memory is described. Everything a
 * collector knows lives in a single `SharedArrayBuffer`, sized once at
 * construction by {@linkcode Layout.byteLength}; nothing grows afterwards.
 *
 * ```
 * byte 0    HEADER   Int32 words: magic, version, kind, the options, and the
 *                    registered-string counts (written once by the creator
 *                    before the buffer is shared; read-only after, except the
 *                    two counts, which change only under the lock)
 * byte 64   LOCK     one Int32 word, alone on its cache line: the FutexLock
 *                    guarding STRINGS and ANALYSIS
 * byte 128  STRINGS  error-type table, then request-name table: per slot an
 *                    Int32 byte length and up to 512 UTF-8 bytes (under lock)
 * ...       ANALYSIS Float64 words, plain memory under the lock: totals,
 *                    status counts, error counts, latency recorders (see
 *                    histogram.ts), the time-series ring and the open
 *                    per-interval windows (see analysis.ts for the words)
 * ...       SHARDS   atomic collector only: `maxWriters` sample rings, one
 *                    per writing thread (see sample_ring.ts)
 * ```
 *
 * Every region starts on a 64-byte boundary so that no two regions written by
 * different threads share a cache line.
 *
 * @module
 */
import type { CollectorKind, CollectorOptions } from "./types.ts";
import { RECORDER_WORDS } from "./histogram.ts";

/** "LUNG" */
const MAGIC = 0x4c554e47;
const VERSION = 1;

/** Header word indexes (Int32). */
export const H_MAGIC = 0;
export const H_VERSION = 1;
export const H_KIND = 2;
export const H_RING_SIZE = 3;
export const H_TS_CAPACITY = 4;
export const H_MAX_ERROR_TYPES = 5;
export const H_MAX_NAMES = 6;
export const H_FLUSH_MS = 7;
export const H_MAX_WRITERS = 8;
/** Registered error strings (changes under the lock). */
export const H_ERROR_COUNT = 9;
/** Registered request names (changes under the lock). */
export const H_NAME_COUNT = 10;
/** The lock word's Int32 index (byte 64). */
export const LOCK_INDEX = 16;

/** UTF-8 bytes kept of an error string or request name. */
export const MAX_KEY_BYTES = 512;
/** Bytes per string slot: a length word and the bytes. */
export const STRING_SLOT_BYTES = 4 + MAX_KEY_BYTES;

/** Float64 words of one time-series point; see analysis.ts. */
export const POINT_WORDS = 12;
/** Open per-interval latency windows (seconds a late sample may lag). */
export const WINDOWS = 4;
/** Status codes 0..999. */
export const STATUS_SLOTS = 1000;

/** Bytes of one shard's control block: state, head and tail each on its own line. */
export const SHARD_CONTROL_BYTES = 192;
/** Float64 lanes of one ring slot: startTime, duration, bytes, code. */
export const SLOT_WORDS = 4;

/** Options with every default applied. */
export interface ResolvedOptions {
  ringSize: number;
  timeSeriesCapacity: number;
  maxErrorTypes: number;
  maxNames: number;
  flushIntervalMs: number;
  maxWriters: number;
}

const align64 = (n: number) => Math.ceil(n / 64) * 64;

function intOption(
  options: CollectorOptions,
  key: keyof CollectorOptions,
  bounds: { fallback: number; min: number; max: number },
): number {
  const v = options[key];
  if (v === undefined) return bounds.fallback;
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`CollectorOptions.${key} must be an integer (got ${String(v)})`);
  }
  if (v < bounds.min || v > bounds.max) {
    throw new RangeError(
      `CollectorOptions.${key} must be within ${bounds.min}..${bounds.max} (got ${v})`,
    );
  }
  return v;
}

/** Apply defaults and check bounds; throws naming the bad option. */
export function resolveOptions(options: CollectorOptions = {}): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`CollectorOptions must be an object (got ${String(options)})`);
  }
  return {
    ringSize: intOption(options, "ringSize", { fallback: 10_000, min: 1, max: 1 << 24 }),
    timeSeriesCapacity: intOption(options, "timeSeriesCapacity", {
      fallback: 3_600,
      min: 1,
      max: 1 << 20,
    }),
    maxErrorTypes: intOption(options, "maxErrorTypes", { fallback: 64, min: 0, max: 1_000 }),
    maxNames: intOption(options, "maxNames", { fallback: 64, min: 0, max: 1_000 }),
    flushIntervalMs: intOption(options, "flushIntervalMs", {
      fallback: 100,
      min: 0,
      max: 3_600_000,
    }),
    maxWriters: intOption(options, "maxWriters", { fallback: 16, min: 1, max: 1_024 }),
  };
}

/** Byte offsets of every region, derived from the options alone. */
export class Layout {
  /** The options this layout was computed for. */
  readonly options: ResolvedOptions;
  /** Which collector the buffer belongs to. */
  readonly kind: CollectorKind;
  /** Byte offset of the error-type string table. */
  readonly errorStrings: number;
  /** Byte offset of the request-name string table. */
  readonly nameStrings: number;
  /** Byte offset and Float64 length of the analysis region. */
  readonly analysis: number;
  readonly analysisWords: number;
  /** Byte offset of the first shard, and the bytes of one shard. */
  readonly shards: number;
  readonly shardBytes: number;
  /** Total bytes. */
  readonly byteLength: number;

  constructor(kind: CollectorKind, options: ResolvedOptions) {
    this.kind = kind;
    this.options = options;
    this.errorStrings = 128;
    this.nameStrings = align64(this.errorStrings + options.maxErrorTypes * STRING_SLOT_BYTES);
    this.analysis = align64(this.nameStrings + options.maxNames * STRING_SLOT_BYTES);
    this.analysisWords = analysisWords(options);
    this.shards = align64(this.analysis + this.analysisWords * 8);
    this.shardBytes = kind === "atomic"
      ? align64(SHARD_CONTROL_BYTES + (options.ringSize + 1) * SLOT_WORDS * 8)
      : 0;
    this.byteLength = this.shards + (kind === "atomic" ? options.maxWriters * this.shardBytes : 0);
  }

  /** The bytes a collector of `kind` with `options` occupies. */
  static byteLength(kind: CollectorKind, options?: CollectorOptions): number {
    return new Layout(kind, resolveOptions(options)).byteLength;
  }

  /** Write the header of a new buffer. */
  writeHeader(buffer: SharedArrayBuffer): void {
    const h = new Int32Array(buffer, 0, 16);
    const o = this.options;
    h[H_VERSION] = VERSION;
    h[H_KIND] = this.kind === "atomic" ? 0 : 1;
    h[H_RING_SIZE] = o.ringSize;
    h[H_TS_CAPACITY] = o.timeSeriesCapacity;
    h[H_MAX_ERROR_TYPES] = o.maxErrorTypes;
    h[H_MAX_NAMES] = o.maxNames;
    h[H_FLUSH_MS] = o.flushIntervalMs;
    h[H_MAX_WRITERS] = o.maxWriters;
    // Published last: a buffer with the magic word is fully described.
    Atomics.store(h, H_MAGIC, MAGIC);
  }

  /** Recompute the layout of a buffer made by another thread; throws if it is not one. */
  static read(buffer: unknown, kind: CollectorKind): Layout {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < 128) {
      throw new TypeError("CollectorHandle.buffer must be the SharedArrayBuffer of a collector");
    }
    const h = new Int32Array(buffer, 0, 16);
    if (Atomics.load(h, H_MAGIC) !== MAGIC || h[H_VERSION] !== VERSION) {
      throw new TypeError("CollectorHandle.buffer was not made by this version of the collector");
    }
    const actual: CollectorKind = h[H_KIND] === 0 ? "atomic" : "mutex";
    if (actual !== kind) {
      throw new TypeError(`CollectorHandle.kind is "${kind}" but the buffer is "${actual}"`);
    }
    const layout = new Layout(kind, {
      ringSize: h[H_RING_SIZE],
      timeSeriesCapacity: h[H_TS_CAPACITY],
      maxErrorTypes: h[H_MAX_ERROR_TYPES],
      maxNames: h[H_MAX_NAMES],
      flushIntervalMs: h[H_FLUSH_MS],
      maxWriters: h[H_MAX_WRITERS],
    });
    if (layout.byteLength !== buffer.byteLength) {
      throw new TypeError("CollectorHandle.buffer has the wrong size for its header");
    }
    return layout;
  }
}

/** Float64 words of the analysis region; the word map is in analysis.ts. */
export function analysisWords(o: ResolvedOptions): number {
  return 8 + // totals
    STATUS_SLOTS +
    (o.maxErrorTypes + 1) +
    RECORDER_WORDS * (1 + o.maxNames + 1) +
    POINT_WORDS * o.timeSeriesCapacity +
    WINDOWS * (1 + RECORDER_WORDS);
}
