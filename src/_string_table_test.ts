/**
 * White-box tests of the string table (src/_string_table.ts): a thread's
 * cache stays bounded, and an evicted string keeps its index.
 */
import assert from "node:assert/strict";
import { StringTable } from "./_string_table.ts";

Deno.test("string table: a thread's cache stays bounded however many distinct strings arrive", () => {
  const buffer = new SharedArrayBuffer(1 << 20);
  const header = new Int32Array(buffer, 0, 16);
  const table = new StringTable(buffer, { base: 128, slots: 8, countIndex: 13 });
  for (let i = 0; i < 20_000; i++) {
    const s = `connection reset by peer #${i}` + (i % 3 === 0 ? "x".repeat(2_000) : "");
    const index = table.cached(s) >= 0 ? table.cached(s) : table.resolve(s);
    assert.equal(index, i < 8 ? i : 8);
    assert.ok(table.cacheSize <= 8 + 256, `cache holds ${table.cacheSize} strings`);
  }
  assert.equal(header[13], 8);
  // A long string is found by its cut prefix: same slot, no second entry.
  const long = "y".repeat(5_000);
  const t2 = new StringTable(new SharedArrayBuffer(1 << 16), {
    base: 128,
    slots: 4,
    countIndex: 13,
  });
  assert.equal(t2.resolve(long), 0);
  assert.equal(t2.cached(long + "tail"), 0);
  assert.equal(t2.cacheSize, 1);
});

Deno.test("string table: strings cycled past the recent list each keep their own index", () => {
  const table = new StringTable(new SharedArrayBuffer(1 << 16), {
    base: 128,
    slots: 12,
    countIndex: 13,
  });
  // 16 distinct strings (12 slots, 4 "other"), cycled in an order that keeps
  // evicting the 8-entry recent list; built fresh each time, so not the same objects.
  const label = (i: number) => ["GET /item/", String(i)].join("");
  const first = new Map<string, number>();
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 16; i++) {
      const s = label((i * 5 + round) % 16);
      const cached = table.cached(s);
      const index = cached >= 0 ? cached : table.resolve(s);
      if (!first.has(s)) first.set(s, index);
      assert.equal(index, first.get(s), `${s}: the same index every time`);
      assert.equal(table.name(index), index < 12 ? s : "other");
    }
  }
  const slotted = [...first.values()].filter((i) => i < 12);
  assert.deepEqual(slotted.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
});
