/**
 * Input checks shared by both collectors. The fast check is a handful of
 * comparisons; only a failing input pays for finding out which field is
 * wrong, so the message can name it.
 *
 * @module
 */
import type { RequestResult } from "./types.ts";

function describe(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** Throw the TypeError/RangeError naming the first invalid field of `r`. */
function reject(r: unknown): never {
  if (typeof r !== "object" || r === null) {
    throw new TypeError(`recordRequest: result must be an object (got ${describe(r)})`);
  }
  const o = r as Record<string, unknown>;
  const number = (field: string) => {
    if (typeof o[field] !== "number") {
      throw new TypeError(
        `RequestResult.${field} must be a number (got ${describe(o[field])})`,
      );
    }
    return o[field] as number;
  };
  const start = number("startTime");
  if (!(start >= 0 && start < Infinity)) {
    throw new RangeError(`RequestResult.startTime must be finite and >= 0 (got ${start})`);
  }
  const duration = number("duration");
  if (!(duration >= 0 && duration < Infinity)) {
    throw new RangeError(`RequestResult.duration must be finite and >= 0 (got ${duration})`);
  }
  const status = number("statusCode");
  if (!Number.isInteger(status) || status < 0 || status > 999) {
    throw new RangeError(`RequestResult.statusCode must be an integer 0..999 (got ${status})`);
  }
  const bytes = number("bytes");
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`RequestResult.bytes must be an integer >= 0 (got ${bytes})`);
  }
  for (const field of ["error", "name"]) {
    const v = o[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string") {
      throw new TypeError(`RequestResult.${field} must be a string (got ${describe(v)})`);
    }
    if (v === "") throw new RangeError(`RequestResult.${field} must not be empty`);
  }
  throw new TypeError("recordRequest: invalid result"); // unreachable when checks agree
}

/**
 * Throw a `TypeError` or `RangeError` naming the field unless `r` is a valid
 * {@linkcode RequestResult}.
 */
export function validateResult(r: RequestResult): void {
  if (typeof r !== "object" || r === null) reject(r);
  const s = r.startTime, d = r.duration, c = r.statusCode, b = r.bytes;
  if (
    typeof s !== "number" || typeof d !== "number" ||
    !(s >= 0 && s < Infinity && d >= 0 && d < Infinity) ||
    (c & 1023) !== c || c > 999 ||
    !(b >= 0 && b <= 9007199254740991) || Math.floor(b) !== b ||
    (r.error != null && (typeof r.error !== "string" || r.error === "")) ||
    (r.name != null && (typeof r.name !== "string" || r.name === ""))
  ) reject(r);
}

/** Throw unless `rate` is a finite number >= 0. */
export function validateRate(rate: number): void {
  if (typeof rate !== "number") {
    throw new TypeError(`recordGenerationRate: rate must be a number (got ${describe(rate)})`);
  }
  if (!(rate >= 0 && rate < Infinity)) {
    throw new RangeError(`recordGenerationRate: rate must be finite and >= 0 (got ${rate})`);
  }
}
