/**
 * What a sweep may be asked for: its options, their limits and checks.
 *
 * @module
 */
import type { JobParams } from "../jobs/job.ts";
import { MODULE_JOB_PARAMS, type ModuleJobParams } from "../jobs/module.ts";
import { MAX_WORKERS } from "../pool/worker_pool.ts";
import type { SweepEventHandler } from "../types.ts";

// The pool enforces it for every caller: the sweep re-exports it.
export { MAX_WORKERS };
/**
 * The most jobs one step may run.
 *
 * @example Ask for too many jobs
 * ```ts
 * import { runSweep } from "./sweep.ts";
 * import { MAX_JOBS } from "./options.ts";
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
 * import { runSweep } from "./sweep.ts";
 * import { MAX_REPEAT } from "./options.ts";
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
 * import { MAX_CONCURRENCY } from "./options.ts";
 * import { runSweep } from "./sweep.ts";
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

/**
 * Options for {@linkcode runSweep}.
 *
 * @typeParam Job What `job` is: a built-in kind's name (`string`) or a job module's `URL`; it
 *   picks the type of `params`.
 */
export interface SweepOptions<Job extends string | URL = string | URL> {
  /**
   * The job: a built-in kind's name or alias (`sleep`, `EmptySleepJob`, `noop`, `pi`, …), or
   * the `URL` of a job module whose default export runs each job
   * (`new URL("./my_job.ts", import.meta.url)`). Default `sleep`.
   */
  job?: Job;
  /**
   * The job's parameters: a kind's own (missing ones take its defaults, e.g. `{ sleepMs: 50 }`),
   * or for a module only `jobArgs` and `permissions` ({@linkcode ModuleJobParams}). A key no job
   * reads is refused with a `TypeError` naming it.
   */
  params?: Job extends URL ? ModuleJobParams : JobParams;
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
   * array, at the call, and at most {@linkcode MAX_JOBS} of them: an iterable
   * that yields more (an endless one) is refused with a `RangeError` after
   * `MAX_JOBS + 1`. Each must survive structured clone (it is posted to every worker).
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
   * Whether each step keeps its jobs' outputs (`jobs.output(i)`); default `true`. With `false`
   * a step keeps only each output's digest (`jobs.outputDigest(i)`, made as it arrives), so its
   * memory does not grow with what jobs return.
   */
  keepOutputs?: boolean;
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
   * exits the process with code 70, uncatchably. A custom module's inline step
   * (a 0 in `workerCounts`) then runs in a Deno process of its own with only those
   * permissions, `--no-prompt`, `--cached-only` and `--no-npm` (npm on with
   * `params.permissions.npm`; the module, and then its npm packages, is cached
   * with `deno cache` first), which needs `--allow-run`. Default `false`:
   * workers and the inline step, a custom module's included, have the importing
   * program's permissions.
   */
  sandbox?: boolean;
}

export function boundedInteger(name: string, value: number, max: number): number {
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
 * import { sweepWorkerCounts } from "./options.ts";
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

// Every key of JobParams: the compiler keeps this list whole.
const JOB_PARAM_KEYS: Record<keyof JobParams, true> = {
  sleepMs: true,
  digits: true,
  ioLines: true,
  moduleUrl: true,
  jobArgs: true,
  permissions: true,
};

/**
 * Refuses a key no job reads (a misspelling, or a module's own value outside `jobArgs`) rather
 * than ignoring it. Keys of other built-in kinds pass, as before: the CLI passes every kind's.
 */
export function checkParamKeys(params: Readonly<Record<string, unknown>>, isModule: boolean): void {
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (isModule && key === "moduleUrl") {
      throw new TypeError(
        "Cannot start sweep: params.moduleUrl is not a parameter of a job module: pass its URL as job",
      );
    }
    if (Object.hasOwn(JOB_PARAM_KEYS, key)) continue;
    throw new TypeError(
      isModule
        ? `Cannot start sweep: params.${key} is not a parameter of a job module, expected ${
          MODULE_JOB_PARAMS.join(" or ")
        } (pass the module's own values as params.jobArgs)`
        : `Cannot start sweep: params.${key} is not a job parameter, expected one of ${
          Object.keys(JOB_PARAM_KEYS).join(", ")
        }`,
    );
  }
}

/**
 * The sweep's jobs-in-flight values, checked: `options.concurrency` or `[1]`.
 *
 * @param options The sweep's options.
 * @returns The values, in order.
 * @throws {RangeError} If the list is empty or a value is out of range.
 *
 * @example
 * ```ts
 * import { sweepConcurrency } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(sweepConcurrency({}), [1]);
 * assert.deepEqual(sweepConcurrency({ concurrency: [1, 64] }), [1, 64]);
 * assert.throws(() => sweepConcurrency({ concurrency: [] }), RangeError);
 * ```
 */
export function sweepConcurrency(options: SweepOptions): number[] {
  const list = options.concurrency ?? [1];
  if (list.length === 0) {
    throw new RangeError("Cannot start sweep: concurrency must list at least one value");
  }
  return list.map((value) => boundedInteger("concurrency", value, MAX_CONCURRENCY));
}
