/**
 * The sweep: the same batch of jobs run with each worker count in turn
 * (1 worker, then 2, … up to the maximum), optionally several times over.
 *
 * @module
 */
import { checkedInputs } from "./_checks.ts";
import { resolveJobParams } from "../jobs/job.ts";
import { moduleJob } from "../jobs/module.ts";
import { findJobKind, JOB_KINDS } from "../jobs/registry.ts";
import type { SweepStep } from "../types.ts";
import {
  boundedInteger,
  checkParamKeys,
  MAX_JOB_TIMEOUT_MS,
  MAX_JOBS,
  MAX_REPEAT,
  sweepConcurrency,
  type SweepOptions,
  sweepWorkerCounts,
} from "./options.ts";
import { type StepAt, type SweepPlan, workerCountSteps } from "./_steps.ts";

export {
  DEFAULT_STARTUP_TIMEOUT_MS,
  MAX_CONCURRENCY,
  MAX_JOB_TIMEOUT_MS,
  MAX_JOBS,
  MAX_REPEAT,
  MAX_WORKERS,
  type SweepOptions,
  sweepWorkerCounts,
} from "./options.ts";

/** The job kind a sweep runs when its caller names none. */
const DEFAULT_JOB = "sleep";

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
 * @throws {TypeError} If the job kind is unknown, or `params` has a key no job reads (for a job
 *   module: anything but `jobArgs` and `permissions`, other kinds' keys excepted).
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
 *
 * @example A job module by URL takes its own values in `params.jobArgs`
 * ```ts
 * import { runSweep } from "./sweep.ts";
 * import assert from "node:assert/strict";
 *
 * const job = new URL("data:text/javascript,export default (args) => args.size");
 * const sweep = runSweep({ job, params: { jobArgs: { size: "3" } }, jobCount: 1 }); // runs when iterated
 * assert.equal(typeof sweep.next, "function");
 * // `params: { size: 3 }` does not type-check; from untyped code (JSON here) it is refused:
 * const untyped = JSON.parse('{ "size": 3 }');
 * assert.throws(() => runSweep({ job, params: untyped }), /params\.size is not a parameter/);
 * ```
 */
export function runSweep<Job extends string | URL = string>(
  options: SweepOptions<Job> = {},
): AsyncGenerator<SweepStep, void, undefined> {
  const job: string | URL = options.job ?? DEFAULT_JOB;
  const isModule = job instanceof URL;
  const kind = isModule ? moduleJob : findJobKind(job);
  if (!kind) {
    const known = JOB_KINDS.map((k) => k.name).join(", ");
    throw new TypeError(
      `Cannot start sweep: unknown job "${job}", expected one of ${known} or a job module's URL`,
    );
  }
  checkParamKeys({ ...options.params }, isModule);
  const params = resolveJobParams(kind, { ...options.params });
  if (options.jobTimeoutMs !== undefined) {
    boundedInteger("jobTimeoutMs", options.jobTimeoutMs, MAX_JOB_TIMEOUT_MS);
  }
  if (options.startupTimeoutMs !== undefined) {
    boundedInteger("startupTimeoutMs", options.startupTimeoutMs, MAX_JOB_TIMEOUT_MS);
  }
  if (isModule) params.moduleUrl = job.href;
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
    displayName: isModule ? job.href : kind.name,
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
      // Fresh workers for each jobs-in-flight value, so that every configuration starts from the
      // same state: in workers kept from an earlier step, V8 had tiered a job's code up again
      // (32 jobs of examples/cpu_job.ts took 0.25 s on the second step of 1 worker against 0.17 s
      // on the first, whatever the order of the values). A profiled worker also stops its
      // profiler when asked for it.
      const groups = plan.concurrency.map((value) => [value]);
      for (const workers of plan.counts) {
        for (const values of groups) {
          for await (const step of workerCountSteps(plan, options, setup, at, workers, values)) {
            if (workers > 0) at.baselineSeconds ??= step.seconds;
            at.index++;
            yield step;
          }
        }
      }
    }
  } finally {
    await kind.teardown?.(setup);
  }
}
