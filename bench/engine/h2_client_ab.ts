/**
 * HTTP/2 clients side by side against a real nginx (`listen … ssl http2`):
 * the engine's own framing (`examples/lunge/http/_h2.ts` through
 * `HttpClient`) and `node:http2` through Deno's Node compatibility, each
 * keeping `--streams` requests in flight on one connection for `--seconds`,
 * alternating rounds; prints req/s and the client's CPU µs per request, and
 * checks each count against nginx's access log. With `--h2load`, Debian's
 * h2load runs the same load as a reference; with `--cli`, the engine's CLI
 * runs `--vus <streams>` (its req/s counts the run's whole duration).
 *
 *   flock /tmp/lunge-heavy.lock deno run --allow-read --allow-write=/tmp \
 *     --allow-net=127.0.0.1 --allow-run=openssl,/usr/sbin/nginx,h2load,deno \
 *     bench/engine/h2_client_ab.ts --seconds 5 --rounds 2 --streams 50 --h2load --cli
 *
 * @module
 */
import http2 from "node:http2";
import process from "node:process";
import { parseArgs } from "node:util";
import { HttpClient } from "../../examples/lunge/http/http_client.ts";
import { makeCertificate } from "../../tests/engine/_test_cert.ts";
import { startNginx } from "../../tests/engine/_nginx.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "2" },
    streams: { type: "string", default: "50" },
    h2load: { type: "boolean", default: false },
    cli: { type: "boolean", default: false },
  },
});
const SECONDS = Number(args.values.seconds);
const ROUNDS = Number(args.values.rounds);
const STREAMS = Number(args.values.streams);

const cert = await makeCertificate();
const dir = await Deno.makeTempDir({ prefix: "lunge-h2-bench-" });
await Deno.writeTextFile(`${dir}/cert.pem`, cert.cert);
await Deno.writeTextFile(`${dir}/key.pem`, cert.key);
const tlsPort = freePort();
const nginx = await startNginx({
  files: { "index.html": "0123456789012345678901234567890123456789abcd" },
  http: "http2_max_requests 100000000; http2_max_concurrent_streams 256;",
  server: `listen 127.0.0.1:${tlsPort} ssl http2;
    ssl_certificate ${dir}/cert.pem; ssl_certificate_key ${dir}/key.pem;`,
});
const url = `https://127.0.0.1:${tlsPort}/index.html`;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Keeps `STREAMS` requests in flight for `ms`; resolves with the completed count. */
async function ownClient(ms: number): Promise<number> {
  const client = new HttpClient({ timeoutMs: 10_000, caCerts: [cert.ca], http2: true });
  const req = client.prepare({ method: "GET", url });
  let n = 0;
  const until = performance.now() + ms;
  await Promise.all(Array.from({ length: STREAMS }, async () => {
    while (performance.now() < until) {
      const r = await client.send(req);
      if (r.statusCode !== 200) throw new Error(`own client: ${JSON.stringify(r)}`);
      n++;
    }
  }));
  client.close();
  return n;
}

async function nodeClient(ms: number): Promise<number> {
  const session = http2.connect(`https://127.0.0.1:${tlsPort}`, { ca: cert.ca });
  await new Promise<void>((resolve, reject) => {
    session.once("connect", () => resolve());
    session.once("error", reject);
  });
  let n = 0;
  const until = performance.now() + ms;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const s = session.request({ ":path": "/index.html" });
      let status = 0;
      s.on("response", (h) => status = Number(h[":status"]));
      s.on("data", () => {});
      s.on("end", () => status === 200 ? resolve() : reject(new Error(`node:http2 ${status}`)));
      s.on("error", reject);
      s.end();
    });
  await Promise.all(Array.from({ length: STREAMS }, async () => {
    while (performance.now() < until) {
      await one();
      n++;
    }
  }));
  session.close();
  return n;
}

/** The engine's CLI, `--vus STREAMS` over h2 (VUs share a connection per worker). */
async function cliRun(ms: number): Promise<number> {
  const root = new URL("../../", import.meta.url).pathname;
  const caFile = `${dir}/ca.pem`;
  await Deno.writeTextFile(caFile, cert.ca);
  const out = await new Deno.Command("deno", {
    args: [
      "run",
      `--allow-net=127.0.0.1:${tlsPort}`,
      `--allow-read=${root}examples/lunge,${root}mod.ts,${root}src,${caFile}`,
      `${root}examples/lunge.ts`,
      "--url",
      url,
      "--vus",
      String(STREAMS),
      "--duration",
      `${ms}ms`,
      "--cacert",
      caFile,
      "--json",
      "-q",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`lunge failed: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(new TextDecoder().decode(out.stdout)).metrics.totalRequests;
}

async function h2load(ms: number): Promise<number> {
  const out = await new Deno.Command("h2load", {
    args: ["-c", "1", "-m", String(STREAMS), "-D", String(ms / 1000), url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const m = /requests: \d+ total, \d+ started, (\d+) done/.exec(text);
  if (!out.success || m === null) throw new Error(`h2load failed: ${text}`);
  return Number(m[1]);
}

const rows: string[] = [];
const clients: [string, (ms: number) => Promise<number>][] = [
  ["own framing (_h2.ts)", ownClient],
  ["node:http2", nodeClient],
];
if (args.values.h2load) clients.push(["h2load -c1 -m" + STREAMS, h2load]);
if (args.values.cli) clients.push([`lunge CLI --vus ${STREAMS} (h2 by ALPN)`, cliRun]);
await ownClient(1_000); // warm-up (JIT) of both clients
await nodeClient(1_000);
for (let round = 1; round <= ROUNDS; round++) {
  for (const [name, run] of clients) {
    const before = (await nginx.log()).length;
    const cpu0 = cpuMicros();
    const t0 = performance.now();
    const n = await run(SECONDS * 1000);
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = cpuMicros() - cpu0;
    const logged = (await nginx.logAtLeast(before + n)).length - before;
    const perReq = name.startsWith("h2load") || name.startsWith("lunge")
      ? "—"
      : (cpu / n).toFixed(1);
    rows.push(
      `| ${round} | ${name} | ${
        Math.round(n / elapsed).toLocaleString("en")
      } | ${perReq} | ${n} | ${logged - n} |`,
    );
  }
}
console.log(
  `${STREAMS} streams on one connection, ${SECONDS}s per run, nginx 1 worker, 44-byte file`,
);
console.log("| round | client | req/s | client CPU µs/req | count | nginx log − count |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) console.log(r);
await nginx.close();
await Deno.remove(dir, { recursive: true });
