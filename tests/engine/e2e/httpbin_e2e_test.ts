/**
 * Lunge's reference-config case against a real httpbin (Debian's
 * `python3-httpbin` under `gunicorn`, started on 127.0.0.1 with an access
 * log; skipped with a message where it is not installed): an extract that
 * finds nothing, then a request that needs its `{{userId}}`. The request
 * never sent is counted as not sent, and `totalRequests` equals the lines
 * httpbin logged.
 */
import assert from "node:assert/strict";
import type { RunResult } from "../../../examples/lunge/result.ts";
import { READ, runLunge } from "../_cli.ts";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A running gunicorn httpbin: its port and the lines of its access log. */
interface Httpbin {
  port: number;
  logged(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts `gunicorn httpbin:app` on a free port; undefined when it cannot run here. */
async function startHttpbin(dir: string): Promise<Httpbin | undefined> {
  const port = freePort();
  const log = `${dir}/access.log`;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("gunicorn", {
      args: ["-b", `127.0.0.1:${port}`, "--access-logfile", log, "--workers", "1", "httpbin:app"],
      cwd: dir,
      stdout: "null",
      stderr: "null",
    }).spawn();
  } catch {
    return undefined; // no gunicorn
  }
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
    await child.status;
  };
  const lines = async () => {
    try {
      return (await Deno.readTextFile(log)).split("\n").filter((l) => l.trim() !== "").length;
    } catch {
      return 0;
    }
  };
  // Up when it answers (httpbin importable); gone when gunicorn exits (it is not).
  let exited = false;
  child.status.then(() => exited = true);
  for (let i = 0; i < 100 && !exited; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/get`);
      await res.body?.cancel();
      if (res.ok) {
        const base = await lines(); // the probe's own lines
        return { port, logged: async () => (await lines()) - base, stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  return undefined;
}

Deno.test("httpbin: a failing extract chain: totalRequests equals httpbin's access log", async () => {
  const dir = await Deno.makeTempDir();
  const httpbin = await startHttpbin(dir);
  if (httpbin === undefined) {
    console.log(
      "skipped: gunicorn/httpbin not installed (apt-get install python3-httpbin gunicorn)",
    );
    await Deno.remove(dir, { recursive: true });
    return;
  }
  try {
    const config = `${dir}/reference.json`;
    await Deno.writeTextFile(
      config,
      JSON.stringify({
        name: "reference",
        settings: { baseUrl: `http://127.0.0.1:${httpbin.port}`, timeout: "5s" },
        scenarios: {
          users: {
            executor: "constant-vus",
            vus: 2,
            duration: "2s",
            requests: [
              {
                name: "login",
                method: "POST",
                url: "/anything/login",
                body: '{"user":"a"}',
                headers: { "Content-Type": "application/json" },
                // httpbin echoes the body under "json": it has no userId.
                extract: [{ name: "userId", source: "json", path: "$.json.userId" }],
              },
              {
                name: "profile",
                url: "/anything/users/{{userId}}",
                assertions: [{ type: "status", condition: "eq", value: "200" }],
              },
              { name: "home", url: "/get" },
            ],
          },
        },
      }),
    );
    const o = await runLunge(["-c", config, "--json", "-q"], [
      `--allow-net=127.0.0.1:${httpbin.port}`,
      `--allow-read=${READ},${config}`,
    ]);
    const r: RunResult = JSON.parse(o.stdout);
    await new Promise((res) => setTimeout(res, 200)); // the last log lines
    const logged = await httpbin.logged();
    const logins = r.metrics.byName.login.count;
    assert.ok(logins >= 2, `${logins} logins`);
    assert.equal(r.metrics.totalRequests, logged, "reported as sent = logged by httpbin");
    assert.equal(r.metrics.retries, 0);
    assert.deepEqual(r.metrics.notSent, {
      total: logins,
      byReason: { "missing variable userId": logins },
      byName: { profile: logins },
    });
    assert.deepEqual(r.metrics.errorsByType, { "extract: userId": logins });
    const check = r.scenarios.users.checks![0];
    assert.deepEqual([check.passes, check.fails], [0, 0], "never sent: never evaluated");
  } finally {
    await httpbin.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
