/**
 * The default Worker count: every core for remote targets, half of them (at
 * least one) when every target and proxy is on this machine.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  defaultWorkers,
  isLoopbackHost,
  targetsAreLocal,
} from "../../../examples/lunge/run/default_workers.ts";
import { validateConfig } from "../../../examples/lunge/config/config.ts";
import type { TestConfig } from "../../../examples/lunge/config/types.ts";

function config(urls: string[], settings: Partial<TestConfig["settings"]> = {}): TestConfig {
  const c = validateConfig({
    name: "t",
    scenarios: { s: { duration: "1s", requests: urls.map((url) => ({ url })) } },
  });
  Object.assign(c.settings, settings);
  return c;
}

Deno.test("default workers: loopback hosts", () => {
  for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "api.localhost", "[::1]"]) {
    assert.equal(isLoopbackHost(h), true, h);
  }
  for (const h of ["10.0.0.1", "example.com", "128.0.0.1", "localhost.example.com"]) {
    assert.equal(isLoopbackHost(h), false, h);
  }
});

Deno.test("default workers: local only when every target and proxy is on this machine", () => {
  assert.equal(targetsAreLocal(config(["http://127.0.0.1:8080/", "https://localhost/x"])), true);
  assert.equal(targetsAreLocal(config(["http://127.0.0.1/", "http://example.com/"])), false);
  assert.equal(
    targetsAreLocal(config(["http://127.0.0.1/"], { proxy: { http: "http://10.0.0.2:3128" } })),
    false,
  );
  assert.equal(
    targetsAreLocal(config(["http://example.com/"], { unixSocket: "/tmp/s.sock" })),
    true,
  );
});

Deno.test("default workers: half the cores on loopback (at least 1), all of them elsewhere", () => {
  assert.equal(defaultWorkers(true, 2), 1);
  assert.equal(defaultWorkers(true, 1), 1);
  assert.equal(defaultWorkers(true, 8), 4);
  assert.equal(defaultWorkers(true, 7), 3);
  assert.equal(defaultWorkers(false, 2), 2);
  assert.equal(defaultWorkers(false, 8), 8);
});
