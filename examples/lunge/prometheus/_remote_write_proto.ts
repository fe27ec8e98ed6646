/**
 * Private helper: the subset of Prometheus remote write 1.0 the engine
 * sends, encoded by hand: a `prometheus.WriteRequest` protobuf
 * (prompb/remote.proto, types.proto: TimeSeries with labels, float samples
 * and native histograms) compressed with Snappy's block format.
 *
 * Why by hand: the subset is four messages and a varint writer (~150 lines
 * here), while the npm packages that do it pull in a protobuf runtime and
 * native or WASM snappy builds for a single request shape. The Snappy output
 * is a valid block made of literals and back-references found with a small
 * hash table (the format's own greedy scheme, without its tuning), which
 * every Snappy decoder, Prometheus' included, reads.
 *
 * @module
 */

/** One label pair. */
export type Label = [name: string, value: string];

/** A native histogram sample (cumulative counts; exponential buckets of `schema`). */
export interface NativeHistogram {
  /** Observations. */
  count: number;
  /** Sum of observations. */
  sum: number;
  /** Bucket schema: bucket i covers (2^((i-1)/2^schema), 2^(i/2^schema)]. */
  schema: number;
  /** Observations of exactly 0 (zero threshold 0). */
  zeroCount: number;
  /** Positive buckets: index and count, ascending by index, counts > 0. */
  buckets: [index: number, count: number][];
  /** Epoch ms. */
  timestamp: number;
}

/** One series: labels (with `__name__`) and either a float sample or a histogram. */
export interface Series {
  /** Labels; sorted by name when encoded. */
  labels: Label[];
  /** A float sample. */
  sample?: { value: number; timestamp: number };
  /** A native histogram sample. */
  histogram?: NativeHistogram;
}

/** A growable byte buffer with protobuf's wire primitives. */
class Writer {
  bytes: Uint8Array;
  length = 0;
  #view: DataView;

  /** An empty writer with room for `capacity` bytes (it grows as needed). */
  constructor(capacity = 64) {
    this.bytes = new Uint8Array(capacity);
    this.#view = new DataView(this.bytes.buffer);
  }

  #room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.#view = new DataView(next.buffer);
  }

  /** One byte. */
  byte(b: number): void {
    this.#room(1);
    this.bytes[this.length++] = b;
  }

  /** An unsigned varint (up to 2^53). */
  varint(v: number): void {
    this.#room(10);
    while (v >= 128) {
      this.bytes[this.length++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.bytes[this.length++] = v;
  }

  /** A zigzag (sint32/sint64) varint. */
  svarint(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  double(field: number, v: number): void {
    this.tag(field, 1);
    this.#room(8);
    this.#view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  raw(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.#room(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  done(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

const encoder = new TextEncoder();

/**
 * UTF-8 of label names and values, per WriteRequest: a push repeats the same
 * few strings across thousands of series (classic buckets), so each is
 * encoded once.
 */
class Utf8Cache {
  #map = new Map<string, Uint8Array>();

  get(s: string): Uint8Array {
    let b = this.#map.get(s);
    if (b === undefined) this.#map.set(s, b = encoder.encode(s));
    return b;
  }
}

/** Bytes of `v` as a varint. */
function varintLength(v: number): number {
  let n = 1;
  for (; v >= 128; n++) v = Math.floor(v / 128);
  return n;
}

/** A Label message as field 1 of `w`, written in place (its length computed first). */
function writeLabel(w: Writer, [name, value]: Label, utf8: Utf8Cache): void {
  const n = utf8.get(name), v = utf8.get(value);
  w.tag(1, 2);
  w.varint(2 + varintLength(n.length) + n.length + varintLength(v.length) + v.length);
  w.raw(1, n);
  w.raw(2, v);
}

/** A Sample message as field 2 of `w`, written in place. */
function writeSample(w: Writer, s: { value: number; timestamp: number }): void {
  const ts = Math.round(s.timestamp);
  w.tag(2, 2);
  w.varint(9 + 1 + varintLength(ts)); // double field, timestamp tag, varint
  w.double(1, s.value);
  w.tag(2, 0);
  w.varint(ts);
}

function histogramBytes(h: NativeHistogram): Uint8Array {
  const w = new Writer();
  w.tag(1, 0);
  w.varint(h.count); // count_int
  w.double(3, h.sum);
  w.tag(4, 0);
  w.svarint(h.schema);
  w.double(5, 0); // zero_threshold
  w.tag(6, 0);
  w.varint(h.zeroCount); // zero_count_int
  // Spans of consecutive indexes: the first offset is its start index, later
  // ones the gap after the previous span; counts as deltas from the previous.
  let prevEnd = 0, prevCount = 0, i = 0;
  const deltas = new Writer();
  while (i < h.buckets.length) {
    let j = i;
    while (j + 1 < h.buckets.length && h.buckets[j + 1][0] === h.buckets[j][0] + 1) j++;
    const span = new Writer();
    span.tag(1, 0);
    span.svarint(i === 0 ? h.buckets[0][0] : h.buckets[i][0] - prevEnd);
    span.tag(2, 0);
    span.varint(j - i + 1);
    w.raw(11, span.done());
    for (let k = i; k <= j; k++) {
      deltas.svarint(h.buckets[k][1] - prevCount);
      prevCount = h.buckets[k][1];
    }
    prevEnd = h.buckets[j][0] + 1;
    i = j + 1;
  }
  if (h.buckets.length > 0) w.raw(12, deltas.done()); // packed positive_deltas
  w.tag(15, 0);
  w.varint(Math.round(h.timestamp));
  return w.done();
}

/** The WriteRequest protobuf of `series` (labels sorted by name). */
export function encodeWriteRequest(series: readonly Series[]): Uint8Array {
  const w = new Writer(1 << 16);
  const utf8 = new Utf8Cache();
  const ts = new Writer(256); // one TimeSeries at a time, reused
  for (const s of series) {
    ts.length = 0;
    const labels = [...s.labels].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const l of labels) writeLabel(ts, l, utf8);
    if (s.sample) writeSample(ts, s.sample);
    if (s.histogram) ts.raw(4, histogramBytes(s.histogram));
    w.raw(1, ts.done());
  }
  return w.done();
}

/** Snappy block-format compression (literals and copies; see the module doc). */
export function snappyCompress(input: Uint8Array): Uint8Array {
  const out = new Writer();
  out.varint(input.length);
  const table = new Int32Array(1 << 14).fill(-1);
  const hash = (i: number) => (Math.imul(
    input[i] | (input[i + 1] << 8) | (input[i + 2] << 16) | (input[i + 3] << 24),
    0x1e35a7bd,
  ) >>> 18);
  let literalStart = 0, i = 0;
  while (i + 4 <= input.length) {
    const h = hash(i), candidate = table[h];
    table[h] = i;
    if (
      candidate >= 0 && i - candidate <= 65535 && input[candidate] === input[i] &&
      input[candidate + 1] === input[i + 1] && input[candidate + 2] === input[i + 2] &&
      input[candidate + 3] === input[i + 3]
    ) {
      literal(out, input, literalStart, i);
      let n = 4;
      while (i + n < input.length && input[candidate + n] === input[i + n]) n++;
      copy(out, i - candidate, n);
      i += n;
      literalStart = i;
    } else i++;
  }
  literal(out, input, literalStart, input.length);
  return out.done().slice();
}

function literal(out: Writer, input: Uint8Array, from: number, to: number): void {
  for (let at = from; at < to; at += 65536) {
    const n = Math.min(65536, to - at);
    if (n <= 60) out.byte((n - 1) << 2);
    else {
      out.byte(61 << 2); // the length - 1 follows in 2 bytes, little-endian
      out.byte((n - 1) & 255);
      out.byte((n - 1) >> 8);
    }
    for (let k = 0; k < n; k++) out.byte(input[at + k]);
  }
}

/** Copy elements with a 2-byte offset (tag 10), at most 64 bytes each. */
function copy(out: Writer, offset: number, length: number): void {
  while (length > 0) {
    // Leave at least 4 for a last piece (a copy is 1..64 bytes long).
    const n = length > 64 ? (length - 64 < 4 ? 60 : 64) : length;
    out.byte(((n - 1) << 2) | 2);
    out.byte(offset & 255);
    out.byte(offset >> 8);
    length -= n;
  }
}
