/**
 * Collector options: their defaults and bounds, in one place. The same
 * checks run on the options a constructor is given and on the options
 * `attachCollector` reads back from a buffer's header, so a buffer cannot
 * describe a collector that the constructor would have refused.
 *
 * @module
 */
import type { CollectorOptions } from "./types.ts";

/** Options with every default applied. */
export interface ResolvedOptions {
  batchSize: number;
  timeSeriesCapacity: number;
  maxErrorTypes: number;
  maxNames: number;
  flushIntervalMs: number;
  maxWriters: number;
  lockTimeoutMs: number;
}

/** Default and inclusive bounds of each option, in header order. */
export const OPTION_BOUNDS: Readonly<
  Record<keyof ResolvedOptions, { fallback: number; min: number; max: number }>
> = {
  batchSize: { fallback: 10_000, min: 1, max: 1 << 24 },
  timeSeriesCapacity: { fallback: 3_600, min: 1, max: 604_800 },
  maxErrorTypes: { fallback: 64, min: 0, max: 1_000 },
  maxNames: { fallback: 64, min: 0, max: 1_000 },
  flushIntervalMs: { fallback: 100, min: 0, max: 3_600_000 },
  maxWriters: { fallback: 256, min: 1, max: 65_536 },
  lockTimeoutMs: { fallback: 5_000, min: 1, max: 3_600_000 },
};

/** The option names, in header order. */
export const OPTION_NAMES = Object.keys(OPTION_BOUNDS) as (keyof ResolvedOptions)[];

/** Check one option value (read once); `source` prefixes the message. */
export function checkOption(key: keyof ResolvedOptions, v: unknown, source: string): number {
  const { min, max } = OPTION_BOUNDS[key];
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${source}.${key} must be an integer (got ${String(v)})`);
  }
  if (v < min || v > max) {
    throw new RangeError(`${source}.${key} must be within ${min}..${max} (got ${v})`);
  }
  return v;
}

/** Apply defaults and check bounds; throws naming the bad option. */
export function resolveOptions(options: CollectorOptions = {}): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`CollectorOptions must be an object (got ${String(options)})`);
  }
  if ((options as { ringSize?: unknown }).ringSize !== undefined) {
    throw new TypeError("CollectorOptions.ringSize was renamed batchSize");
  }
  const resolved = {} as ResolvedOptions;
  for (const key of OPTION_NAMES) {
    const v = options[key];
    resolved[key] = v === undefined
      ? OPTION_BOUNDS[key].fallback
      : checkOption(key, v, "CollectorOptions");
  }
  return resolved;
}
