/**
 * Load testers side by side against a server none of them wrote: Debian
 * nginx, one worker, a 44-byte static file, on 127.0.0.1. The same number of
 * connections and the same duration for each tool, one after another, for
 * a number of rounds; every tool's own count is checked against nginx's
 * access log (the lines it added during the tool's run) and the difference
 * is printed.
 *
 * Tools: the lunge CLI (default workers — one per two cores on loopback —,
 * `--workers 1` and `--workers 2`), `wrk -t1`,
 * autocannon (`npx -y autocannon@8`), `hey`, and `h2load` (HTTP/2 with prior
 * knowledge, on a second `listen … http2` port of the same nginx). A tool
 * that is not installed is a row that says so.
 *
 * ```sh
 * flock /tmp/lunge-heavy.lock deno run --allow-run --allow-net=127.0.0.1 \
 *   --allow-read --allow-write=/tmp --allow-env bench/engine/http_nginx_compare.ts \
 *   [--duration 8] [--connections 50] [--rounds 2]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { startNginx } from "../../tests/engine/_nginx.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    duration: { type: "string", default: "8" },
    connections: { type: "string", default: "50" },
    rounds: { type: "string", default: "2" },
    only: { type: "string" },
  },
});
const durationS = Number(values.duration);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
if (!(durationS > 0 && durationS <= 120)) {
  throw new Error(`--duration must be 1..120, got ${values.duration}`);
}
if (!(Number.isInteger(connections) && connections >= 1 && connections <= 1000)) {
  throw new Error(`--connections must be an integer 1..1000, got ${values.connections}`);
}
if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 10)) {
  throw new Error(`--rounds must be an integer 1..10, got ${values.rounds}`);
}
const only = values.only?.split(",");

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BODY = "0123456789abcdefghijklmnopqrstuvwxyz01234567"; // 44 bytes
if (BODY.length !== 44) throw new Error("the static file must be 44 bytes");

/** What one tool run gave: its own count and the seconds it says it ran. */
interface ToolRun {
  count: number;
  seconds: number;
  note?: string;
}

interface Tool {
  name: string;
  command: string;
  h2?: boolean;
  run(url: string): Promise<ToolRun | string>;
}

async function exec(
  cmd: string,
  args: string[],
  cwd?: string,
): Promise<{ code: number; out: string }> {
  const limit = AbortSignal.timeout((durationS + 60) * 1000);
  try {
    const o = await new Deno.Command(cmd, {
      args,
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: limit,
    }).output();
    const d = new TextDecoder();
    return { code: o.code, out: d.decode(o.stdout) + d.decode(o.stderr) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { code: -1, out: `${cmd} not installed` };
    throw e;
  }
}

function has(cmd: string): boolean {
  return new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`], stdout: "null" }).outputSync()
    .success;
}

function lunge(workers: number | undefined): Tool {
  const extra = workers === undefined ? [] : ["--workers", String(workers)];
  return {
    name: workers === undefined ? "lunge" : `lunge --workers ${workers}`,
    command: `lunge --vus ${connections} --duration ${durationS}s ${extra.join(" ")}`.trim(),
    async run(url) {
      const tmp = await Deno.makeTempFile({ prefix: "lunge-bench-", suffix: ".json" });
      try {
        const r = await exec(Deno.execPath(), [
          "run",
          "--allow-net=127.0.0.1",
          "--allow-read=.",
          `--allow-write=${tmp}`,
          "--allow-env",
          "examples/lunge.ts",
          "--url",
          url,
          "--vus",
          String(connections),
          "--duration",
          `${durationS}s`,
          ...extra,
          "-q",
          "--output",
          tmp,
        ], ROOT);
        const json = JSON.parse(await Deno.readTextFile(tmp).catch(() => "{}"));
        const count = json.metrics?.totalRequests;
        if (typeof count !== "number") return `no result (exit ${r.code}): ${r.out.slice(-200)}`;
        return { count, seconds: json.duration / 1000 };
      } finally {
        await Deno.remove(tmp).catch(() => {});
      }
    },
  };
}

const TOOLS: Tool[] = [
  lunge(undefined),
  lunge(1),
  lunge(2),
  {
    name: "wrk -t1",
    command: `wrk -t1 -c${connections} -d${durationS}s`,
    async run(url) {
      if (!has("wrk")) return "wrk not installed (apt-get install wrk)";
      const r = await exec("wrk", ["-t1", `-c${connections}`, `-d${durationS}s`, url]);
      const m = /(\d+) requests in ([\d.]+)(ms|s|m)/.exec(r.out);
      if (!m) return `unparsed: ${r.out.slice(-200)}`;
      const unit = m[3] === "ms" ? 1e-3 : m[3] === "m" ? 60 : 1;
      return { count: Number(m[1]), seconds: Number(m[2]) * unit };
    },
  },
  {
    name: "autocannon@8",
    command: `npx -y autocannon@8 -c ${connections} -d ${durationS}`,
    async run(url) {
      if (!has("npx")) return "npx not installed";
      const r = await exec("npx", [
        "-y",
        "autocannon@8",
        "-j",
        "-c",
        String(connections),
        "-d",
        String(durationS),
        url,
      ]);
      const start = r.out.indexOf("{");
      try {
        const j = JSON.parse(r.out.slice(start, r.out.lastIndexOf("}") + 1));
        const count = (j["2xx"] ?? 0) + (j.non2xx ?? 0) + (j.errors ?? 0);
        return { count, seconds: j.duration, note: `2xx ${j["2xx"]}, errors ${j.errors}` };
      } catch {
        return `unparsed: ${r.out.slice(-200)}`;
      }
    },
  },
  {
    name: "hey",
    command: `hey -c ${connections} -z ${durationS}s`,
    async run(url) {
      if (!has("hey")) return "hey not installed (apt-get install hey)";
      const r = await exec("hey", ["-c", String(connections), "-z", `${durationS}s`, url]);
      let count = 0;
      for (const m of r.out.matchAll(/\[(\d+)\]\s+(\d+) responses/g)) count += Number(m[2]);
      const total = /Total:\s+([\d.]+) secs/.exec(r.out);
      if (!total) return `unparsed: ${r.out.slice(-200)}`;
      return { count, seconds: Number(total[1]) };
    },
  },
  {
    name: "h2load (HTTP/2)",
    command: `h2load -c ${connections} -D ${durationS}`,
    h2: true,
    async run(url) {
      if (!has("h2load")) return "h2load not installed (apt-get install nghttp2-client)";
      const r = await exec("h2load", ["-c", String(connections), "-D", String(durationS), url]);
      const m = /requests: (\d+) total, (\d+) started, (\d+) done/.exec(r.out);
      const t = /finished in ([\d.]+)(ms|s)/.exec(r.out);
      if (!m || !t) return `unparsed: ${r.out.slice(-200)}`;
      return { count: Number(m[3]), seconds: Number(t[1]) * (t[2] === "ms" ? 1e-3 : 1) };
    },
  },
];

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

const h2Port = freePort();
const nginx = await startNginx({
  files: { "44.txt": BODY },
  server: `listen 127.0.0.1:${h2Port} http2;`,
  bufferLog: true,
});
const rows: Record<string, { rps: number[]; diffs: string[]; note?: string }> = {};
try {
  for (let round = 1; round <= rounds; round++) {
    for (const tool of TOOLS) {
      if (only && !only.some((o) => tool.name.startsWith(o))) continue;
      const url = tool.h2 ? `http://127.0.0.1:${h2Port}/44.txt` : `${nginx.origin}/44.txt`;
      const before = await nginx.lineCount();
      const got = await tool.run(url);
      await new Promise((r) => setTimeout(r, 1500)); // the log buffer's flush=1s
      const logged = (await nginx.lineCount()) - before;
      const row = rows[tool.name] ??= { rps: [], diffs: [] };
      if (typeof got === "string") {
        row.note = got;
        row.rps.push(NaN);
        row.diffs.push("—");
      } else {
        row.rps.push(got.count / got.seconds);
        const d = got.count - logged;
        row.diffs.push(d === 0 ? "= nginx" : `${d > 0 ? "+" : ""}${d} vs nginx's ${logged}`);
        if (got.note) row.note = got.note;
      }
      console.error(`round ${round} ${tool.name}: ${JSON.stringify(got)}, nginx logged ${logged}`);
    }
  }
} finally {
  await nginx.close();
}

const fmt = (n: number) => Number.isNaN(n) ? "—" : Math.round(n).toLocaleString("en-US");
const wrk = rows["wrk -t1"]?.rps ?? [];
const lungeRps = rows["lunge"]?.rps ?? [];
console.log(
  `\nnginx (Debian, 1 worker), 44-byte file, ${connections} connections, ${durationS} s, ` +
    `${rounds} round(s), ${new Date().toISOString().slice(0, 10)}, Deno ${Deno.version.deno}\n`,
);
console.log(
  `| tool | command | ${
    Array.from({ length: rounds }, (_, i) => `round ${i + 1} req/s`).join(" | ")
  } | lunge ÷ tool | count vs nginx's log |`,
);
console.log(`|${" --- |".repeat(rounds + 4)}`);
for (const tool of TOOLS) {
  const row = rows[tool.name];
  if (!row) continue;
  const ratios = row.rps.map((r, i) => lungeRps[i] / r).filter((x) => Number.isFinite(x));
  const ratio = tool.name === "lunge"
    ? "—"
    : ratios.length
    ? `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`
    : "—";
  console.log(
    `| ${tool.name} | \`${tool.command}\` | ${row.rps.map(fmt).join(" | ")} | ${ratio} | ${
      row.diffs.join("; ")
    }${row.note ? ` (${row.note})` : ""} |`,
  );
}
if (wrk.length && lungeRps.length) {
  const r = lungeRps.map((l, i) => l / wrk[i]);
  console.log(
    `\nlunge ÷ wrk -t1 per round: ${r.map((x) => x.toFixed(2)).join(", ")} (target >= 0.90)`,
  );
}
