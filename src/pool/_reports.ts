/**
 * A worker's reports to the main thread: batched (by count, age and output bytes), and held
 * back while the main thread has not read enough of the ones already posted. Its own copies of
 * `postMessage`, `performance.now` and `Atomics`, taken when the worker entry loads it (before
 * any job code runs in the thread). Private to `src/pool/`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { type JobReport, serializeError, type WorkerToMain } from "./protocol.ts";
import { outputBytes } from "./_output_bytes.ts";

const postToMain: (message: WorkerToMain) => void = self.postMessage.bind(self);
const now = performance.now.bind(performance);
const { load: atomicLoad, wait: atomicWait } = Atomics;

function post(message: WorkerToMain): void {
  postToMain(message);
}

// Reports of a drain not yet posted: sent in batches, never one message per job.
let pending: JobReport[] = [];
let pendingSinceMs = 0;
let pendingBytes = 0;
/** Adds a job's report to the batch; posts the batch once its outputs reach the byte bound. */
export function report(entry: JobReport): void {
  if (pending.length === 0) pendingSinceMs = now();
  // Not `push`: a job may have replaced `Array.prototype.push` (and reports would vanish).
  pending[pending.length] = entry;
  pendingBytes += outputBytes(entry.output);
  if (pendingBytes >= REPORT_BATCH_BYTES) flushReports();
}
/** Post a batch once it holds this many reports, or is this old (milliseconds). */
const REPORT_BATCH_JOBS = 256;
export const REPORT_BATCH_MS = 5;
/**
 * Post a batch at once when its outputs reach about this many bytes (`outputBytes`): one
 * message never carries 256 large outputs.
 */
const REPORT_BATCH_BYTES = 4 * 1024 * 1024;
/**
 * Stop and wait while the reports posted and not yet read by the main thread hold more
 * output than this: a worker that returns large outputs faster than the main thread reads
 * them would otherwise pile its messages up in the sweep process (3,000 outputs of 1 MB on
 * 2 workers peaked at 1.5 GB). Small outputs never wait.
 */
const UNREAD_REPORT_BYTES = 16 * 1024 * 1024;
/** The longest wait for the main thread to read, in milliseconds: past it, post anyway. */
const UNREAD_WAIT_MS = 2000;

// The `reports` messages the main thread has read (raised by one per message), and the
// output bytes of each one posted since the oldest unread, oldest first.
let reportsRead: Int32Array | undefined;
let cancelWord: Int32Array | undefined;

/**
 * From `init` on: `read` counts the `reports` messages the main thread has read, and a raised
 * `cancelFlag` ends a wait for it at once.
 */
export function watchReading(read: Int32Array, cancelFlag: Int32Array): void {
  reportsRead = read;
  cancelWord = cancelFlag;
}
let unreadSizes: number[] = [];
let unreadHead = 0;
let unreadFirst = 0;
let unreadBytes = 0;

function postReports(reports: JobReport[], bytes: number): void {
  post({ type: "reports", reports });
  unreadSizes[unreadSizes.length] = bytes;
  unreadBytes += bytes;
  if (unreadBytes > UNREAD_REPORT_BYTES) waitForReading();
}

/** Forgets the messages the main thread has read since last asked. */
function countRead(): void {
  const read = atomicLoad(reportsRead!, 0);
  while (unreadHead < unreadSizes.length && ((read - unreadFirst) | 0) > 0) {
    unreadBytes -= unreadSizes[unreadHead++];
    unreadFirst = (unreadFirst + 1) | 0;
  }
  if (unreadHead === unreadSizes.length) {
    unreadSizes = [];
    unreadHead = 0;
  }
}

/** Waits until the main thread has read enough, a job is asked to stop, or the wait is long. */
function waitForReading(): void {
  if (!reportsRead) return;
  countRead();
  let since = now();
  while (unreadBytes > UNREAD_REPORT_BYTES && now() - since < UNREAD_WAIT_MS) {
    if (cancelWord && atomicLoad(cancelWord, 0) !== 0) return;
    const before = unreadBytes;
    atomicWait(reportsRead, 0, atomicLoad(reportsRead, 0), 50);
    countRead();
    if (unreadBytes < before) since = now();
  }
}

/** Posts every pending report now (one message, or one per report when one cannot be cloned). */
export function flushReports(): void {
  if (pending.length === 0) return;
  const reports = pending;
  const bytes = pendingBytes;
  pending = [];
  pendingBytes = 0;
  try {
    postReports(reports, bytes);
  } catch {
    // An output that cannot be cloned (a function, a socket): send the batch one
    // report at a time, failing each job whose output will not cross.
    // A counted loop, not `for…of`: a job may have replaced the array iterator's `next`.
    for (let i = 0; i < reports.length; i++) {
      const report = reports[i];
      try {
        postReports([report], outputBytes(report.output));
      } catch (error) {
        const unsent = { index: report.index, error: serializeError(error, { stack: false }) };
        postReports([unsent], 0);
      }
    }
  }
}

/** Posts the pending reports once there are enough of them or the oldest is old enough. */
export function flushIfDue(): void {
  if (
    pending.length > 0 &&
    (pending.length >= REPORT_BATCH_JOBS || now() - pendingSinceMs >= REPORT_BATCH_MS)
  ) {
    flushReports();
  }
}

/** Posts the next report at once, even if the batch is young: a long job just ended. */
export function flushBeforeNextJob(): void {
  pendingSinceMs = -Infinity;
}
