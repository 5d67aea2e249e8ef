/**
 * The main thread's side of the shared job channel: dealing the first jobs,
 * closing, retiring slots, settling and requeueing jobs, and counting final
 * states. Private to `src/channel/`: import `mod.ts`.
 *
 * @module
 */
import {
  bumpEpoch,
  HEADER,
  isFinal,
  JOB_STATE,
  type JobChannelView,
  lowerScanFrom,
  slotState,
  stateSlot,
  stateTag,
} from "./_layout.ts";

/**
 * Main thread, before any worker starts: deals job `i` to slot `i` for each of
 * the first `slots` slots, so that every worker of a step runs at least one
 * job even when one of them is slow to start (under load, the first to start
 * could otherwise take a short batch alone). Claims then go on from there.
 *
 * @param view A channel no worker has claimed from yet.
 * @param slots How many slots (workers) start the step.
 * @returns How many jobs were dealt.
 */
export function dealFirstJobs(view: JobChannelView, slots: number): number {
  const dealt = Math.min(slots, view.jobCount, view.slotCapacity);
  for (let slot = 0; slot < dealt; slot++) {
    Atomics.store(view.state, slot, slotState(JOB_STATE.CLAIMED_TAG, slot));
  }
  Atomics.store(view.header, HEADER.CLAIM_CURSOR_I32, dealt);
  Atomics.store(view.header, HEADER.DEALT_JOBS_I32, dealt);
  return dealt;
}

/**
 * Closes the channel: workers stop claiming, hand back what they claimed and leave.
 *
 * @param view The channel.
 */
export function closeJobChannel(view: JobChannelView): void {
  Atomics.store(view.header, HEADER.CLOSED_I32, 1);
  bumpEpoch(view);
}

/**
 * Retires a slot: its worker (if its thread still runs) claims nothing more and writes no record.
 *
 * @param view The channel.
 * @param slot The slot.
 */
export function retireSlot(view: JobChannelView, slot: number): void {
  Atomics.store(view.retired, slot, 1);
  Atomics.notify(view.header, HEADER.EPOCH_I32);
}

/**
 * Main thread: moves a job from `from` to a final state.
 *
 * @param view The channel.
 * @param index The job.
 * @param from The state it must be in.
 * @param to The final state (usually `SETTLED`).
 * @returns Whether the swap won.
 */
export function settleJob(
  view: JobChannelView,
  index: number,
  from: number,
  to: number = JOB_STATE.SETTLED,
): boolean {
  return Atomics.compareExchange(view.state, index, from, to) === from;
}

/**
 * Main thread: puts a job claimed by a retired slot back in the queue.
 *
 * @param view The channel.
 * @param index The job.
 * @param from Its `CLAIMED(slot)` state word.
 * @returns Whether the swap won.
 */
export function requeueJob(view: JobChannelView, index: number, from: number): boolean {
  if (Atomics.compareExchange(view.state, index, from, JOB_STATE.QUEUED) !== from) return false;
  lowerScanFrom(view, index);
  return true;
}

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

/**
 * Main thread, when a slot's worker died or is given up on: retires the slot,
 * puts its claimed jobs back in the queue, offers any job left queued below
 * the cursor (its claimer may have died between its add and its swap), and
 * hands each job the slot had started to `settleStarted`, which must settle it
 * (with {@linkcode settleJob}). Wakes idle workers when anything was requeued.
 *
 * @param view The channel.
 * @param slot The slot to retire.
 * @param settleStarted Called with each `RUNNING`, `CANCELLING` or `REPORTED` job of the slot.
 * @returns How many jobs went back to the queue.
 */
export function reclaimSlot(
  view: JobChannelView,
  slot: number,
  settleStarted: (index: number, state: number) => void,
): number {
  retireSlot(view, slot);
  const claimed = slotState(JOB_STATE.CLAIMED_TAG, slot);
  const limit = Math.min(view.jobCount, Atomics.load(view.header, HEADER.CLAIM_CURSOR_I32));
  let requeued = 0;
  let offered = false;
  for (let index = 0; index < limit; index++) {
    const state = Atomics.load(view.state, index);
    if (state === JOB_STATE.QUEUED) {
      lowerScanFrom(view, index);
      offered = true;
    } else if (isFinal(state) || stateSlot(state) !== slot) {
      continue;
    } else if (state === claimed) {
      if (requeueJob(view, index, state)) requeued++;
    } else settleStarted(index, state);
  }
  if (requeued > 0 || offered) bumpEpoch(view);
  return requeued;
}

/**
 * Main thread, for an open job seen on a later look: if the slot holding it
 * was retired (its thread claimed or started it after the retirement, then
 * died before handing it back), requeues a claimed job or hands a started one
 * to `settleStarted`.
 *
 * @param view The channel.
 * @param index The job.
 * @param state Its state word, as just read.
 * @param settleStarted Called with a `RUNNING`, `CANCELLING` or `REPORTED` job of a retired slot.
 * @returns Whether the job was held by a retired slot.
 */
export function reclaimOrphan(
  view: JobChannelView,
  index: number,
  state: number,
  settleStarted: (index: number, state: number) => void,
): boolean {
  const tag = stateTag(state);
  if (tag === 0 || Atomics.load(view.retired, stateSlot(state)) === 0) return false;
  if (tag === JOB_STATE.CLAIMED_TAG) {
    if (requeueJob(view, index, state)) bumpEpoch(view);
  } else settleStarted(index, state);
  return true;
}
