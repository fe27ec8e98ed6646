/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * Bench helper for memory_soak.ts: the engine's Worker (run/worker.ts,
 * unchanged) plus one diagnostic message. `{ type: "diag-memory", gc }` is
 * answered with `{ type: "diag-memory", before, after }`: the Worker's
 * `Deno.memoryUsage()`, and, when `gc` is true and V8 exposes `gc`
 * (`--v8-flags=--expose-gc`), again after a full collection. Every other
 * message goes to the engine's handler; the engine ignores the reply's type.
 *
 * @module
 */
import "../../examples/lunge/run/worker.ts";

// The engine's handler does not use `this`.
const engineHandler = self.onmessage as ((e: MessageEvent) => void) | null;
const gc = (globalThis as { gc?: () => void }).gc;

self.onmessage = (e: MessageEvent) => {
  const msg = e.data as { type?: string; gc?: boolean };
  if (msg?.type !== "diag-memory") {
    engineHandler?.(e);
    return;
  }
  const before = Deno.memoryUsage();
  let after = before;
  if (msg.gc && gc !== undefined) {
    gc();
    after = Deno.memoryUsage();
  }
  self.postMessage({ type: "diag-memory", before, after });
};
