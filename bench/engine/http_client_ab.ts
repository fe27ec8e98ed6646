/**
 * The HTTP client's plain path, version against version, in one process:
 * each given `http_client.ts` drives 50 keep-alive connections closed-loop
 * against a Debian nginx serving a 44-byte file, for a few seconds, in
 * alternation, for a number of rounds (the first is a warm-up and is not
 * printed). Prints req/s and the process's CPU per request for each.
 *
 * ```sh
 * # the version before a change, beside the current one:
 * mkdir -p /tmp/old && git archive <commit> examples/lunge/http | tar -x -C /tmp/old
 * flock /tmp/lunge-heavy.lock deno run --allow-run --allow-net=127.0.0.1 --allow-read \
 *   --allow-write=/tmp --allow-env bench/engine/http_client_ab.ts \
 *   /tmp/old/examples/lunge/http/http_client.ts examples/lunge/http/http_client.ts
 * ```
 *
 * @module
 */
import process from "node:process";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { startNginx } from "../../tests/engine/_nginx.ts";

interface Client {
  prepare(req: { method: string; url: string }): unknown;
  send(p: unknown): Promise<{ statusCode: number; error?: string }>;
  close(): void;
}
type ClientClass = new (o: { timeoutMs: number }) => Client;

const paths = Deno.args.filter((a) => !a.startsWith("--"));
if (paths.length === 0) throw new Error("give one or more http_client.ts paths");
const seconds = Number(Deno.args.find((a) => a.startsWith("--seconds="))?.slice(10) ?? 4);
const rounds = Number(Deno.args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 3);
const CONNECTIONS = 50;

const classes: ClientClass[] = [];
for (const p of paths) {
  const mod = await import(pathToFileURL(resolve(p)).href);
  classes.push(mod.HttpClient as ClientClass);
}

const nginx = await startNginx({ files: { "44.txt": "x".repeat(44) }, bufferLog: true });
const results: { rps: number[]; cpu: number[] }[] = paths.map(() => ({ rps: [], cpu: [] }));
try {
  const url = `${nginx.origin}/44.txt`;
  for (let round = 0; round <= rounds; round++) {
    for (let k = 0; k < classes.length; k++) {
      const client = new classes[k]({ timeoutMs: 10_000 });
      const req = client.prepare({ method: "GET", url });
      let count = 0;
      let errors = 0;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const end = t0 + seconds * 1000;
      await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < end) {
          const o = await client.send(req);
          count++;
          if (o.error !== undefined || o.statusCode !== 200) errors++;
        }
      }));
      const elapsed = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      client.close();
      if (errors > 0) throw new Error(`${paths[k]}: ${errors} errors`);
      if (round === 0) continue; // warm-up
      results[k].rps.push(count / elapsed);
      results[k].cpu.push((cpu.user + cpu.system) / count);
    }
  }
} finally {
  await nginx.close();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `\nplain GET, ${CONNECTIONS} connections, ${seconds} s x ${rounds} rounds (after a warm-up), nginx 44-byte file, ${
    new Date().toISOString().slice(0, 10)
  }\n`,
);
console.log("| client | req/s per round | median req/s | CPU µs/req (median) | ÷ first |");
console.log("| --- | --- | --- | --- | --- |");
const base = median(results[0].rps);
for (let k = 0; k < paths.length; k++) {
  const r = results[k];
  console.log(
    `| ${paths[k]} | ${r.rps.map((x) => Math.round(x)).join(", ")} | ${
      Math.round(median(r.rps))
    } | ${median(r.cpu).toFixed(1)} | ${(median(r.rps) / base).toFixed(3)} |`,
  );
}
