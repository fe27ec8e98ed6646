/**
 * What `--out csv=<file>` costs: the CLI (a subprocess, as a user runs it)
 * at an arrival rate against the built-in target server (another process),
 * with and without the per-request CSV, in alternating rounds. For each run:
 * CPU time of the lunge process (user + sys) and its peak RSS from
 * `/usr/bin/time`, achieved RPS and total from the JSON result, the
 * server's count, and the CSV's rows and size.
 *
 * ```sh
 * deno task bench:csv [--rate 5000] [--seconds 10] [--rounds 3]
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
  console.error("csv_cost: --rate and --seconds must be positive, --rounds a positive integer");
  Deno.exit(2);
}
try {
  await Deno.stat("/usr/bin/time");
} catch {
  console.error("csv_cost: needs /usr/bin/time (apt-get install time)");
  Deno.exit(2);
}

/** One run's figures. */
interface Figures extends TimedFigures {
  rows?: number;
  csvMb?: number;
}

async function run(o: { url: string; dir: string; csv: boolean; served: () => Promise<number> }) {
  const json = `${o.dir}/r.json`, csv = `${o.dir}/r.csv`;
  const f: Figures = await timedCliRun({
    url: o.url,
    json,
    rate,
    seconds,
    served: o.served,
    write: [csv],
    args: o.csv ? ["--out", `csv=${csv}`] : [],
  });
  if (o.csv) {
    const text = await Deno.readTextFile(csv);
    f.rows = text.split("\n").length - 2; // the header, and the empty string after the last \n
    f.csvMb = (await Deno.stat(csv)).size / 2 ** 20;
    await Deno.remove(csv);
  }
  return f;
}

const server = await startTargetProcess();
const dir = await Deno.makeTempDir({ prefix: "lunge-csv-cost-" });
const rows: string[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    for (const csv of [false, true]) {
      const f = await run({ url: server.url, dir, csv, served: () => server.requests() });
      rows.push(
        `| ${round} | ${csv ? "--out csv" : "none"} | ${f.cpuS.toFixed(2)} s | ` +
          `${f.wallS.toFixed(1)} s | ${f.maxRssMb.toFixed(0)} MB | ${f.rps.toFixed(0)} | ` +
          `${f.requests} | ${f.served} | ${
            f.rows === undefined ? "" : `${f.rows} (${f.csvMb!.toFixed(1)} MB)`
          } |`,
      );
      console.error(rows[rows.length - 1]);
    }
  }
} finally {
  await server.close();
  await Deno.remove(dir, { recursive: true });
}
console.log(
  `csv_cost — ${rate} iterations/s for ${seconds} s, Deno ${Deno.version.deno}, ` +
    `${navigator.hardwareConcurrency} CPUs`,
);
console.log(
  "| round | output | CPU (user+sys) | wall | peak RSS | RPS | requests | served | CSV rows |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) console.log(r);
