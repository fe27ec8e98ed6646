/**
 * What `--dashboard` costs: the CLI (a subprocess, as a user runs it) at an
 * arrival rate against the built-in target server (another process), in
 * alternating rounds of three variants — no dashboard; the dashboard with
 * no page open (it listens, keeps one VU sample a tick, builds no frame);
 * the dashboard with a page open (a client here reads `/events` for the
 * whole run, so a frame is built and sent every second). For each run: CPU
 * time of the lunge process (user + sys) and its peak RSS from
 * `/usr/bin/time`, achieved RPS and total from the JSON result, the
 * server's count, and the events the client received.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 --allow-read --allow-write --allow-run \
 *   bench/engine/dashboard_cost.ts [--rate 5000] [--seconds 10] [--rounds 3]
 * ```
 *
 * Needs `/usr/bin/time` (Debian package `time`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { startTargetProcess } from "./_target_process.ts";
import { timedCliRun, type TimedFigures } from "./_timed_cli.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rate: { type: "string", default: "5000" },
    seconds: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
  },
});
const rate = Number(values.rate), seconds = Number(values.seconds);
const rounds = Number(values.rounds);
if (!(rate > 0) || !(seconds > 0) || !Number.isInteger(rounds) || rounds < 1) {
  console.error(
    "dashboard_cost: --rate and --seconds must be positive, --rounds a positive integer",
  );
  Deno.exit(2);
}
try {
  await Deno.stat("/usr/bin/time");
} catch {
  console.error("dashboard_cost: needs /usr/bin/time (apt-get install time)");
  Deno.exit(2);
}

type Variant = "none" | "dashboard, no page" | "dashboard, page open";
const VARIANTS: Variant[] = ["none", "dashboard, no page", "dashboard, page open"];

/** One run's figures. */
interface Figures extends TimedFigures {
  /** `tick` events the page received. */
  ticks?: number;
  /** Bytes of events it received. */
  kb?: number;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Reads `/events` until the stream ends: the `tick` events and bytes received. */
async function watch(url: string): Promise<{ ticks: number; bytes: number }> {
  // The dashboard listens before the run: retry until it does.
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`${url}events`);
      let ticks = 0, bytes = 0;
      const decoder = new TextDecoder();
      for await (const chunk of res.body!) {
        bytes += chunk.length;
        ticks += decoder.decode(chunk, { stream: true }).split("event: tick\n").length - 1;
      }
      return { ticks, bytes };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`no dashboard at ${url}`);
}

async function run(
  o: { url: string; dir: string; variant: Variant; served: () => Promise<number> },
) {
  const port = freePort();
  const dash = o.variant === "none" ? [] : ["--dashboard", `127.0.0.1:${port}`];
  const done = timedCliRun({
    url: o.url,
    json: `${o.dir}/r.json`,
    rate,
    seconds,
    served: o.served,
    net: [`127.0.0.1:${port}`],
    args: dash,
  });
  const page = o.variant === "dashboard, page open"
    ? watch(`http://127.0.0.1:${port}/`)
    : undefined;
  const f: Figures = await done;
  const seen = await page;
  f.ticks = seen?.ticks;
  f.kb = seen && seen.bytes / 1024;
  return f;
}

const server = await startTargetProcess();
const dir = await Deno.makeTempDir({ prefix: "lunge-dashboard-cost-" });
const rows: string[] = [];
const cpu: Record<Variant, number[]> = {
  "none": [],
  "dashboard, no page": [],
  "dashboard, page open": [],
};
const achieved: Record<Variant, number[]> = {
  "none": [],
  "dashboard, no page": [],
  "dashboard, page open": [],
};
try {
  // A warm-up run (Deno's module cache, the target's JIT), not counted.
  await run({ url: server.url, dir, variant: "none", served: () => server.requests() });
  for (let round = 1; round <= rounds; round++) {
    for (const variant of VARIANTS) {
      const f = await run({ url: server.url, dir, variant, served: () => server.requests() });
      cpu[variant].push(f.cpuS);
      achieved[variant].push(f.rps);
      rows.push(
        `| ${round} | ${variant} | ${f.cpuS.toFixed(2)} s | ${f.wallS.toFixed(1)} s | ` +
          `${f.maxRssMb.toFixed(0)} MB | ${f.rps.toFixed(0)} | ${f.requests} | ${f.served} | ` +
          `${f.ticks === undefined ? "" : `${f.ticks} (${f.kb!.toFixed(0)} KiB)`} |`,
      );
      console.error(rows[rows.length - 1]);
    }
  }
} finally {
  await server.close();
  await Deno.remove(dir, { recursive: true });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(
  `dashboard_cost — ${rate} iterations/s for ${seconds} s, ${rounds} rounds, ` +
    `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs`,
);
console.log(
  "| round | dashboard | CPU (user+sys) | wall | peak RSS | RPS | requests | served | page got |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) console.log(r);
console.log("");
console.log("| dashboard | median CPU | vs none | median RPS |");
console.log("| --- | --- | --- | --- |");
const base = median(cpu.none);
for (const v of VARIANTS) {
  const c = median(cpu[v]);
  console.log(
    `| ${v} | ${c.toFixed(2)} s | ${
      v === "none" ? "-" : `${((c / base - 1) * 100).toFixed(1)} %`
    } | ${median(achieved[v]).toFixed(0)} |`,
  );
}
