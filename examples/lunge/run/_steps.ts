/**
 * Private helper: the requests of one scenario that need more than "send the
 * prepared bytes" — run-time `{{variables}}`, assertions, extracts, their
 * own timeout — and the per-VU state they use. A request with none of these
 * is *bare*: the worker sends it on its fast path and never calls this.
 *
 * One request's way here: render its templates (a missing variable ends it:
 * not sent, with the reason `missing variable <name>`, never sent with a
 * literal `{{x}}`) -> send (the engine's client; it keeps the head and body
 * when they must be read, `_capture.ts`) -> extracts -> assertions. Its error type is the
 * transport error, else the first failed assertion (`assertion: <label>`),
 * else the first failed extract (`extract: <name>`).
 *
 * A request not sent (`sent: false`: a missing variable, an invalid
 * request, a DNS failure, a refused permission; `_not_sent.ts`) has its
 * assertions not evaluated — neither passed nor failed: there was no
 * response to check, and it is no HTTP request — and its extracted
 * variables removed; the worker counts it as not sent and goes on with the
 * iteration's next request. A request sent that got no response fails all
 * its assertions.
 *
 * @module
 */
import type { RequestSpec, ScenarioSpec } from "../config/config.ts";
import { type CompiledTemplate, compileTemplate, renderTemplate } from "../config/template.ts";
import type { HttpClient, HttpOutcome, PreparedRequest } from "../http/http_client.ts";
import { AssertionTally } from "./_assertions.ts";
import { runExtracts } from "./_extract.ts";
import { capture, type CaptureRequest } from "./_capture.ts";
import { CapturedResponse, type ResponseView } from "./_response.ts";
import { isNotSentError } from "./_not_sent.ts";

/** One virtual user's state: its number, iteration and extracted variables. */
export interface VuState {
  /** Unique in the run, from 1 (`{{vuId}}`). */
  vuId: number;
  /** The VU's iteration in its scenario, from 0 (`{{iteration}}`). */
  iteration: number;
  /** Values its extracts stored. */
  vars: Map<string, string>;
}

/** What one step gave: the outcome to record and when the request ended (performance ms). */
export interface StepOutcome extends HttpOutcome {
  /** When the response ended (or the request was refused before sending). */
  end: number;
  /** Whether bytes were sent (false for a missing variable or an invalid URL). */
  sent: boolean;
}

/** Whether a request has left: the HTTP client sets `written`; the worker sets `cancelled` at the cut. */
export interface SendProgress {
  /** Set true just before the request's first byte goes to a socket. */
  written: boolean;
  /** Set at the cut: a request not yet written is then never sent. */
  cancelled: boolean;
}

/** When and how a step runs (see {@linkcode ScenarioSteps.run}). */
export interface StepRun {
  /** Its start, performance ms (the scheduled time of an open-model iteration's first request). */
  start: number;
  /** Aborted at the scenario's cut. */
  signal: AbortSignal;
  /** Marked written by the HTTP client just before the request's first byte leaves. */
  flight?: SendProgress;
}

/** Where a step sends. */
export interface StepTools {
  /** The client for a timeout (ms); the worker's shared one for settings.timeout. */
  clientFor(timeoutMs: number): HttpClient;
  /** settings.timeout, ms. */
  timeoutMs: number;
  /** settings.userAgent (or the client's default). */
  userAgent: string;
  /** This worker's index, for `{{requestId}}`. */
  worker: number;
}

interface Compiled {
  url: CompiledTemplate;
  headers: [string, CompiledTemplate][];
  body?: CompiledTemplate;
  values: CompiledTemplate[];
}

let requestSeq = 0;

/** Whether the worker can send `r` on its fast path (prepared once, nothing to check). */
export function isBare(r: RequestSpec): boolean {
  return !r.templated && r.assertions.length === 0 && r.extract.length === 0 &&
    r.timeoutMs === undefined;
}

function needsCapture(r: RequestSpec): boolean {
  return r.readBody || r.assertions.some((a) => a.type === "header") ||
    r.extract.some((e) => e.source === "header");
}

/** A status-and-time-only response, for assertions on the fast client. */
class BareResponse implements ResponseView {
  readonly body = "";
  constructor(readonly status: number, readonly durationMs: number) {}
  header(): string | null {
    return null;
  }
  json(): unknown {
    return undefined;
  }
}

/** The non-bare requests of one scenario in one worker, and their assertion tally. */
export class ScenarioSteps {
  /** Pass/fail counts per request and assertion. */
  readonly tally: AssertionTally;
  #requests: readonly RequestSpec[];
  #compiled: Compiled[];
  #prepared: (PreparedRequest | undefined)[];
  #capture: boolean[];
  #tools: StepTools;

  /** Compiles `spec`'s templates once. */
  constructor(spec: ScenarioSpec, tools: StepTools) {
    this.#requests = spec.requests;
    this.#tools = tools;
    this.tally = new AssertionTally(spec.requests.map((r) => r.assertions.length));
    this.#compiled = spec.requests.map((r) => ({
      url: compileTemplate(r.url),
      headers: Object.entries(r.headers).map(([k, v]) => [k, compileTemplate(v)]),
      body: r.body === undefined ? undefined : compileTemplate(r.body),
      values: r.assertions.map((a) => compileTemplate(a.value)),
    }));
    this.#capture = spec.requests.map(needsCapture);
    // Not templated: prepare once on the client of the request's timeout.
    this.#prepared = spec.requests.map((r, i) =>
      r.templated || this.#capture[i] ? undefined : this.#client(r).prepare({
        method: r.method,
        url: r.url,
        headers: r.headers,
        body: r.body,
      })
    );
  }

  /**
   * No response: every extracted variable is removed (never stale), and every
   * assertion fails — unless the request was never sent (not evaluated then).
   */
  #noResponse(i: number, vu: VuState, sent: boolean): void {
    if (sent) this.tally.failAll(i);
    for (const e of this.#requests[i].extract) vu.vars.delete(e.name);
  }

  #client(r: RequestSpec): HttpClient {
    return this.#tools.clientFor(r.timeoutMs ?? this.#tools.timeoutMs);
  }

  /** The value of `{{name}}` for `vu`: an extracted variable, else a built-in. */
  #lookup(vu: VuState): (name: string) => string | undefined {
    const requestId = `${this.#tools.worker}-${++requestSeq}`;
    return (name) => {
      const v = vu.vars.get(name);
      if (v !== undefined) return v;
      switch (name) {
        case "timestamp":
          return String(Date.now());
        case "iteration":
          return String(vu.iteration);
        case "vuId":
          return String(vu.vuId);
        case "requestId":
          return requestId;
        case "uuid":
          return crypto.randomUUID();
      }
      return undefined;
    };
  }

  /** Request `i` with its templates rendered, or the first missing variable. */
  #render(i: number, lookup: (name: string) => string | undefined): CaptureRequest | string {
    const r = this.#requests[i];
    if (!r.templated) return { method: r.method, url: r.url, headers: r.headers, body: r.body };
    const c = this.#compiled[i];
    const url = renderTemplate(c.url, lookup);
    if (typeof url !== "string") return url.missing;
    const headers: Record<string, string> = {};
    for (const [k, t] of c.headers) {
      const v = renderTemplate(t, lookup);
      if (typeof v !== "string") return v.missing;
      headers[k] = v;
    }
    const body = c.body === undefined ? undefined : renderTemplate(c.body, lookup);
    if (body !== undefined && typeof body !== "string") return body.missing;
    return { method: r.method, url, headers, body };
  }

  /** Sends request `i` on the engine's client (keeping the response when it must be read). */
  async #send(
    i: number,
    req: CaptureRequest,
    at: StepRun,
  ): Promise<[StepOutcome, ResponseView] | undefined> {
    const r = this.#requests[i];
    const { start, flight } = at;
    if (this.#capture[i]) {
      // The engine's client, keeping the head and body (_capture.ts).
      const got = await capture(this.#client(r), req, flight);
      const end = performance.now();
      const { statusCode, bytes, error, hops } = got;
      const sent = statusCode !== 0 || !isNotSentError(error, flight?.written ?? true);
      return [
        { statusCode, bytes, error, hops, end, sent },
        new CapturedResponse(statusCode, end - start, got.headers, got.body),
      ];
    }
    let prepared = this.#prepared[i];
    if (prepared === undefined) {
      try {
        prepared = this.#client(r).prepare(req);
      } catch {
        return undefined; // not encodable (an invalid rendered URL or header)
      }
    }
    const got = await this.#client(r).send(prepared, flight);
    const end = performance.now();
    const sent = got.statusCode !== 0 || !isNotSentError(got.error, flight?.written ?? true);
    return [{ ...got, end, sent }, new BareResponse(got.statusCode, end - start)];
  }

  /**
   * Runs request `i` for `vu`, started at `at.start` (performance ms; the
   * scheduled time for an open-model iteration's first request); `at.signal`
   * is aborted at the scenario's cut.
   */
  async run(i: number, vu: VuState, at: StepRun): Promise<StepOutcome> {
    const r = this.#requests[i];
    const lookup = this.#lookup(vu);
    const refused = (error: string): StepOutcome => {
      this.#noResponse(i, vu, false);
      return { statusCode: 0, bytes: 0, error, end: performance.now(), sent: false };
    };
    const req = this.#render(i, lookup);
    if (typeof req === "string") return refused(`missing variable ${req}`);
    const sent = await this.#send(i, req, at);
    if (sent === undefined) return refused("invalid request");
    const [outcome, response] = sent;
    if (outcome.error !== undefined || outcome.statusCode === 0) {
      this.#noResponse(i, vu, outcome.sent);
      return outcome;
    }
    const extractError = r.extract.length > 0
      ? runExtracts(r.extract, response, vu.vars)
      : undefined;
    const values = this.#compiled[i].values;
    const assertionError = r.assertions.length > 0
      ? this.tally.evaluate(i, r.assertions, response, (j) => {
        const v = renderTemplate(values[j], lookup);
        return typeof v === "string" ? v : `{{${v.missing}}}`;
      })
      : undefined;
    outcome.error = assertionError ?? extractError;
    return outcome;
  }
}
