/**
 * The config hash: what `lunge merge` compares to know that results come
 * from the same test. SHA-256 (hex) of the validated config as canonical
 * JSON (keys sorted), without its warnings; the segment and `--start-at` are
 * not part of the config, so every instance of one test has the same hash.
 *
 * @module
 */
import type { TestConfig } from "../config/config.ts";

/** The hash of `config` (64 hex digits). */
export async function configHash(config: TestConfig): Promise<string> {
  const { warnings: _, ...rest } = config;
  const bytes = new TextEncoder().encode(canonicalJson(rest));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** JSON with object keys sorted at every level (undefined members dropped, as JSON does). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== "function")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}
