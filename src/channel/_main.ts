/**
 * The main thread's side of the shared job channel: {@linkcode ChannelMain}
 * deals the first jobs, closes, retires slots, settles and requeues jobs, asks
 * running ones to stop and reads state words by name; {@linkcode ChannelWatcher}
 * counts final states. The compare-and-swap loops of the main thread live here.
 * Private to `src/channel/`: import `mod.ts`.
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
import { ChannelWatcher } from "./_watcher.ts";

/** How a final job ended, which says where its record is (see {@linkcode ChannelMain.endOf}). */
export type JobEnd =
  /** Committed done by its worker: the shared columns hold its record, its report its output. */
  | "done"
  /** Committed done with a number by its worker: the `output` column holds it. */
  | "done-number"
  /** Committed failed by its worker, or by the main thread from its report. */
  | "failed"
  /** Committed cancelled by its worker, or by the main thread from its report. */
  | "cancelled"
  /** Settled by the main thread, which keeps its record. */
  | "settled"
  /** Never started, cancelled by the main thread (an abort). */
  | "unstarted-cancelled"
  /** Never started, failed by the main thread (no worker was left). */
  | "unstarted-failed";

/** The final state a reported job is committed to, by status. */
const REPORTED_FINAL = {
  done: JOB_STATE.DONE,
  failed: JOB_STATE.FAILED,
  cancelled: JOB_STATE.CANCELLED,
} as const;

/**
 * The main thread's side of one channel: every operation the step does on the
 * shared words, by name, so that no compare-and-swap or state word arithmetic
 * lives outside `src/channel/`. State words pass through its callers only as
 * opaque numbers, read back with its predicates.
 *
 * @example Deal, let a claimer finish everything, then count
 * ```ts
 * import { ChannelClaimer, ChannelMain, createJobChannel, JOB_STATE } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const view = createJobChannel(3, 1);
 * const channel = new ChannelMain(view);
 * channel.setLiveWorkers(1);
 * assert.equal(channel.dealFirstJobs(1), 1);
 * const claimer = new ChannelClaimer(view, 0);
 * for (let index = claimer.next(); index >= 0; index = claimer.next()) {
 *   claimer.begin(index);
 *   claimer.commit(index, JOB_STATE.DONE, 1);
 * }
 * assert.equal(channel.poll(), 3);
 * assert.equal(channel.endOf(2), "done");
 * ```
 */
export class ChannelMain {
  readonly #view: JobChannelView;
  readonly #watcher: ChannelWatcher;

  /** @param view A channel made by {@linkcode createJobChannel}. */
  constructor(view: JobChannelView) {
    this.#view = view;
    this.#watcher = new ChannelWatcher(view);
  }

  /** The buffer, to post to the workers. */
  get buffer(): SharedArrayBuffer {
    return this.#view.buffer;
  }

  /** How many jobs. */
  get jobCount(): number {
    return this.#view.jobCount;
  }

  /** How many worker slots. */
  get slotCapacity(): number {
    return this.#view.slotCapacity;
  }

  /** Whether the channel was closed. */
  get closed(): boolean {
    return this.#view.header[HEADER.CLOSED_I32] === 1;
  }

  /** Each job's start, epoch milliseconds (written by the worker that started it). */
  get startMs(): Float64Array {
    return this.#view.startMs;
  }

  /** Each job's run time inside its worker, milliseconds. */
  get runMs(): Float64Array {
    return this.#view.runMs;
  }

  /** The slot that started each job (written by its worker). */
  get slot(): Int32Array {
    return this.#view.slot;
  }

  /** Each job's numeric output (read for `"done-number"` jobs only). */
  get output(): Float64Array {
    return this.#view.output;
  }

  /** The progress word, to wait on with {@linkcode ChannelMain.waitForProgress}. */
  get progress(): number {
    return Atomics.load(this.#view.header, HEADER.PROGRESS_I32);
  }

  /** How many jobs were seen final. */
  get finalCount(): number {
    return this.#watcher.finalCount;
  }

  /**
   * Before any worker starts: deals job `i` to slot `i` for each of the first
   * `slots` slots, so that every worker of a step runs at least one job even when
   * one of them is slow to start (under load, the first to start could otherwise
   * take a short batch alone). Claims then go on from there.
   *
   * @param slots How many slots (workers) start the step.
   * @returns How many jobs were dealt.
   */
  dealFirstJobs(slots: number): number {
    const view = this.#view;
    const dealt = Math.min(slots, view.jobCount, view.slotCapacity);
    for (let slot = 0; slot < dealt; slot++) {
      Atomics.store(view.state, slot, slotState(JOB_STATE.CLAIMED_TAG, slot));
    }
    Atomics.store(view.header, HEADER.CLAIM_CURSOR_I32, dealt);
    Atomics.store(view.header, HEADER.DEALT_JOBS_I32, dealt);
    return dealt;
  }

  /** Tells the claimers how many workers claim now (for the tail rule). */
  setLiveWorkers(count: number): void {
    Atomics.store(this.#view.header, HEADER.LIVE_WORKERS_I32, count);
  }

  /** Closes the channel: workers stop claiming, hand back what they claimed and leave. */
  close(): void {
    Atomics.store(this.#view.header, HEADER.CLOSED_I32, 1);
    bumpEpoch(this.#view);
  }

  /** Wakes the main thread's wait on the progress word (a report was settled, a worker ended). */
  wake(): void {
    Atomics.notify(this.#view.header, HEADER.PROGRESS_I32);
  }

  /** Bumps the epoch and wakes every idle worker (after offering jobs with `offer`). */
  wakeIdleWorkers(): void {
    bumpEpoch(this.#view);
  }

  /**
   * Waits until the progress word moves from `seen`, or `timeoutMs` passes.
   * Only ever `Atomics.waitAsync`: the main thread never blocks.
   *
   * @param seen The progress word as read before the last look.
   * @param timeoutMs The longest wait, in milliseconds.
   */
  async waitForProgress(seen: number, timeoutMs: number): Promise<void> {
    const waiting = Atomics.waitAsync(this.#view.header, HEADER.PROGRESS_I32, seen, timeoutMs);
    if (waiting.async) await waiting.value;
    else await new Promise((resolve) => setTimeout(resolve, 0));
  }

  /**
   * Reads the jobs that may have moved since the last poll ({@linkcode ChannelWatcher.poll}).
   *
   * @param onFinal Called once per job, when it is first seen final.
   * @param onOpen Called for each job seen claimed but not final.
   * @returns How many jobs have been seen final in all.
   */
  poll(
    onFinal?: (index: number, state: number) => void,
    onOpen?: (index: number, state: number) => void,
  ): number {
    return this.#watcher.poll(onFinal, onOpen);
  }

  /**
   * Offers a job seen queued below the claim cursor (its claimer died between
   * its add and its swap) to the claimers' requeue scan; wake them with `wakeIdleWorkers`.
   *
   * @param index The job.
   */
  offer(index: number): void {
    lowerScanFrom(this.#view, index);
  }

  /**
   * Retires a slot: its worker (if its thread still runs) claims nothing more and writes no record.
   *
   * @param slot The slot.
   */
  retireSlot(slot: number): void {
    Atomics.store(this.#view.retired, slot, 1);
    Atomics.notify(this.#view.header, HEADER.EPOCH_I32);
  }

  /**
   * Settles a job: from `from` to a final state. With a `status`, a reported
   * job committed from its worker's report; without, a job the main thread
   * settles itself (its worker died or was given up on) and keeps the record of.
   *
   * @param index The job.
   * @param from The state word it must hold.
   * @param status How a reported job ended.
   * @returns Whether the swap won.
   */
  settle(index: number, from: number, status?: keyof typeof REPORTED_FINAL): boolean {
    const to = status === undefined ? JOB_STATE.SETTLED : REPORTED_FINAL[status];
    return Atomics.compareExchange(this.#view.state, index, from, to) === from;
  }

  /**
   * Settles every job not yet final that nobody is running: cancelled (abort)
   * or failed. One state word each and no record (millions may be queued when
   * Ctrl-C comes). From then on `poll` also reads the jobs no claim reached.
   *
   * @param status How they end.
   */
  settleUnstarted(status: "failed" | "cancelled"): void {
    const final = status === "cancelled"
      ? JOB_STATE.UNSTARTED_CANCELLED
      : JOB_STATE.UNSTARTED_FAILED;
    const states = this.#view.state;
    for (let index = 0; index < this.#view.jobCount; index++) {
      // One swap for a queued job (the millions an abort finds); a claimed one may take more.
      let state = Atomics.compareExchange(states, index, JOB_STATE.QUEUED, final);
      while (state !== JOB_STATE.QUEUED && stateTag(state) === JOB_STATE.CLAIMED_TAG) {
        const seen = Atomics.compareExchange(states, index, state, final);
        if (seen === state) break;
        state = seen;
      }
    }
    this.#watcher.includeAll();
  }

  /**
   * Asks a running job to stop (a timeout): `RUNNING(slot)` to `CANCELLING(slot)`;
   * its worker acknowledges.
   *
   * @param index The job.
   * @param running Its `RUNNING` state word, as just read.
   * @returns Whether the swap won.
   */
  cancelRunning(index: number, running: number): boolean {
    const cancelling = slotState(JOB_STATE.CANCELLING_TAG, stateSlot(running));
    return Atomics.compareExchange(this.#view.state, index, running, cancelling) === running;
  }

  /**
   * Whether a job asked to stop with {@linkcode ChannelMain.cancelRunning} still
   * waits for its worker to acknowledge.
   *
   * @param index The job.
   * @param running The `RUNNING` state word it was asked to stop from.
   */
  isCancelling(index: number, running: number): boolean {
    const cancelling = slotState(JOB_STATE.CANCELLING_TAG, stateSlot(running));
    return Atomics.load(this.#view.state, index) === cancelling;
  }

  /**
   * When a slot's worker died or is given up on: retires the slot, puts its
   * claimed jobs back in the queue, offers any job left queued below the
   * cursor (its claimer may have died between its add and its swap), and hands
   * each job the slot had started to `settleStarted`, which must settle it
   * (with {@linkcode ChannelMain.settle}). Wakes idle workers when anything was requeued.
   *
   * @param slot The slot to retire.
   * @param settleStarted Called with each `RUNNING`, `CANCELLING` or `REPORTED` job of the slot.
   * @returns How many jobs went back to the queue.
   */
  reclaimSlot(slot: number, settleStarted: (index: number, state: number) => void): number {
    const view = this.#view;
    this.retireSlot(slot);
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
        if (this.#requeue(index, state)) requeued++;
      } else settleStarted(index, state);
    }
    if (requeued > 0 || offered) bumpEpoch(view);
    return requeued;
  }

  /**
   * For an open job seen on a later look: if the slot holding it was retired
   * (its thread claimed or started it after the retirement, then died before
   * handing it back), requeues a claimed job or hands a started one to `settleStarted`.
   *
   * @param index The job.
   * @param state Its state word, as just read.
   * @param settleStarted Called with a `RUNNING`, `CANCELLING` or `REPORTED` job of a retired slot.
   * @returns Whether the job was held by a retired slot.
   */
  reclaimOrphan(
    index: number,
    state: number,
    settleStarted: (index: number, state: number) => void,
  ): boolean {
    const tag = stateTag(state);
    if (tag === 0 || Atomics.load(this.#view.retired, stateSlot(state)) === 0) return false;
    if (tag === JOB_STATE.CLAIMED_TAG) {
      if (this.#requeue(index, state)) bumpEpoch(this.#view);
    } else settleStarted(index, state);
    return true;
  }

  /** Puts a job claimed by a retired slot back in the queue; whether the swap won. */
  #requeue(index: number, from: number): boolean {
    if (Atomics.compareExchange(this.#view.state, index, from, JOB_STATE.QUEUED) !== from) {
      return false;
    }
    lowerScanFrom(this.#view, index);
    return true;
  }

  /** A job's state word now: pass it back to this channel's operations and predicates. */
  stateOf(index: number): number {
    return Atomics.load(this.#view.state, index);
  }

  /** Whether an open job is queued (no claim holds it). */
  isQueued(state: number): boolean {
    return state === JOB_STATE.QUEUED;
  }

  /** Whether an open job was finished and reported by its worker, waiting for the main thread. */
  isReported(state: number): boolean {
    return stateTag(state) === JOB_STATE.REPORTED_TAG;
  }

  /** The slot running a job (not asked to stop, not finished), or -1. */
  runningSlot(state: number): number {
    return stateTag(state) === JOB_STATE.RUNNING_TAG ? stateSlot(state) : -1;
  }

  /**
   * The slot whose worker started a job: named by the state word while the job
   * is open (running, cancelling or reported), by the slot column once its
   * worker committed it; -1 when it never started or the main thread settled
   * it (its record says).
   *
   * @param index The job.
   * @param state Its state word, as just read.
   */
  startedSlot(index: number, state: number): number {
    if (isFinal(state)) {
      return state === JOB_STATE.SETTLED || state === JOB_STATE.UNSTARTED_CANCELLED ||
          state === JOB_STATE.UNSTARTED_FAILED
        ? -1
        : this.#view.slot[index];
    }
    return stateTag(state) >= JOB_STATE.RUNNING_TAG ? stateSlot(state) : -1;
  }

  /**
   * How a final job ended (a plain read: call it once the job was seen final).
   *
   * @param index A job whose state word is final.
   * @returns Its end; `"cancelled"` for any state it does not name.
   */
  endOf(index: number): JobEnd {
    switch (this.#view.state[index]) {
      case JOB_STATE.DONE:
        return "done";
      case JOB_STATE.DONE_NUMBER:
        return "done-number";
      case JOB_STATE.FAILED:
        return "failed";
      case JOB_STATE.SETTLED:
        return "settled";
      case JOB_STATE.UNSTARTED_CANCELLED:
        return "unstarted-cancelled";
      case JOB_STATE.UNSTARTED_FAILED:
        return "unstarted-failed";
      default:
        return "cancelled";
    }
  }
}
