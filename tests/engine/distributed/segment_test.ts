/**
 * Execution segments: parsing (`i/n`, k6's `a:b`, refusals naming the
 * problem), VU shares that add up to the configured count, and `--start-at`.
 */
import assert from "node:assert/strict";
import {
  parseSegment,
  parseStartAt,
  segmentLabel,
  segmentShare,
} from "../../../examples/lunge/distributed/segment.ts";

Deno.test("parseSegment reads i/n and equal a:b parts", () => {
  assert.deepEqual(parseSegment("0/3"), { index: 0, count: 3 });
  assert.deepEqual(parseSegment("2/3"), { index: 2, count: 3 });
  assert.deepEqual(parseSegment("0.25:0.5"), { index: 1, count: 4 });
  assert.deepEqual(parseSegment("1/3:2/3"), { index: 1, count: 3 });
  assert.deepEqual(parseSegment("0:1"), { index: 0, count: 1 });
  assert.equal(segmentLabel(parseSegment("0.5:0.75")), "2/4");
});

Deno.test("parseSegment refuses what it cannot run, with one line naming it", () => {
  for (
    const [text, why] of [
      ["3/3", /0 <= i < n/],
      ["0/0", /0 <= i < n/],
      ["0.5:0.25", /a < b/],
      ["0.2:0.5", /equal parts/],
      ["half", /expected i\/n/],
    ] as const
  ) {
    assert.throws(
      () => parseSegment(text),
      (e: Error) => why.test(e.message) && !e.message.includes("\n"),
    );
  }
});

Deno.test("segment shares of VUs add up to the configured count", () => {
  for (let total = 0; total <= 50; total++) {
    for (let count = 1; count <= 7; count++) {
      let sum = 0;
      for (let index = 0; index < count; index++) sum += segmentShare(total, { index, count });
      assert.equal(sum, total, `${total} VUs over ${count}`);
    }
  }
  assert.equal(segmentShare(10, undefined), 10);
});

Deno.test("parseStartAt takes an ISO time with a zone, within the next 24 hours", () => {
  const now = Date.UTC(2026, 10, 28, 10, 0, 0);
  assert.equal(parseStartAt("2026-11-28T10:00:05Z", now), now + 5000);
  assert.equal(parseStartAt("2026-11-28T11:00:05+01:00", now), now + 5000);
  assert.throws(() => parseStartAt("2026-11-28T10:00:05", now), /with a zone/);
  assert.throws(() => parseStartAt("2026-11-28T09:00:00Z", now), /already passed/);
  assert.throws(() => parseStartAt("2026-11-30T10:00:00Z", now), /24 hours/);
});
