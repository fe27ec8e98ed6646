/**
 * The README's central example is a real program: the two files of
 * examples/two_threads/ appear in the README verbatim, type-check, and run
 * with the permissions the README gives, printing exact counts.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const FILES = ["examples/two_threads/main.ts", "examples/two_threads/worker.ts"];

async function deno(args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder();
  return { code, out: text.decode(stdout) + text.decode(stderr) };
}

Deno.test("README: the two-thread example's files stand in the README verbatim", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  for (const file of FILES) {
    const source = await Deno.readTextFile(new URL(file, ROOT));
    assert.ok(readme.includes("```ts\n" + source + "```"), `${file} differs from the README`);
  }
});

Deno.test("README: the two-thread example type-checks and counts exactly", async () => {
  const checked = await deno(["check", ...FILES]);
  assert.equal(checked.code, 0, checked.out);
  const run = await deno([
    "run",
    "--allow-read=examples/two_threads,mod.ts,src",
    "examples/two_threads/main.ts",
  ]);
  assert.equal(run.code, 0, run.out);
  assert.match(run.out, /^requests 2000, failed 20$/m);
  assert.match(run.out, /^unflushed 0$/m);
  const [, p50, p99] = run.out.match(/p50 ([\d.]+) ms, p99 ([\d.]+) ms/)!;
  // 1..100 ms, twenty times each: exact p50 = 50, p99 = 99.
  assert.ok(Math.abs(Number(p50) - 50) <= 0.5 && Math.abs(Number(p99) - 99) <= 1, run.out);
});
