/** The contract suite for the mutex collector (the baseline). */
import assert from "node:assert/strict";
import { MutexMetricsCollector } from "@lunge/metrics";
import { contractSuite } from "./_contract_suite.ts";

contractSuite("mutex");

Deno.test("mutex: the class is the one createCollector('mutex') builds", () => {
  const c = new MutexMetricsCollector();
  try {
    assert.equal(c.kind, "mutex");
    c.recordRequest({ startTime: Date.now(), duration: 1, statusCode: 200, bytes: 1 });
    assert.equal(c.getSnapshot().totalRequests, 1);
  } finally {
    c.close();
  }
});
