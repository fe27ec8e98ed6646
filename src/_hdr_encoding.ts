/**
 * HdrHistogram's V2 encoding and V2 compressed encoding of a recorder's
 * bucket counts (the format of HdrHistogram's `encodeIntoCompressedByteBuffer`,
 * of `.hlog` interval logs and of hdr-histogram-js's
 * `encodeIntoCompressedBase64`).
 *
 * V2 encoding (big-endian):
 *
 * | bytes | field |
 * |---|---|
 * | 0..3 | cookie `0x1c849313` (V2 base `0x1c849303`, word size 9: ZigZag LEB128-64b9B) |
 * | 4..7 | payload length in bytes |
 * | 8..11 | normalizing index offset (0; ignored when read, as hdr-histogram-js writes 1) |
 * | 12..15 | significant value digits (2) |
 * | 16..23 | lowest discernible value (1) |
 * | 24..31 | highest trackable value (2^42 - 1) |
 * | 32..39 | integer-to-double conversion ratio (float64 1.0; ignored when read) |
 * | 40.. | counts from index 0 up to the highest non-empty one: each a ZigZag LEB128 long; a negative word `-z` stands for `z` zero counts |
 *
 * V2 compressed encoding: cookie `0x1c849314`, the deflated length (int32),
 * then the V2 encoding deflated in zlib format (RFC 1950: what Java's
 * `Deflater` and `CompressionStream("deflate")` produce).
 *
 * @module
 */
import { BUCKET_COUNT, recorderBucket, recorderCount, recorderRange } from "./_histogram.ts";

const V2_COOKIE_BASE = 0x1c849303;
const V2_COMPRESSED_COOKIE_BASE = 0x1c849304;
/** Word-size nibble of V2 cookies: 9-byte ZigZag LEB128 words. */
const V2_WORD_SIZE = 0x10;
const HEADER_BYTES = 40;
/** Our layout: lowest discernible value 1 ns, 2 significant digits, highest 2^42 - 1 ns. */
export const HDR_LOWEST = 1;
/** Significant value digits of our layout. */
export const HDR_DIGITS = 2;
/** Highest trackable value (ns) of our layout. */
export const HDR_HIGHEST = 2 ** 42 - 1;
/** The largest V2 encoding of our layout: the header and 9 bytes per bucket. */
const MAX_DECODED_BYTES = HEADER_BYTES + 9 * BUCKET_COUNT;

/** The V2 (uncompressed) encoding of the bucket counts of the recorder at `offset`. */
export function encodeV2(f: Float64Array, offset: number): Uint8Array {
  const out = new Uint8Array(MAX_DECODED_BYTES);
  const view = new DataView(out.buffer);
  view.setInt32(0, V2_COOKIE_BASE | V2_WORD_SIZE);
  view.setInt32(8, 0);
  view.setInt32(12, HDR_DIGITS);
  view.setBigInt64(16, BigInt(HDR_LOWEST));
  view.setBigInt64(24, BigInt(HDR_HIGHEST));
  view.setFloat64(32, 1.0);
  let at = HEADER_BYTES;
  if (recorderCount(f, offset) > 0) {
    const limit = recorderRange(f, offset)[1] + 1;
    let i = 0;
    while (i < limit) {
      const count = recorderBucket(f, offset, i++);
      if (count !== 0) {
        at = putZigZag(out, at, count);
        continue;
      }
      let zeros = 1;
      while (i < limit && recorderBucket(f, offset, i) === 0) {
        zeros++;
        i++;
      }
      at = putZigZag(out, at, zeros > 1 ? -zeros : 0);
    }
  }
  view.setInt32(4, at - HEADER_BYTES);
  return out.slice(0, at);
}

/** Write `v` (an integer, |v| <= 2^53) as a ZigZag LEB128 word at `at`; the next position. */
function putZigZag(out: Uint8Array, at: number, v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1; // up to 2^54: at most 8 bytes of 7 bits
  while (z >= 128) {
    out[at++] = (z % 128) | 128;
    z = Math.floor(z / 128);
  }
  out[at++] = z;
  return at;
}

/**
 * Read a V2 encoding: calls `add(index, count)` for every non-zero bucket.
 * Throws a `RangeError` saying what is wrong for anything that is not a V2
 * encoding of a histogram with our bucket layout.
 */
export function decodeV2(bytes: Uint8Array, add: (index: number, count: number) => void): void {
  if (bytes.length < HEADER_BYTES) {
    throw new RangeError(`HdrHistogram V2 encoding: ${bytes.length} bytes, fewer than its header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cookie = view.getInt32(0);
  if (cookie !== (V2_COOKIE_BASE | V2_WORD_SIZE)) {
    throw new RangeError(
      `HdrHistogram V2 encoding: cookie 0x${hex(cookie)} is not V2's 0x${
        hex(V2_COOKIE_BASE | V2_WORD_SIZE)
      }`,
    );
  }
  const length = view.getInt32(4);
  const digits = view.getInt32(12);
  const lowest = view.getBigInt64(16);
  if (digits !== HDR_DIGITS || lowest !== BigInt(HDR_LOWEST)) {
    throw new RangeError(
      `HdrHistogram layout: lowest discernible value ${lowest}, ${digits} significant digits; ` +
        `only lowest ${HDR_LOWEST} (ns) with ${HDR_DIGITS} digits has these buckets`,
    );
  }
  if (length < 0 || HEADER_BYTES + length > bytes.length) {
    throw new RangeError(`HdrHistogram V2 encoding: payload length ${length} exceeds the data`);
  }
  let at = HEADER_BYTES, index = 0;
  const end = HEADER_BYTES + length;
  while (at < end) {
    let z = 0, scale = 1, b = 0, n = 0;
    do {
      if (at >= end) throw new RangeError("HdrHistogram V2 encoding: a count is cut short");
      b = bytes[at++];
      if (++n === 9) throw new RangeError("HdrHistogram V2 encoding: a count above 2^53");
      z += (b & 127) * scale;
      scale *= 128;
    } while (b & 128);
    if (z > 2 ** 54) throw new RangeError("HdrHistogram V2 encoding: a count above 2^53");
    const v = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    if (v < 0) {
      index += -v;
      continue;
    }
    if (v > 0) {
      if (index >= BUCKET_COUNT) {
        throw new RangeError(
          `HdrHistogram: counts at ${BUCKET_COUNT} buckets and beyond (values of 2^42 ns and up) ` +
            "do not fit this layout",
        );
      }
      add(index, v);
    }
    index++;
  }
}

/** The V2 compressed encoding of the V2 encoding `v2`. */
export async function compressV2(v2: Uint8Array): Promise<Uint8Array> {
  const deflated = await pipe(v2, new CompressionStream("deflate"), Infinity);
  const out = new Uint8Array(8 + deflated.length);
  const view = new DataView(out.buffer);
  view.setInt32(0, V2_COMPRESSED_COOKIE_BASE | V2_WORD_SIZE);
  view.setInt32(4, deflated.length);
  out.set(deflated, 8);
  return out;
}

/** The V2 encoding inside the V2 compressed encoding `bytes`. */
export async function decompressV2(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes.length < 8) {
    throw new RangeError(`HdrHistogram compressed encoding: ${bytes.length} bytes, no header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cookie = view.getInt32(0);
  if (cookie !== (V2_COMPRESSED_COOKIE_BASE | V2_WORD_SIZE)) {
    throw new RangeError(
      `HdrHistogram compressed encoding: cookie 0x${hex(cookie)} is not V2's 0x${
        hex(V2_COMPRESSED_COOKIE_BASE | V2_WORD_SIZE)
      }`,
    );
  }
  const length = view.getInt32(4);
  if (length < 0 || 8 + length > bytes.length) {
    throw new RangeError(`HdrHistogram compressed encoding: length ${length} exceeds the data`);
  }
  try {
    return await pipe(
      bytes.subarray(8, 8 + length),
      new DecompressionStream("deflate"),
      MAX_DECODED_BYTES,
    );
  } catch (e) {
    if (e instanceof RangeError) throw e;
    throw new RangeError(`HdrHistogram compressed encoding: not valid zlib data (${e})`);
  }
}

/** Run `input` through a (de)compression stream; at most `limit` output bytes. */
async function pipe(
  input: Uint8Array,
  stream: CompressionStream | DecompressionStream,
  limit: number,
): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  const written = writer.write(input as Uint8Array<ArrayBuffer>).then(() => writer.close());
  written.catch(() => {}); // the reader reports the error
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new RangeError(
        `HdrHistogram compressed encoding: inflates past ${limit} bytes, ` +
          "more than any histogram of this layout",
      );
    }
    chunks.push(value);
  }
  await written;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/** Standard base64 of `bytes` (btoa: Deno, Node >= 16, Bun, browsers). */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** The bytes of standard base64 `text`; a `RangeError` if it is not base64. */
export function fromBase64(text: string): Uint8Array {
  let s: string;
  try {
    s = atob(text.trim());
  } catch {
    throw new RangeError("HdrHistogram: the text is not base64");
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
