/**
 * The atomic collector's shards: one single-producer ring of latency samples
 * per writing thread, in the SHARDS region (see _layout.ts).
 *
 * Shard layout (bytes from the shard's start):
 *
 * ```
 * 0    state  Int32: 0 free, 1 owned by a thread (claimed by compareExchange)
 * 64   head   Int32: next slot the owner writes; stored only by the owner
 * 128  tail   Int32: next slot to analyse; stored only by a lock holder
 * 192  slots  (ringSize + 1) x 4 Float64: startTime, duration, bytes, code
 * ```
 *
 * `code` packs `status | (error + 1) << 10 | (name + 1) << 20` (indexes into
 * the string tables, -1 for none; each < 1024, so code < 2^31).
 *
 * Why the order is safe: the owner writes a slot with plain stores and then
 * publishes it with `Atomics.store(head)`; a consumer reads `head` with
 * `Atomics.load` before reading slots below it, so it sees the slot's words
 * (sequentially consistent atomics order the plain accesses around them).
 * Symmetrically the consumer reads slots, then `Atomics.store(tail)`; the
 * owner reuses a slot only after seeing it released by `Atomics.load(tail)`.
 * One slot is always left empty so that `head === tail` means empty. Head and
 * tail sit on separate cache lines, so producer and consumer never write the
 * same line. Consumers are serialised by the collector's lock, so each ring
 * has one consumer at a time, and the lock orders successive consumers.
 *
 * @module
 */
import { type Layout, SHARD_CONTROL_BYTES, SLOT_WORDS } from "./_layout.ts";
import type { Analysis } from "./_analysis.ts";

/** Int32 offsets of the control words within a shard. */
const STATE = 0;
const HEAD = 16;
const TAIL = 32;

/** All the shards of one collector, as seen from one thread. */
export class Shards {
  /** The shards region as Int32 words (control words). */
  readonly ints: Int32Array;
  /** The shards region as Float64 words (slots). */
  readonly floats: Float64Array;
  /** Int32 words per shard. */
  readonly stride32: number;
  /** Float64 words per shard. */
  readonly stride64: number;
  /** Slots per ring (ringSize + 1). */
  readonly slots: number;
  #count: number;

  constructor(buffer: SharedArrayBuffer, layout: Layout) {
    const n = layout.options.maxWriters;
    this.ints = new Int32Array(buffer, layout.shards, (n * layout.shardBytes) / 4);
    this.floats = new Float64Array(buffer, layout.shards, (n * layout.shardBytes) / 8);
    this.stride32 = layout.shardBytes / 4;
    this.stride64 = layout.shardBytes / 8;
    this.slots = layout.options.ringSize + 1;
    this.#count = n;
  }

  /** Int32 index of shard i's head word. */
  headIndex(i: number): number {
    return i * this.stride32 + HEAD;
  }

  /** Int32 index of shard i's tail word. */
  tailIndex(i: number): number {
    return i * this.stride32 + TAIL;
  }

  /** Float64 index of shard i's first slot. */
  slotBase(i: number): number {
    return i * this.stride64 + SHARD_CONTROL_BYTES / 8;
  }

  /** Claim a free shard for this thread; -1 when all are owned. */
  claim(): number {
    for (let i = 0; i < this.#count; i++) {
      if (Atomics.compareExchange(this.ints, i * this.stride32 + STATE, 0, 1) === 0) return i;
    }
    return -1;
  }

  /** Give shard i back (its ring must be empty: drain it first, under the lock). */
  release(i: number): void {
    Atomics.store(this.ints, i * this.stride32 + STATE, 0);
  }

  /** Analyse every published sample of every owned shard. Lock held. */
  drainAll(analysis: Analysis): void {
    for (let i = 0; i < this.#count; i++) {
      if (Atomics.load(this.ints, i * this.stride32 + STATE) !== 0) this.drain(i, analysis);
    }
  }

  /** Analyse every published sample of shard i. Lock held. */
  drain(i: number, analysis: Analysis): void {
    const ints = this.ints, f = this.floats, slots = this.slots;
    const head = Atomics.load(ints, this.headIndex(i));
    let tail = Atomics.load(ints, this.tailIndex(i));
    if (tail === head) return;
    const base = this.slotBase(i);
    while (tail !== head) {
      const o = base + tail * SLOT_WORDS;
      const code = f[o + 3];
      analysis.add(
        f[o],
        f[o + 1],
        f[o + 2],
        code & 1023,
        ((code >> 10) & 1023) - 1,
        (code >> 20) - 1,
      );
      if (++tail === slots) tail = 0;
    }
    // Release the slots to the owner only after reading them.
    Atomics.store(ints, this.tailIndex(i), tail);
  }

  /** Drop every published, unanalysed sample of every owned shard (reset). Lock held. */
  discardAll(): void {
    for (let i = 0; i < this.#count; i++) {
      if (Atomics.load(this.ints, i * this.stride32 + STATE) !== 0) {
        Atomics.store(this.ints, this.tailIndex(i), Atomics.load(this.ints, this.headIndex(i)));
      }
    }
  }
}
