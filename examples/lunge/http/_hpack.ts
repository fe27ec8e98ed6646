/**
 * Private helper: HPACK (RFC 7541), the header compression of HTTP/2, for
 * the client. The encoder writes every field as a literal without indexing
 * (no dynamic table on our side, no Huffman), naming it by its static-table
 * index when the name is there; the decoder handles all of HPACK: the static
 * and dynamic tables, table size updates, and Huffman-coded strings.
 *
 * @module
 */
import { ProtocolError } from "./errors.ts";

/** The static table (RFC 7541 Appendix A), 1-based in the protocol. */
const STATIC: readonly (readonly [string, string])[] = [
  [":authority", ""],
  [":method", "GET"],
  [":method", "POST"],
  [":path", "/"],
  [":path", "/index.html"],
  [":scheme", "http"],
  [":scheme", "https"],
  [":status", "200"],
  [":status", "204"],
  [":status", "206"],
  [":status", "304"],
  [":status", "400"],
  [":status", "404"],
  [":status", "500"],
  ...[
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "accept",
    "access-control-allow-origin",
    "age",
    "allow",
    "authorization",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-range",
    "content-type",
    "cookie",
    "date",
    "etag",
    "expect",
    "expires",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "last-modified",
    "link",
    "location",
    "max-forwards",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "referer",
    "refresh",
    "retry-after",
    "server",
    "set-cookie",
    "strict-transport-security",
    "transfer-encoding",
    "user-agent",
    "vary",
    "via",
    "www-authenticate",
  ].map((n) => [n, n === "accept-encoding" ? "gzip, deflate" : ""] as const),
];

/** The first static index of each name. */
const STATIC_NAME = new Map<string, number>();
for (let i = STATIC.length - 1; i >= 0; i--) STATIC_NAME.set(STATIC[i][0], i + 1);

/**
 * The Huffman code's bit length of each symbol 0..256 (RFC 7541 Appendix B),
 * one character each: `0-9a-f` for 0..15, `g…` for 16 and up. The code is
 * canonical (codes of one length are consecutive, in symbol order, and
 * shorter codes come first), so the lengths define it.
 */
const HUFFMAN_LENGTHS =
  "dnsssssssoussussssssssusssssssss6aacd68baa8b8666555666666678f6cad677777777777777777777778" +
  "78djde6f56565666577666567655677777fbedskmkkmmmnmnnnnnonoomnonnnnlmnmnnomlkmmnnlnmmolmnnl" +
  "lmlnmnnkmmmnmmnqqkjmnmpqqqrrqopjlqrrqrollqqsrrrkoklmllnmmppooqnqrqqrrrrrsrrrrrqu";

/** Canonical decoding tables: per length, the first code, its index in SYMBOLS, and the count. */
const FIRST_CODE = new Array<number>(31).fill(0);
const FIRST_INDEX = new Array<number>(31).fill(0);
const COUNT = new Array<number>(31).fill(0);
/** Symbols sorted by (length, symbol). */
const SYMBOLS: number[] = [];
{
  // "0".."9" are 0..9; "a".. continue the count ("a" = 10, "g" = 16, …).
  const lengths = [...HUFFMAN_LENGTHS].map((ch) => ch.charCodeAt(0) - (ch <= "9" ? 48 : 87));
  if (lengths.length !== 257) throw new Error("HPACK Huffman table: expected 257 lengths");
  for (let len = 1; len <= 30; len++) {
    for (let s = 0; s < 257; s++) if (lengths[s] === len) SYMBOLS.push(s);
  }
  let code = 0;
  let index = 0;
  for (let len = 1; len <= 30; len++) {
    let n = 0;
    for (let s = 0; s < 257; s++) if (lengths[s] === len) n++;
    FIRST_CODE[len] = code;
    FIRST_INDEX[len] = index;
    COUNT[len] = n;
    code = (code + n) * 2;
    index += n;
  }
}
const EOS = 256;

/**
 * Decodes a Huffman-coded string `b[from, to)` (RFC 7541 §5.2) as Latin-1
 * (header bytes kept one char each).
 *
 * @throws {ProtocolError} On an EOS symbol, or padding that is not the EOS prefix or over 7 bits.
 */
export function huffmanDecode(b: Uint8Array, from: number, to: number): string {
  let out = "";
  let code = 0;
  let len = 0;
  let ones = true; // the bits since the last symbol are all 1
  for (let i = from; i < to; i++) {
    const byte = b[i];
    for (let bit = 7; bit >= 0; bit--) {
      const v = (byte >> bit) & 1;
      code = code * 2 + v;
      len++;
      if (v === 0) ones = false;
      if (len > 30) throw new ProtocolError("HPACK: invalid Huffman code");
      const k = code - FIRST_CODE[len];
      if (k >= 0 && k < COUNT[len]) {
        const sym = SYMBOLS[FIRST_INDEX[len] + k];
        if (sym === EOS) throw new ProtocolError("HPACK: EOS in a Huffman string");
        out += String.fromCharCode(sym);
        code = 0;
        len = 0;
        ones = true;
      }
    }
  }
  if (len > 7 || !ones) throw new ProtocolError("HPACK: invalid Huffman padding");
  return out;
}

/** Latin-1 text of `b[from, to)`. */
function latin1(b: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** The bytes of a Latin-1 string; throws on a wider char (HTTP field bytes are octets). */
function octets(s: string): number[] {
  const out = new Array<number>(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new TypeError(`header text must be Latin-1: ${JSON.stringify(s)}`);
    out[i] = c;
  }
  return out;
}

/** Appends an HPACK integer with an `n`-bit prefix whose high bits are `flags`. */
function pushInt(out: number[], flags: number, n: number, v: number): void {
  const max = (1 << n) - 1;
  if (v < max) {
    out.push(flags | v);
    return;
  }
  out.push(flags | max);
  v -= max;
  while (v >= 128) {
    out.push((v % 128) + 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/**
 * Encodes a header list as one header block: each field a literal without
 * indexing (RFC 7541 §6.2.2), its name by static index where one exists.
 * Names must be lower-case already.
 */
export function encodeHeaderBlock(fields: readonly (readonly [string, string])[]): Uint8Array {
  const out: number[] = [];
  for (const [name, value] of fields) {
    const idx = STATIC_NAME.get(name);
    if (idx !== undefined) pushInt(out, 0x00, 4, idx);
    else {
      out.push(0x00);
      const nb = octets(name);
      pushInt(out, 0x00, 7, nb.length);
      for (const x of nb) out.push(x);
    }
    const vb = octets(value);
    pushInt(out, 0x00, 7, vb.length);
    for (const x of vb) out.push(x);
  }
  return new Uint8Array(out);
}

/** The decoder's state between header blocks of one connection: its dynamic table. */
export class HpackDecoder {
  /** Entries, newest first. */
  #table: [string, string][] = [];
  #size = 0;
  /** The table size limit we announced (SETTINGS_HEADER_TABLE_SIZE). */
  #limit: number;
  /** The limit the encoder last set (≤ #limit). */
  #max: number;
  #p = 0;

  /** @param limit The SETTINGS_HEADER_TABLE_SIZE we announce (default 4096). */
  constructor(limit = 4096) {
    this.#limit = limit;
    this.#max = limit;
  }

  /**
   * Decodes one whole header block. Every block of a connection must go
   * through, in order, to keep the dynamic table in step.
   *
   * @returns The fields, in order, names and values as Latin-1 strings.
   * @throws {ProtocolError} On a malformed block (a connection error).
   */
  decode(b: Uint8Array): [string, string][] {
    const fields: [string, string][] = [];
    this.#p = 0;
    let first = true;
    while (this.#p < b.length) {
      const x = b[this.#p];
      if (x & 0x80) {
        fields.push(this.#entry(this.#int(b, 7)));
      } else if (x & 0x40) {
        const f = this.#literal(b, 6);
        this.#add(f);
        fields.push(f);
      } else if (x & 0x20) {
        if (!first && fields.length > 0) {
          throw new ProtocolError("HPACK: table size update after a field");
        }
        const size = this.#int(b, 5);
        if (size > this.#limit) throw new ProtocolError("HPACK: table size over the limit");
        this.#max = size;
        this.#evict(0);
        continue;
      } else {
        fields.push(this.#literal(b, 4)); // without indexing / never indexed
      }
      first = false;
    }
    return fields;
  }

  #entry(i: number): [string, string] {
    if (i === 0) throw new ProtocolError("HPACK: index 0");
    if (i <= STATIC.length) return STATIC[i - 1] as [string, string];
    const e = this.#table[i - STATIC.length - 1];
    if (e === undefined) throw new ProtocolError(`HPACK: index ${i} out of range`);
    return e;
  }

  #literal(b: Uint8Array, n: number): [string, string] {
    const i = this.#int(b, n);
    const name = i === 0 ? this.#string(b) : this.#entry(i)[0];
    return [name, this.#string(b)];
  }

  #int(b: Uint8Array, n: number): number {
    const max = (1 << n) - 1;
    let v = b[this.#p++] & max;
    if (v < max) return v;
    let m = 1;
    for (;;) {
      if (this.#p >= b.length) throw new ProtocolError("HPACK: truncated integer");
      const x = b[this.#p++];
      v += (x & 127) * m;
      if (v > 0xffffffff) throw new ProtocolError("HPACK: integer too large");
      if ((x & 128) === 0) return v;
      m *= 128;
    }
  }

  #string(b: Uint8Array): string {
    if (this.#p >= b.length) throw new ProtocolError("HPACK: truncated string");
    const huffman = (b[this.#p] & 0x80) !== 0;
    const len = this.#int(b, 7);
    const from = this.#p;
    const to = from + len;
    if (to > b.length) throw new ProtocolError("HPACK: truncated string");
    this.#p = to;
    return huffman ? huffmanDecode(b, from, to) : latin1(b, from, to);
  }

  #add(f: [string, string]): void {
    const size = f[0].length + f[1].length + 32;
    if (size > this.#max) {
      this.#table.length = 0;
      this.#size = 0;
      return;
    }
    this.#evict(size);
    this.#table.unshift(f);
    this.#size += size;
  }

  /** Evicts the oldest entries until `room` more bytes fit. */
  #evict(room: number): void {
    while (this.#size + room > this.#max && this.#table.length > 0) {
      const [n, v] = this.#table.pop()!;
      this.#size -= n.length + v.length + 32;
    }
  }

  /** The dynamic table's size now (RFC 7541 §4.1), for tests. */
  get tableSize(): number {
    return this.#size;
  }
}
