/**
 * Private helper: a response as assertions and extracts see it — status,
 * time, headers, body text and the body parsed as JSON once, on first use.
 *
 * @module
 */

/** What assertions and extracts read from one response. */
export interface ResponseView {
  /** Status code (0 when no response arrived). */
  readonly status: number;
  /** Time from the request's start to the end of its response, ms. */
  readonly durationMs: number;
  /** A header's value (`name` lower case), or null when absent. */
  header(name: string): string | null;
  /** The body as text ("" when it was not read). */
  readonly body: string;
  /** The body parsed as JSON, or {@linkcode NOT_JSON}. Parsed once. */
  json(): unknown;
}

/** What {@linkcode ResponseView.json} returns for a body that is not JSON. */
export const NOT_JSON: unique symbol = Symbol("not JSON");

/** Response headers by name (any case): `Headers`, or the HTTP client's captured ones. */
export interface HeaderSource {
  /** A header's value, or null. */
  get(name: string): string | null;
}

/** A {@linkcode ResponseView} over a status, headers and body text. */
export class CapturedResponse implements ResponseView {
  readonly status: number;
  readonly durationMs: number;
  readonly body: string;
  #headers: HeaderSource;
  #json: unknown = undefined;
  #parsed = false;

  /** Wraps one response. */
  constructor(status: number, durationMs: number, headers: HeaderSource, body: string) {
    this.status = status;
    this.durationMs = durationMs;
    this.#headers = headers;
    this.body = body;
  }

  /** A header's value, or null. */
  header(name: string): string | null {
    return this.#headers.get(name);
  }

  /** The body as JSON (parsed once), or {@linkcode NOT_JSON}. */
  json(): unknown {
    if (!this.#parsed) {
      this.#parsed = true;
      try {
        this.#json = JSON.parse(this.body);
      } catch {
        this.#json = NOT_JSON;
      }
    }
    return this.#json;
  }
}

/** A value as text for comparisons and variables: strings as is, others as JSON. */
export function asText(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v) ?? String(v);
}
