/**
 * A bounded table of strings (error types or request names) in shared
 * memory, mapping each distinct string to a small integer that fits in a
 * sample ring slot. Slots are only ever appended, never freed (not even by
 * `reset()`, which zeroes counts), so an index a thread has cached stays
 * valid for the collector's life. Strings past the table's capacity map to
 * the "other" index, `slots`.
 *
 * Slot layout (STRING_SLOT_BYTES each): Int32 byte length, then UTF-8 bytes
 * (strings are cut to MAX_KEY_BYTES at a character boundary).
 *
 * Thread safety: `resolve` and `name` read and write the table with plain
 * accesses and must be called with the collector's lock held; each thread
 * keeps a local cache in front so that a string costs one lookup after its
 * first sighting.
 *
 * In front of that cache, the RECENT strings last looked up are compared
 * directly: a load generator cycles through a few names, and a handful of
 * `===` compares (pointer compares for the same string object) cost less
 * than a `Map` lookup.
 *
 * Fixed memory: the cache holds at most `slots` registered strings (each cut
 * to MAX_KEY_BYTES) and at most OVERFLOW_CACHE strings that mapped to
 * "other", which it forgets all at once when full; the recent list holds
 * RECENT strings of at most MAX_KEY_BYTES. Strings longer than
 * MAX_KEY_BYTES are looked up by their cut prefix, so no cached key is long.
 *
 * @module
 */
import { MAX_KEY_BYTES, STRING_SLOT_BYTES } from "./_layout.ts";

/** "Other" strings a thread remembers before it forgets them all. */
const OVERFLOW_CACHE = 256;
/** Strings last looked up that `cached` compares before its Map (a power of two). */
const RECENT = 8;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One string table, as seen from one thread. */
export class StringTable {
  #bytes: Uint8Array;
  #header: Int32Array;
  #countIndex: number;
  #base: number;
  #slots: number;
  #scratch = new Uint8Array(MAX_KEY_BYTES);
  /** This thread's cache of registered strings: string -> index (at most `slots`). */
  #cache = new Map<string, number>();
  /** This thread's cache of strings that mapped to "other" (at most OVERFLOW_CACHE). */
  #other = new Set<string>();
  /** The RECENT strings last looked up (round robin), and their indexes. */
  #recent: string[] = new Array<string>(RECENT).fill("");
  #recentIndex = new Int32Array(RECENT);
  #nextRecent = 0;
  /** This thread's cache: index -> string. */
  #names: string[] = [];

  /** The table at byte `base` of `buffer`, its count in header word `countIndex`. */
  constructor(
    buffer: SharedArrayBuffer,
    table: { base: number; slots: number; countIndex: number },
  ) {
    this.#bytes = new Uint8Array(buffer);
    this.#header = new Int32Array(buffer, 0, 16);
    this.#base = table.base;
    this.#slots = table.slots;
    this.#countIndex = table.countIndex;
  }

  /** How many strings this thread's cache holds (bounded, see the module doc). */
  get cacheSize(): number {
    return this.#cache.size + this.#other.size;
  }

  /** The index of `s` cached by this thread, or -1. No lock needed. */
  cached(s: string): number {
    const recent = this.#recent;
    // "" is never a key (empty names and errors are refused), so unused entries never match.
    for (let j = 0; j < RECENT; j++) if (recent[j] === s) return this.#recentIndex[j];
    const key = this.#cut(s);
    let i = this.#cache.get(key);
    if (i === undefined) {
      if (!this.#other.has(key)) return -1;
      i = this.#slots;
    }
    if (key === s) { // not cut: short enough to keep
      const at = this.#nextRecent;
      recent[at] = s;
      this.#recentIndex[at] = i;
      this.#nextRecent = (at + 1) & (RECENT - 1);
    }
    return i;
  }

  /** The index of `s`, registering it if there is room. Call with the lock held. */
  resolve(s: string): number {
    const key = this.#cut(s);
    const { written } = encoder.encodeInto(key, this.#scratch);
    const bytes = this.#scratch.subarray(0, written);
    const count = this.#header[this.#countIndex];
    let index = this.#slots; // "other"
    for (let i = 0; i < count; i++) {
      if (this.#equals(i, bytes)) {
        index = i;
        break;
      }
    }
    if (index === this.#slots && count < this.#slots) {
      const at = this.#base + count * STRING_SLOT_BYTES;
      new Int32Array(this.#bytes.buffer, at, 1)[0] = written;
      this.#bytes.set(bytes, at + 4);
      this.#header[this.#countIndex] = count + 1;
      index = count;
    }
    if (index < this.#slots) this.#cache.set(key, index);
    else {
      if (this.#other.size >= OVERFLOW_CACHE) this.#other.clear();
      this.#other.add(key);
    }
    return index;
  }

  /** `s` cut to at most MAX_KEY_BYTES UTF-8 bytes, at a character boundary. */
  #cut(s: string): string {
    if (s.length * 3 <= MAX_KEY_BYTES) return s; // fits whatever its characters
    const { read } = encoder.encodeInto(s, this.#scratch);
    return read < s.length ? s.slice(0, read) : s;
  }

  /** The string at `index` ("other" for the overflow index). Call with the lock held. */
  name(index: number): string {
    if (index >= this.#slots) return "other";
    let s = this.#names[index];
    if (s === undefined) {
      const at = this.#base + index * STRING_SLOT_BYTES;
      const length = new Int32Array(this.#bytes.buffer, at, 1)[0];
      // TextDecoder refuses shared memory: copy the bytes out first.
      s = decoder.decode(this.#bytes.slice(at + 4, at + 4 + length));
      this.#names[index] = s;
    }
    return s;
  }

  #equals(i: number, key: Uint8Array): boolean {
    const at = this.#base + i * STRING_SLOT_BYTES;
    if (new Int32Array(this.#bytes.buffer, at, 1)[0] !== key.length) return false;
    const b = this.#bytes;
    for (let j = 0; j < key.length; j++) if (b[at + 4 + j] !== key[j]) return false;
    return true;
  }
}
