/**
 * A worker's side of the shared job channel: claiming blocks, starting and
 * committing jobs, batched wake-ups. Private to `src/channel/`: import `mod.ts`.
 *
 * @module
 */
import { CLAIM_POLICY, HEADER, JOB_STATE, type JobChannelView, slotState } from "./_layout.ts";

// Taken when this module loads, before any job code runs in the worker: a job that replaces
// `Atomics` (or wraps its methods) must neither see the channel's arrays nor change what the
// claimer reads and writes. Calling the captured builtins costs nothing more (V8 recognises them).
const {
  add: atomicAdd,
  compareExchange: atomicCompareExchange,
  load: atomicLoad,
  notify: atomicNotify,
  wait: atomicWait,
} = Atomics;
const now = performance.now.bind(performance);
const timeOrigin = performance.timeOrigin;
// `Math` and `Array.prototype.push` too: a job that makes `Math.min` return NaN, or `push` do
// nothing, would otherwise leave the claimer claiming nothing while jobs wait (a hang with no
// job running). The block is an `Int32Array`, whose elements no prototype can intercept.
const { ceil, floor, max, min } = Math;

/** The steps between a claimer's shared-memory writes, as passed to its probe. */
export type ClaimPoint =
  | "cursor-added"
  | "claimed-one"
  | "began"
  | "start-written"
  | "run-written"
  | "committed";

/** What {@linkcode ChannelClaimer.next} returns when the channel is closed or the slot retired. */
export const CLAIM_END = -2;
/** What {@linkcode ChannelClaimer.next} returns when no job is free right now. */
export const CLAIM_NONE = -1;

function epochMs(): number {
  return timeOrigin + now();
}

/** `lowerScanFrom` of `_layout.ts`, with the captured builtins. */
function lowerScanFrom(view: JobChannelView, index: number): void {
  for (;;) {
    const current = atomicLoad(view.header, HEADER.SCAN_FROM_INDEX_I32);
    if (current <= index) return;
    if (
      atomicCompareExchange(view.header, HEADER.SCAN_FROM_INDEX_I32, current, index) === current
    ) return;
  }
}

/** `bumpEpoch` of `_layout.ts`, with the captured builtins. */
function bumpEpoch(view: JobChannelView): void {
  atomicAdd(view.header, HEADER.EPOCH_I32, 1);
  atomicNotify(view.header, HEADER.EPOCH_I32);
}

/**
 * A worker's side of the channel: claims blocks, starts and commits jobs,
 * counts its commits on the progress word and notifies the main thread in batches.
 *
 * @example One claimer drains a channel on one thread
 * ```ts
 * import { ChannelClaimer, CLAIM_NONE, createJobChannel, JOB_STATE } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const channel = createJobChannel(5, 1);
 * const claimer = new ChannelClaimer(channel, 0);
 * const order: number[] = [];
 * for (let index = claimer.next(); index >= 0; index = claimer.next()) {
 *   if (!claimer.begin(index)) continue;
 *   order.push(index);
 *   claimer.commit(index, JOB_STATE.DONE, 0.001);
 * }
 * claimer.flushCompleted();
 * assert.deepEqual(order, [0, 1, 2, 3, 4]);
 * assert.equal(claimer.next(), CLAIM_NONE);
 * ```
 */
export class ChannelClaimer {
  readonly #view: JobChannelView;
  readonly #slot: number;
  readonly #claimed: number;
  readonly #running: number;
  /** The jobs of the block being run: `#block[#blockNext … #blockLength - 1]` are still to run. */
  readonly #block: Int32Array;
  /** The block's capacity: the largest claim (a typed array's `length` is a prototype getter). */
  readonly #maxClaimJobs: number;
  #blockLength = 0;
  #blockNext = 0;
  #blockStartMs = 0;
  #claimSize = 0;
  #meanJobMs = -1;
  #uncounted = 0;
  #lastNotifyMs = 0;
  #scannedEpoch = -1;
  readonly #probe?: (point: ClaimPoint) => void;

  /**
   * @param view The channel.
   * @param slot This worker's slot.
   * @param probe Called at each step of a claim, start and commit (tests use it to kill a
   *   worker between any two shared-memory writes).
   */
  constructor(view: JobChannelView, slot: number, probe?: (point: ClaimPoint) => void) {
    this.#view = view;
    this.#slot = slot;
    this.#probe = probe;
    this.#claimed = slotState(JOB_STATE.CLAIMED_TAG, slot);
    this.#running = slotState(JOB_STATE.RUNNING_TAG, slot);
    this.#maxClaimJobs = max(1, view.header[HEADER.MAX_CLAIM_I32] || CLAIM_POLICY.MAX_CLAIM_JOBS);
    this.#block = new Int32Array(this.#maxClaimJobs);
    if (slot < atomicLoad(view.header, HEADER.DEALT_JOBS_I32)) {
      // Job `slot` was dealt to this slot before the start.
      this.#block[0] = slot;
      this.#blockLength = 1;
      this.#blockStartMs = epochMs();
    }
  }

  /** Whether this slot was retired by the main thread. */
  get retired(): boolean {
    return atomicLoad(this.#view.retired, this.#slot) !== 0;
  }

  /** Whether the channel is closed. */
  get closed(): boolean {
    return atomicLoad(this.#view.header, HEADER.CLOSED_I32) !== 0;
  }

  /** The size the next block claim would take (for tests and benches). */
  get claimSize(): number {
    return this.#claimSize;
  }

  /**
   * The next job this worker holds, claiming a new block when the last is used up.
   *
   * @returns A job index, {@linkcode CLAIM_NONE} (nothing free now) or {@linkcode CLAIM_END}.
   */
  next(): number {
    if (this.retired || this.closed) {
      this.release();
      return CLAIM_END;
    }
    if (this.#blockNext < this.#blockLength) return this.#block[this.#blockNext++];
    this.#endBlock();
    if (this.#claimFromCursor() || this.#claimRequeued()) {
      return this.#block[this.#blockNext++];
    }
    return CLAIM_NONE;
  }

  /**
   * Marks a claimed job running and writes its slot; {@linkcode recordStart} writes its start.
   *
   * @param index The job, from {@linkcode next}.
   * @returns `false` if the job is no longer this worker's (skip it).
   */
  begin(index: number): boolean {
    const view = this.#view;
    if (this.retired) return false;
    if (
      atomicCompareExchange(view.state, index, this.#claimed, this.#running) !== this.#claimed
    ) {
      return false;
    }
    if (this.retired) {
      // Retired between the check and the swap: hand the job back untouched.
      if (
        atomicCompareExchange(view.state, index, this.#running, JOB_STATE.QUEUED) ===
          this.#running
      ) {
        this.#offer(index);
      }
      return false;
    }
    this.#probe?.("began");
    view.slot[index] = this.#slot;
    return true;
  }

  /**
   * Writes a running job's start time (the caller reads the clock once, right
   * after {@linkcode begin}, and times the job from the same reading), and
   * wakes the main thread if it has not been woken for a while, so that long
   * jobs show as started.
   *
   * @param index The job, begun by this worker.
   * @param startMs When it started, epoch milliseconds.
   */
  recordStart(index: number, startMs: number): void {
    // No retired check: a begun job is this slot's until it commits or the main thread settles
    // it, and the main thread never reads the columns of a job it settled.
    this.#view.startMs[index] = startMs;
    this.#probe?.("start-written");
    if (startMs - this.#lastNotifyMs >= CLAIM_POLICY.NOTIFY_INTERVAL_MS) this.#notify(startMs);
  }

  /**
   * Commits a finished job as `DONE`, `FAILED` or `CANCELLED` (no report to send).
   *
   * @param index The job.
   * @param status The final state.
   * @param runMs How long it ran, in milliseconds.
   * @returns The state word found instead when the commit lost (e.g. `CANCELLING`), or `status`.
   */
  commit(index: number, status: number, runMs: number): number {
    // The swap decides (see recordStart): a settled job's columns are never read.
    this.#view.runMs[index] = runMs;
    this.#probe?.("run-written");
    const found = atomicCompareExchange(this.#view.state, index, this.#running, status);
    if (found !== this.#running) return found;
    this.#probe?.("committed");
    this.#uncounted++;
    return status;
  }

  /**
   * Commits a job that returned a number as `DONE_NUMBER`, with the number in
   * the shared `output` column: a numeric job sends nothing through postMessage.
   *
   * @param index The job.
   * @param runMs How long it ran, in milliseconds.
   * @param output What it returned.
   * @returns The state word found instead when the commit lost, or `DONE_NUMBER`.
   */
  commitNumber(index: number, runMs: number, output: number): number {
    this.#view.output[index] = output;
    return this.commit(index, JOB_STATE.DONE_NUMBER, runMs);
  }

  /** Job `index`'s state word as it is now (to compare with `slotState(…)`). */
  state(index: number): number {
    return atomicLoad(this.#view.state, index);
  }

  /**
   * Marks a finished job `REPORTED`: the main thread settles it when the report arrives.
   *
   * @param index The job.
   * @param runMs How long it ran, in milliseconds.
   * @param from The state it is in (`RUNNING` by default, or the acknowledged `CANCELLING`).
   * @returns Whether this worker still owned it (and so must send the report).
   */
  markReported(index: number, runMs: number, from: number = this.#running): boolean {
    this.#view.runMs[index] = runMs;
    const reported = slotState(JOB_STATE.REPORTED_TAG, this.#slot);
    return atomicCompareExchange(this.#view.state, index, from, reported) === from;
  }

  /** Adds this worker's committed jobs to the progress word and notifies when due. */
  flushCompleted(): void {
    const view = this.#view;
    if (this.#uncounted > 0) {
      const total = atomicAdd(view.header, HEADER.PROGRESS_I32, this.#uncounted) +
        this.#uncounted;
      this.#uncounted = 0;
      const now = epochMs();
      if (total >= view.jobCount || now - this.#lastNotifyMs >= CLAIM_POLICY.NOTIFY_INTERVAL_MS) {
        this.#notify(now);
      }
    }
  }

  /** Wakes the main thread now. */
  notify(): void {
    this.#notify(epochMs());
  }

  /** Hands back every claimed job not yet started (on exit). */
  release(): void {
    const view = this.#view;
    let released = false;
    for (let i = this.#blockNext; i < this.#blockLength; i++) {
      const index = this.#block[i];
      if (
        atomicCompareExchange(view.state, index, this.#claimed, JOB_STATE.QUEUED) ===
          this.#claimed
      ) {
        this.#lowerScanFrom(index);
        released = true;
      }
    }
    this.#blockLength = 0;
    this.#blockNext = 0;
    if (released) bumpEpoch(view);
  }

  /**
   * Waits (blocking this worker) until jobs may be free again, the channel closes, or the timeout.
   *
   * @param timeoutMs The longest wait, in milliseconds.
   */
  waitForWork(timeoutMs: number = CLAIM_POLICY.IDLE_WAIT_MS): void {
    this.flushCompleted();
    const epoch = atomicLoad(this.#view.header, HEADER.EPOCH_I32);
    if (epoch !== this.#scannedEpoch || this.closed || this.retired) return;
    atomicWait(this.#view.header, HEADER.EPOCH_I32, epoch, timeoutMs);
  }

  #notify(now: number): void {
    this.#lastNotifyMs = now;
    atomicNotify(this.#view.header, HEADER.PROGRESS_I32);
  }

  #offer(index: number): void {
    this.#lowerScanFrom(index);
    bumpEpoch(this.#view);
  }

  #lowerScanFrom(index: number): void {
    lowerScanFrom(this.#view, index);
  }

  #endBlock(): void {
    const jobs = this.#blockLength;
    if (jobs > 0) {
      const perJobMs = (epochMs() - this.#blockStartMs) / jobs;
      this.#meanJobMs = this.#meanJobMs < 0 ? perJobMs : 0.5 * this.#meanJobMs + 0.5 * perJobMs;
    }
    this.flushCompleted();
    this.#blockLength = 0;
    this.#blockNext = 0;
  }

  #nextClaimSize(): number {
    const view = this.#view;
    let size: number;
    if (this.#meanJobMs < 0) size = 1;
    else {
      const target = floor(CLAIM_POLICY.TARGET_CLAIM_MS / max(this.#meanJobMs, 1e-6));
      size = min(target, max(1, this.#claimSize) * 2, this.#maxClaimJobs);
    }
    const cursor = atomicLoad(view.header, HEADER.CLAIM_CURSOR_I32);
    const live = max(1, atomicLoad(view.header, HEADER.LIVE_WORKERS_I32));
    const tail = ceil(max(0, view.jobCount - cursor) / (live * CLAIM_POLICY.TAIL_SHARES));
    this.#claimSize = max(1, min(size, tail));
    return this.#claimSize;
  }

  #claimFromCursor(): boolean {
    const view = this.#view;
    if (atomicLoad(view.header, HEADER.CLAIM_CURSOR_I32) >= view.jobCount) return false;
    const size = this.#nextClaimSize();
    const start = atomicAdd(view.header, HEADER.CLAIM_CURSOR_I32, size);
    this.#probe?.("cursor-added");
    const end = min(start + size, view.jobCount);
    for (let index = start; index < end; index++) {
      if (
        atomicCompareExchange(view.state, index, JOB_STATE.QUEUED, this.#claimed) ===
          JOB_STATE.QUEUED
      ) {
        this.#block[this.#blockLength++] = index;
        this.#probe?.("claimed-one");
      }
    }
    return this.#settleClaim();
  }

  /** After a claim: a slot retired meanwhile hands the block straight back. */
  #settleClaim(): boolean {
    this.#blockStartMs = epochMs();
    if (this.#blockLength > 0 && this.retired) {
      this.release();
      return false;
    }
    return this.#blockLength > 0;
  }

  /** Looks for requeued jobs (below the cursor) once per epoch. */
  #claimRequeued(): boolean {
    const view = this.#view;
    const epoch = atomicLoad(view.header, HEADER.EPOCH_I32);
    if (epoch === this.#scannedEpoch) return false;
    this.#scannedEpoch = epoch;
    const limit = min(view.jobCount, atomicLoad(view.header, HEADER.CLAIM_CURSOR_I32));
    const want = max(1, this.#nextClaimSize());
    for (
      let index = atomicLoad(view.header, HEADER.SCAN_FROM_INDEX_I32);
      index < limit && this.#blockLength < want;
      index++
    ) {
      if (
        atomicLoad(view.state, index) === JOB_STATE.QUEUED &&
        atomicCompareExchange(view.state, index, JOB_STATE.QUEUED, this.#claimed) ===
          JOB_STATE.QUEUED
      ) {
        this.#block[this.#blockLength++] = index;
      }
    }
    if (this.#blockLength > 0) {
      // More may be left: look again at once rather than waiting for the next epoch.
      this.#scannedEpoch = -1;
    }
    return this.#settleClaim();
  }
}
