/**
 * Test helper: a real Prometheus (Debian's 2.42 package) on 127.0.0.1 with
 * the remote-write receiver and native histograms enabled, a temporary
 * storage directory, and its HTTP query API.
 */

/** A running Prometheus. */
export interface PrometheusProcess {
  /** Base URL, e.g. http://127.0.0.1:40123. */
  url: string;
  /** The remote-write endpoint. */
  writeUrl: string;
  /** Runs an instant query; returns the result vector. */
  query(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Stops it and removes its storage. */
  stop(): Promise<void>;
}

/** Whether `prometheus` and `promtool` are installed. */
export async function prometheusInstalled(): Promise<boolean> {
  for (const cmd of ["prometheus", "promtool"]) {
    try {
      const out = await new Deno.Command(cmd, {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      })
        .output();
      if (!out.success) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Starts Prometheus and waits until it is ready (at most 30 s). */
export async function startPrometheus(): Promise<PrometheusProcess> {
  const dir = await Deno.makeTempDir({ prefix: "lunge-prom-" });
  const config = `${dir}/prometheus.yml`;
  await Deno.writeTextFile(config, "global:\n  scrape_interval: 1h\n");
  const port = freePort();
  const child = new Deno.Command("prometheus", {
    args: [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-remote-write-receiver",
      "--enable-feature=native-histograms",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
    await stderr;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/-/ready`);
      await res.body?.cancel();
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error("prometheus did not become ready in 30 s");
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    writeUrl: `${url}/api/v1/write`,
    async query(q) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = await res.json();
      if (body.status !== "success") throw new Error(`query ${q}: ${JSON.stringify(body)}`);
      return body.data.result;
    },
    stop,
  };
}

/** Runs `promtool check metrics` on `text`; returns what it said ("" when clean). */
export async function promtoolCheck(text: string): Promise<{ ok: boolean; said: string }> {
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  const out = await child.output();
  const said = (new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr)).trim();
  return { ok: out.success, said };
}
