/**
 * Private helper of the HTML report: escaping, script-safe JSON, hashes and
 * the table markup every section shares.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** The id of the `<script type="application/json">` element holding the result. */
export const RESULT_ELEMENT_ID = "lunge-result";

/** Escape text for HTML content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * JSON that is safe inside a `<script>` element: no `<` (so neither
 * `</script>` nor `<!--` can appear) and no U+2028/U+2029.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/** Base64 SHA-256 of `text` (UTF-8), for the policy's script hashes. */
export function sha256Base64(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("base64");
}

/** A finite number or 0. */
export function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

/** A table: a header row and body rows (cells already HTML), numeric columns right-aligned. */
export function tableHtml(
  headers: string[],
  rows: string[][],
  options: { numericFrom?: number; className?: string } = {},
): string {
  const numericFrom = options.numericFrom ?? 1;
  const cls = (i: number) => (i >= numericFrom ? ` class="num"` : "");
  const head = headers.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${c}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table${
    options.className ? ` class="${options.className}"` : ""
  }><thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody></table>`;
}
