/**
 * The one place the collectors' shared memory is described. Everything a
 * collector shares lives in a single `SharedArrayBuffer`, sized once at
 * construction by {@linkcode Layout.byteLength}; nothing grows afterwards.
 *
 * ```
 * byte 0    HEADER   Int32 words: magic, version, kind, the options (written
 *                    once by the creator before the buffer is shared, then
 *                    read-only), the registered-string counts (changed only
 *                    under the lock) and the reset epoch (Atomics only)
 * byte 64   LOCK     one Int32 word, alone on its cache line: the FutexLock
 *                    guarding STRINGS and ANALYSIS
 * byte 128  STRINGS  error-type table, then request-name table: per slot an
 *                    Int32 byte length and up to 512 UTF-8 bytes (under lock)
 * ...       ANALYSIS Float64 words, plain memory under the lock: totals,
 *                    status and error counts, latency recorders, the
 *                    time-series ring and the open per-interval windows
 *                    (word map in _analysis.ts, recorders in _histogram.ts)
 * ```
 *
 * Regions start on 64-byte boundaries, so the lock word shares its cache line
 * with nothing that is written often.
 *
 * @module
 */
import type { CollectorKind, CollectorOptions } from "./types.ts";
import { analysisWords } from "./_analysis.ts";

/** "LUNG" */
const MAGIC = 0x4c554e47;
const VERSION = 1;

/** Header word indexes (Int32). */
const H_MAGIC = 0;
const H_VERSION = 1;
const H_KIND = 2;
const H_RING_SIZE = 3;
const H_TS_CAPACITY = 4;
const H_MAX_ERROR_TYPES = 5;
const H_MAX_NAMES = 6;
const H_FLUSH_MS = 7;
/** Incremented by every reset(): a thread's batch begun under an older epoch is dropped. */
export const H_EPOCH = 8;
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

/** Options with every default applied. */
export interface ResolvedOptions {
  ringSize: number;
  timeSeriesCapacity: number;
  maxErrorTypes: number;
  maxNames: number;
  flushIntervalMs: number;
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
  /** Total bytes. */
  readonly byteLength: number;

  constructor(kind: CollectorKind, options: ResolvedOptions) {
    this.kind = kind;
    this.options = options;
    this.errorStrings = 128;
    this.nameStrings = align64(this.errorStrings + options.maxErrorTypes * STRING_SLOT_BYTES);
    this.analysis = align64(this.nameStrings + options.maxNames * STRING_SLOT_BYTES);
    this.analysisWords = analysisWords(options);
    this.byteLength = align64(this.analysis + this.analysisWords * 8);
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
    });
    if (layout.byteLength !== buffer.byteLength) {
      throw new TypeError("CollectorHandle.buffer has the wrong size for its header");
    }
    return layout;
  }
}
