/**
 * How a run ends, end to end: the CLI as a subprocess with narrow
 * permissions, against raw TCP servers on 127.0.0.1 that never answer, and
 * against the counting target server. Requests in flight at the cut are
 * counted as interrupted, nothing is sent after it, every request the server
 * saw is in the report, Ctrl-C (once, twice) ends with a summary and JSON,
 * long durations neither overflow nor end at once, load limits are checked
 * up front, failing VUs back off, and output files survive EMFILE.
 */
import assert from "node:assert/strict";
import {
  startTargetServer,
  type TargetServer,
} from "../../../examples/lunge/demo/target_server.ts";
import type { RunResult } from "../../../examples/lunge/result.ts";
import { lungeCommand, READ as READ_PATHS, runLunge } from "../_cli.ts";
import { rawServer } from "../_raw_server.ts";

const READ = `--allow-read=${READ_PATHS}`;
const decoder = new TextDecoder();

/** A raw TCP server that accepts, reads and never answers; counts the requests it received. */
class SilentServer {
  requests = 0;
  #raw = rawServer(async (c) => {
    const buf = new Uint8Array(16 * 1024);
    let text = "";
    for (;;) {
      const n = await c.read(buf);
      if (n === null) break;
      text += decoder.decode(buf.subarray(0, n));
      // One request per head (GET, no body): count each complete head once.
      let i;
      while ((i = text.indexOf("\r\n\r\n")) >= 0) {
        this.requests++;
        text = text.slice(i + 4);
      }
    }
  });
  get port(): number {
    return this.#raw.port;
  }
  get url(): string {
    return this.#raw.url;
  }
  close(): Promise<void> {
    return this.#raw.close();
  }
}

function spawn(args: string[], permissions: string[], cwd?: string) {
  return lungeCommand(args, permissions, { cwd }).spawn();
}

async function lunge(args: string[], permissions: string[]) {
  const out = await spawn(args, permissions).output();
  const stdout = decoder.decode(out.stdout);
  const stderr = decoder.decode(out.stderr);
  const result = stdout.trim().startsWith("{") ? JSON.parse(stdout) as RunResult : undefined;
  return { code: out.code, stdout, stderr, result };
}

/** Reads a child's stderr as it comes; `waitFor` resolves when a pattern has appeared. */
function watchStderr(child: Deno.ChildProcess) {
  let text = "";
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const done = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      for (const w of waiters.splice(0)) {
        if (w.re.test(text)) w.resolve();
        else waiters.push(w);
      }
    }
  })();
  return {
    get text() {
      return text;
    },
    done,
    waitFor(re: RegExp): Promise<void> {
      if (re.test(text)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ re, resolve }));
    },
  };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  let s = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) s += chunk;
  return s;
}

async function withTarget(fn: (server: TargetServer, host: string) => Promise<void>) {
  const server = await startTargetServer({ hostname: "127.0.0.1", port: 0 });
  try {
    await fn(server, `127.0.0.1:${server.port}`);
  } finally {
    await server.close();
  }
}

async function withConfig(doc: unknown, fn: (path: string, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/test.json`;
    await Deno.writeTextFile(path, JSON.stringify(doc));
    await fn(path, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("run end: a target that never answers fails the run; requests in flight at the cut are counted as interrupted", async () => {
  // The exact case: request timeout (60 s) longer than gracefulStop (30 s).
  const silent = new SilentServer();
  try {
    const t0 = performance.now();
    const o = await lunge(
      ["--url", silent.url, "--vus", "3", "--duration", "2s", "--timeout", "60s", "--json", "-q"],
      [`--allow-net=127.0.0.1:${silent.port}`, READ],
    );
    const seconds = (performance.now() - t0) / 1000;
    // Ends promptly after duration + gracefulStop (2 s + 30 s), long before the 60 s timeout.
    assert.ok(seconds < 40, `took ${seconds} s`);
    assert.equal(o.code, 1, o.stderr);
    const r = o.result!;
    assert.equal(r.passed, false);
    assert.equal(r.metrics.totalRequests, 3);
    assert.deepEqual(r.metrics.errorsByType, { interrupted: 3 });
    assert.deepEqual(r.metrics.statusCodes, { "0": 3 });
    assert.equal(r.metrics.totalRequests, silent.requests);
    assert.match(r.error!, /no response from the target: all 3 requests failed \(interrupted\)/);
    assert.match(o.stderr, /FAILED/);
    assert.doesNotMatch(o.stderr, /PASSED/);
  } finally {
    await silent.close();
  }
});

Deno.test("run end: requests still queued for a connection at the cut were never sent: counted as not sent", async () => {
  // One connection for 3 VUs: one request is in flight (never answered), two
  // wait for the connection. At the cut the first is interrupted; the two
  // queued ones never reach the server: not in totalRequests, but not sent.
  const silent = new SilentServer();
  try {
    const doc = {
      settings: { maxConnectionsPerHost: 1, timeout: "60s" },
      scenarios: {
        s: {
          executor: "constant-vus",
          vus: 3,
          duration: "1s",
          gracefulStop: "500ms",
          requests: [{ url: silent.url }],
        },
      },
    };
    await withConfig(doc, async (config) => {
      const o = await lunge(["-c", config, "--json", "-q", "--workers", "1"], [
        `--allow-net=127.0.0.1:${silent.port}`,
        `${READ},${config}`,
      ]);
      const r = o.result!;
      assert.ok(r, o.stderr);
      assert.equal(silent.requests, 1);
      assert.equal(r.metrics.totalRequests, silent.requests);
      assert.deepEqual(r.metrics.errorsByType, { interrupted: 1 });
      assert.equal(r.metrics.notSent?.total, 2);
      assert.deepEqual(r.metrics.notSent?.byReason, { "cut before sending": 2 });
      assert.deepEqual(r.scenarios.s.notSent, r.metrics.notSent);
      assert.equal(o.code, 1);
    });
  } finally {
    await silent.close();
  }
});

Deno.test("run end: think time longer than the time left sends no stray request; server count = reported count", async () => {
  await withTarget(async (server, host) => {
    const doc = {
      name: "stray",
      scenarios: {
        s: {
          executor: "constant-vus",
          vus: 3,
          duration: "1s",
          gracefulStop: "300ms",
          requests: [
            { name: "first", url: `${server.url}first`, thinkTime: "2s" },
            { name: "second", url: `${server.url}second` },
          ],
        },
      },
    };
    await withConfig(doc, async (config) => {
      const t0 = performance.now();
      const o = await lunge(["-c", config, "--json", "-q"], [
        `--allow-net=${host}`,
        `${READ},${config}`,
      ]);
      const ms = performance.now() - t0;
      const r = o.result!;
      assert.ok(r, o.stderr);
      const stats = server.stats();
      // Every VU sent "first", then its think time (2 s) outlasted the duration
      // and gracefulStop (1.3 s): the think ended at the cut, "second" was never sent.
      assert.deepEqual(stats.byPath, { "/first": 3 });
      assert.equal(r.metrics.totalRequests, stats.requests);
      assert.equal(r.metrics.byName.first.count, 3);
      assert.equal(r.metrics.byName.second, undefined);
      assert.ok(ms < 1_300 + 2_000 + 3_000, `took ${ms} ms: the think time was not cut`);
    });
  });
});

Deno.test("run end: multi-scenario with think time and gracefulStop: every request the server saw is reported once", async () => {
  await withTarget(async (server, host) => {
    const doc = {
      name: "multi",
      scenarios: {
        vus: {
          executor: "constant-vus",
          vus: 3,
          duration: "1s",
          gracefulStop: "200ms",
          requests: [
            { name: "quick", url: `${server.url}delay/5`, thinkTime: "150ms" },
            // Still in flight when the cut comes (1.2 s): counted as interrupted.
            { name: "slow", url: `${server.url}delay/3000` },
          ],
        },
        open: {
          executor: "constant-arrival-rate",
          rate: 20,
          duration: "1s",
          preAllocatedVUs: 5,
          maxVUs: 20,
          gracefulStop: "1s",
          requests: [
            { name: "home", url: `${server.url}`, thinkTime: "100ms" },
            { name: "bytes", url: `${server.url}bytes/10` },
          ],
        },
      },
    };
    await withConfig(doc, async (config) => {
      const o = await lunge(["-c", config, "--json", "-q"], [
        `--allow-net=${host}`,
        `${READ},${config}`,
      ]);
      const r = o.result!;
      assert.ok(r, o.stderr);
      const stats = server.stats();
      assert.equal(r.metrics.totalRequests, stats.requests, JSON.stringify(stats.byPath));
      assert.equal(r.metrics.byName.slow.count, stats.byPath["/delay/3000"]);
      assert.equal(r.metrics.errorsByType.interrupted, 3);
      assert.equal(r.metrics.byName.home.count, 20);
      assert.equal(r.metrics.byName.bytes.count, 20);
      assert.equal(r.metrics.byName.quick.count, stats.byPath["/delay/5"]);
    });
  });
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.test({
    name:
      `run end: the first ${signal} against a target that never answers (--timeout 30s) cuts at once: summary and JSON within 2 s`,
    ignore: Deno.build.os === "windows",
    fn: async () => {
      const silent = new SilentServer();
      const dir = await Deno.makeTempDir();
      try {
        const child = spawn(
          [
            "--url",
            silent.url,
            "--vus",
            "3",
            "--duration",
            "60s",
            "--timeout",
            "30s",
            "--json",
            "--output",
            `${dir}/r.json`,
          ],
          [`--allow-net=127.0.0.1:${silent.port}`, READ, `--allow-write=${dir}`],
        );
        const stdout = readAll(child.stdout);
        const err = watchStderr(child);
        await err.waitFor(/\[2s\] Progress/);
        assert.equal(silent.requests, 3, "3 requests in flight, never answered");
        const t0 = performance.now();
        child.kill(signal);
        const status = await child.status;
        await err.done;
        const seconds = (performance.now() - t0) / 1000;
        assert.ok(seconds < 2, `the summary came ${seconds.toFixed(1)} s after ${signal}`);
        assert.equal(status.code, 1, "interrupted: failed, not 130");
        assert.match(err.text, /stopping now: requests in flight are counted as interrupted/);
        assert.match(err.text, /Failed ✗/);
        // --json with a .json --output writes only the file (as Lunge does).
        assert.equal(await stdout, "");
        const r: RunResult = JSON.parse(await Deno.readTextFile(`${dir}/r.json`));
        assert.equal(r.passed, false);
        assert.match(r.error!, /interrupted/);
        assert.deepEqual(r.metrics.errorsByType, { interrupted: 3 });
        assert.equal(r.metrics.totalRequests, silent.requests);
        assert.equal(r.metrics.unflushedRequests, 0);
      } finally {
        await silent.close();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test({
  name: "run end: a second Ctrl-C exits at once with 130 while the first's report waits",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    // The final remote-write push goes to a server that never answers (5 s
    // timeout): the first Ctrl-C's report waits on it; the second exits at once.
    const silent = new SilentServer();
    try {
      const child = spawn(
        [
          "--url",
          silent.url,
          "--vus",
          "1",
          "--duration",
          "60s",
          "--timeout",
          "30s",
          "--json",
          "--out",
          `prometheus-rw=${silent.url}write`,
        ],
        [`--allow-net=127.0.0.1:${silent.port}`, READ],
      );
      const stdout = readAll(child.stdout);
      const err = watchStderr(child);
      await err.waitFor(/\[1s\] Progress/);
      child.kill("SIGINT");
      await err.waitFor(/stopping now/);
      await sleep(500);
      const t0 = performance.now();
      child.kill("SIGINT");
      const status = await child.status;
      await err.done;
      assert.ok(performance.now() - t0 < 1_000, "the second Ctrl-C did not exit at once");
      assert.equal(status.code, 130);
      assert.match(err.text, /exiting at once \(130\)/);
      assert.equal(await stdout, "", "no JSON after the second Ctrl-C");
    } finally {
      await silent.close();
    }
  },
});

Deno.test({
  name:
    "run end: --duration 597h neither overflows nor ends at once; SIGINT stops it with a report",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withTarget(async (server, host) => {
      const child = spawn(
        ["--url", server.url, "--vus", "2", "--duration", "597h", "--json", "-q"],
        [`--allow-net=${host}`, READ],
      );
      const stdout = readAll(child.stdout);
      const stderr = readAll(child.stderr);
      let exited = false;
      child.status.then(() => exited = true);
      await sleep(2_000);
      assert.equal(exited, false, "a 597 h run ended at once");
      child.kill("SIGINT");
      const status = await child.status;
      const err = await stderr;
      assert.doesNotMatch(err, /TimeoutOverflowWarning/);
      assert.equal(status.code, 1);
      const r: RunResult = JSON.parse(await stdout);
      assert.match(r.error!, /interrupted/);
      assert.ok(r.metrics.totalRequests > 10, `${r.metrics.totalRequests} requests`);
      assert.equal(r.metrics.totalRequests, server.stats().requests);
    });
  },
});

Deno.test("run end: load limits are checked up front, one line and exit 2", async () => {
  const cases: [string[], string[], RegExp][] = [
    [
      ["--url", "http://127.0.0.1:9/", "--rate", "1e12", "--duration", "1s"],
      [],
      /^lunge: arrival rate 1000000000000\/s is above the most the pacer can honour/,
    ],
    [
      // The case: 100,000 VUs of a 1 s test would take ~23 s to stop.
      ["--url", "http://127.0.0.1:9/", "--vus", "100000", "--duration", "1s", "--timeout", "1s"],
      [],
      /^lunge: the test may open 100000 connections at once \(one per VU\), above the most/,
    ],
  ];
  if (Deno.build.os !== "windows") {
    // A known open-file limit: the shell lowers it, --allow-run=sh lets lunge read it.
    cases.push([
      ["--url", "http://127.0.0.1:9/", "--vus", "5000", "--duration", "1s"],
      ["--allow-run=sh"],
      /^lunge: the test may open 5064 file descriptors .* but the limit is 1000 \(ulimit -n\)/,
    ]);
  }
  for (const [args, extra, re] of cases) {
    const perms = ["--allow-net=127.0.0.1:9", READ, ...extra];
    const out = await runLunge(args, perms, { fileLimit: 1000 });
    const { stderr } = out;
    assert.equal(out.code, 2, stderr);
    assert.match(stderr, re);
    assert.match(stderr, /^lunge: [^\n]+\n$/);
  }
});

Deno.test("run end: a VU that gets no response backs off (1 ms doubling), so it does not spin", async () => {
  // A port with nothing listening: every request is refused at once.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const o = await lunge(
    ["--url", `http://127.0.0.1:${port}/`, "--vus", "2", "--duration", "1s", "--json", "-q"],
    [`--allow-net=127.0.0.1:${port}`, READ],
  );
  const r = o.result!;
  assert.ok(r, o.stderr);
  assert.equal(o.code, 1);
  // Per VU: waits of 1, 2, 4, … 512 ms fill 1 s after ~10 attempts (without the
  // back-off a refused loopback connect takes well under a millisecond: thousands).
  assert.ok(r.metrics.totalRequests >= 2, `${r.metrics.totalRequests} requests`);
  assert.ok(r.metrics.totalRequests <= 2 * 12, `${r.metrics.totalRequests} requests: no back-off`);
  assert.deepEqual(Object.keys(r.metrics.errorsByType), ["connection refused"]);
});

Deno.test({
  name: "run end: the result file is opened before the run, so it is written even after EMFILE",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const silent = new SilentServer();
    const dir = await Deno.makeTempDir();
    try {
      // 150 open files for 400 VUs: connections fail with "Too many open files".
      const perms = [`--allow-net=127.0.0.1:${silent.port}`, READ, `--allow-write=${dir}`];
      const args = ["--url", silent.url, "--vus", "400", "--duration", "1s", "--timeout", "500ms"];
      const out = await runLunge([...args, "-q", "--output", `${dir}/r.json`], perms, {
        fileLimit: 150,
      });
      const { stderr } = out;
      assert.equal(out.code, 1, stderr);
      assert.doesNotMatch(stderr, /cannot write/);
      const r: RunResult = JSON.parse(await Deno.readTextFile(`${dir}/r.json`));
      assert.equal(r.passed, false);
      assert.ok(r.metrics.failedRequests > 0);
    } finally {
      await silent.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
