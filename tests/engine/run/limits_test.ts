import assert from "node:assert/strict";
import { validateConfig } from "../../../examples/lunge/config/config.ts";
import {
  checkLoadLimits,
  connectionsNeeded,
  FD_RESERVE,
  MAX_CONNECTIONS,
  MAX_PACER_RATE,
  parseFdLimit,
  parseUlimit,
} from "../../../examples/lunge/run/limits.ts";

function vusConfig(vus: number, maxConnectionsPerHost?: number) {
  return validateConfig({
    settings: maxConnectionsPerHost ? { maxConnectionsPerHost } : undefined,
    scenarios: {
      a: {
        executor: "constant-vus",
        vus,
        duration: "1s",
        requests: [{ url: "http://127.0.0.1:9/" }],
      },
    },
  });
}

function rateConfig(...rates: number[]) {
  const scenarios: Record<string, unknown> = {};
  rates.forEach((rate, i) => {
    scenarios[`s${i}`] = {
      executor: "constant-arrival-rate",
      rate,
      duration: "1s",
      preAllocatedVUs: 1,
      maxVUs: 1,
      requests: [{ url: "http://127.0.0.1:9/" }],
    };
  });
  return validateConfig({ scenarios });
}

Deno.test("checkLoadLimits: more VUs than the open-file limit allows is one line naming both", () => {
  const msg = checkLoadLimits(vusConfig(100_000), { fdLimit: 20_000, workers: 2 });
  assert.equal(
    msg,
    `the test may open ${100_000 + FD_RESERVE} file descriptors (one connection per VU plus ` +
      `${FD_RESERVE}) but the limit is 20000 (ulimit -n): lower --vus/--max-vus, set ` +
      "settings.maxConnectionsPerHost, or raise the limit",
  );
  assert.ok(!msg!.includes("\n"));
  assert.equal(checkLoadLimits(vusConfig(1_000), { fdLimit: 20_000, workers: 2 }), undefined);
  // Unknown limit (no permission to read it): not checked (below MAX_CONNECTIONS).
  assert.equal(checkLoadLimits(vusConfig(15_000), { workers: 2 }), undefined);
  assert.equal(checkLoadLimits(vusConfig(15_000), { fdLimit: Infinity, workers: 2 }), undefined);
});

Deno.test("connectionsNeeded: VUs per host, capped by maxConnectionsPerHost per Worker (rounded up)", () => {
  assert.equal(connectionsNeeded(vusConfig(500), 2), 500);
  // 100 over 3 Workers: 34 each, 102 in all.
  assert.equal(connectionsNeeded(vusConfig(100_000, 100), 3), 102);
  assert.equal(checkLoadLimits(vusConfig(100_000, 100), { fdLimit: 1024, workers: 3 }), undefined);
});

Deno.test("checkLoadLimits: an arrival rate above the pacer's maximum (summed over scenarios) is refused", () => {
  assert.match(
    checkLoadLimits(rateConfig(1e12), { workers: 2 })!,
    /^arrival rate 1000000000000\/s is above the most the pacer can honour \(100000\/s over all scenarios\)/,
  );
  assert.match(
    checkLoadLimits(rateConfig(60_000, 60_000), { workers: 2 })!,
    /arrival rate 120000\/s/,
  );
  assert.equal(checkLoadLimits(rateConfig(MAX_PACER_RATE), { workers: 2 }), undefined);
});

Deno.test("checkLoadLimits: more connections at once than the engine serves is refused, whatever the file limit", () => {
  const over = checkLoadLimits(vusConfig(100_000), { workers: 2 });
  assert.equal(
    over,
    "the test may open 100000 connections at once (one per VU), above the most the engine " +
      `serves (${MAX_CONNECTIONS}): lower --vus/--max-vus or set settings.maxConnectionsPerHost`,
  );
  assert.equal(checkLoadLimits(vusConfig(MAX_CONNECTIONS), { workers: 2 }), undefined);
  // A bounded pool: the VUs share 1,000 connections.
  assert.equal(checkLoadLimits(vusConfig(100_000, 1_000), { workers: 2 }), undefined);
});

Deno.test("parseFdLimit and parseUlimit read the soft limit", () => {
  const text = "Limit                     Soft Limit           Hard Limit           Units     \n" +
    "Max cpu time              unlimited            unlimited            seconds   \n" +
    "Max open files            1024                 1048576              files     \n";
  assert.equal(parseFdLimit(text), 1024);
  assert.equal(parseFdLimit(text.replace("1024 ", "unlimited")), Infinity);
  assert.equal(parseFdLimit("nothing here"), undefined);
  assert.equal(parseUlimit("20000\n"), 20000);
  assert.equal(parseUlimit("unlimited\n"), Infinity);
  assert.equal(parseUlimit("sh: ulimit: bad\n"), undefined);
});
