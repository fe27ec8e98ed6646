/// <reference lib="deno.worker" />
/**
 * Test Worker for the lock: increments a plain (non-atomic) shared counter
 * (word 16) `count` times, inside the lock (word 0) when `locked`, with the
 * read-modify-write spread over a busy loop so that an unprotected increment
 * loses updates. All workers start together on word 32 (a start gate).
 */
import { FutexLock } from "./_futex_lock.ts";

self.onmessage = (e: MessageEvent<{ words: Int32Array; count: number; locked: boolean }>) => {
  const { words, count, locked } = e.data;
  const lock = new FutexLock(words, 0);
  self.postMessage("ready");
  Atomics.wait(words, 32, 0);
  let sink = 0;
  for (let i = 0; i < count; i++) {
    if (locked) lock.lock();
    const v = words[16];
    for (let j = 0; j < 20; j++) sink += j; // widen the race window
    words[16] = v + 1;
    if (locked) lock.unlock();
  }
  self.postMessage(sink >= 0 ? "done" : "overflow");
};
