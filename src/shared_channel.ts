/**
 * The cross-thread jobs channel: a batch of job indices and their records in
 * one `SharedArrayBuffer`, from which workers claim jobs themselves with
 * `Atomics`, as goroutines range over a Go channel. The in-thread model is
 * {@linkcode Channel} in `channel.ts`; this is its twin across workers.
 *
 * ## Ownership
 *
 * Every job has one state word, changed only by `Atomics.compareExchange`:
 *
 * ```
 * QUEUED -> CLAIMED(slot) -> RUNNING(slot) -> DONE | FAILED | CANCELLED      (worker commits)
 *                                          -> REPORTED(slot) -> settled      (main commits a report)
 *                         RUNNING(slot) -> CANCELLING(slot)                  (main: timeout)
 * CLAIMED(slot of a retired worker) -> QUEUED                                (main: requeue)
 * any non-terminal -> SETTLED                                                (main: death, timeout)
 * QUEUED | CLAIMED(slot) -> UNSTARTED_CANCELLED | UNSTARTED_FAILED           (main: abort, no worker)
 * ```
 *
 * A worker is known by its slot (one per worker incarnation in a step). Only
 * the compare-and-swap that wins owns the job, so a worker that dies at any
 * instruction leaves each of its jobs in a state the main thread can read:
 * CLAIMED jobs go back to the queue, RUNNING ones fail. A worker retired after
 * a timeout whose thread keeps running (`terminate()` cannot stop a busy
 * worker in Deno 2.9) finds its retired flag raised before every claim and
 * every record write, and its compare-and-swaps fail on jobs given to others.
 * A job that the main thread settled (`SETTLED`) keeps its record on the main
 * thread, so a stray late write by a retired thread to that job's columns is
 * never read.
 *
 * ## Claim policy
 *
 * A worker claims a block of consecutive indices with one `Atomics.add` on the
 * claim cursor, then marks each `CLAIMED(slot)`. The block size is chosen per
 * claim, by the worker, from what it measured:
 *
 * - before the start, the main thread deals job `i` to slot `i` for each
 *   starting worker ({@linkcode dealFirstJobs}), so every worker runs one even
 *   if it starts late; a worker's first claim then takes 1 job (nothing is
 *   measured yet);
 * - then `TARGET_CLAIM_MS / meanJobMs` jobs, so a claim holds about 1 ms of
 *   work: a 1 µs job is claimed ~1,000 at a time (one contended `Atomics.add`
 *   per 1,000 jobs) and a 1 s job one at a time (no worker sits on a second
 *   1 s job while another is idle); the mean is a moving average over blocks;
 * - it at most doubles from one claim to the next and never exceeds
 *   `MAX_CLAIM_JOBS`;
 * - near the end it shrinks to `ceil(remaining / (liveWorkers × TAIL_SHARES))`
 *   so the last jobs are spread over every worker and none is left with a
 *   long tail of claimed jobs while the others idle.
 *
 * ## Wake-ups
 *
 * The main thread only ever waits with `Atomics.waitAsync` (with a timeout)
 * on the progress word. Workers add to it once per block (not per job) and
 * notify it when their add reaches the job count, or when `NOTIFY_INTERVAL_MS`
 * has passed since their last notification (so progress and DEBUG lines stay
 * live, including a long job's start); never once per job. The word is only a
 * wake-up: the main thread counts final state words itself
 * ({@linkcode ChannelWatcher}), since a worker that dies between a commit and
 * its add takes the add with it. Idle workers wait on the epoch word with a
 * timeout; the main thread bumps and notifies it when it requeues jobs or
 * closes the channel. Every `Atomics.wait` here has a timeout.
 *
 * @module
 */

/** Header words (`Int32Array` indices). Hot words sit on cache lines of their own. */
export const HEADER = {
  /** How many jobs the batch has. */
  JOB_COUNT_I32: 0,
  /** How many worker slots the buffer has room for. */
  SLOT_CAPACITY_I32: 1,
  /** 1 once the channel is closed: no more claims. */
  CLOSED_I32: 2,
  /** How many workers are claiming now (for the tail rule); set by the main thread. */
  LIVE_WORKERS_I32: 3,
  /** Bumped (and notified) when jobs are requeued or the channel closes; idle workers wait on it. */
  EPOCH_I32: 4,
  /** Lowest index a worker should scan from for requeued jobs. */
  SCAN_FROM_INDEX_I32: 5,
  /** How many first jobs were dealt one per slot before the start ({@linkcode dealFirstJobs}). */
  DEALT_JOBS_I32: 6,
  /** The next index no block has claimed yet (may run past the job count). */
  CLAIM_CURSOR_I32: 16,
  /**
   * Jobs committed by workers, added once per block: a wake-up word the main
   * thread waits on, not a count it trusts (a worker that dies between a
   * commit and its add takes the add with it). The main thread counts final
   * states itself ({@linkcode ChannelWatcher}).
   */
  PROGRESS_I32: 32,
} as const;

/** The header's size, in bytes (three 64-byte cache lines). */
export const HEADER_BYTES = 48 * 4;

/** Claim policy and notification constants (see the module doc). */
export const CLAIM_POLICY = {
  /** About how much work one claim holds, in milliseconds. */
  TARGET_CLAIM_MS: 1,
  /** The largest claim, in jobs. */
  MAX_CLAIM_JOBS: 4096,
  /** Near the end, a claim is at most remaining / (live workers × this). */
  TAIL_SHARES: 4,
  /** A worker notifies the main thread at most this often (besides the last job), in milliseconds. */
  NOTIFY_INTERVAL_MS: 5,
  /** How long an idle worker waits before looking again, in milliseconds. */
  IDLE_WAIT_MS: 50,
} as const;

/** A job's state word: terminal values, and tags (high byte) over a slot (low 24 bits). */
export const JOB_STATE = {
  QUEUED: 0,
  /** Done, committed by its worker; the shared columns hold its record. */
  DONE: 1,
  /** Failed, committed by its worker. */
  FAILED: 2,
  /** Cancelled, committed by its worker. */
  CANCELLED: 3,
  /** Settled by the main thread, which holds the record (status, times, error). */
  SETTLED: 4,
  /** Never started, cancelled by the main thread (an abort): no record beyond the state. */
  UNSTARTED_CANCELLED: 5,
  /** Never started, failed by the main thread (no worker was left): no record beyond the state. */
  UNSTARTED_FAILED: 6,
  CLAIMED_TAG: 1,
  RUNNING_TAG: 2,
  /** The main thread asked the job to stop (a timeout); its worker acknowledges. */
  CANCELLING_TAG: 3,
  /** The worker finished it and posted a report (output, error); the main thread settles it. */
  REPORTED_TAG: 4,
} as const;

const SLOT_MASK = 0xff_ffff;

/** The state word for `tag` held by `slot`. */
export function slotState(tag: number, slot: number): number {
  return (tag << 24) | slot;
}

/** The tag of a state word (0 for the untagged states). */
export function stateTag(state: number): number {
  return state >>> 24;
}

/** The slot of a tagged state word. */
export function stateSlot(state: number): number {
  return state & SLOT_MASK;
}

/** Whether a state word is final. */
export function isFinal(state: number): boolean {
  return state >= JOB_STATE.DONE && state <= JOB_STATE.UNSTARTED_FAILED;
}

/** Byte offsets of each section, for a job count and slot capacity. */
export interface ChannelLayout {
  /** Job states, `Int32Array` of the job count. */
  stateOffsetBytes: number;
  /** The slot that ran each job, `Int32Array` of the job count. */
  slotOffsetBytes: number;
  /** Retired flag per slot, `Int32Array` of the slot capacity. */
  retiredOffsetBytes: number;
  /** Job start, epoch milliseconds, `Float64Array` of the job count. */
  startMsOffsetBytes: number;
  /** Job run time, milliseconds, `Float64Array` of the job count. */
  runMsOffsetBytes: number;
  /** The whole buffer. */
  totalBytes: number;
}

/**
 * Computes where each section lies.
 *
 * @param jobCount How many jobs.
 * @param slotCapacity How many worker slots.
 * @returns The byte offsets and total size.
 */
export function channelLayout(jobCount: number, slotCapacity: number): ChannelLayout {
  const stateOffsetBytes = HEADER_BYTES;
  const slotOffsetBytes = stateOffsetBytes + jobCount * 4;
  const retiredOffsetBytes = slotOffsetBytes + jobCount * 4;
  const startMsOffsetBytes = Math.ceil((retiredOffsetBytes + slotCapacity * 4) / 8) * 8;
  const runMsOffsetBytes = startMsOffsetBytes + jobCount * 8;
  return {
    stateOffsetBytes,
    slotOffsetBytes,
    retiredOffsetBytes,
    startMsOffsetBytes,
    runMsOffsetBytes,
    totalBytes: runMsOffsetBytes + jobCount * 8,
  };
}

/** Typed views of one channel buffer, the same on either side. */
export interface JobChannelView {
  /** The buffer itself (post it to workers). */
  readonly buffer: SharedArrayBuffer;
  /** How many jobs. */
  readonly jobCount: number;
  /** How many worker slots. */
  readonly slotCapacity: number;
  /** Header words ({@linkcode HEADER}). */
  readonly header: Int32Array;
  /** One state word per job ({@linkcode JOB_STATE}). */
  readonly state: Int32Array;
  /** The slot that started each job. */
  readonly slot: Int32Array;
  /** 1 for a retired slot. */
  readonly retired: Int32Array;
  /** Job start, epoch milliseconds. */
  readonly startMs: Float64Array;
  /** Job run time inside the worker, milliseconds. */
  readonly runMs: Float64Array;
}

/**
 * Creates a channel of `jobCount` queued jobs.
 *
 * @param jobCount How many jobs (1 to 2^30).
 * @param slotCapacity How many worker incarnations the step may use (1 to 2^24).
 * @returns The views; post `view.buffer` to the workers.
 * @throws {RangeError} If a count is out of range.
 *
 * @example A channel of three jobs
 * ```ts
 * import { createJobChannel, HEADER, JOB_STATE } from "./shared_channel.ts";
 * import assert from "node:assert/strict";
 *
 * const channel = createJobChannel(3, 2);
 * assert.equal(channel.header[HEADER.JOB_COUNT_I32], 3);
 * assert.deepEqual([...channel.state], [JOB_STATE.QUEUED, JOB_STATE.QUEUED, JOB_STATE.QUEUED]);
 * ```
 */
export function createJobChannel(jobCount: number, slotCapacity: number): JobChannelView {
  if (!Number.isSafeInteger(jobCount) || jobCount < 1 || jobCount > 2 ** 30) {
    throw new RangeError(
      `Cannot create job channel: jobCount must be an integer from 1 to 2^30, received ${jobCount}`,
    );
  }
  if (!Number.isSafeInteger(slotCapacity) || slotCapacity < 1 || slotCapacity > SLOT_MASK) {
    throw new RangeError(
      `Cannot create job channel: slotCapacity must be an integer from 1 to 2^24-1, received ${slotCapacity}`,
    );
  }
  const buffer = new SharedArrayBuffer(channelLayout(jobCount, slotCapacity).totalBytes);
  const header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  header[HEADER.JOB_COUNT_I32] = jobCount;
  header[HEADER.SLOT_CAPACITY_I32] = slotCapacity;
  // Nothing is requeued yet: the requeue scan starts past the end.
  header[HEADER.SCAN_FROM_INDEX_I32] = jobCount;
  return viewJobChannel(buffer);
}

/**
 * Views a channel buffer made by {@linkcode createJobChannel} (in a worker, or in a test).
 *
 * @param buffer The buffer.
 * @returns The same views the creator has.
 */
export function viewJobChannel(buffer: SharedArrayBuffer): JobChannelView {
  const header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  const jobCount = header[HEADER.JOB_COUNT_I32];
  const slotCapacity = header[HEADER.SLOT_CAPACITY_I32];
  const layout = channelLayout(jobCount, slotCapacity);
  return {
    buffer,
    jobCount,
    slotCapacity,
    header,
    state: new Int32Array(buffer, layout.stateOffsetBytes, jobCount),
    slot: new Int32Array(buffer, layout.slotOffsetBytes, jobCount),
    retired: new Int32Array(buffer, layout.retiredOffsetBytes, slotCapacity),
    startMs: new Float64Array(buffer, layout.startMsOffsetBytes, jobCount),
    runMs: new Float64Array(buffer, layout.runMsOffsetBytes, jobCount),
  };
}

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
  return performance.timeOrigin + performance.now();
}

/**
 * A worker's side of the channel: claims blocks, starts and commits jobs,
 * counts its commits on the progress word and notifies the main thread in batches.
 *
 * @example One claimer drains a channel on one thread
 * ```ts
 * import { ChannelClaimer, CLAIM_NONE, createJobChannel, JOB_STATE } from "./shared_channel.ts";
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
  #block: number[] = [];
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
    if (slot < Atomics.load(view.header, HEADER.DEALT_JOBS_I32)) {
      // Job `slot` was dealt to this slot before the start.
      this.#block = [slot];
      this.#blockStartMs = epochMs();
    }
  }

  /** Whether this slot was retired by the main thread. */
  get retired(): boolean {
    return Atomics.load(this.#view.retired, this.#slot) !== 0;
  }

  /** Whether the channel is closed. */
  get closed(): boolean {
    return Atomics.load(this.#view.header, HEADER.CLOSED_I32) !== 0;
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
    if (this.#blockNext < this.#block.length) return this.#block[this.#blockNext++];
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
      Atomics.compareExchange(view.state, index, this.#claimed, this.#running) !== this.#claimed
    ) {
      return false;
    }
    if (this.retired) {
      // Retired between the check and the swap: hand the job back untouched.
      if (
        Atomics.compareExchange(view.state, index, this.#running, JOB_STATE.QUEUED) ===
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
    if (this.retired) return;
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
    if (this.retired) return Atomics.load(this.#view.state, index);
    this.#view.runMs[index] = runMs;
    this.#probe?.("run-written");
    const found = Atomics.compareExchange(this.#view.state, index, this.#running, status);
    if (found !== this.#running) return found;
    this.#probe?.("committed");
    this.#uncounted++;
    return status;
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
    if (this.retired) return false;
    this.#view.runMs[index] = runMs;
    const reported = slotState(JOB_STATE.REPORTED_TAG, this.#slot);
    return Atomics.compareExchange(this.#view.state, index, from, reported) === from;
  }

  /** Adds this worker's committed jobs to the progress word and notifies when due. */
  flushCompleted(): void {
    const view = this.#view;
    if (this.#uncounted > 0) {
      const total = Atomics.add(view.header, HEADER.PROGRESS_I32, this.#uncounted) +
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
    for (let i = this.#blockNext; i < this.#block.length; i++) {
      const index = this.#block[i];
      if (
        Atomics.compareExchange(view.state, index, this.#claimed, JOB_STATE.QUEUED) ===
          this.#claimed
      ) {
        this.#lowerScanFrom(index);
        released = true;
      }
    }
    this.#block = [];
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
    const epoch = Atomics.load(this.#view.header, HEADER.EPOCH_I32);
    if (epoch !== this.#scannedEpoch || this.closed || this.retired) return;
    Atomics.wait(this.#view.header, HEADER.EPOCH_I32, epoch, timeoutMs);
  }

  #notify(now: number): void {
    this.#lastNotifyMs = now;
    Atomics.notify(this.#view.header, HEADER.PROGRESS_I32);
  }

  #offer(index: number): void {
    this.#lowerScanFrom(index);
    bumpEpoch(this.#view);
  }

  #lowerScanFrom(index: number): void {
    lowerScanFrom(this.#view, index);
  }

  #endBlock(): void {
    const jobs = this.#block.length;
    if (jobs > 0) {
      const perJobMs = (epochMs() - this.#blockStartMs) / jobs;
      this.#meanJobMs = this.#meanJobMs < 0 ? perJobMs : 0.5 * this.#meanJobMs + 0.5 * perJobMs;
    }
    this.flushCompleted();
    this.#block = [];
    this.#blockNext = 0;
  }

  #nextClaimSize(): number {
    const view = this.#view;
    let size: number;
    if (this.#meanJobMs < 0) size = 1;
    else {
      const target = Math.floor(CLAIM_POLICY.TARGET_CLAIM_MS / Math.max(this.#meanJobMs, 1e-6));
      size = Math.min(target, Math.max(1, this.#claimSize) * 2, CLAIM_POLICY.MAX_CLAIM_JOBS);
    }
    const cursor = Atomics.load(view.header, HEADER.CLAIM_CURSOR_I32);
    const live = Math.max(1, Atomics.load(view.header, HEADER.LIVE_WORKERS_I32));
    const tail = Math.ceil(Math.max(0, view.jobCount - cursor) / (live * CLAIM_POLICY.TAIL_SHARES));
    this.#claimSize = Math.max(1, Math.min(size, tail));
    return this.#claimSize;
  }

  #claimFromCursor(): boolean {
    const view = this.#view;
    if (Atomics.load(view.header, HEADER.CLAIM_CURSOR_I32) >= view.jobCount) return false;
    const size = this.#nextClaimSize();
    const start = Atomics.add(view.header, HEADER.CLAIM_CURSOR_I32, size);
    this.#probe?.("cursor-added");
    const end = Math.min(start + size, view.jobCount);
    for (let index = start; index < end; index++) {
      if (
        Atomics.compareExchange(view.state, index, JOB_STATE.QUEUED, this.#claimed) ===
          JOB_STATE.QUEUED
      ) {
        this.#block.push(index);
        this.#probe?.("claimed-one");
      }
    }
    return this.#settleClaim();
  }

  /** After a claim: a slot retired meanwhile hands the block straight back. */
  #settleClaim(): boolean {
    this.#blockStartMs = epochMs();
    if (this.#block.length > 0 && this.retired) {
      this.release();
      return false;
    }
    return this.#block.length > 0;
  }

  /** Looks for requeued jobs (below the cursor) once per epoch. */
  #claimRequeued(): boolean {
    const view = this.#view;
    const epoch = Atomics.load(view.header, HEADER.EPOCH_I32);
    if (epoch === this.#scannedEpoch) return false;
    this.#scannedEpoch = epoch;
    const limit = Math.min(view.jobCount, Atomics.load(view.header, HEADER.CLAIM_CURSOR_I32));
    const want = Math.max(1, this.#nextClaimSize());
    for (
      let index = Atomics.load(view.header, HEADER.SCAN_FROM_INDEX_I32);
      index < limit && this.#block.length < want;
      index++
    ) {
      if (
        Atomics.load(view.state, index) === JOB_STATE.QUEUED &&
        Atomics.compareExchange(view.state, index, JOB_STATE.QUEUED, this.#claimed) ===
          JOB_STATE.QUEUED
      ) {
        this.#block.push(index);
      }
    }
    if (this.#block.length > 0) {
      // More may be left: look again at once rather than waiting for the next epoch.
      this.#scannedEpoch = -1;
    }
    return this.#settleClaim();
  }
}

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

/** Lowers the requeue scan's starting index to `index` (never raises it). */
export function lowerScanFrom(view: JobChannelView, index: number): void {
  for (;;) {
    const current = Atomics.load(view.header, HEADER.SCAN_FROM_INDEX_I32);
    if (current <= index) return;
    if (
      Atomics.compareExchange(view.header, HEADER.SCAN_FROM_INDEX_I32, current, index) === current
    ) return;
  }
}

/** Bumps the epoch and wakes every idle worker. */
export function bumpEpoch(view: JobChannelView): void {
  Atomics.add(view.header, HEADER.EPOCH_I32, 1);
  Atomics.notify(view.header, HEADER.EPOCH_I32);
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
 * import { ChannelClaimer, ChannelWatcher, createJobChannel, JOB_STATE } from "./shared_channel.ts";
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
