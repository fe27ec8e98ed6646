/**
 * The HTTP client's idle-connection bounds, settable from the config
 * (`settings.maxIdleConns`, `settings.idleTimeout`) and the CLI
 * (`--max-idle-conns`, `--idle-timeout`): validated with messages naming the
 * field and the value, and applied in the workers' clients (a raw server on
 * 127.0.0.1 counts the connections they open).
 */
import assert from "node:assert/strict";
import { ConfigError, validateConfig } from "../../../examples/lunge/config/config.ts";
import { buildConfig, parseCli, type RunCommand, UsageError } from "../../../examples/lunge/cli.ts";
import { runTest } from "../../../examples/lunge/run/engine.ts";
import { rawServer } from "../_raw_server.ts";

function settings(s: Record<string, unknown>) {
  return validateConfig({
    settings: s,
    scenarios: {
      s: { executor: "constant-vus", vus: 1, duration: "1s", requests: [{ url: "http://h/" }] },
    },
  }).settings;
}

Deno.test("idle settings: settings.maxIdleConns and settings.idleTimeout are read and validated", () => {
  const s = settings({ maxIdleConns: 7, idleTimeout: "1500ms" });
  assert.equal(s.maxIdleConns, 7);
  assert.equal(s.idleTimeoutMs, 1500);
  assert.equal(settings({ maxIdleConns: "3" }).maxIdleConns, 3, "as ${ENV} gives it");
  const none = settings({});
  assert.equal(none.maxIdleConns, undefined);
  assert.equal(none.idleTimeoutMs, undefined);
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ maxIdleConns: 0 }, /settings\.maxIdleConns: must be a positive integer \(got 0\)/],
    [{ maxIdleConns: 2.5 }, /settings\.maxIdleConns: must be a positive integer \(got 2\.5\)/],
    [{ maxIdleConns: "many" }, /settings\.maxIdleConns: must be a positive integer \(got "many"\)/],
    [{ idleTimeout: 0 }, /settings\.idleTimeout: must be greater than 0 \(got 0\)/],
    [{ idleTimeout: "soon" }, /settings\.idleTimeout: invalid duration "soon"/],
    [{ idleTimeout: 5 }, /settings\.idleTimeout: invalid duration 5 \(use a unit/],
  ];
  for (const [bad, message] of refused) {
    assert.throws(() => settings(bad), (e) => e instanceof ConfigError && message.test(e.message));
  }
});

function run(args: string[]): RunCommand {
  const cmd = parseCli(args, {});
  assert.ok(cmd.kind === "run");
  return cmd;
}

Deno.test("idle settings: --max-idle-conns and --idle-timeout set them, alone and over a config", async () => {
  const flags = ["--max-idle-conns", "5", "--idle-timeout", "2s"];
  const c = await buildConfig(run(["--url", "http://127.0.0.1:1/", ...flags]));
  assert.equal(c.settings.maxIdleConns, 5);
  assert.equal(c.settings.idleTimeoutMs, 2000);
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/t.json`;
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        settings: { maxIdleConns: 50, idleTimeout: "30s" },
        scenarios: {
          s: { executor: "constant-vus", vus: 1, duration: "1s", requests: [{ url: "http://h/" }] },
        },
      }),
    );
    const fromFile = await buildConfig(run(["-c", path]));
    assert.deepEqual([fromFile.settings.maxIdleConns, fromFile.settings.idleTimeoutMs], [
      50,
      30_000,
    ]);
    const over = await buildConfig(run(["-c", path, ...flags]));
    assert.deepEqual([over.settings.maxIdleConns, over.settings.idleTimeoutMs], [5, 2000]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  for (
    const [args, message] of [
      [["--max-idle-conns", "0"], /--max-idle-conns must be a positive integer \(got "0"\)/],
      [["--max-idle-conns", "x"], /--max-idle-conns must be a positive integer \(got "x"\)/],
      [["--idle-timeout", "0s"], /--idle-timeout must be a duration .* \(got "0s"\)/],
      [["--idle-timeout", "later"], /--idle-timeout must be a duration .* \(got "later"\)/],
    ] as const
  ) {
    assert.throws(
      () => run(["--url", "http://127.0.0.1:1/", ...args]),
      (e) => e instanceof UsageError && message.test(e.message),
    );
  }
});

/** A keep-alive HTTP server that answers every request head with a tiny 200 and counts connections. */
function keepAliveServer() {
  const ok = new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  const decoder = new TextDecoder();
  return rawServer(async (c) => {
    const buf = new Uint8Array(16 * 1024);
    let text = "";
    for (;;) {
      const n = await c.read(buf);
      if (n === null) return;
      text += decoder.decode(buf.subarray(0, n));
      let i;
      while ((i = text.indexOf("\r\n\r\n")) >= 0) {
        text = text.slice(i + 4);
        await c.write(ok);
      }
    }
  });
}

Deno.test("idle settings: the workers' clients apply them (connections the server accepts)", async () => {
  const a = keepAliveServer(), b = keepAliveServer();
  try {
    const runWith = async (extra: Record<string, unknown>, pacing: string) => {
      const before = a.accepted + b.accepted;
      const r = await runTest({
        config: validateConfig({
          settings: extra,
          scenarios: {
            s: {
              executor: "constant-vus",
              vus: 1,
              duration: "800ms",
              pacing,
              requests: [{ name: "a", url: a.url }, { name: "b", url: b.url }],
            },
          },
        }),
        workers: 1,
      });
      assert.equal(r.metrics.failedRequests, 0);
      return { iterations: r.scenarios.s.iterations, opened: a.accepted + b.accepted - before };
    };
    // Defaults: one connection per server, reused by every iteration.
    const plain = await runWith({}, "100ms");
    assert.ok(plain.iterations >= 4, `${plain.iterations} iterations`);
    assert.equal(plain.opened, 2);
    // idleTimeout shorter than the pacing: each iteration finds its connections closed.
    const idle = await runWith({ idleTimeout: "20ms" }, "100ms");
    assert.ok(idle.opened >= 2 * (idle.iterations - 1), JSON.stringify(idle));
    // One idle connection in all: b's connection going idle closes a's, every iteration.
    const one = await runWith({ maxIdleConns: 1 }, "20ms");
    assert.ok(one.opened >= one.iterations, JSON.stringify(one));
  } finally {
    await a.close();
    await b.close();
  }
});
