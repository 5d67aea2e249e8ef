/**
 * The sweep: the same batch of jobs run with each worker count in turn, as in
 * the Go seed (1 worker, then 2, … up to the maximum).
 *
 * @module
 */
import { Session } from "node:inspector/promises";
import { resolve } from "node:path";
import { pathToFileURL as toFileUrl } from "node:url";
import { DEFAULTS } from "./config.ts";
import { WorkerStartError } from "./errors.ts";
import { runStep, type StepResult } from "./dispatcher.ts";
import type { SweepEventHandler } from "./events.ts";
import type { JobKind, JobParams } from "./jobs/job.ts";
import { isJobModuleReference, moduleJob } from "./jobs/module.ts";
import { findJobKind, JOB_KINDS } from "./jobs/registry.ts";
import { PROFILE_INTERVAL_MICROS } from "./pool/protocol.ts";
import { WorkerPool } from "./pool/worker_pool.ts";

/** Options for {@linkcode runSweep}. */
export interface SweepOptions {
  /** The job kind's name or alias (`sleep`, `EmptySleepJob`, `noop`, …). Default `sleep`. */
  job?: string;
  /** Job parameters; missing ones take their defaults. */
  params?: Partial<JobParams>;
  /** The first worker count. Default 1. */
  startWorkers?: number;
  /** The last worker count. Default `navigator.hardwareConcurrency`. */
  maxWorkers?: number;
  /** Explicit worker counts, run in this order; overrides `startWorkers`/`maxWorkers`. */
  workerCounts?: readonly number[];
  /** How many jobs each step runs. Default 2 × `navigator.hardwareConcurrency`. */
  jobCount?: number;
  /** Stops the sweep: `runSweep` then rejects with `signal.reason` and leaves no worker running. */
  signal?: AbortSignal;
  /** Receives progress events (for logs and progress lines). */
  onEvent?: SweepEventHandler;
  /** Cancel a job that runs longer than this and count it failed, in milliseconds. */
  jobTimeoutMs?: number;
  /**
   * Record a V8 CPU profile of the main thread and of every worker during each
   * step (`SweepStep.profiles`). Needs the `inspector` sys permission.
   */
  profile?: boolean;
}

/** The CPU profiles of one step: V8 `Profiler.Profile` objects, as `.cpuprofile` files hold. */
export interface StepProfiles {
  /** The main thread's profile. */
  main: unknown;
  /** One profile per worker, in allocation order (`undefined` for a worker that died). */
  workers: unknown[];
}

/** One step of a sweep, with its speed-up over the first step. */
export interface SweepStep extends StepResult {
  /** The first step's `seconds` divided by this step's (1 for the first step). */
  speedup: number;
  /** Each worker's memory at the end of the step, in allocation order (`undefined` if it died). */
  workerMemory?: (WorkerMemory | undefined)[];
  /** The CPU profiles, when `profile` was set. */
  profiles?: StepProfiles;
}

/** One worker's memory at the end of a step, in bytes. */
export interface WorkerMemory {
  /** V8 heap in use inside the worker. */
  heapUsed: number;
  /** V8 heap reserved by the worker. */
  heapTotal: number;
  /** Memory held outside the V8 heap (buffers) by the worker. */
  external: number;
  /** The worker's WebAssembly memory, for job kinds that have one. */
  wasmMemoryBytes?: number;
}

/** Everything a sweep measured. */
export interface SweepResult {
  /** The job kind's canonical name. */
  job: string;
  /** The job parameters every step used. */
  params: JobParams;
  /** One entry per worker count, in the order run. */
  steps: SweepStep[];
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot start sweep: ${name} must be a positive integer, received ${value}`,
    );
  }
  return value;
}

/**
 * Lists the worker counts a sweep will run.
 *
 * @param options The sweep options.
 * @returns The worker counts, in order.
 * @throws {RangeError} If a count is not a positive integer, or start > max.
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
    return options.workerCounts.map((count) => positiveInteger("workerCounts", count));
  }
  const start = positiveInteger("startWorkers", options.startWorkers ?? DEFAULTS.startWorkers);
  const max = positiveInteger("maxWorkers", options.maxWorkers ?? DEFAULTS.maxWorkers());
  if (start > max) {
    throw new RangeError(
      `Cannot start sweep: maxWorkers must be >= startWorkers (${start}), received ${max}`,
    );
  }
  return Array.from({ length: max - start + 1 }, (_, i) => start + i);
}

function resolveModuleUrl(job: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(job)) return new URL(job).href;
  return toFileUrl(resolve(job)).href;
}

async function startMainProfiler(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: PROFILE_INTERVAL_MICROS });
  await session.post("Profiler.start");
  return session;
}

async function stopMainProfiler(session: Session): Promise<unknown> {
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  return profile;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Runs the same batch of jobs with each worker count and measures every step.
 * Workers are spawned fresh for each step; their start-up is timed apart from
 * the step. They run with no permissions, which needs Deno's worker options
 * (`--unstable-worker-options` or `"unstable": ["worker-options"]` in deno.json).
 *
 * @param options Job kind, parameters, worker counts, job count, signal, events.
 * @returns Every step's timings, speed-up and per-job results.
 * @throws {TypeError} If the job kind is unknown.
 * @throws {WorkerStartError} (as a rejection) If a step's workers cannot start (e.g. a job
 *   module that fails to load); the sweep stops rather than respawning them.
 * @throws {RangeError} If a count is out of range.
 * @throws `signal.reason` (as a rejection) when the signal aborts; no worker is left running.
 *
 * @example Sleep jobs on 1 then 2 workers
 * ```ts ignore
 * import { runSweep } from "./sweep.ts";
 *
 * const sweep = await runSweep({ job: "sleep", params: { sleepMs: 100 }, maxWorkers: 2, jobCount: 4 });
 * console.log(sweep.steps.map((step) => step.speedup)); // [1, ~2]
 * ```
 */
export async function runSweep(options: SweepOptions = {}): Promise<SweepResult> {
  const jobName = options.job ?? DEFAULTS.job;
  const isModule = isJobModuleReference(jobName);
  const kind = isModule ? moduleJob : findJobKind(jobName);
  if (!kind) {
    const known = JOB_KINDS.map((k) => k.name).join(", ");
    throw new TypeError(
      `Cannot start sweep: unknown job "${jobName}", expected one of ${known} or a module path`,
    );
  }
  const params: JobParams = {
    ...options.params,
    sleepMs: options.params?.sleepMs ?? DEFAULTS.sleepMs,
    digits: options.params?.digits ?? DEFAULTS.digits,
  };
  if (isModule) params.moduleUrl = resolveModuleUrl(jobName);

  const counts = sweepWorkerCounts(options);
  const jobCount = positiveInteger("jobCount", options.jobCount ?? DEFAULTS.jobCount());
  const { signal } = options;
  signal?.throwIfAborted();

  // Setup is not raced against the signal: what it made (the io job's temp dir)
  // must exist before teardown can remove it.
  const setup = await kind.setup?.(params);
  try {
    signal?.throwIfAborted();
    return await runSteps(
      kind,
      params,
      setup,
      counts,
      jobCount,
      options,
      isModule ? jobName : kind.name,
    );
  } finally {
    await kind.teardown?.(setup);
  }
}

async function runSteps(
  kind: JobKind,
  params: JobParams,
  setup: unknown,
  counts: number[],
  jobCount: number,
  options: SweepOptions,
  displayName: string,
): Promise<SweepResult> {
  const { signal, onEvent } = options;
  const permissions = kind.permissions?.(params, setup);
  const steps: SweepStep[] = [];
  for (const [index, workers] of counts.entries()) {
    onEvent?.({ type: "step-start", step: index + 1, stepCount: counts.length, workers, jobCount });
    const spawnStart = performance.now();
    await using pool = new WorkerPool({
      size: workers,
      jobKind: kind.name,
      params,
      setup,
      permissions,
      profile: options.profile,
    });
    pool.workers.forEach((worker, i) =>
      onEvent?.({ type: "worker-allocated", workerNumber: i + 1, workerId: worker.id })
    );
    try {
      await abortable(pool.ready(), signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const reason = error instanceof Error ? error.message : String(error);
      throw new WorkerStartError(
        `Cannot run the step with ${workers} worker${workers === 1 ? "" : "s"}: ${reason}`,
        { cause: error },
      );
    }
    const startupSeconds = (performance.now() - spawnStart) / 1000;
    onEvent?.({ type: "workers-ready", workers, startupSeconds });

    const mainProfiler = options.profile ? await startMainProfiler() : undefined;
    const result = await runStep(pool, {
      jobCount,
      signal,
      onEvent,
      jobName: displayName,
      jobTimeoutMs: options.jobTimeoutMs,
    });
    const mainProfile = mainProfiler ? await stopMainProfiler(mainProfiler) : undefined;
    const stats = signal?.aborted ? [] : await pool.stats();
    const baseline = steps[0]?.seconds ?? result.seconds;
    const step: SweepStep = {
      ...result,
      startupSeconds,
      speedup: baseline / result.seconds,
      workerMemory: stats.map((s) => s && { ...s.memory, wasmMemoryBytes: s.wasmMemoryBytes }),
    };
    if (options.profile && mainProfile) {
      step.profiles = { main: mainProfile, workers: stats.map((s) => s?.profile) };
    }
    onEvent?.({ type: "step-end", step: index + 1, stepCount: counts.length, result: step });
    signal?.throwIfAborted();
    steps.push(step);
  }
  return { job: kind.name, params, steps };
}
