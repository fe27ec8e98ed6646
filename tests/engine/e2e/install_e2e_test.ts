/**
 * The `lunge` command as a user installs it: `deno install -g` into a
 * temporary root, then the demo through `<root>/bin/lunge`, counted against
 * the built-in target server. Three installs: from the checkout (the Workers'
 * modules are local files, so they need `--allow-read` on them), from the
 * checkout served over loopback HTTP the way JSR serves a package (remote
 * modules: `--allow-net=127.0.0.1` is all the demo needs), and one without
 * permissions (one line naming the flags to add).
 */
import assert from "node:assert/strict";
import { dirname, join, normalize } from "node:path";
import { READ, ROOT } from "../_cli.ts";

const decoder = new TextDecoder();
const SHIM = Deno.build.os === "windows" ? "lunge.cmd" : "lunge";
/** The installed shim calls `deno` from PATH: the one running these tests. */
const PATH = `${dirname(Deno.execPath())}${Deno.build.os === "windows" ? ";" : ":"}${
  Deno.env.get("PATH") ?? ""
}`;

async function deno(args: string[]): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, `deno ${args.join(" ")}: ${decoder.decode(out.stderr)}`);
}

/** Installs `lunge` into a fresh root with `flags` (permissions and config); returns the root. */
async function install(flags: string[], entry: string): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "lunge_install_" });
  await deno(["install", "-g", "-q", "--root", root, "-n", "lunge", ...flags, entry]);
  return root;
}

/** Runs the installed command from a directory outside the checkout. */
async function lunge(
  root: string,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const out = await new Deno.Command(join(root, "bin", SHIM), {
    args,
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", PATH },
  }).output();
  return { code: out.code, out: decoder.decode(out.stdout), err: decoder.decode(out.stderr) };
}

/** The demo's report total and the target server's count, which must be equal. */
function counts(output: string): { reported: number; served: number } {
  const reported = output.match(/^\s*Total Reqs:\s+([\d,]+)$/m)?.[1];
  const served = output.match(/^Target server counted (\d+) requests\.$/m)?.[1];
  assert.ok(reported && served, output);
  return { reported: Number(reported.replaceAll(",", "")), served: Number(served) };
}

async function assertDemoCounted(root: string): Promise<void> {
  const version = await lunge(root, ["--version"]);
  assert.equal(version.code, 0, version.err);
  assert.match(version.out, /^lunge \d+\.\d+\.\d+ \(deno /);
  const demo = await lunge(root, ["demo", "--duration", "2s"]);
  assert.equal(demo.code, 0, demo.err);
  const { reported, served } = counts(demo.out + demo.err);
  assert.ok(reported > 100, `${reported} requests`);
  assert.equal(reported, served, "the report's total differs from the server's count");
}

Deno.test("install: from the checkout, the installed lunge runs the demo, counted exactly", async () => {
  const root = await install(
    ["--config", join(ROOT, "deno.json"), "--allow-net=127.0.0.1", `--allow-read=${READ}`],
    join(ROOT, "examples", "lunge.ts"),
  );
  try {
    await assertDemoCounted(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("install: a missing permission is one line naming the flags to add", async () => {
  const root = await install(
    ["--config", join(ROOT, "deno.json")],
    join(ROOT, "examples", "lunge.ts"),
  );
  try {
    const o = await lunge(root, ["demo", "--duration", "1s"]);
    assert.equal(o.code, 2, o.err);
    assert.match(o.err, /^lunge: [^\n]+\n$/);
    assert.match(o.err, /--allow-net=127\.0\.0\.1/);
    const paths = o.err.match(/--allow-read=(\S+)/)?.[1].split(",") ?? [];
    assert.deepEqual(paths, READ.split(",").map(normalize), o.err);
    assert.equal(o.out, "");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("install: served like a JSR package (remote modules), the demo needs only --allow-net=127.0.0.1", async () => {
  // The checkout over loopback HTTP; the import map does what JSR's rewrite
  // of workspace imports does (`@lunge/metrics` -> the published module).
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path.includes("..")) return new Response(null, { status: 400 });
    try {
      const body = await Deno.readFile(join(ROOT, path));
      return new Response(body, { headers: { "content-type": "application/typescript" } });
    } catch {
      return new Response(null, { status: 404 });
    }
  });
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const cli = JSON.parse(await Deno.readTextFile(join(ROOT, "examples", "lunge", "deno.json")));
  const dir = await Deno.makeTempDir({ prefix: "lunge_map_" });
  const map = join(dir, "import_map.json");
  await Deno.writeTextFile(
    map,
    JSON.stringify({ imports: { ...cli.imports, "@lunge/metrics": `${origin}/mod.ts` } }),
  );
  let root: string | undefined;
  try {
    root = await install(
      [
        "--import-map",
        map,
        `--allow-import=127.0.0.1:${server.addr.port}`,
        "--allow-net=127.0.0.1",
      ],
      `${origin}/examples/lunge/main.ts`,
    );
    await assertDemoCounted(root);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
    if (root) await Deno.remove(root, { recursive: true });
  }
});
