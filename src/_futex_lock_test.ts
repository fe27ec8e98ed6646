/** The futex lock: mutual exclusion under contention, with real Workers. */
import assert from "node:assert/strict";
import { FutexLock } from "./_futex_lock.ts";

async function run(workers: number, count: number, locked: boolean): Promise<number> {
  // Word 0: the lock. Word 16: the plain counter. Word 32: the start gate.
  const words = new Int32Array(new SharedArrayBuffer(256));
  const url = new URL("./_futex_lock_test_worker.ts", import.meta.url).href;
  const ws = Array.from({ length: workers }, () => new Worker(url, { type: "module" }));
  const message = (w: Worker, expected: string) =>
    new Promise<void>((resolve, reject) => {
      w.onmessage = (e) => e.data === expected ? resolve() : reject(new Error(String(e.data)));
      w.onerror = (e) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
    });
  try {
    const ready = ws.map((w) => message(w, "ready"));
    for (const w of ws) w.postMessage({ words, count, locked });
    await Promise.all(ready);
    const done = ws.map((w) => message(w, "done"));
    Atomics.store(words, 32, 1); // open the start gate
    Atomics.notify(words, 32);
    await Promise.all(done);
  } finally {
    for (const w of ws) w.terminate();
  }
  assert.equal(Atomics.load(words, 0), 0, "the lock is free at the end");
  return words[16];
}

Deno.test("futex lock: 4 Workers incrementing a plain counter under the lock lose nothing", async () => {
  assert.equal(await run(4, 50_000, true), 200_000);
});

Deno.test("futex lock: the same increments without the lock do race (the test can fail)", async () => {
  // Without mutual exclusion, updates are lost: this proves the workload
  // above really contends, so its exact result is the lock's doing.
  let lost = false;
  for (let attempt = 0; attempt < 5 && !lost; attempt++) {
    lost = (await run(4, 1_000_000, false)) < 4_000_000;
  }
  assert.ok(lost, "unlocked increments should lose updates on 2+ cores");
});

Deno.test("futex lock: tryLock fails while held and succeeds after unlock", () => {
  const words = new Int32Array(new SharedArrayBuffer(8));
  const a = new FutexLock(words, 0), b = new FutexLock(words, 0);
  assert.ok(a.tryLock());
  assert.ok(!b.tryLock());
  a.unlock();
  assert.ok(b.tryLock());
  b.unlock();
  assert.equal(words[0], 0);
});
