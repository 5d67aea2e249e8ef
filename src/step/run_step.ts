/**
 * One sweep step: a shared-memory channel of jobs (`src/channel/`) that
 * every worker claims from itself, as goroutines range over a channel; the
 * records it leaves are turned into a {@linkcode StepResult} after the step.
 * {@linkcode runStep} checks its options and holds the pool for the step;
 * `ClaimedStep` deals the first jobs, watches the channel until every job is
 * final (timeouts, jobs of retired slots, events), settles what a dead worker
 * held, replaces it, and builds the result.
 *
 * @module
 */
import type { JobReport } from "../pool/protocol.ts";
import type { DrainEnd, PoolWorker } from "../pool/pool_worker.ts";
import { beginStep, type WorkerPool } from "../pool/worker_pool.ts";
import { ChannelMain, createJobChannel } from "../channel/mod.ts";
import { nowMs, StepRecords } from "./_results.ts";
import { StepEvents } from "./_step_events.ts";
import { JobIds } from "./job_ids.ts";
import { errorRecord, WorkerCrashError } from "../errors.ts";
import { errorMessage } from "../text.ts";
import type { StepResult, SweepEventHandler } from "../types.ts";

const WORKER_CRASH = WorkerCrashError.name;

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
  /** Whether the step keeps its jobs' outputs, or only their digests; default `true`. */
  keepOutputs?: boolean;
  /** The job kind's name, used in error messages. */
  jobName?: string;
  /**
   * The largest claim a worker takes, in jobs (default 4,096; claims adapt to the job length below
   * it). 1 takes jobs one at a time, as a receive on a Go channel does: for comparing the policy.
   */
  maxClaimJobs?: number;
}

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
  const endStep = beginStep(pool);
  try {
    return await new ClaimedStep(pool, options).run();
  } finally {
    endStep();
  }
}

/** How long the main thread waits for a wake-up before it looks anyway, in milliseconds. */
const TICK_MS = 20;
/** The longest the main thread spends on job events per look while the step runs, in ms. */
const EVENT_BUDGET_MS = 2;
/** How long a job that was asked to stop (a timeout) may take before its worker is closed, in ms. */
const CANCEL_GRACE_MS = 250;

// What the watch has seen of a job, on earlier looks (one byte per job).
const QUEUED_SEEN = 1;
const ORPHAN_SEEN = 2;

/** One worker incarnation of the step. */
interface Slot {
  worker: PoolWorker;
  ended: boolean;
}

/**
 * A step of workers claiming from one shared channel. {@linkcode ClaimedStep.run}
 * once: deal, watch, finish; the workers' ends and reports come in meanwhile.
 */
class ClaimedStep {
  readonly #pool: WorkerPool;
  readonly #options: RunStepOptions;
  readonly #jobCount: number;
  readonly #jobName: string;
  readonly #channel: ChannelMain;
  /** The jobs the main thread settles itself, the reports' outputs, and the results built from them. */
  readonly #records: StepRecords;
  readonly #events: StepEvents;
  readonly #timedOut = new Set<number>();
  readonly #seen: Uint8Array;
  readonly #slots: Slot[] = [];
  /** Every drain and replacement under way; the step ends when all have. */
  readonly #endings: Promise<void>[] = [];
  #live = 0;
  #aborted = false;
  /** Whether this look offered a queued job to the claimers (they are woken once after it). */
  #offer = false;
  /** The current look's clock, epoch milliseconds. */
  #nowMs = 0;
  #peakRssBytes = 0;

  /**
   * @param pool A pool whose workers are ready, in a step of its own.
   * @param options The step's options (`jobCount` already checked).
   */
  constructor(pool: WorkerPool, options: RunStepOptions) {
    this.#pool = pool;
    this.#options = options;
    this.#jobCount = options.jobCount;
    this.#jobName = options.jobName ?? "job";
    // One slot per worker incarnation: the first workers, then room for replacements.
    this.#channel = new ChannelMain(
      createJobChannel(options.jobCount, pool.size * 2 + 64, options.maxClaimJobs),
    );
    this.#seen = new Uint8Array(options.jobCount);
    const jobIds = new JobIds();
    const workerIdOf = (slot: number) => slot >= 0 ? this.#slots[slot]?.worker.id ?? "" : "";
    this.#records = new StepRecords({
      channel: this.#channel,
      jobIds,
      workerIdOf,
      label: (index) => this.#label(index),
      jobTimeoutMs: options.jobTimeoutMs,
      keepOutputs: options.keepOutputs,
    });
    this.#events = new StepEvents({
      channel: this.#channel,
      records: this.#records,
      jobIds,
      workerIdOf,
      onEvent: options.onEvent,
      jobEvents: options.jobEvents,
    });
  }

  /**
   * Runs the step: every job comes back exactly once, as done, failed or cancelled.
   *
   * @returns The step's timings and every job's result.
   */
  async run(): Promise<StepResult> {
    this.#peakRssBytes = Deno.memoryUsage().rss;
    // Also keeps the event loop alive: a pending wait on the progress word does not.
    const rssTimer = setInterval(() => this.#sampleRss(), this.#options.rssSampleMs ?? 20);
    this.#events.allocated();
    this.#deal();
    await this.#watch();
    await this.#finish();
    clearInterval(rssTimer);
    this.#sampleRss();
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    return {
      ...this.#records.stepResult(this.#pool.size, this.#peakRssBytes),
      concurrency: this.#options.concurrency ?? 1,
    };
  }

  #sampleRss(): void {
    this.#peakRssBytes = Math.max(this.#peakRssBytes, Deno.memoryUsage().rss);
  }

  /** A job's name in messages, `Job 3 (pi)`. */
  #label(index: number): string {
    return `Job ${index + 1} (${this.#jobName})`;
  }

  /** Starts the clock, deals one job to each starting worker and starts them all draining. */
  #deal(): void {
    const pool = this.#pool;
    const signal = this.#options.signal;
    // The step's clock starts as the first job is handed out, after allocation.
    this.#records.startMs = nowMs();
    this.#channel.setLiveWorkers(pool.size);
    this.#channel.dealFirstJobs(pool.size);
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    if (signal?.aborted) this.#onAbort();
    for (const worker of pool.workers) this.#startSlot(worker);
  }

  /**
   * Waits on the progress word until every job is final; workers notify it in
   * batches, and the timeout keeps timeouts, DEBUG lines and the retired-slot rules going.
   */
  async #watch(): Promise<void> {
    const channel = this.#channel;
    for (;;) {
      const progress = channel.progress;
      if (this.#tick()) break;
      await channel.waitForProgress(progress, TICK_MS);
    }
  }

  /** Stops the clock, closes the channel, sends the rest of the events and waits for every drain. */
  async #finish(): Promise<void> {
    this.#records.endMs = nowMs();
    this.#channel.close();
    this.#events.sendFinished(Infinity);
    // Every drain (and any replacement under way) ends now that the channel is closed.
    const endings = this.#endings;
    for (let settledCount = 0; settledCount < endings.length;) {
      const batch = endings.slice(settledCount);
      settledCount = endings.length;
      await Promise.all(batch);
    }
  }

  /** One look at the channel; whether every job is final. */
  #tick(): boolean {
    this.#nowMs = nowMs();
    this.#offer = false;
    const finished = this.#allFinal();
    if (this.#offer) this.#channel.wakeIdleWorkers();
    this.#events.sendFinished(EVENT_BUDGET_MS);
    this.#events.progress(this.#nowMs, this.#channel.finalCount, finished);
    return finished;
  }

  /**
   * Counts final states (the progress word is only a wake-up hint) and looks at
   * each open job: events, timeouts, jobs of retired slots.
   */
  #allFinal(): boolean {
    return this.#channel.poll(this.#onFinal, this.#onOpen) >= this.#jobCount;
  }

  readonly #onFinal = (index: number): void => this.#events.finished(index);

  readonly #onOpen = (index: number, state: number): void => {
    const channel = this.#channel;
    this.#events.open(index, state);
    if (channel.isQueued(state)) {
      // Queued below the cursor on two looks: its claimer died mid-claim. Offer it.
      if (this.#seen[index] & QUEUED_SEEN) {
        channel.offer(index);
        this.#offer = true;
      }
      this.#seen[index] |= QUEUED_SEEN;
      return;
    }
    // A retired thread that claimed or started a job after its retirement, then stopped.
    if (channel.reclaimOrphan(index, state, this.#settleOrphan)) return;
    const slot = channel.runningSlot(state);
    const timeoutMs = this.#options.jobTimeoutMs;
    const startedMs = channel.startMs[index];
    if (
      slot >= 0 && timeoutMs !== undefined &&
      startedMs >= this.#records.startMs && this.#nowMs - startedMs > timeoutMs
    ) this.#timeOut(index, state, slot);
  };

  /** A started job of a retired slot: failed, unless its report may still be on its way. */
  readonly #settleOrphan = (index: number, state: number): void => {
    if (this.#channel.isReported(state) && !(this.#seen[index] & ORPHAN_SEEN)) {
      this.#seen[index] |= ORPHAN_SEEN; // Its report may still be on its way: look once more.
      return;
    }
    this.#records.settleByMain(
      index,
      state,
      "failed",
      errorRecord(new WorkerCrashError(`${this.#label(index)} failed: its worker was retired`)),
    );
  };

  /** Asks a job that ran too long to stop; closes its worker if it has not within the grace. */
  #timeOut(index: number, running: number, slot: number): void {
    const channel = this.#channel;
    if (!channel.cancelRunning(index, running)) return;
    this.#timedOut.add(index);
    const worker = this.#slots[slot].worker;
    worker.raiseCancel();
    const timer = setTimeout(() => {
      if (channel.isCancelling(index, running)) worker.close();
    }, CANCEL_GRACE_MS);
    Deno.unrefTimer(timer);
  }

  /** Starts a worker draining the channel in the next slot. */
  #startSlot(worker: PoolWorker): void {
    const slot = this.#slots.length;
    this.#slots.push({ worker, ended: false });
    this.#live++;
    this.#channel.setLiveWorkers(this.#live);
    this.#endings.push(
      worker.drain(this.#channel.buffer, slot, this.#onReports, this.#options.concurrency).then((
        end,
      ) => this.#endSlot(slot, end)),
    );
  }

  readonly #onReports = (reports: JobReport[]): void => {
    for (const report of reports) {
      this.#records.settleReport(report, this.#timedOut.has(report.index));
    }
    this.#channel.wake();
  };

  /** A slot's worker died or stopped: retire it, requeue its claims, fail what it ran. */
  #endSlot(slot: number, end: DrainEnd): void {
    const channel = this.#channel;
    const entry = this.#slots[slot];
    entry.ended = true;
    this.#live--;
    channel.setLiveWorkers(Math.max(1, this.#live));
    if (end.type === "drained" && !end.trapped && channel.closed) {
      // It left because the channel closed, after handing back its claims itself.
      channel.retireSlot(slot);
    } else {
      channel.reclaimSlot(slot, (index, state) => this.#settleAfterEnd(index, state, end));
    }
    const replace = end.type === "died" || end.trapped;
    if (replace && !this.#aborted) this.#replace(entry.worker);
    if (this.#live === 0 && !replace && !this.#allFinal()) this.#settleUnstarted();
    channel.wake();
  }

  /** Settles a job its slot had started when the slot's worker ended (see {@linkcode DrainEnd}). */
  #settleAfterEnd(index: number, state: number, end: DrainEnd): void {
    const reported = this.#channel.isReported(state);
    if (end.type === "drained" && !reported) return;
    const timeout = this.#timedOut.has(index);
    const cancelled = !timeout &&
      (this.#aborted || (end.type === "died" && end.status === "cancelled"));
    const status = cancelled ? "cancelled" : "failed";
    const message = end.type === "died" && !reported
      ? end.error.message
      : `its worker stopped before its report arrived${
        end.type === "died" ? ` (${end.error.message})` : ""
      }`;
    this.#records.settleByMain(
      index,
      state,
      status,
      timeout ? this.#records.timeoutError(index) : {
        name: end.type === "died" ? end.error.name : WORKER_CRASH,
        message: `${this.#label(index)} ${status}: ${message}`,
      },
    );
  }

  /** Replaces a dead worker and starts the new one draining, while slots are left. */
  #replace(dead: PoolWorker): void {
    this.#endings.push(
      this.#pool.replace(dead).then((worker) => {
        this.#events.worker({ type: "worker-replaced", oldWorkerId: dead.id, workerId: worker.id });
        if (this.#slots.length < this.#channel.slotCapacity && !this.#aborted) {
          this.#startSlot(worker);
        }
      }, (error) => {
        this.#events.worker({
          type: "worker-lost",
          workerId: dead.id,
          reason: errorMessage(error),
        });
      }).finally(() => {
        if (this.#live === 0 && !this.#allFinal()) this.#settleUnstarted();
        this.#channel.wake();
      }),
    );
  }

  /**
   * Settles every job not yet final that nobody is running: cancelled after an
   * abort, failed when no worker is left. One state word each and no record
   * (millions may be queued when Ctrl-C comes).
   */
  #settleUnstarted(status: "failed" | "cancelled" = this.#aborted ? "cancelled" : "failed"): void {
    this.#records.markUnstarted(status);
    this.#channel.settleUnstarted(status);
  }

  readonly #onAbort = (): void => {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#channel.close();
    this.#pool.cancel();
    this.#settleUnstarted("cancelled");
    this.#channel.wake();
  };
}
