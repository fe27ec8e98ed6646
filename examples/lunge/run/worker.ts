/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * The load-generating Web Worker. It owns its share of every scenario's VUs
 * (closed model) or of every scenario's arrival rate (open model, paced by
 * its own `Pacer` over the interleaved global schedule), its own
 * `HttpClient`, and a collector attached to the engine's shared
 * memory, into which it records every request.
 *
 * Lifecycle: `init` -> `ready`; `start` (an epoch time all workers share) ->
 * run; at each scenario's end, or on `stop`, issue nothing more and let
 * in-flight iterations finish within the scenario's gracefulStop, then cut
 * them: every request still in flight is recorded as failed with error type
 * `"interrupted"` (status 0, timed up to the cut; one still queued for a
 * connection was never sent: it is counted as not sent, `cut before
 * sending`), think-time waits end and no request is sent after the cut, so
 * every request sent is counted once. `cut` (Ctrl-C) cuts at once. A
 * stopped scenario whose every request in flight is past its own timeout by
 * `OVERDUE_MS` (`_in_flight.ts`) is cut at once too: the client could not
 * end them (a saturated machine, e.g. 100,000 VUs' connects the kernel has not
 * answered), and waiting out gracefulStop would only hold the run.
 *
 * A request that ends before any byte of it left (a missing variable, an
 * invalid request, a DNS failure, a refused permission: `_not_sent.ts`) is
 * never given to `recordRequest`: it is counted as not sent, per scenario,
 * reason and name, so the collector's `totalRequests` is what was sent.
 * Then flush and close the collector, close the client and post `done`; the engine terminates the worker only
 * after `done` (or when it does not come in time, which the run reports).
 *
 * Every wait (duration, stages, gracefulStop, think time, pacing) is a
 * chunked `longTimeout`, so delays past 2^31 - 1 ms work.
 * A VU whose iteration gets no response (refused, reset, out of file
 * descriptors, …) backs off before its next one: 1 ms, doubling up to 1 s,
 * reset by a response, so failing VUs cannot starve the worker's timers.
 *
 * Open-model latency runs from each iteration's *scheduled* time (so a slow
 * server or a busy generator shows up as latency, not as a lower rate — no
 * coordinated omission); later requests of the same iteration are timed
 * from their own start.
 *
 * The per-request path is one `performance.now()` pair around
 * `client.send`, and one `recordRequest` of one reused record
 * (`ScenarioRunner#iteration` -> `#record`, `_scenario_runner.ts`); when an
 * output takes every request (`--out csv=`), also that record's columns,
 * posted to the main thread in chunks (`_row_buffer.ts`).
 *
 * The Worker's state is one {@linkcode WorkerRuntime} (`_worker_runtime.ts`);
 * this module only hands it the engine's messages (`_protocol.ts`), and posts
 * `error` with the message of anything one of them throws.
 *
 * @module
 */
import type { FromWorker, ToWorker } from "./_protocol.ts";
import { WorkerRuntime } from "./_worker_runtime.ts";

export { INTERRUPTED, OVERDUE_MS } from "./_in_flight.ts";

function post(message: FromWorker): void {
  self.postMessage(message);
}

const runtime = new WorkerRuntime(post);

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  try {
    switch (msg.type) {
      case "init":
        runtime.init(msg);
        break;
      case "start":
        runtime.start(msg.startEpochMs);
        break;
      case "stop":
        runtime.stop();
        break;
      case "cut":
        runtime.cut();
        break;
    }
  } catch (err) {
    post({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
