/**
 * Input checks shared by both collectors.
 *
 * `recordRequest` reads each field of a result **once** into locals and
 * passes those locals here and on to the analysis, so a getter or Proxy
 * cannot show one value to the check and another to the recorder. The fast
 * check is a handful of comparisons; only a failing input pays for finding
 * out which field is wrong, so the message can name it.
 *
 * Valid ranges (the README and docs/contract.md state them too):
 * - `startTime`: epoch ms, 0 .. 8.64e15 (what a `Date` can hold);
 * - `duration`: ms, finite and >= 0;
 * - completion, `startTime + duration`: within the clock window below;
 * - `statusCode`: an integer 0..999; `bytes`: an integer 0 .. 2^53 - 1;
 * - `error`, `name`: absent (undefined or null) or a non-empty string.
 *
 * The clock window: a completion more than {@linkcode FUTURE_MS} ahead of
 * the wall clock, or more than {@linkcode PAST_MS} behind it, is refused. A
 * collector measures a live run, so such a value is a unit or clock mistake
 * (`performance.now()` instead of `Date.now()`, seconds instead of ms), and
 * it would stretch the time series over empty seconds or push real ones out.
 * The window is checked when a thread first sees a completion second, not on
 * every request, so it costs the hot path nothing.
 *
 * @module
 */

/** Largest epoch ms a `Date` can hold. */
export const MAX_EPOCH_MS = 8.64e15;
/** How far ahead of the wall clock a completion may be. */
export const FUTURE_MS = 60_000;
/** How far behind the wall clock a completion may be. */
export const PAST_MS = 3_600_000;

/** A refused value as a message shows it: strings quoted, objects as JSON (both cut). */
function describe(v: unknown): string {
  const cut = (t: string) => t.length > 80 ? t.slice(0, 80) + "…" : t;
  if (typeof v === "string") return JSON.stringify(cut(v));
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "symbol") return v.toString();
  if (typeof v === "function") return "a function";
  if (typeof v === "object" && v !== null) {
    const kind = Array.isArray(v) ? "an array" : "an object";
    try {
      const json = JSON.stringify(v);
      return json === undefined ? kind : `${kind} ${cut(json)}`;
    } catch {
      return kind; // circular, a BigInt inside, or a throwing toJSON
    }
  }
  return String(v);
}

/** True when the fields, read once by the caller, make a valid result. */
export function validFields(
  s: unknown,
  d: unknown,
  c: unknown,
  b: unknown,
  e: unknown,
  n: unknown,
): boolean {
  return typeof s === "number" && typeof d === "number" && typeof c === "number" &&
    typeof b === "number" &&
    s >= 0 && s <= MAX_EPOCH_MS && d >= 0 && d < Infinity &&
    (c & 1023) === c && c <= 999 &&
    b >= 0 && b <= 9007199254740991 && Math.floor(b) === b &&
    (e == null || (typeof e === "string" && e !== "")) &&
    (n == null || (typeof n === "string" && n !== ""));
}

/** Throw the TypeError naming a result that is not an object. */
export function rejectResult(r: unknown): never {
  throw new TypeError(`recordRequest: result must be an object (got ${describe(r)})`);
}

/**
 * Throw the TypeError/RangeError naming the first invalid field and the
 * value it holds (values read once). Every field gets its own checks: a
 * valid field never takes the blame for another.
 */
export function rejectFields(
  s: unknown,
  d: unknown,
  c: unknown,
  b: unknown,
  e: unknown,
  n: unknown,
): never {
  const numbers: [string, unknown][] = [["startTime", s], ["duration", d], ["statusCode", c], [
    "bytes",
    b,
  ]];
  for (const [field, v] of numbers) {
    if (typeof v !== "number") {
      throw new TypeError(`RequestResult.${field} must be a number (got ${describe(v)})`);
    }
  }
  const [start, duration, status, bytes] = [s, d, c, b] as number[];
  if (!(start >= 0 && start <= MAX_EPOCH_MS)) {
    throw new RangeError(
      `RequestResult.startTime must be epoch milliseconds within 0..${MAX_EPOCH_MS} (got ${start})`,
    );
  }
  if (!(duration >= 0 && duration < Infinity)) {
    throw new RangeError(
      `RequestResult.duration must be finite and >= 0, in milliseconds (got ${duration})`,
    );
  }
  if (!Number.isInteger(status) || status < 0 || status > 999) {
    throw new RangeError(`RequestResult.statusCode must be an integer 0..999 (got ${status})`);
  }
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`RequestResult.bytes must be an integer >= 0 (got ${bytes})`);
  }
  for (const [field, v] of [["error", e], ["name", n]] as const) {
    if (v == null) continue; // absent: valid
    if (typeof v !== "string") {
      throw new TypeError(`RequestResult.${field} must be a string or absent (got ${describe(v)})`);
    }
    if (v === "") {
      throw new RangeError(`RequestResult.${field} must not be empty (got "")`);
    }
  }
  // Reached only if validFields and these checks disagree: a bug, named as one.
  throw new TypeError(
    `recordRequest: result refused by the fast check but no field is invalid ` +
      `(startTime ${start}, duration ${duration}, statusCode ${status}, bytes ${bytes}, ` +
      `error ${describe(e)}, name ${describe(n)})`,
  );
}

/**
 * Check the clock window for completion second `k` (see the module doc);
 * called when a thread first sees `k`, before anything is counted.
 */
export function checkCompletion(startTime: number, duration: number, k: number): void {
  const now = Date.now();
  if (k * 1000 > now + FUTURE_MS || (k + 1) * 1000 < now - PAST_MS) {
    const end = startTime + duration;
    // The start alone outside the window: the start is wrong; else the duration took it out.
    const field = startTime > now + FUTURE_MS || startTime < now - PAST_MS
      ? "startTime"
      : "duration";
    const gap = Math.round(Math.abs(end - now) / 1000);
    throw new RangeError(
      `RequestResult.${field} puts the completion, startTime + duration, ${gap} s ` +
        `${end > now ? "ahead of" : "behind"} ` +
        `the clock (got startTime ${startTime}, duration ${duration}; the window is ` +
        `${FUTURE_MS / 1000} s ahead to ${PAST_MS / 1000} s behind): startTime must be epoch ` +
        "milliseconds (Date.now(), not performance.now() or seconds) and duration milliseconds",
    );
  }
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
