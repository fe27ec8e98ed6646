/**
 * `--help`'s usage and permission lines are those of the installed `lunge`
 * command (and of `deno run examples/lunge.ts` from a checkout): the
 * Workers' read permission it shows is the one this copy asks for
 * (`workerReadPaths`, which the permission check queries), not a list
 * relative to a checkout's root.
 */
import assert from "node:assert/strict";
import { HELP } from "../../../examples/lunge/cli/help.ts";
import { workerReadPaths } from "../../../examples/lunge/_paths.ts";

Deno.test("help: usage is the lunge command's; deno run from a checkout takes the same arguments", () => {
  const usage = HELP.slice(HELP.indexOf("Usage:\n"), HELP.indexOf("\n\n", HELP.indexOf("Usage:")));
  const commands = usage.split("\n").slice(1, 6);
  assert.deepEqual(commands.map((l) => l.trim().split(" ").slice(0, 2).join(" ")), [
    "lunge [perf]",
    "lunge [perf]",
    "lunge demo",
    "lunge merge",
    "lunge compare",
  ]);
  assert.match(usage, /deno install -g -n lunge <permissions> jsr:@lunge\/cli/);
  assert.match(usage, /`deno run <permissions> examples\/lunge\.ts` takes\s+the same arguments/);
});

Deno.test("help: the Workers' --allow-read is what this copy asks for; none from JSR or a binary", () => {
  const paths = workerReadPaths();
  assert.ok(paths.length > 0, "a checkout's Workers read local files");
  const lines = HELP.split("\n");
  const read = lines.filter((l) => l.startsWith("  --allow-read=") && !l.includes("<"));
  assert.deepEqual(read, [`  --allow-read=${paths.join(",")}`]);
  assert.match(HELP, /none are\s+read installed from JSR or in a single binary/);
  // The example: installed from JSR with the target's host only, and in place from a checkout.
  assert.match(
    HELP,
    /^ {2}deno install -g -n lunge --allow-net=127\.0\.0\.1:8080 jsr:@lunge\/cli$/m,
  );
  assert.match(HELP, /^ {2}lunge --url http:\/\/127\.0\.0\.1:8080\/ --vus 50 --duration 30s$/m);
});
