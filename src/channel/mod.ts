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
 * The main thread does all of its part through {@linkcode ChannelMain} (deal,
 * close, retire, reclaim, settle, ask to stop, read a state word by name), so
 * that no state word arithmetic or compare-and-swap lives outside this folder;
 * a worker does its part through {@linkcode ChannelClaimer}.
 *
 * ## Claim policy
 *
 * A worker claims a block of consecutive indices with one `Atomics.add` on the
 * claim cursor, then marks each `CLAIMED(slot)`. The block size is chosen per
 * claim, by the worker, from what it measured:
 *
 * - before the start, the main thread deals job `i` to slot `i` for each
 *   starting worker ({@linkcode ChannelMain.dealFirstJobs}), so every worker runs one even
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
 * on the progress word ({@linkcode ChannelMain.waitForProgress}). Workers add to it once per block (not per job) and
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
// What src/step/ (ChannelMain), src/pool/worker_entry.ts (the claimer's side) and the
// channel's tests use; the rest of the layout stays private to this folder.
export {
  channelLayout,
  CLAIM_POLICY,
  createJobChannel,
  HEADER,
  isFinal,
  JOB_STATE,
  type JobChannelView,
  slotState,
  viewJobChannel,
} from "./_layout.ts";
export { ChannelClaimer, CLAIM_END, CLAIM_NONE, type ClaimPoint } from "./_claimer.ts";
export { ChannelMain, type JobEnd } from "./_main.ts";
export { ChannelWatcher } from "./_watcher.ts";
