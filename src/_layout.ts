/**
 * The one place the collectors' shared memory is described. Everything a
 * collector shares lives in a single `SharedArrayBuffer`, sized once at
 * construction by {@linkcode Layout.byteLength}; nothing grows afterwards.
 *
 * ```
 * byte 0    HEADER   Int32 words: magic, version, kind, the options (written
 *                    once by the creator before the buffer is shared, then
 *                    read-only), the reset epoch (Atomics only) and the
 *                    registered-string counts (changed only under the lock)
 * byte 64   LOCK     one Int32 word, alone on its cache line: the FutexLock
 *                    guarding STRINGS and ANALYSIS (_futex_lock.ts)
 * byte 128  WRITERS  maxWriters slots of 64 bytes, one per recording thread
 *                    of the atomic collector: a state word (0 free, 1 held;
 *                    claimed and released with Atomics), the number of
 *                    requests in the thread's unmerged batch and the epoch
 *                    the batch began under (plain stores by the owner; see
 *                    _batch_recorder.ts for why plain is enough)
 * ...       STRINGS  error-type table, then request-name table: per slot an
 *                    Int32 byte length and up to 512 UTF-8 bytes (under lock)
 * ...       ANALYSIS Float64 words, plain memory under the lock: totals,
 *                    status and error counts, latency recorders, the
 *                    time-series ring and the open per-interval windows
 *                    (word map in _analysis.ts, recorders in _histogram.ts)
 * ```
 *
 * Regions start on 64-byte boundaries and each writer slot fills a cache
 * line, so no two threads write the same line on the hot path, and the lock
 * word shares its line with nothing that is written often.
 *
 * @module
 */
import type { CollectorKind, CollectorOptions } from "./types.ts";
import { analysisWords } from "./_analysis.ts";
import { checkOption, OPTION_NAMES, type ResolvedOptions, resolveOptions } from "./_options.ts";

/** "LUNG" */
const MAGIC = 0x4c554e47;
const VERSION = 2;

/** Header word indexes (Int32). */
const H_MAGIC = 0;
const H_VERSION = 1;
const H_KIND = 2;
/** The options, one word each, in OPTION_NAMES order. */
const H_OPTIONS = 3;
/** Incremented by every reset(): a thread's batch begun under an older epoch is dropped. */
export const H_EPOCH = 12;
/** Registered error strings (changes under the lock). */
export const H_ERROR_COUNT = 13;
/** Registered request names (changes under the lock). */
export const H_NAME_COUNT = 14;
/** The lock word's Int32 index (byte 64). */
export const LOCK_INDEX = 16;

/** Int32 words per writer slot (64 bytes: one cache line). */
export const WRITER_SLOT_WORDS = 16;
/** Writer slot words: state (Atomics), unmerged requests and batch epoch (plain). */
export const W_STATE = 0;
export const W_PENDING = 1;
export const W_EPOCH = 2;

/** UTF-8 bytes kept of an error string or request name. */
export const MAX_KEY_BYTES = 512;
/** Bytes per string slot: a length word and the bytes. */
export const STRING_SLOT_BYTES = 4 + MAX_KEY_BYTES;

const align64 = (n: number) => Math.ceil(n / 64) * 64;

/** Byte offsets of every region, derived from the options alone. */
export class Layout {
  /** The options this layout was computed for. */
  readonly options: ResolvedOptions;
  /** Which collector the buffer belongs to. */
  readonly kind: CollectorKind;
  /** Byte offset of the writer slots. */
  readonly writers = 128;
  /** Byte offset of the error-type string table. */
  readonly errorStrings: number;
  /** Byte offset of the request-name string table. */
  readonly nameStrings: number;
  /** Byte offset of the analysis region. */
  readonly analysis: number;
  /** Float64 length of the analysis region. */
  readonly analysisWords: number;
  /** Total bytes. */
  readonly byteLength: number;

  constructor(kind: CollectorKind, options: ResolvedOptions) {
    this.kind = kind;
    this.options = options;
    this.errorStrings = this.writers + options.maxWriters * WRITER_SLOT_WORDS * 4;
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
    h[H_VERSION] = VERSION;
    h[H_KIND] = this.kind === "atomic" ? 0 : 1;
    OPTION_NAMES.forEach((key, i) => h[H_OPTIONS + i] = this.options[key]);
    // Published last: a buffer with the magic word is fully described.
    Atomics.store(h, H_MAGIC, MAGIC);
  }

  /**
   * Recompute the layout of a buffer made by another thread, checking its
   * header as the constructor checks options; throws if it is not one.
   */
  static read(buffer: unknown, kind: CollectorKind): Layout {
    if (!(buffer instanceof SharedArrayBuffer)) {
      throw new TypeError(
        "CollectorHandle.buffer must be a SharedArrayBuffer: post collector.share() to the " +
          "Worker, not the collector itself",
      );
    }
    if (buffer.byteLength < 128) {
      throw new TypeError("CollectorHandle.buffer is too small to be a collector's memory");
    }
    const h = new Int32Array(buffer, 0, 16);
    if (Atomics.load(h, H_MAGIC) !== MAGIC || h[H_VERSION] !== VERSION) {
      throw new TypeError("CollectorHandle.buffer was not made by this version of the collector");
    }
    const actual: CollectorKind = h[H_KIND] === 0 ? "atomic" : "mutex";
    if (actual !== kind) {
      throw new TypeError(`CollectorHandle.kind is "${kind}" but the buffer is "${actual}"`);
    }
    const options = {} as ResolvedOptions;
    OPTION_NAMES.forEach((key, i) => {
      options[key] = checkOption(key, h[H_OPTIONS + i], "CollectorHandle.buffer header option");
    });
    const layout = new Layout(kind, options);
    if (layout.byteLength !== buffer.byteLength) {
      throw new TypeError(
        `CollectorHandle.buffer is ${buffer.byteLength} bytes, but its header describes ` +
          `${layout.byteLength}`,
      );
    }
    return layout;
  }
}
