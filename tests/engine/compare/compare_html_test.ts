/**
 * `lunge compare`'s HTML page in real headless Chromium: the verdict, the
 * figures and the sentences read from the page equal the JSON written
 * beside it; the CDF chart draws both runs; the page loads nothing but
 * itself, runs no script (strict CSP) and escapes hostile request names.
 */
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { type CdpPage, Chromium, findChromium } from "../_cdp.ts";
import { compareFixture } from "../_compare_fixture.ts";
import {
  compareMain,
  type CompareOutput,
} from "../../../examples/lunge/compare/compare_command.ts";
import { renderComparePage } from "../../../examples/lunge/compare/html_page.ts";
import { compareResults } from "../../../examples/lunge/compare/compare.ts";

const HOSTILE = `</script><img src=x onerror="document.title='pwned'">`;

async function writeInputs(dir: string): Promise<void> {
  const names: [string, string] = ["home", HOSTILE];
  const base = await compareFixture({ seed: 1, names });
  const candidate = await compareFixture({
    seed: 2,
    names,
    slower: 1.35,
    errorRate: 0.03,
    configHash: "beef".repeat(16),
  });
  await Deno.writeTextFile(`${dir}/base.json`, JSON.stringify(base));
  await Deno.writeTextFile(`${dir}/candidate.json`, JSON.stringify(candidate));
}

Deno.test("compare page: strict CSP, no script, every user string escaped", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lunge-compare-html-" });
  try {
    await writeInputs(dir);
    const code = await compareMain([
      `${dir}/base.json`,
      `${dir}/candidate.json`,
      "--output",
      `${dir}/cmp.json`,
    ]);
    assert.equal(code, 0); // no rules: nothing gates
    const c: CompareOutput = JSON.parse(await Deno.readTextFile(`${dir}/cmp.json`));
    const html = renderComparePage(c);
    assert.match(html, /content="default-src &#39;none&#39;; script-src &#39;none&#39;/);
    assert.ok(!html.includes(HOSTILE), "the hostile name is escaped");
    assert.equal((html.match(/<script/g) ?? []).length, 1); // the JSON block only
    assert.match(html, /<script type="application\/json" id="lunge-compare">/);
    // Seeded: the same inputs and seed give the same comparison; another seed, other resamples.
    const inputs = await Promise.all(["base", "candidate"].map(async (f) => ({
      path: f,
      result: JSON.parse(await Deno.readTextFile(`${dir}/${f}.json`)),
    })));
    const once = await compareResults(inputs[0], inputs[1], { seed: 7 });
    assert.deepEqual(await compareResults(inputs[0], inputs[1], { seed: 7 }), once);
    const other = await compareResults(inputs[0], inputs[1], { seed: 8 });
    assert.notDeepEqual(other.figures.map((f) => f.p), once.figures.map((f) => f.p));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const CHROMIUM = findChromium();
if (CHROMIUM === null) {
  console.warn("compare_html_test: no Chromium found (install Debian's `chromium`); IGNORED.");
}

interface Row {
  metric: string;
  name: string | null;
  base: number;
  candidate: number;
  verdict: string;
}

const READ_ROWS = `Array.from(document.querySelectorAll("table.figures tbody tr"), (tr) => ({
  metric: tr.dataset.metric,
  name: tr.dataset.name ?? null,
  base: Number(tr.cells[1].querySelector("[data-value]").dataset.value),
  candidate: Number(tr.cells[2].querySelector("[data-value]").dataset.value),
  verdict: tr.cells[6].textContent,
}))`;

function text(page: CdpPage, selector: string): Promise<string | null> {
  return page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? null`);
}

Deno.test({
  name: "compare page in headless Chromium: the verdict and figures equal the JSON",
  ignore: CHROMIUM === null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "lunge-compare-html-" });
    const browser = await Chromium.launch(CHROMIUM!);
    try {
      await writeInputs(dir);
      const code = await compareMain([
        `${dir}/base.json`,
        `${dir}/candidate.json`,
        "--fail-on",
        "p95 > +10%, error_rate > +0.5pp, rps < -5%",
        "--output",
        `${dir}/cmp`,
      ]);
      const c: CompareOutput = JSON.parse(await Deno.readTextFile(`${dir}/cmp.json`));
      assert.equal(code, c.exitCode);
      assert.equal(code, 1, c.verdict); // 35 % slower, 2 pp more errors: real
      const url = pathToFileURL(`${dir}/cmp.html`).href;
      const page = await browser.newPage();
      await page.goto(url);
      assert.equal(await text(page, "#badge"), "FAIL");
      assert.equal(await text(page, "#verdict"), c.verdict);
      assert.match(c.verdict, /^FAILED: p95 > \+10%/);
      // Figures: overall, then per name, each row as in the JSON.
      const rows = await page.evaluate<Row[]>(READ_ROWS);
      const expected: Row[] = [
        ...c.figures.map((f) => ({ f, name: null })),
        ...c.byName.flatMap((n) => n.figures.map((f) => ({ f, name: n.name }))),
      ].map(({ f, name }) => ({
        metric: f.metric,
        name,
        base: f.base,
        candidate: f.candidate,
        verdict: f.p === null ? "not judged" : f.real ? "real" : "noise",
      }));
      assert.deepEqual(rows, expected);
      assert.deepEqual(c.byName.map((n) => n.name).sort(), [HOSTILE, "home"].sort());
      // The sentences shown are the JSON's, for every real overall change.
      const sentences = await page.evaluate<string[]>(
        `Array.from(document.querySelectorAll("#sentences li"), (li) => li.textContent)`,
      );
      assert.deepEqual(sentences, c.figures.filter((f) => f.real).map((f) => f.sentence));
      assert.ok(sentences.some((s) => /^p95 is [\d.]+ % higher \(95 % interval/.test(s)));
      // The CDF: two curves across the plot; the candidate's median lies right of the base's.
      const curves = await page.evaluate<{ run: string; length: number; x50: number }[]>(
        `Array.from(document.querySelectorAll("svg.cdf path.line"), (p) => {
          const box = p.closest("svg").viewBox.baseVal;
          const y50 = 14 + 0.5 * (box.height - 14 - 40);
          let x50 = NaN;
          for (let s = 0; s <= p.getTotalLength(); s += 0.5) {
            const pt = p.getPointAtLength(s);
            if (pt.y <= y50) { x50 = pt.x; break; }
          }
          return { run: p.dataset.run, length: p.getTotalLength(), x50 };
        })`,
      );
      assert.deepEqual(curves.map((x) => x.run), ["base", "candidate"]);
      for (const x of curves) assert.ok(x.length > 300, `${x.run} curve length ${x.length}`);
      assert.ok(curves[1].x50 > curves[0].x50 + 5, JSON.stringify(curves));
      // A warning for the other config hash; the rules table.
      assert.match((await text(page, ".warning")) ?? "", /config hashes differ/);
      assert.equal(
        await page.evaluate(`document.querySelectorAll("#rules tbody tr").length`),
        3,
      );
      // Offline and inert: nothing fetched, nothing run, nothing injected.
      assert.deepEqual(page.log.requests, [url]);
      assert.deepEqual(page.log.failed, []);
      assert.deepEqual(page.log.errors, []);
      assert.notEqual(await page.evaluate("document.title"), "pwned");
      assert.equal(await page.evaluate(`document.querySelectorAll("img").length`), 0);
      const shots = Deno.env.get("LUNGE_SCREENSHOT_DIR") ?? dir;
      await page.screenshot(`${shots}/compare.png`);
      await page.close();
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
