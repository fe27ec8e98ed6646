/**
 * Private helper: exact rationals for execution segments. `1/3`, `0.35`,
 * `1` become a reduced numerator/denominator pair of integers, so a
 * segment's bounds are compared and its share computed without float error.
 *
 * @module
 */

/** A reduced fraction `num / den`, `den >= 1`. */
export interface Rational {
  /** Numerator (>= 0 here: segment bounds are in [0, 1]). */
  num: number;
  /** Denominator, >= 1. */
  den: number;
}

/**
 * The largest numerator or denominator parsed: products of two stay below
 * 2^53, so the arithmetic here is exact in plain numbers.
 */
const MAX_DEN = 2 ** 26;

/** Greatest common divisor of two non-negative integers. */
export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Least common multiple of two positive integers. */
export function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

function reduced(num: bigint, den: bigint): Rational | undefined {
  if (den === 0n) return undefined;
  let a = num, b = den;
  while (b !== 0n) [a, b] = [b, a % b];
  const n = num / a, d = den / a;
  if (d > BigInt(MAX_DEN) || n > BigInt(MAX_DEN)) return undefined;
  return { num: Number(n), den: Number(d) };
}

/**
 * Parses `p/q` (integers) or a decimal (`0.35`, `.5`, `1`) into a reduced
 * rational; undefined for anything else (signs, exponents, `q = 0`, or a
 * fraction too fine to keep exact).
 */
export function parseRational(text: string): Rational | undefined {
  const s = text.trim();
  const f = /^(\d+)\/(\d+)$/.exec(s);
  if (f) return reduced(BigInt(f[1]), BigInt(f[2]));
  const d = /^(\d*)\.?(\d*)$/.exec(s);
  if (!d || (d[1] === "" && d[2] === "")) return undefined;
  const digits = d[2];
  return reduced(BigInt((d[1] || "0") + digits), 10n ** BigInt(digits.length));
}

/** `a - b`, reduced (exact: parsed terms are at most 2^26). */
export function subtract(a: Rational, b: Rational): Rational {
  const num = a.num * b.den - b.num * a.den, den = a.den * b.den;
  const g = gcd(Math.abs(num), den);
  return { num: num / g, den: den / g };
}

/** Negative when `a < b`, 0 when equal, positive when `a > b` (exact). */
export function compare(a: Rational, b: Rational): number {
  return a.num * b.den - b.num * a.den;
}

/** `p/q`, or `p` when `q = 1`. */
export function formatRational(r: Rational): string {
  return r.den === 1 ? `${r.num}` : `${r.num}/${r.den}`;
}
