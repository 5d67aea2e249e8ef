/**
 * The main thread's count of final jobs: {@linkcode ChannelWatcher} reads state
 * words, not counters. Private to `src/channel/`: import `mod.ts`.
 *
 * @module
 */
import { HEADER, isFinal, type JobChannelView } from "./_layout.ts";

/**
 * Main thread: counts jobs as they reach a final state, each exactly once, by
 * reading state words, not counters. Each poll reads the jobs claimed since the
 * last poll and those still open, so a job is read a few times at most.
 *
 * @example Count what a claimer finished
 * ```ts
 * import { ChannelClaimer, ChannelWatcher, createJobChannel, JOB_STATE } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const channel = createJobChannel(3, 1);
 * const watcher = new ChannelWatcher(channel);
 * const claimer = new ChannelClaimer(channel, 0);
 * const index = claimer.next();
 * claimer.begin(index);
 * assert.equal(watcher.poll(), 0);
 * claimer.commit(index, JOB_STATE.DONE, 1);
 * assert.equal(watcher.poll(), 1);
 * ```
 */
export class ChannelWatcher {
  readonly #view: JobChannelView;
  #open: number[] = [];
  #scannedTo = 0;
  #all = false;
  #final = 0;

  /** @param view The channel. */
  constructor(view: JobChannelView) {
    this.#view = view;
  }

  /** How many jobs were seen final. */
  get finalCount(): number {
    return this.#final;
  }

  /** From now on also read the jobs no claim has reached (after settling them on the main thread). */
  includeAll(): void {
    this.#all = true;
  }

  /**
   * Reads the jobs that may have moved since the last poll.
   *
   * @param onFinal Called once per job, when it is first seen final.
   * @param onOpen Called for each job seen claimed but not final.
   * @returns How many jobs have been seen final in all.
   */
  poll(
    onFinal?: (index: number, state: number) => void,
    onOpen?: (index: number, state: number) => void,
  ): number {
    const view = this.#view;
    const cursor = this.#all
      ? view.jobCount
      : Math.min(view.jobCount, Atomics.load(view.header, HEADER.CLAIM_CURSOR_I32));
    const open: number[] = [];
    const visit = (index: number) => {
      const state = Atomics.load(view.state, index);
      if (isFinal(state)) {
        this.#final++;
        onFinal?.(index, state);
      } else {
        open.push(index);
        onOpen?.(index, state);
      }
    };
    for (const index of this.#open) visit(index);
    for (let index = this.#scannedTo; index < cursor; index++) visit(index);
    this.#scannedTo = Math.max(this.#scannedTo, cursor);
    this.#open = open;
    return this.#final;
  }
}
