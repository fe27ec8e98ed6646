/**
 * The one flag table (examples/lunge/cli/flags.ts): `--help` lists exactly
 * the flags the parser takes, each with its short form, and every flag of
 * the table parses (no flag is in one and not the other).
 */
import assert from "node:assert/strict";
import { FLAGS, LOAD_ONLY, PARSE_OPTIONS } from "../../../examples/lunge/cli/flags.ts";
import { HELP } from "../../../examples/lunge/cli/help.ts";
import { parseCli, UsageError } from "../../../examples/lunge/cli.ts";

/** The flags `--help` lists: `--name` (and `-x, --name`) at the start of a flag line. */
function helpFlags(): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const line of HELP.split("\n")) {
    const m = /^ {2}(?:-(\w), )?--([a-z0-9-]+)/.exec(line);
    // The permissions section lists Deno's own --allow-* flags, not lunge's.
    if (m && !m[2].startsWith("allow-")) out.set(m[2], m[1]);
  }
  return out;
}

Deno.test("cli flags: --help lists exactly the parser's flags, with their short forms", () => {
  const listed = helpFlags();
  assert.deepEqual([...listed.keys()].sort(), Object.keys(PARSE_OPTIONS).sort());
  for (const [name, option] of Object.entries(PARSE_OPTIONS)) {
    assert.equal(listed.get(name), (option as { short?: string }).short, name);
  }
  assert.equal(new Set(FLAGS.map((f) => f.name)).size, FLAGS.length, "a flag is listed twice");
});

Deno.test("cli flags: every flag of the table is known to the parser; demo refuses the load flags", () => {
  for (const f of FLAGS) {
    const args = f.type === "boolean" ? [`--${f.name}`] : [`--${f.name}`, "x"];
    try {
      parseCli(["--url", "http://h/", ...args], {});
    } catch (e) {
      assert.ok(e instanceof UsageError, String(e));
      assert.doesNotMatch(e.message, /unknown flag/, f.name);
    }
  }
  for (const name of LOAD_ONLY) {
    const f = FLAGS.find((x) => x.name === name)!;
    const args = f.type === "boolean" ? [`--${name}`] : [`--${name}`, "1"];
    assert.throws(
      () => parseCli(["demo", ...args], {}),
      new RegExp(`--${name} cannot be used with demo`),
      name,
    );
  }
});
