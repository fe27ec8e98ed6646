/**
 * The mutex collector's recorder: every request is counted straight into
 * the shared analysis with the lock held, so there is never anything to
 * flush, and every recording thread serialises on one lock word: exactly
 * the bottleneck the batch recorder removes.
 *
 * @module
 */
import type { Recorder } from "./_recorder.ts";
import type { SharedState } from "./_shared_state.ts";

/** A lock per request. */
export class LockedRecorder implements Recorder {
  /** The mutex collector holds no writer slot. */
  readonly slot = -1;
  #state: SharedState;

  /** Record into `state`. */
  constructor(state: SharedState) {
    this.#state = state;
  }

  /** Where the caller writes the request's start time and duration before `record`. */
  get input(): Float64Array {
    return this.#state.analysis.input;
  }

  /** Count one request under the lock (waits at most `lockTimeoutMs`). */
  record(bytes: number, status: number, error: number, name: number): void {
    const state = this.#state;
    state.lock();
    try {
      state.analysis.add(bytes, status, error, name);
    } finally {
      state.unlock();
    }
  }

  /** Nothing is held. */
  mergeLocked(): void {}
  /** Nothing is held. */
  dropLocked(): void {}
  /** Nothing is held. */
  flush(): void {}
  /** Nothing to stop. */
  close(): void {}
}
