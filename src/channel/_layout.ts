/**
 * The shared job channel's layout: header words, state words and record
 * columns in one `SharedArrayBuffer`, the helper that creates it and the one
 * that views it on either side. Private to `src/channel/`: import `mod.ts`.
 *
 * @module
 */

// Taken at load: a worker views the channel after its job module has loaded, and a job may
// replace `Math.ceil`.
const { ceil } = Math;

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
  /** How many first jobs were dealt one per slot before the start (`ChannelMain.dealFirstJobs`). */
  DEALT_JOBS_I32: 6,
  /** The largest claim, in jobs (set at creation; `CLAIM_POLICY.MAX_CLAIM_JOBS` by default). */
  MAX_CLAIM_I32: 7,
  /** The next index no block has claimed yet (may run past the job count). */
  CLAIM_CURSOR_I32: 16,
  /**
   * Jobs committed by workers, added once per block: a wake-up word the main
   * thread waits on, not a count it trusts (a worker that dies between a
   * commit and its add takes the add with it). The main thread counts final
   * states itself (`ChannelWatcher`).
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
  /** Done with a number for output, committed by its worker: the `output` column holds it. */
  DONE_NUMBER: 7,
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
  return state >= JOB_STATE.DONE && state <= JOB_STATE.DONE_NUMBER;
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
  /** A numeric output, `Float64Array` of the job count (read for `DONE_NUMBER` jobs only). */
  outputOffsetBytes: number;
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
  const startMsOffsetBytes = ceil((retiredOffsetBytes + slotCapacity * 4) / 8) * 8;
  const runMsOffsetBytes = startMsOffsetBytes + jobCount * 8;
  const outputOffsetBytes = runMsOffsetBytes + jobCount * 8;
  return {
    stateOffsetBytes,
    slotOffsetBytes,
    retiredOffsetBytes,
    startMsOffsetBytes,
    runMsOffsetBytes,
    outputOffsetBytes,
    totalBytes: outputOffsetBytes + jobCount * 8,
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
  /** A job's numeric output (valid when its state is `DONE_NUMBER`). */
  readonly output: Float64Array;
}

/**
 * Creates a channel of `jobCount` queued jobs.
 *
 * @param jobCount How many jobs (1 to 2^30).
 * @param slotCapacity How many worker incarnations the step may use (1 to 2^24).
 * @param maxClaimJobs The largest claim a worker may take, in jobs (1 claims one job at a time).
 * @returns The views; post `view.buffer` to the workers.
 * @throws {RangeError} If a count is out of range.
 *
 * @example A channel of three jobs
 * ```ts
 * import { createJobChannel, HEADER, JOB_STATE } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const channel = createJobChannel(3, 2);
 * assert.equal(channel.header[HEADER.JOB_COUNT_I32], 3);
 * assert.deepEqual([...channel.state], [JOB_STATE.QUEUED, JOB_STATE.QUEUED, JOB_STATE.QUEUED]);
 * ```
 */
export function createJobChannel(
  jobCount: number,
  slotCapacity: number,
  maxClaimJobs: number = CLAIM_POLICY.MAX_CLAIM_JOBS,
): JobChannelView {
  if (!Number.isSafeInteger(maxClaimJobs) || maxClaimJobs < 1) {
    throw new RangeError(
      `Cannot create job channel: maxClaimJobs must be a positive integer, received ${maxClaimJobs}`,
    );
  }
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
  header[HEADER.MAX_CLAIM_I32] = maxClaimJobs;
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
    output: new Float64Array(buffer, layout.outputOffsetBytes, jobCount),
  };
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
