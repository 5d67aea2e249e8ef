/**
 * The steps of one worker count (one per concurrency value, the workers
 * started once for all of them) and one timed step on a ready pool. Private to
 * `src/sweep/`: `sweep.ts` drives them.
 *
 * @module
 */
import { Session } from "node:inspector/promises";
import { WorkerStartError } from "../errors.ts";
import type { JobKind, JobParams } from "../jobs/job.ts";
import { PROFILE_INTERVAL_MICROS } from "../pool/protocol.ts";
import { WorkerPool } from "../pool/worker_pool.ts";
import { inlineSweepStep } from "../step/inline_step.ts";
import { runStep } from "../step/run_step.ts";
import { errorMessage, plural } from "../text.ts";
import type { SweepStep } from "../types.ts";
import { abortable, withDeadline } from "./_checks.ts";
import { loadAverageNow, startCpuClock } from "../clock.ts";
import { DEFAULT_STARTUP_TIMEOUT_MS, type SweepOptions } from "./options.ts";

/** What `runSweep` checked and resolved before anything runs. */
export interface SweepPlan {
  kind: JobKind;
  params: JobParams;
  counts: number[];
  concurrency: number[];
  jobCount: number;
  inputs?: readonly unknown[];
  repeat: number;
  warmup: number;
  displayName: string;
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

/** Where a run of the sweep is: its number, the next step, the baseline so far. */
export interface StepAt {
  repeat: number;
  /** The index of the next step in this run. */
  index: number;
  baselineSeconds?: number;
}

/**
 * The steps of one worker count, one per jobs-in-flight value (`inFlightValues`, by default the
 * plan's). The workers start once and run every value's step (each step reports that start-up;
 * the sweep passes one value at a time); a worker count of 0 runs each inline, on the calling
 * thread.
 */
export async function* workerCountSteps(
  plan: SweepPlan,
  options: SweepOptions,
  setup: unknown,
  at: StepAt,
  workers: number,
  inFlightValues: readonly number[] = plan.concurrency,
): AsyncGenerator<SweepStep, void, undefined> {
  const { kind, params, jobCount } = plan;
  const { signal, onEvent } = options;
  const stepCount = plan.counts.length * plan.concurrency.length;
  const starting = (concurrency: number) => {
    signal?.throwIfAborted();
    onEvent?.({
      type: "step-start",
      step: at.index + 1,
      stepCount,
      repeat: at.repeat,
      workers,
      concurrency,
      jobCount,
    });
    return loadAverageNow();
  };
  const ended = (step: SweepStep) =>
    onEvent?.({ type: "step-end", step: at.index + 1, stepCount, result: step });
  if (workers === 0) {
    for (const concurrency of inFlightValues) {
      const loadAverage = starting(concurrency);
      const step = await inlineSweepStep(
        {
          kind,
          params,
          setup,
          jobCount,
          concurrency,
          inputs: plan.inputs,
          signal,
          jobName: plan.displayName,
          warmup: plan.warmup,
          jobTimeoutMs: options.jobTimeoutMs,
          keepOutputs: options.keepOutputs,
          startupTimeoutMs: options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
          // In the sandbox a job module runs inline in a process with only its grants.
          processPermissions: options.sandbox && kind.name === "module"
            ? kind.permissions?.(params, setup) ?? {}
            : undefined,
        },
        at.repeat,
        loadAverage,
      ).catch((error) => {
        // Jobs' own errors are recorded, not thrown: this is the job failing to start (a module
        // that cannot load), which a worker step reports so; the same exit code and line shape.
        if (signal?.aborted) throw signal.reason;
        throw new WorkerStartError(
          `Cannot run the step with ${plural(0, "worker")}: ${errorMessage(error)}`,
          { cause: error },
        );
      });
      ended(step);
      if (signal?.aborted && step.cancelled > 0) throw signal.reason;
      yield step;
    }
    return;
  }
  const loadAverage = starting(inFlightValues[0]);
  const spawnStart = performance.now();
  await using pool = new WorkerPool({
    size: workers,
    jobKind: kind.name,
    params,
    setup,
    sandbox: options.sandbox,
    permissions: kind.permissions?.(params, setup),
    profile: options.profile,
    inputs: plan.inputs,
  });
  pool.workers.forEach((worker, i) =>
    onEvent?.({ type: "worker-allocated", workerNumber: i + 1, workerId: worker.id })
  );
  try {
    await abortable(
      withDeadline(
        pool.ready(),
        options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
        `the ${plan.displayName} workers were not ready`,
      ),
      signal,
    );
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new WorkerStartError(
      `Cannot run the step with ${plural(workers, "worker")}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  const startupSeconds = (performance.now() - spawnStart) / 1000;
  onEvent?.({ type: "workers-ready", workers, startupSeconds });
  for (const [i, concurrency] of inFlightValues.entries()) {
    const step = await timedStep(plan, options, pool, {
      concurrency,
      repeat: at.repeat,
      startupSeconds,
      baselineSeconds: at.baselineSeconds,
      loadAverage: i === 0 ? loadAverage : starting(concurrency),
    });
    ended(step);
    // Only an abort that cut the step short drops it: a step whose jobs all ran
    // before the signal is yielded, and the sweep stops before the next one.
    if (signal?.aborted && step.cancelled > 0) throw signal.reason;
    yield step;
  }
}

/** One timed step on a ready pool (after its warm-up runs), with its CPU time and profiles. */
async function timedStep(
  plan: SweepPlan,
  options: SweepOptions,
  pool: WorkerPool,
  at: {
    concurrency: number;
    repeat: number;
    startupSeconds: number;
    baselineSeconds?: number;
    loadAverage?: number;
  },
): Promise<SweepStep> {
  const { jobCount } = plan;
  const { signal, onEvent } = options;
  const { concurrency } = at;
  // Untimed runs first; one with a failed job ends them (the timed run reports it).
  for (let run = 0; run < plan.warmup; run++) {
    const warm = await runStep(pool, {
      jobCount,
      concurrency,
      signal,
      jobEvents: false,
      jobName: plan.displayName,
      keepOutputs: false,
      // A warm-up job that never returns must end too, or the step never starts.
      jobTimeoutMs: options.jobTimeoutMs,
    });
    if (signal?.aborted) throw signal.reason;
    if (warm.failed > 0) break;
  }
  const mainProfiler = options.profile ? await startMainProfiler() : undefined;
  const cpuClock = startCpuClock();
  const result = await runStep(pool, {
    jobCount,
    concurrency,
    signal,
    onEvent,
    jobEvents: options.jobEvents,
    jobName: plan.displayName,
    jobTimeoutMs: options.jobTimeoutMs,
    keepOutputs: options.keepOutputs,
  });
  const cpuSeconds = cpuClock();
  const mainProfile = mainProfiler ? await stopMainProfiler(mainProfiler) : undefined;
  const stats = signal?.aborted ? [] : await pool.stats();
  const step: SweepStep = {
    ...result,
    repeat: at.repeat,
    startupSeconds: at.startupSeconds,
    speedup: (at.baselineSeconds ?? result.seconds) / result.seconds,
    loadAverage: at.loadAverage,
    cpuSeconds,
    warmupRuns: plan.warmup,
    workerMemory: stats.map((s) => s && { ...s.memory, wasmMemoryBytes: s.wasmMemoryBytes }),
  };
  if (options.profile && mainProfile) {
    step.profiles = { main: mainProfile, workers: stats.map((s) => s?.profile) };
  }
  return step;
}
