/**
 * End-to-end: what the reports say about dropped iterations and retried
 * requests, from the CLI (a subprocess) against real servers on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { startTargetServer } from "../../../examples/lunge/demo/target_server.ts";
import type { RunResult } from "../../../examples/lunge/result.ts";
import { type Outcome, READ, runLunge } from "../_cli.ts";

/** Runs the CLI with `--json`; the console output goes to stderr. */
async function lunge(
  args: string[],
  permissions: string[],
): Promise<Outcome & { result: RunResult }> {
  const out = await runLunge([...args, "--json"], permissions);
  assert.ok(out.stdout.trim().startsWith("{"), `no JSON result; stderr: ${out.stderr}`);
  return { ...out, result: JSON.parse(out.stdout) };
}

/** A config: 100 iterations/s for 3 s with at most 10 VUs, each iteration stalled 1 s by the server. */
function stalledConfig(port: number, thresholds?: Record<string, string[]>): string {
  return JSON.stringify({
    name: "stalled",
    settings: { timeout: "5s" },
    scenarios: {
      stalled: {
        executor: "constant-arrival-rate",
        rate: 100,
        duration: "3s",
        preAllocatedVUs: 10,
        maxVUs: 10,
        requests: [{ url: `http://127.0.0.1:${port}/delay/1000` }],
      },
    },
    ...(thresholds ? { thresholds } : {}),
  });
}

Deno.test("e2e: iterations dropped behind a stalling server are in the verdict, and a threshold fails on them", async () => {
  const server = await startTargetServer({ hostname: "127.0.0.1", port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "lunge-dropped-" });
  try {
    const plain = `${dir}/plain.json`;
    const strict = `${dir}/strict.json`;
    await Deno.writeTextFile(plain, stalledConfig(server.port));
    await Deno.writeTextFile(
      strict,
      stalledConfig(server.port, { dropped_iterations: ["count<1"] }),
    );
    const permissions = [`--allow-net=127.0.0.1:${server.port}`, `--allow-read=${READ},${dir}`];

    // Without a threshold on drops: PASSED, but the verdict says how many and why, -q too.
    const pass = await lunge(["-c", plain, "-q"], permissions);
    const s = pass.result.scenarios.stalled;
    assert.equal(pass.code, 0, pass.stderr);
    assert.equal(pass.result.passed, true);
    assert.equal(server.stats().requests, pass.result.metrics.totalRequests);
    // 10 VUs each start about one stalled iteration a second: most of the 300 due are dropped.
    assert.ok(s.droppedIterations >= 150, `dropped ${s.droppedIterations}`);
    const due = s.iterations + s.droppedIterations;
    const share = Math.round(s.droppedIterations / due * 100);
    assert.equal(
      pass.stderr.trim(),
      `PASSED with ${s.droppedIterations} dropped iterations (${share} %): ` +
        "latency excludes iterations that never started; raise --max-vus",
    );

    // With `dropped_iterations: count<1`: FAILED, exit 1, the threshold shows the count.
    server.resetStats();
    const fail = await lunge(["-c", strict], permissions);
    const f = fail.result.scenarios.stalled;
    assert.equal(fail.code, 1, fail.stderr);
    assert.equal(fail.result.passed, false);
    assert.equal(fail.result.error, null);
    assert.equal(server.stats().requests, fail.result.metrics.totalRequests);
    assert.deepEqual(
      fail.result.thresholds.map((t) => [t.metric, t.expression, t.passed, t.value]),
      [["dropped_iterations", "count<1", false, f.droppedIterations]],
    );
    assert.match(fail.stderr, /^stalled - FAILED with [\d,]+ dropped iterations \(\d+ %\)/m);
    assert.match(fail.stderr, /✗ dropped_iterations count<1 \(actual: [\d,]+\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await server.close();
  }
});

/**
 * A raw HTTP/1.1 server on 127.0.0.1 that answers the first request of each
 * connection (keep-alive, with no `Connection: close`) and closes the
 * connection when it has read the second: that request reached the server,
 * and the client finds a dead keep-alive socket. Counts every request read.
 */
function closingServer(): { port: number; received: () => number; close: () => Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  let received = 0;
  const response = new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  const serve = async (conn: Deno.Conn) => {
    const buf = new Uint8Array(65536);
    let pending = "";
    let served = 0;
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        pending += new TextDecoder().decode(buf.subarray(0, n));
        let end: number;
        let close = false;
        while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
          pending = pending.slice(end + 4); // GET requests: no body
          received++;
          served++;
          if (served >= 2) {
            close = true;
            break;
          }
          await conn.write(response);
        }
        if (close) break;
      }
    } catch {
      // the client went away
    } finally {
      conns.delete(conn);
      conn.close();
    }
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        tasks.push(serve(conn));
      }
    } catch {
      // listener closed
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    received: () => received,
    async close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed already */ }
      }
      await Promise.all(tasks);
      await accepting;
    },
  };
}

Deno.test("e2e: GETs on keep-alive connections the server closes are retried, and the JSON counts each retry", async () => {
  const server = closingServer();
  try {
    const out = await lunge(
      [
        "--url",
        `http://127.0.0.1:${server.port}/`,
        "--vus",
        "2",
        "--duration",
        "1s",
        "--workers",
        "1",
        "-q",
      ],
      [`--allow-net=127.0.0.1:${server.port}`, `--allow-read=${READ}`],
    );
    const m = out.result.metrics;
    assert.equal(out.code, 0, out.stderr);
    assert.equal(m.failedRequests, 0, JSON.stringify(m.errorsByType));
    assert.ok(m.retries > 0, "each connection's second request was retried");
    // The server read every request once, and each retried one twice.
    assert.equal(server.received(), m.totalRequests + m.retries);
  } finally {
    await server.close();
  }
});

Deno.test("e2e: the time series' last point holds no whole-run generation rate", async () => {
  const server = await startTargetServer({ hostname: "127.0.0.1", port: 0 });
  try {
    const out = await lunge(
      ["--url", server.url, "--rate", "50", "--duration", "2s", "--max-vus", "5", "-q"],
      [`--allow-net=127.0.0.1:${server.port}`, `--allow-read=${READ}`],
    );
    assert.equal(out.code, 0, out.stderr);
    const r = out.result;
    const points = r.timeSeries.points;
    const last = points[points.length - 1];
    const whole = r.metrics.generation.rate;
    assert.ok(whole > 0);
    // Before: the whole-run average, recorded after the run, landed in the last second.
    assert.notEqual(
      last.generationRate,
      whole,
      JSON.stringify(points.map((p) => p.generationRate)),
    );
    // Every point is a rate the engine measured in its second: none above the 50/s it sent (+ slack).
    for (const p of points) assert.ok(p.generationRate <= 75, `${p.generationRate}`);
    assert.equal(server.stats().requests, r.metrics.totalRequests);
  } finally {
    await server.close();
  }
});
