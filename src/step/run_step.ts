/**
 * One sweep step: a shared-memory channel of jobs (`src/channel/`) that
 * every worker claims from itself, as goroutines range over a channel; the
 * records it leaves are turned into a {@linkcode StepResult} after the step.
 *
 * @module
 */
import type { JobReport } from "../pool/protocol.ts";
import type { DrainEnd, PoolWorker } from "../pool/pool_worker.ts";
import type { WorkerPool } from "../pool/worker_pool.ts";
import {
  bumpEpoch,
  ChannelWatcher,
  closeJobChannel,
  createJobChannel,
  dealFirstJobs,
  HEADER,
  isFinal,
  JOB_STATE,
  type JobChannelView,
  lowerScanFrom,
  reclaimOrphan,
  reclaimSlot,
  retireSlot,
  slotState,
  stateSlot,
  stateTag,
} from "../channel/mod.ts";
import { nowMs, StepRecords } from "./_results.ts";
import { JobIds } from "./job_ids.ts";
import { errorRecord, WorkerCrashError } from "../errors.ts";
import type { StepResult, SweepEventHandler } from "../types.ts";

const WORKER_CRASH = new WorkerCrashError("").name;

/** Options for {@linkcode runStep}. */
export interface RunStepOptions {
  /** How many jobs to run. */
  jobCount: number;
  /** Stops the step: running jobs are cancelled and the rest reported cancelled. */
  signal?: AbortSignal;
  /** Receives the step's events: `step-progress` while it runs, and the job events (see `jobEvents`). */
  onEvent?: SweepEventHandler;
  /**
   * Whether `onEvent` receives an event per job (`job-allocated`, `job-started`,
   * `job-finished`); default `true`. Each makes a {@linkcode JobResult}: leave
   * them off for millions of jobs unless something reads them (a DEBUG log).
   */
  jobEvents?: boolean;
  /** How often to sample the process RSS, in milliseconds. */
  rssSampleMs?: number;
  /**
   * How many jobs each worker keeps in flight (default 1: one at a time). A job that returns a
   * promise stays in flight while the worker starts the next; a synchronous job runs to
   * completion first, so more in flight changes nothing for it.
   */
  concurrency?: number;
  /** Cancel a job that runs longer than this and count it failed ("timed out"), in milliseconds. */
  jobTimeoutMs?: number;
  /** The job kind's name, used in error messages. */
  jobName?: string;
  /**
   * The largest claim a worker takes, in jobs (default 4,096; claims adapt to the job length below
   * it). 1 takes jobs one at a time, as a receive on a Go channel does: for comparing the policy.
   */
  maxClaimJobs?: number;
}

/** How long the main thread waits for a wake-up before it looks anyway, in milliseconds. */
const TICK_MS = 20;
/** The longest the main thread spends on job events per look while the step runs, in ms. */
const EVENT_BUDGET_MS = 2;
/** How often, at most, a `step-progress` event goes out while the step runs, in milliseconds. */
const PROGRESS_EVENT_MS = 100;
/** How long a job that was asked to stop (a timeout) may take before its worker is closed, in ms. */
const CANCEL_GRACE_MS = 250;

interface Slot {
  worker: PoolWorker;
  ended: boolean;
}

// The per-job event flags the main thread keeps (one byte per job).
const STARTED_SEEN = 1;
const QUEUED_SEEN = 2;
const ORPHAN_SEEN = 4;

/**
 * Runs a batch of `jobCount` jobs through a ready pool and collects the results.
 * Every job comes back exactly once, as done, failed or cancelled.
 *
 * @param pool A pool whose workers are ready.
 * @param options Job count, signal and event handler.
 * @returns The step's timings and every job's result.
 * @throws {RangeError} If `jobCount` is not a positive integer.
 * @throws {Error} (as a rejection) If the pool is closed or already running a step.
 *
 * @example Run four sleep jobs on two workers
 * ```ts ignore
 * import { WorkerPool } from "../pool/worker_pool.ts";
 * import { runStep } from "./run_step.ts";
 *
 * await using pool = new WorkerPool({ size: 2, jobKind: "sleep", params: { sleepMs: 50 } });
 * await pool.ready();
 * const step = await runStep(pool, { jobCount: 4 });
 * console.log(step.completed, step.seconds); // 4, ~0.1
 * ```
 */
export async function runStep(pool: WorkerPool, options: RunStepOptions): Promise<StepResult> {
  const { jobCount } = options;
  if (!Number.isSafeInteger(jobCount) || jobCount < 1) {
    throw new RangeError(
      `Cannot run step: jobCount must be a positive integer, received ${jobCount}`,
    );
  }
  const { concurrency = 1 } = options;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `Cannot run step: concurrency must be a positive integer, received ${concurrency}`,
    );
  }
  const endStep = pool.beginStep();
  try {
    return await runClaimedStep(pool, options);
  } finally {
    endStep();
  }
}

async function runClaimedStep(pool: WorkerPool, options: RunStepOptions): Promise<StepResult> {
  const { jobCount, signal } = options;
  const onStepEvent = options.onEvent;
  const onEvent = options.jobEvents === false ? undefined : onStepEvent;
  const jobName = options.jobName ?? "job";
  // One slot per worker incarnation: the first workers, then room for replacements.
  const channel: JobChannelView = createJobChannel(
    jobCount,
    pool.size * 2 + 64,
    options.maxClaimJobs,
  );

  let peakRssBytes = Deno.memoryUsage().rss;
  const sampleRss = () => {
    peakRssBytes = Math.max(peakRssBytes, Deno.memoryUsage().rss);
  };
  // Also keeps the event loop alive: a pending Atomics.waitAsync does not.
  const rssTimer = setInterval(sampleRss, options.rssSampleMs ?? 20);

  const jobIds = new JobIds();
  if (onEvent) {
    for (let index = 0; index < jobCount; index++) {
      onEvent({ type: "job-allocated", jobNumber: index + 1, jobId: jobIds.of(index) });
    }
  }

  const timedOut = new Set<number>();
  const seen = new Uint8Array(jobCount);
  const slots: Slot[] = [];
  const endings: Promise<void>[] = [];
  let live = 0;
  let aborted = false;

  const label = (index: number) => `Job ${index + 1} (${jobName})`;
  const workerIdOf = (slot: number) => slot >= 0 ? slots[slot]?.worker.id ?? "" : "";
  // The jobs the main thread settles itself, the reports' outputs, and the results built from them.
  const records = new StepRecords({
    channel,
    jobIds,
    workerIdOf,
    label,
    jobTimeoutMs: options.jobTimeoutMs,
  });

  /**
   * Settles every job not yet final that nobody is running: cancelled (abort) or failed. One
   * state word each and no record (millions may be queued when Ctrl-C comes).
   */
  const settleUnstarted = (status: "failed" | "cancelled") => {
    const final = status === "cancelled"
      ? JOB_STATE.UNSTARTED_CANCELLED
      : JOB_STATE.UNSTARTED_FAILED;
    records.markUnstarted(status);
    const states = channel.state;
    for (let index = 0; index < jobCount; index++) {
      // One swap for a queued job (the millions an abort finds); a claimed one may take more.
      let state = Atomics.compareExchange(states, index, JOB_STATE.QUEUED, final);
      while (state !== JOB_STATE.QUEUED && stateTag(state) === JOB_STATE.CLAIMED_TAG) {
        const seen = Atomics.compareExchange(states, index, state, final);
        if (seen === state) break;
        state = seen;
      }
    }
    watcher.includeAll();
  };
  const onReports = (reports: JobReport[]) => {
    for (const report of reports) records.settleReport(report, timedOut.has(report.index));
    wake();
  };

  const wake = () => Atomics.notify(channel.header, HEADER.PROGRESS_I32);

  /** A slot's worker died or stopped: retire it, requeue its claims, fail what it ran. */
  const endSlot = (slot: number, end: DrainEnd) => {
    const entry = slots[slot];
    entry.ended = true;
    live--;
    Atomics.store(channel.header, HEADER.LIVE_WORKERS_I32, Math.max(1, live));
    if (end.type === "drained" && !end.trapped && channel.header[HEADER.CLOSED_I32] === 1) {
      // It left because the channel closed, after handing back its claims itself.
      retireSlot(channel, slot);
    } else {
      reclaimSlot(channel, slot, (index, state) => {
        const reported = stateTag(state) === JOB_STATE.REPORTED_TAG;
        if (end.type === "drained" && !reported) return;
        const timeout = timedOut.has(index);
        const cancelled = !timeout &&
          (aborted || (end.type === "died" && end.status === "cancelled"));
        const status = cancelled ? "cancelled" : "failed";
        const message = end.type === "died" && !reported
          ? end.error.message
          : `its worker stopped before its report arrived${
            end.type === "died" ? ` (${end.error.message})` : ""
          }`;
        records.settleByMain(
          index,
          state,
          status,
          timeout ? records.timeoutError(index) : {
            name: end.type === "died" ? end.error.name : WORKER_CRASH,
            message: `${label(index)} ${status}: ${message}`,
          },
        );
      });
    }
    const replace = end.type === "died" || end.trapped;
    if (replace && !aborted) {
      const dead = entry.worker;
      endings.push(
        pool.replace(dead).then((worker) => {
          onEvent?.({ type: "worker-replaced", oldWorkerId: dead.id, workerId: worker.id });
          if (slots.length < channel.slotCapacity && !aborted) startSlot(worker);
        }, (error) => {
          const reason = error instanceof Error ? error.message : String(error);
          onEvent?.({ type: "worker-lost", workerId: dead.id, reason });
        }).finally(() => {
          if (live === 0 && !allFinal()) {
            settleUnstarted(aborted ? "cancelled" : "failed");
          }
          wake();
        }),
      );
    }
    if (live === 0 && !replace && !allFinal()) {
      settleUnstarted(aborted ? "cancelled" : "failed");
    }
    wake();
  };

  const startSlot = (worker: PoolWorker) => {
    const slot = slots.length;
    slots.push({ worker, ended: false });
    live++;
    Atomics.store(channel.header, HEADER.LIVE_WORKERS_I32, live);
    endings.push(
      worker.drain(channel.buffer, slot, onReports, options.concurrency).then((end) =>
        endSlot(slot, end)
      ),
    );
  };

  // Counts final states itself (the progress word is only a wake-up hint) and
  // looks at each open job: DEBUG events, timeouts, jobs of retired slots.
  const watcher = new ChannelWatcher(channel);
  const allFinal = () => watcher.poll(onFinal, onOpen) >= jobCount;
  let offer = false;
  let now = 0;
  const started = (index: number, state: number) => {
    if (!onEvent || seen[index] & STARTED_SEEN) return;
    if (state === JOB_STATE.UNSTARTED_CANCELLED || state === JOB_STATE.UNSTARTED_FAILED) return;
    const record = state === JOB_STATE.SETTLED ? records.settled(index) : undefined;
    // While open, the state word names the slot (its column may not be written yet).
    const slot = record ? record.slot : isFinal(state) ? channel.slot[index] : stateSlot(state);
    if (slot < 0 || (!record && !isFinal(state) && stateTag(state) < JOB_STATE.RUNNING_TAG)) {
      return;
    }
    seen[index] |= STARTED_SEEN;
    onEvent({
      type: "job-started",
      jobNumber: index + 1,
      jobCount,
      jobId: jobIds.of(index),
      workerId: workerIdOf(slot),
    });
  };
  // Finished jobs wait here for their events, which each look spends at most
  // EVENT_BUDGET_MS on (the rest after the step): the main thread must not take
  // the workers' CPU while the step is timed, and a DEBUG log of millions of
  // jobs is written after the fact anyway.
  let finishedQueue: number[] = [];
  let finishedHead = 0;
  const onFinal = (index: number) => {
    if (onEvent) finishedQueue.push(index);
  };
  const emitFinished = (budgetMs: number) => {
    if (!onEvent) return;
    const until = performance.now() + budgetMs;
    while (finishedHead < finishedQueue.length) {
      const index = finishedQueue[finishedHead++];
      started(index, channel.state[index]);
      onEvent({ type: "job-finished", jobCount, job: records.resultOf(index) });
      if ((finishedHead & 127) === 0 && performance.now() > until) return;
    }
    finishedQueue = [];
    finishedHead = 0;
  };
  // The highest job seen running, for the progress events.
  let lastStarted = -1;
  let lastProgressMs = -Infinity;
  let firstStartSent = false;
  const progress = (settled: number, force: boolean) => {
    if (!onStepEvent) return;
    // The first job seen running is sent at once: a crash log then names it.
    const firstStart = !firstStartSent && lastStarted >= 0;
    if (!force && !firstStart && now - lastProgressMs < PROGRESS_EVENT_MS) return;
    firstStartSent ||= lastStarted >= 0;
    lastProgressMs = now;
    onStepEvent({
      type: "step-progress",
      settled,
      jobCount,
      lastStartedJobNumber: lastStarted < 0 ? undefined : lastStarted + 1,
    });
  };
  const onOpen = (index: number, state: number) => {
    started(index, state);
    const tag = stateTag(state);
    if (tag >= JOB_STATE.RUNNING_TAG && index > lastStarted) lastStarted = index;
    if (state === JOB_STATE.QUEUED) {
      // Queued below the cursor on two looks: its claimer died mid-claim. Offer it.
      if (seen[index] & QUEUED_SEEN) {
        lowerScanFrom(channel, index);
        offer = true;
      }
      seen[index] |= QUEUED_SEEN;
      return;
    }
    // A retired thread that claimed or started a job after its retirement, then stopped.
    const orphan = reclaimOrphan(channel, index, state, (index, state) => {
      if (stateTag(state) === JOB_STATE.REPORTED_TAG && !(seen[index] & ORPHAN_SEEN)) {
        seen[index] |= ORPHAN_SEEN; // Its report may still be on its way: look once more.
        return;
      }
      records.settleByMain(
        index,
        state,
        "failed",
        errorRecord(new WorkerCrashError(`${label(index)} failed: its worker was retired`)),
      );
    });
    if (orphan) return;
    const slot = stateSlot(state);
    if (
      tag === JOB_STATE.RUNNING_TAG && options.jobTimeoutMs !== undefined &&
      channel.startMs[index] >= startMs && now - channel.startMs[index] > options.jobTimeoutMs
    ) {
      const cancelling = slotState(JOB_STATE.CANCELLING_TAG, slot);
      if (Atomics.compareExchange(channel.state, index, state, cancelling) === state) {
        timedOut.add(index);
        const worker = slots[slot].worker;
        worker.raiseCancel();
        const timer = setTimeout(() => {
          if (Atomics.load(channel.state, index) === cancelling) worker.close();
        }, CANCEL_GRACE_MS);
        Deno.unrefTimer(timer);
      }
    }
  };
  const tick = (): boolean => {
    now = nowMs();
    offer = false;
    const finished = allFinal();
    if (offer) bumpEpoch(channel);
    emitFinished(EVENT_BUDGET_MS);
    progress(watcher.finalCount, finished);
    return finished;
  };

  const onAbort = () => {
    if (aborted) return;
    aborted = true;
    closeJobChannel(channel);
    pool.cancel();
    settleUnstarted("cancelled");
    wake();
  };

  // The step's clock starts as the first job is handed out, after allocation.
  const startMs = nowMs();
  records.startMs = startMs;
  Atomics.store(channel.header, HEADER.LIVE_WORKERS_I32, pool.size);
  dealFirstJobs(channel, pool.size);
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) onAbort();
  for (const worker of pool.workers) startSlot(worker);

  // Wait on the progress word; workers notify it in batches, and the timeout
  // keeps timeouts, DEBUG lines and the retired-slot rules going.
  for (;;) {
    const progress = Atomics.load(channel.header, HEADER.PROGRESS_I32);
    if (tick()) break;
    const waiting = Atomics.waitAsync(channel.header, HEADER.PROGRESS_I32, progress, TICK_MS);
    if (waiting.async) await waiting.value;
    else await new Promise((resolve) => setTimeout(resolve, 0));
  }
  records.endMs = nowMs();
  closeJobChannel(channel);
  emitFinished(Infinity);
  // Every drain (and any replacement under way) ends now that the channel is closed.
  for (let settledCount = 0; settledCount < endings.length;) {
    const batch = endings.slice(settledCount);
    settledCount = endings.length;
    await Promise.all(batch);
  }
  clearInterval(rssTimer);
  sampleRss();
  signal?.removeEventListener("abort", onAbort);

  return { ...records.stepResult(pool.size, peakRssBytes), concurrency: options.concurrency ?? 1 };
}
