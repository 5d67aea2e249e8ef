/**
 * One sweep step: a buffered channel of jobs, one loop per worker pulling from
 * it, and a results channel collected into a {@linkcode StepResult}.
 *
 * @module
 */
import { Channel } from "./channel.ts";
import type { PoolWorker, WorkerPool } from "./pool/worker_pool.ts";
import type { JobResult, StepResult, SweepEventHandler } from "./types.ts";

/** Options for {@linkcode runStep}. */
export interface RunStepOptions {
  /** How many jobs to run. */
  jobCount: number;
  /** Stops the step: running jobs are cancelled and the rest reported cancelled. */
  signal?: AbortSignal;
  /** Receives job events. */
  onEvent?: SweepEventHandler;
  /** How often to sample the process RSS, in milliseconds. */
  rssSampleMs?: number;
  /** Cancel a job that runs longer than this and count it failed ("timed out"), in milliseconds. */
  jobTimeoutMs?: number;
  /** The job kind's name, used in error messages. */
  jobName?: string;
}

interface QueuedJob {
  jobId: string;
  jobNumber: number;
  queuedAtMs: number;
}

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Runs a batch of `jobCount` jobs through a ready pool and collects the results.
 * Every job comes back exactly once, as done, failed or cancelled.
 *
 * @param pool A pool whose workers are ready.
 * @param options Job count, signal and event handler.
 * @returns The step's timings and every job's result.
 * @throws {RangeError} If `jobCount` is not a positive integer.
 *
 * @example Run four sleep jobs on two workers
 * ```ts ignore
 * import { WorkerPool } from "./pool/worker_pool.ts";
 * import { runStep } from "./dispatcher.ts";
 *
 * await using pool = new WorkerPool({ size: 2, jobKind: "sleep", params: { sleepMs: 50 } });
 * await pool.ready();
 * const step = await runStep(pool, { jobCount: 4 });
 * console.log(step.completed, step.seconds); // 4, ~0.1
 * ```
 */
export async function runStep(pool: WorkerPool, options: RunStepOptions): Promise<StepResult> {
  const { jobCount, signal, onEvent } = options;
  if (!Number.isSafeInteger(jobCount) || jobCount < 1) {
    throw new RangeError(
      `Cannot run step: jobCount must be a positive integer, received ${jobCount}`,
    );
  }
  const jobs = new Channel<QueuedJob>(jobCount);
  const results = new Channel<JobResult>(jobCount);

  let peakRssBytes = Deno.memoryUsage().rss;
  const sampleRss = () => {
    peakRssBytes = Math.max(peakRssBytes, Deno.memoryUsage().rss);
  };
  const rssTimer = setInterval(sampleRss, options.rssSampleMs ?? 20);

  const onAbort = () => pool.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });

  const batch: QueuedJob[] = [];
  for (let jobNumber = 1; jobNumber <= jobCount; jobNumber++) {
    const jobId = crypto.randomUUID();
    onEvent?.({ type: "job-allocated", jobNumber, jobId });
    batch.push({ jobId, jobNumber, queuedAtMs: 0 });
  }
  // The step's clock starts as the first job is handed out, after allocation.
  const startMs = nowMs();
  for (const job of batch) {
    job.queuedAtMs = startMs;
    await jobs.send(job);
  }
  jobs.close();

  const jobName = options.jobName ?? "job";
  const notRun = (job: QueuedJob, status: "failed" | "cancelled", reason: string): JobResult => ({
    jobId: job.jobId,
    jobNumber: job.jobNumber,
    workerId: "",
    status,
    elapsedSeconds: 0,
    waitSeconds: (nowMs() - job.queuedAtMs) / 1000,
    error: {
      name: status === "cancelled" ? "JobCancelledError" : "NoWorkerError",
      message: reason,
    },
  });

  const runOne = async (worker: PoolWorker, job: QueuedJob): Promise<JobResult> => {
    onEvent?.({
      type: "job-started",
      jobNumber: job.jobNumber,
      jobCount,
      jobId: job.jobId,
      workerId: worker.id,
    });
    let timedOut = false;
    const timer = options.jobTimeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      worker.cancelJob();
    }, options.jobTimeoutMs);
    const outcome = await worker.run(job.jobId);
    clearTimeout(timer);
    const result: JobResult = {
      jobId: job.jobId,
      jobNumber: job.jobNumber,
      workerId: worker.id,
      status: outcome.status,
      elapsedSeconds: outcome.elapsedMs / 1000,
      waitSeconds: Math.max(0, outcome.startedAtMs - job.queuedAtMs) / 1000,
      output: outcome.output,
      summary: outcome.summary,
    };
    if (timedOut) {
      result.status = "failed";
      result.error = {
        name: "JobTimeoutError",
        message: `Job ${job.jobNumber} (${jobName}) timed out after ${options.jobTimeoutMs} ms`,
      };
    } else if (outcome.error) {
      const what = outcome.trapped ? "trapped in WebAssembly" : outcome.status;
      result.error = {
        name: outcome.error.name,
        message: `Job ${job.jobNumber} (${jobName}) ${what}: ${outcome.error.message}`,
      };
    }
    return result;
  };

  // One loop per worker, like a goroutine ranging over the jobs channel. A
  // worker that dies (crash, trap, self.close(), a job that ignored its
  // cancel) is replaced once per death; if the replacement cannot start, the
  // loop ends and the other workers take the remaining jobs.
  const workerLoops = pool.workers.map(async (first) => {
    let worker: PoolWorker | undefined = first;
    for await (const job of jobs) {
      if (signal?.aborted) {
        await results.send(notRun(job, "cancelled", "The sweep was cancelled before it started"));
        continue;
      }
      if (!worker) {
        await results.send(notRun(job, "failed", "No worker was left to run it"));
        continue;
      }
      await results.send(await runOne(worker, job));
      if (worker.state === "closed" && !signal?.aborted) {
        const dead: PoolWorker = worker;
        try {
          worker = await pool.replace(dead);
          onEvent?.({ type: "worker-replaced", oldWorkerId: dead.id, workerId: worker.id });
        } catch (error) {
          worker = undefined;
          const reason = error instanceof Error ? error.message : String(error);
          onEvent?.({ type: "worker-lost", workerId: dead.id, reason });
        }
      }
    }
  });
  Promise.all(workerLoops).finally(() => results.close());

  const collected: JobResult[] = [];
  let endMs = startMs;
  for await (const result of results) {
    endMs = nowMs();
    collected.push(result);
    onEvent?.({ type: "job-finished", jobCount, job: result });
  }
  clearInterval(rssTimer);
  sampleRss();
  signal?.removeEventListener("abort", onAbort);

  collected.sort((a, b) => a.jobNumber - b.jobNumber);
  const done = collected.filter((job) => job.status === "done");
  return {
    workers: pool.size,
    jobCount,
    seconds: (endMs - startMs) / 1000,
    completed: done.length,
    failed: collected.filter((job) => job.status === "failed").length,
    cancelled: collected.filter((job) => job.status === "cancelled").length,
    averageJobSeconds: done.length === 0
      ? 0
      : done.reduce((sum, job) => sum + job.elapsedSeconds, 0) / done.length,
    peakRssBytes,
    jobs: collected,
  };
}
