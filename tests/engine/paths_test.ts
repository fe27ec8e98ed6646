import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { sep } from "node:path";
import { workerReadPaths } from "../../examples/lunge/_paths.ts";

const WORKER = fileURLToPath(new URL("../../examples/lunge/run/worker.ts", import.meta.url));

Deno.test("workerReadPaths covers every file the Worker loads, and nothing of the tests", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", WORKER],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(out.success);
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string }[];
  };
  const local = info.modules.map((m) => m.specifier).filter((s) => s.startsWith("file:"))
    .map((s) => fileURLToPath(s));
  assert.ok(local.length > 5, `the worker's graph: ${local}`);
  const paths = workerReadPaths();
  for (const file of local) {
    assert.ok(
      paths.some((p) => file === p || file.startsWith(p + sep)),
      `${file} is outside --allow-read=${paths.join(",")}`,
    );
  }
  const testsDir = fileURLToPath(new URL("../", import.meta.url));
  assert.ok(paths.every((p) => !(p + sep).startsWith(testsDir)));
});
