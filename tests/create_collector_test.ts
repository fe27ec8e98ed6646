/** The feature flag: createCollector's kind argument, LUNGE_COLLECTOR, and no env permission. */
import assert from "node:assert/strict";
import {
  AtomicMetricsCollector,
  collectorKindFromEnv,
  createCollector,
  MutexMetricsCollector,
} from "@lunge/metrics";

function withEnv(vars: Record<string, string | undefined>, fn: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, Deno.env.get(k)]));
  try {
    for (const [k, v] of Object.entries(vars)) {
      v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
    }
    fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
    }
  }
}

Deno.test("createCollector: the kind argument wins over the environment", () => {
  withEnv({ LUNGE_COLLECTOR: "mutex" }, () => {
    const c = createCollector("atomic");
    assert.ok(c instanceof AtomicMetricsCollector);
    c.close();
  });
});

Deno.test("createCollector: LUNGE_COLLECTOR picks the kind; atomic by default", () => {
  withEnv({ LUNGE_COLLECTOR: "mutex", LUNGE_USE_OLD_COLLECTOR: undefined }, () => {
    const c = createCollector();
    assert.ok(c instanceof MutexMetricsCollector);
    c.close();
  });
  withEnv({ LUNGE_COLLECTOR: " Atomic " }, () => assert.equal(collectorKindFromEnv(), "atomic"));
  withEnv({ LUNGE_COLLECTOR: undefined, LUNGE_USE_OLD_COLLECTOR: undefined }, () => {
    const c = createCollector();
    assert.equal(c.kind, "atomic");
    c.close();
  });
  withEnv({ LUNGE_COLLECTOR: undefined, LUNGE_USE_OLD_COLLECTOR: "true" }, () => {
    assert.equal(collectorKindFromEnv(), "mutex");
  });
});

Deno.test("createCollector: a bad kind or LUNGE_COLLECTOR value is a RangeError naming it", () => {
  assert.throws(() => createCollector("fast" as "atomic"), /kind must be "atomic" or "mutex"/);
  withEnv({ LUNGE_COLLECTOR: "spinlock" }, () => {
    assert.throws(
      () => createCollector(),
      (e: Error) => e instanceof RangeError && /LUNGE_COLLECTOR/.test(e.message),
    );
  });
});

Deno.test("createCollector: without env permission it neither prompts nor throws", async () => {
  const mod = import.meta.resolve("@lunge/metrics");
  const code = `import { createCollector } from "${mod}";
const c = createCollector(); console.log(c.kind); c.close();`;
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(script, code);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", script],
    env: { LUNGE_COLLECTOR: "mutex" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(script));
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  // The variable says mutex, but without permission it counts as unset.
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "atomic");
});
