/**
 * The inline step (`workerCounts` with a 0): the batch run on the calling
 * thread itself, one job after another, with no worker and no dispatch. Next
 * to the 1-worker step it prices moving work to a worker at all.
 *
 * @module
 */
import { JobCancelledError } from "../errors.ts";
import { serializeError } from "../pool/protocol.ts";
import { installJobConsole, JobSignals, SerialJobContext } from "../pool/job_signals.ts";
import { isCancel, runInFlight } from "./_inline_in_flight.ts";
import { inlineProcessSweepStep } from "./_inline_process.ts";
import { JobIds } from "./job_ids.ts";
import { JobColumnsBuilder } from "./job_records.ts";
import type { JobKind, JobParams, JobPermissions } from "../jobs/job.ts";
import { startCpuClock } from "../clock.ts";
import type { StepResult, SweepStep } from "../types.ts";

/** What {@linkcode runInlineStep} needs. */
export interface InlineStepOptions {
  kind: JobKind;
  params: JobParams;
  setup: unknown;
  jobCount: number;
  inputs?: readonly unknown[];
  /** Stops the step between jobs (and raises the running job's cancel flag). */
  signal?: AbortSignal;
  /** The job's name in messages. */
  jobName: string;
  /** Untimed runs of the batch first, as the worker steps have (`warmup`). */
  warmup?: number;
  /** Jobs in flight on this thread (default 1: one at a time). */
  concurrency?: number;
  /**
   * Fail a job that runs longer than this, in milliseconds: its signal is aborted and its
   * promise abandoned. Only a job that awaits can be timed out inline: a synchronous job
   * holds the thread until it returns.
   */
  jobTimeoutMs?: number;
  /** Whether the step keeps its jobs' outputs, or only their digests; default `true`. */
  keepOutputs?: boolean;
  /**
   * With `processPermissions`: how long the process may take to load the job module and say it
   * is ready, in milliseconds, before it is killed and the step fails (default: no limit).
   */
  startupTimeoutMs?: number;
  /**
   * Run the batch in a Deno process of its own that has only these permissions (a job
   * module's inline step in a sandbox), not on the calling thread.
   */
  processPermissions?: JobPermissions;
}

/** The cancel flags another thread raises for a signal (see {@linkcode linkCancelFlag}). */
const linkedFlags = new WeakMap<AbortSignal, Int32Array>();

/**
 * Lets another thread stop the inline steps that `signal` cancels, on the calling thread too:
 * a batch of synchronous jobs never yields to the event loop, so an abort (a signal listener,
 * a message) would wait for the whole batch. Whoever raises `flag` (`Atomics.store(flag, 0, 1)`
 * and `Atomics.notify`) aborts `signal` as well; the step reads the flag between jobs, and the
 * running job's `shouldStop()` and cancel flag are the flag itself. The CLI's sweep process
 * raises it from a thread that listens for SIGINT, SIGTERM and SIGHUP; a job module's inline
 * process, from a thread that reads its stdin.
 *
 * @param signal The signal given to the sweep.
 * @param flag An `Int32Array` of length 1 on a `SharedArrayBuffer`, 0 until raised.
 */
export function linkCancelFlag(signal: AbortSignal, flag: Int32Array): void {
  linkedFlags.set(signal, flag);
}

const CANCELLED_DETAIL = {
  error: {
    name: JobCancelledError.name,
    message: "The sweep was cancelled before it started",
  },
};

/**
 * Runs the batch on this thread. Every job comes back as done, failed or
 * cancelled; a custom module is imported here, outside any worker sandbox.
 *
 * @param options The kind, its parameters and set-up, the job count and inputs.
 * @returns The step, with `workers: 0`.
 */
export async function runInlineStep(options: InlineStepOptions): Promise<StepResult> {
  const { kind, params, jobCount, inputs, signal } = options;
  const runner = await kind.createRunner(params, options.setup);
  const cancelFlag = (signal && linkedFlags.get(signal)) ??
    new Int32Array(new SharedArrayBuffer(4));
  const stopped = () => signal?.aborted === true || Atomics.load(cancelFlag, 0) !== 0;
  const onAbort = () => Atomics.store(cancelFlag, 0, 1);
  signal?.addEventListener("abort", onAbort, { once: true });
  const signals = new JobSignals(cancelFlag);
  const context = new SerialJobContext(cancelFlag, inputs !== undefined, signals);
  const concurrency = options.concurrency ?? 1;
  const inFlight = concurrency > 1 || options.jobTimeoutMs !== undefined;
  const inFlightRun = (columns?: JobColumnsBuilder) =>
    runInFlight({
      runner,
      jobCount,
      concurrency,
      inputs,
      signal,
      jobName: options.jobName,
      jobTimeoutMs: options.jobTimeoutMs,
      cancelFlag,
      columns,
      describe: (output) => kind.describeOutput?.(output, params),
    });
  for (let run = 0; run < (options.warmup ?? 0) && !stopped(); run++) {
    if (inFlight) {
      if ((await inFlightRun()).completed < jobCount) break;
      continue;
    }
    for (let index = 0; index < jobCount && !stopped(); index++) {
      context.index = index;
      context.jobNumber = index + 1;
      if (inputs) context.input = inputs[index];
      try {
        const output = runner(context);
        if (output instanceof Promise) await output;
      } catch {
        break; // The timed run reports it.
      } finally {
        signals.release(index);
      }
    }
  }
  const columns = new JobColumnsBuilder(jobCount, 1, [CANCELLED_DETAIL]);
  columns.keepOutputs = options.keepOutputs ?? true;
  if (inFlight) {
    const startMs = performance.now();
    try {
      const { doneSeconds, ...counts } = await inFlightRun(columns);
      return {
        workers: 0,
        concurrency,
        jobCount,
        seconds: (performance.now() - startMs) / 1000,
        ...counts,
        averageJobSeconds: counts.completed === 0 ? 0 : doneSeconds / counts.completed,
        peakRssBytes: Deno.memoryUsage().rss,
        jobs: columns.seal(new JobIds(), () => "inline"),
      };
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }
  const counts = { completed: 0, failed: 0, cancelled: 0 };
  let doneSeconds = 0;
  const startMs = performance.now();
  try {
    for (let index = 0; index < jobCount; index++) {
      // One clock reading for the job's wait and its start (each costs ~0.1 µs).
      const start = performance.now();
      const waitSeconds = (start - startMs) / 1000;
      if (stopped()) {
        columns.setUnstarted(index, "cancelled", 0, waitSeconds);
        counts.cancelled++;
        continue;
      }
      context.index = index;
      context.jobNumber = index + 1;
      if (inputs) context.input = inputs[index];
      try {
        // Awaited only when it is a promise, as in a worker: an await per job would be timed too.
        let output = runner(context);
        if (output instanceof Promise) output = await output;
        const elapsedSeconds = (performance.now() - start) / 1000;
        doneSeconds += elapsedSeconds;
        counts.completed++;
        if (typeof output === "number") {
          columns.setNumber(index, 0, elapsedSeconds, waitSeconds, output);
        } else if (output == null) {
          columns.set(index, "done", 0, elapsedSeconds, waitSeconds);
        } else {
          const summary = kind.describeOutput?.(output, params);
          columns.set(index, "done", 0, elapsedSeconds, waitSeconds, { output, summary });
        }
      } catch (error) {
        const elapsedSeconds = (performance.now() - start) / 1000;
        const cancelled = isCancel(error) || context.shouldStop();
        const status = cancelled ? "cancelled" : "failed";
        // Whatever was thrown (a getter that throws, a revoked Proxy): never a throw of its own.
        const record = serializeError(error, { stack: false });
        columns.set(index, status, 0, elapsedSeconds, waitSeconds, {
          error: {
            name: record.name,
            message: `Job ${index + 1} (${options.jobName}) ${status}: ${record.message}`,
          },
        });
        counts[status]++;
      }
      signals.release(index);
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  const seconds = (performance.now() - startMs) / 1000;
  return {
    workers: 0,
    concurrency: 1,
    jobCount,
    seconds,
    ...counts,
    averageJobSeconds: counts.completed === 0 ? 0 : doneSeconds / counts.completed,
    peakRssBytes: Deno.memoryUsage().rss,
    jobs: columns.seal(new JobIds(), () => "inline"),
  };
}

/**
 * {@linkcode runInlineStep} as a sweep step: `speedup` 1, no start-up, with
 * the load average taken before it and the process's CPU time during it.
 *
 * @param options What {@linkcode runInlineStep} needs.
 * @param repeat Which run of the sweep it belongs to.
 * @param loadAverage The 1-minute load average as the step began, when readable.
 * @returns The step.
 */
export async function inlineSweepStep(
  options: InlineStepOptions,
  repeat: number,
  loadAverage: number | undefined,
): Promise<SweepStep> {
  if (options.processPermissions) {
    return await inlineProcessSweepStep(options, options.processPermissions, repeat, loadAverage);
  }
  const cpuClock = startCpuClock();
  // Jobs on this thread print as they would in a worker: to stderr, prefixed, while the step runs.
  const restoreConsole = installJobConsole();
  const result = await runInlineStep(options).finally(restoreConsole);
  const cpuSeconds = cpuClock();
  const { signal } = options;
  const flag = signal && linkedFlags.get(signal);
  // Stopped by its linked flag: let the signal's own abort (queued behind the batch) arrive
  // before the sweep goes on, so that no further step starts.
  for (let turn = 0; flag && Atomics.load(flag, 0) !== 0 && !signal.aborted && turn < 50; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return {
    ...result,
    repeat,
    startupSeconds: 0,
    speedup: 1,
    loadAverage,
    warmupRuns: options.warmup ?? 0,
    cpuSeconds,
  };
}
