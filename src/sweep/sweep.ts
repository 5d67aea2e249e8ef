/**
 * The sweep: the same batch of jobs run with each worker count in turn
 * (1 worker, then 2, … up to the maximum), optionally several times over.
 *
 * @module
 */
import { Session } from "node:inspector/promises";
import {
  abortable,
  checkedInputs,
  loadAverageNow,
  startCpuClock,
  withDeadline,
} from "./_checks.ts";
import { inlineSweepStep } from "../step/inline_step.ts";
import { resolve } from "node:path";
import { pathToFileURL as toFileUrl } from "node:url";
import { WorkerStartError } from "../errors.ts";
import { runStep } from "../step/run_step.ts";
import { type JobKind, type JobParams, resolveJobParams } from "../jobs/job.ts";
import { isJobModuleReference, moduleJob } from "../jobs/module.ts";
import { findJobKind, JOB_KINDS } from "../jobs/registry.ts";
import { PROFILE_INTERVAL_MICROS } from "../pool/protocol.ts";
import { WorkerPool } from "../pool/worker_pool.ts";
import type { SweepEventHandler, SweepStep } from "../types.ts";
import { type StepAt, type SweepPlan, workerCountSteps } from "./_steps.ts";

/**
 * The most workers one step may start (each Deno worker is a V8 isolate of ~10 MiB and more).
 *
 * @example Ask for too many workers
 * ```ts
 * import { MAX_WORKERS, runSweep } from "./sweep.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => runSweep({ job: "noop", workerCounts: [MAX_WORKERS + 1] }), RangeError);
 * ```
 */
export const MAX_WORKERS = 1024;
/**
 * The most jobs one step may run.
 *
 * @example Ask for too many jobs
 * ```ts
 * import { MAX_JOBS, runSweep } from "./sweep.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => runSweep({ job: "noop", jobCount: MAX_JOBS + 1 }), RangeError);
 * ```
 */
export const MAX_JOBS = 10_000_000;
/**
 * The most runs of one sweep (`repeat`).
 *
 * @example Ask for too many runs
 * ```ts
 * import { MAX_REPEAT, runSweep } from "./sweep.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => runSweep({ job: "noop", repeat: MAX_REPEAT + 1 }), RangeError);
 * ```
 */
export const MAX_REPEAT = 100;

/**
 * The most jobs one thread may keep in flight (`concurrency`): each is a pending promise and
 * its context, a few hundred bytes, not a thread.
 *
 * @example Ask for too many jobs in flight
 * ```ts
 * import { MAX_CONCURRENCY, runSweep } from "./sweep.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => runSweep({ job: "noop", concurrency: [MAX_CONCURRENCY + 1] }), RangeError);
 * ```
 */
export const MAX_CONCURRENCY = 100_000;

/** The longest per-job timeout, in milliseconds (one day). */
export const MAX_JOB_TIMEOUT_MS = 86_400_000;

/** How long a step's workers may take to start by default, in milliseconds: 512 workers took 10 s on 2 cores. */
export const DEFAULT_STARTUP_TIMEOUT_MS = 60_000;

/** The job kind a sweep runs when its caller names none. */
const DEFAULT_JOB = "sleep";

/** Options for {@linkcode runSweep}. */
export interface SweepOptions {
  /** The job kind's name or alias (`sleep`, `EmptySleepJob`, `noop`, …) or a module path. Default `sleep`. */
  job?: string;
  /** Job parameters of that kind; missing ones take the kind's defaults (`JobKind.defaultParams`). */
  params?: JobParams;
  /** The first worker count. Default 1. */
  startWorkers?: number;
  /** The last worker count. Default `navigator.hardwareConcurrency`. */
  maxWorkers?: number;
  /**
   * Explicit worker counts, run in this order; overrides `startWorkers`/`maxWorkers`. A 0 is the
   * inline step: the batch on the calling thread, no worker, no dispatch (run first; its
   * `speedup` is 1, and the first worker step stays the baseline of the others).
   */
  workerCounts?: readonly number[];
  /**
   * Jobs in flight per thread, each value a step for every worker count (the sweep is the grid
   * workers × concurrency, worker counts outermost). A job that returns a promise stays in
   * flight while its thread starts the next, as goroutines do; a synchronous job runs to
   * completion first, so more in flight changes nothing for it. With a worker count of 0 the
   * jobs are in flight on the calling thread. From 1 to {@linkcode MAX_CONCURRENCY}; default
   * `[1]`: one job at a time.
   */
  concurrency?: readonly number[];
  /** How many jobs each step runs. Default 2 × `navigator.hardwareConcurrency`, or `inputs`' count. */
  jobCount?: number;
  /**
   * One input per job: the batch is these inputs, the same in every step. Job
   * k gets the k-th as `JobContext.input`; a custom module's default export
   * receives it as its first argument (the `jobArgs` are then `context.args`).
   * `jobCount` must be left out or equal their count. Read once, into an
   * array; each must survive structured clone (it is posted to every worker).
   */
  inputs?: Iterable<unknown>;
  /** How many times to run the whole sweep; each step says which run it belongs to. Default 1. */
  repeat?: number;
  /**
   * Untimed runs of the batch on each step's workers before the timed one
   * (JIT, caches, lazy set-up), from 0 to {@linkcode MAX_REPEAT}. Default 0.
   */
  warmup?: number;
  /** Stops the sweep: the iteration then rejects with `signal.reason` and leaves no worker running. */
  signal?: AbortSignal;
  /** Receives progress events (for logs and progress lines). */
  onEvent?: SweepEventHandler;
  /**
   * Whether `onEvent` also receives an event per job (`job-allocated`,
   * `job-started`, `job-finished`); default `true`. `step-progress` events
   * carry the counts without them: turn them off for millions of jobs.
   */
  jobEvents?: boolean;
  /** Cancel a job that runs longer than this and count it failed, in milliseconds. */
  jobTimeoutMs?: number;
  /**
   * Fail the sweep with a {@linkcode WorkerStartError} when a step's workers are
   * not all ready this long after they were spawned (a job module stuck at
   * load, a remote import that never answers), in milliseconds. Default
   * {@linkcode DEFAULT_STARTUP_TIMEOUT_MS}.
   */
  startupTimeoutMs?: number;
  /**
   * Record a V8 CPU profile of the main thread and of every worker during each
   * step (`SweepStep.profiles`). Needs the `inspector` sys permission.
   */
  profile?: boolean;
  /**
   * Run each job kind's workers in a permission sandbox with only what the kind
   * asks for (`JobKind.permissions`: nothing for sleep, noop and pi; the run's
   * temp dir for io; the module file and `params.permissions` for a custom
   * module). Needs `--unstable-worker-options` (or `"unstable":
   * ["worker-options"]` in the program's deno.json): without it Deno 2.9.6
   * exits the process with code 70, uncatchably. Default `false`: workers, a
   * custom module's included, have the importing program's permissions.
   */
  sandbox?: boolean;
}

function boundedInteger(name: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(
      `Cannot start sweep: ${name} must be an integer from 1 to ${max}, received ${value}`,
    );
  }
  return value;
}

/**
 * Lists the worker counts a sweep will run.
 *
 * @param options The sweep options.
 * @returns The worker counts, in order.
 * @throws {RangeError} If a count is not an integer from 1 to {@linkcode MAX_WORKERS}, or start > max.
 *
 * @example From start to max
 * ```ts
 * import { sweepWorkerCounts } from "./sweep.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(sweepWorkerCounts({ startWorkers: 2, maxWorkers: 4 }), [2, 3, 4]);
 * assert.deepEqual(sweepWorkerCounts({ workerCounts: [1, 8] }), [1, 8]);
 * ```
 */
export function sweepWorkerCounts(options: SweepOptions): number[] {
  if (options.workerCounts) {
    if (options.workerCounts.length === 0) {
      throw new RangeError("Cannot start sweep: workerCounts must list at least one count");
    }
    const counts = options.workerCounts.map((count) =>
      count === 0 ? 0 : boundedInteger("workerCounts", count, MAX_WORKERS)
    );
    if (!counts.some((count) => count > 0)) {
      throw new RangeError(
        "Cannot start sweep: workerCounts must include a count of 1 or more (0 is the inline step)",
      );
    }
    // The inline step runs first: the worker steps keep the first of theirs as the baseline.
    return [...counts.filter((count) => count === 0), ...counts.filter((count) => count > 0)];
  }
  const start = boundedInteger("startWorkers", options.startWorkers ?? 1, MAX_WORKERS);
  const max = boundedInteger(
    "maxWorkers",
    options.maxWorkers ?? navigator.hardwareConcurrency,
    MAX_WORKERS,
  );
  if (start > max) {
    throw new RangeError(
      `Cannot start sweep: maxWorkers must be >= startWorkers (${start}), received ${max}`,
    );
  }
  return Array.from({ length: max - start + 1 }, (_, i) => start + i);
}

function sweepConcurrency(options: SweepOptions): number[] {
  const list = options.concurrency ?? [1];
  if (list.length === 0) {
    throw new RangeError("Cannot start sweep: concurrency must list at least one value");
  }
  return list.map((value) => boundedInteger("concurrency", value, MAX_CONCURRENCY));
}

function resolveModuleUrl(job: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(job)) return new URL(job).href;
  return toFileUrl(resolve(job)).href;
}

/**
 * Runs the same batch of jobs with each worker count (and, with `repeat`, the
 * whole sweep several times) and yields every step as it ends. Workers are
 * spawned fresh for each step; their start-up is timed apart from the step.
 * With `sandbox` they run with only the permissions their kind needs, which
 * needs Deno's worker options (`--unstable-worker-options`); without it they
 * need no flag and have the program's permissions.
 *
 * The options are checked before anything runs, so bad ones throw at the call.
 * When `signal` aborts, the iteration rejects with `signal.reason` unchanged;
 * the steps yielded before are the partial result, and the `step-end` event
 * carries what the interrupted step had done.
 *
 * @param options Job kind, parameters, worker counts, job count, repeat, signal, events.
 * @returns The steps, in the order run: each one's timings, speed-up and per-job results.
 * @throws {TypeError} If the job kind is unknown.
 * @throws {RangeError} If a count, the timeout or a numeric job parameter is out of range.
 * @throws {WorkerStartError} (as a rejection) If a step's workers cannot start (e.g. a job
 *   module that fails to load); the sweep stops rather than respawning them.
 * @throws `signal.reason` (as a rejection) when the signal aborts; no worker is left running.
 *
 * @example Sleep jobs on 1 then 2 workers
 * ```ts ignore
 * import { runSweep } from "./sweep.ts";
 *
 * const steps = await Array.fromAsync(
 *   runSweep({ job: "sleep", params: { sleepMs: 100 }, maxWorkers: 2, jobCount: 4 }),
 * );
 * console.log(steps.map((step) => step.speedup)); // [1, ~2]
 * ```
 */
export function runSweep(options: SweepOptions = {}): AsyncGenerator<SweepStep, void, undefined> {
  const jobName = options.job ?? DEFAULT_JOB;
  const isModule = isJobModuleReference(jobName);
  const kind = isModule ? moduleJob : findJobKind(jobName);
  if (!kind) {
    const known = JOB_KINDS.map((k) => k.name).join(", ");
    throw new TypeError(
      `Cannot start sweep: unknown job "${jobName}", expected one of ${known} or a module path`,
    );
  }
  const params = resolveJobParams(kind, { ...options.params });
  if (options.jobTimeoutMs !== undefined) {
    boundedInteger("jobTimeoutMs", options.jobTimeoutMs, MAX_JOB_TIMEOUT_MS);
  }
  if (options.startupTimeoutMs !== undefined) {
    boundedInteger("startupTimeoutMs", options.startupTimeoutMs, MAX_JOB_TIMEOUT_MS);
  }
  if (isModule) params.moduleUrl = resolveModuleUrl(jobName);
  const inputs = options.inputs === undefined
    ? undefined
    : checkedInputs({ inputs: options.inputs, jobCount: options.jobCount }, MAX_JOBS);
  const plan: SweepPlan = {
    kind,
    params,
    counts: sweepWorkerCounts(options),
    concurrency: sweepConcurrency(options),
    jobCount: boundedInteger(
      "jobCount",
      options.jobCount ?? inputs?.length ?? 2 * navigator.hardwareConcurrency,
      MAX_JOBS,
    ),
    inputs,
    repeat: boundedInteger("repeat", options.repeat ?? 1, MAX_REPEAT),
    warmup: options.warmup === undefined || options.warmup === 0
      ? 0
      : boundedInteger("warmup", options.warmup, MAX_REPEAT),
    displayName: isModule ? jobName : kind.name,
  };
  return sweepSteps(plan, options);
}

async function* sweepSteps(
  plan: SweepPlan,
  options: SweepOptions,
): AsyncGenerator<SweepStep, void, undefined> {
  const { kind, params } = plan;
  options.signal?.throwIfAborted();
  // Setup is not raced against the signal: what it made (the io job's temp dir)
  // must exist before teardown can remove it.
  const setup = await kind.setup?.(params);
  try {
    options.signal?.throwIfAborted();
    for (let repeat = 1; repeat <= plan.repeat; repeat++) {
      const at: StepAt = { repeat, index: 0 };
      for (const workers of plan.counts) {
        for await (const step of workerCountSteps(plan, options, setup, at, workers)) {
          if (workers > 0) at.baselineSeconds ??= step.seconds;
          at.index++;
          yield step;
        }
      }
    }
  } finally {
    await kind.teardown?.(setup);
  }
}
