/**
 * Private helper: sending a request whose response must be read — its body
 * (body/json assertions, body/json/regex extracts) or its headers (header
 * assertions and extracts) — through the engine's own HTTP client, which
 * then keeps the response's head and body (`capture`, capped at the
 * client's `maxBodyBytes`, decoded when the request asked for compression).
 * The same pool, limits, byte counting (status line, headers and body as
 * received on the wire), redirects and error types as every other request.
 *
 * @module
 */
import type { HttpClient, HttpOutcome } from "../http/http_client.ts";

/** One request to capture. */
export interface CaptureRequest {
  /** Method, upper case. */
  method: string;
  /** Absolute URL. */
  url: string;
  /** Headers to send. */
  headers: Record<string, string>;
  /** Body, if any. */
  body?: string;
}

/** Response headers by name (any case). */
export interface HeaderLookup {
  /** A header's value, or null when absent. */
  get(name: string): string | null;
}

/** What a captured request gave. */
export interface Captured extends HttpOutcome {
  /** Response headers (none on error). */
  headers: HeaderLookup;
  /** Body text, UTF-8 ("" on error). */
  body: string;
}

const decoder = new TextDecoder();
const NO_HEADERS: HeaderLookup = { get: () => null };

/**
 * Sends `req` on `client`, keeping its response's head and body. Never throws.
 *
 * @param client The client of the request's timeout.
 * @param req The request (templates rendered).
 * @param flight Marked written when the request's first byte leaves (see `HttpClient.send`).
 */
export async function capture(
  client: HttpClient,
  req: CaptureRequest,
  flight?: { written: boolean; cancelled: boolean },
): Promise<Captured> {
  let got: HttpOutcome;
  try {
    got = await client.send(client.prepare({ ...req, capture: true }), flight);
  } catch {
    return { statusCode: 0, bytes: 0, error: "invalid request", headers: NO_HEADERS, body: "" };
  }
  const r = got.response;
  if (r === undefined || got.statusCode === 0) return { ...got, headers: NO_HEADERS, body: "" };
  return { ...got, headers: r.headers, body: decoder.decode(r.body) };
}
