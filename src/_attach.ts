/**
 * The private door through which `attachCollector` builds a collector over
 * an existing buffer: a symbol-keyed option that the public
 * `CollectorOptions` type does not show.
 *
 * @module
 */
import type { CollectorOptions } from "./types.ts";

/** Option key carrying the buffer of the collector to attach to. */
export const ATTACH = Symbol("lunge.attach");

/** `CollectorOptions` as the constructors read them. */
export type InternalOptions = CollectorOptions & { [ATTACH]?: SharedArrayBuffer };
