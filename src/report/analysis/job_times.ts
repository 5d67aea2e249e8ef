/**
 * What the exports add from the steps exactly as a sweep yielded them (every
 * repeat apart): each run's wall time, and the spread of per-job wait and run
 * times over all runs of a worker count, with its minimum and 99th percentile
 * (the analysis keeps p50, p95 and max). Pure: steps in, figures out.
 *
 * @module
 */
import type { StepResult } from "../../types.ts";
import { jobColumn, quantileInPlace } from "./_samples.ts";

/** The spread of a set of job durations, in seconds. */
export interface JobTimeSpread {
  /** The smallest value, in seconds. */
  min: number;
  /** The median, in seconds. */
  p50: number;
  /** The 95th percentile, in seconds. */
  p95: number;
  /** The 99th percentile, in seconds. */
  p99: number;
  /** The largest value, in seconds. */
  max: number;
}

/** One worker count's raw figures, over every run of it. */
export interface StepJobTimes {
  /** Workers in the step. */
  workers: number;
  /** Jobs in flight per worker. */
  concurrency: number;
  /** Every run's wall time, in run order, in seconds. */
  repeatSeconds: number[];
  /** How long jobs a worker took waited for it, over every run; `null` if none started. */
  waitSeconds: JobTimeSpread | null;
  /** How long finished jobs ran inside their worker, over every run; `null` if none finished. */
  runSeconds: JobTimeSpread | null;
}

function spread(parts: readonly Float64Array[]): JobTimeSpread | null {
  const length = parts.reduce((total, part) => total + part.length, 0);
  if (length === 0) return null;
  const values = new Float64Array(length);
  let offset = 0;
  for (const part of parts) {
    values.set(part, offset);
    offset += part.length;
  }
  return {
    min: quantileInPlace(values, 0),
    p50: quantileInPlace(values, 0.5),
    p95: quantileInPlace(values, 0.95),
    p99: quantileInPlace(values, 0.99),
    max: quantileInPlace(values, 1),
  };
}

/**
 * Groups the steps a sweep yielded by worker count and jobs in flight (first-seen order, as
 * `combineRepeats` does) and gives each count its runs' wall times and the
 * min/p50/p95/p99/max of its jobs' wait and run times, pooled over the runs.
 * Percentiles interpolate linearly between closest ranks (NumPy's default).
 *
 * @param steps Every step as the sweep yielded it, all repeats.
 * @returns One entry per worker count.
 *
 * @example Two runs of a 1-worker step
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { stepJobTimes } from "./job_times.ts";
 * import assert from "node:assert/strict";
 *
 * const job = (elapsedSeconds: number) => ({
 *   jobId: "", jobNumber: 1, workerId: "w", status: "done" as const, elapsedSeconds, waitSeconds: 0,
 * });
 * const step = (seconds: number, runs: number[]) => ({
 *   workers: 1, seconds, jobCount: runs.length, completed: runs.length, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords(runs.map(job)),
 * });
 * const [one] = stepJobTimes([step(2.5, [1, 1.5]), step(2.4, [0.5, 2])]);
 * assert.deepEqual(one.repeatSeconds, [2.5, 2.4]);
 * assert.equal(one.runSeconds?.min, 0.5);
 * assert.equal(one.runSeconds?.max, 2);
 * assert.equal(one.runSeconds?.p50, 1.25);
 * ```
 */
export function stepJobTimes(
  steps: readonly Pick<StepResult, "workers" | "concurrency" | "seconds" | "jobs">[],
): StepJobTimes[] {
  type Timed = Pick<StepResult, "workers" | "concurrency" | "seconds" | "jobs">;
  const groups = new Map<string, Timed[]>();
  for (const step of steps) {
    const key = stepKey(step);
    groups.set(key, [...groups.get(key) ?? [], step]);
  }
  return [...groups.values()].map((group) => ({
    workers: group[0].workers,
    concurrency: group[0].concurrency ?? 1,
    repeatSeconds: group.map((step) => step.seconds),
    waitSeconds: spread(
      group.map(({ jobs }) => jobColumn(jobs, "waitSeconds", (index) => jobs.started(index))),
    ),
    runSeconds: spread(
      group.map(({ jobs }) =>
        jobColumn(jobs, "elapsedSeconds", (index) => jobs.status(index) === "done")
      ),
    ),
  }));
}

/**
 * A step's configuration as a lookup key: `2x1` for 2 workers, 1 job in flight each.
 *
 * @param step The step's workers and jobs in flight (absent: 1).
 * @returns The key.
 */
export function stepKey(step: { workers: number; concurrency?: number }): string {
  return `${step.workers}x${step.concurrency ?? 1}`;
}

/**
 * The raw figures of each analysed step, by configuration ({@linkcode stepKey}), when the
 * report has `sweepSteps`.
 *
 * @param sweepSteps Every step as the sweep yielded it, or nothing.
 * @returns A lookup by {@linkcode stepKey} (empty without steps).
 */
export function rawTimesByWorkers(
  sweepSteps: readonly StepResult[] | undefined,
): Map<string, StepJobTimes> {
  return new Map(stepJobTimes(sweepSteps ?? []).map((times) => [stepKey(times), times]));
}

/** The inline step (0 workers: the batch on the calling thread) as the JSON report shows it. */
export interface JsonInlineStep {
  /** Jobs in flight on the calling thread (the first inline step's; one entry per sweep). */
  concurrency: number;
  /** Every run's wall time, in run order, in seconds. */
  repeatSeconds: number[];
  /** The median run's wall time, in seconds. */
  seconds: number;
  /** Jobs per run. */
  jobCount: number;
  /** Mean run time of the finished jobs, in seconds (the last run's). */
  averageJobSeconds: number;
  /** Jobs that finished, summed over runs. */
  completed: number;
  /** Jobs that failed, summed over runs. */
  failed: number;
  /** Jobs that were cancelled, summed over runs. */
  cancelled: number;
}

/**
 * The inline step of a sweep, when it had one (`workerCounts` with a 0).
 *
 * @param sweepSteps Every step as the sweep yielded it, or nothing.
 * @returns Its figures over every run, or `null`.
 *
 * @example Two runs of a sweep with an inline step
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { inlineStepOf } from "./job_times.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 2, completed: 2, failed: 0, cancelled: 0,
 *   averageJobSeconds: 0.5, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const inline = inlineStepOf([step(0, 1.2), step(1, 1.1), step(0, 1.0), step(1, 1.1)]);
 * assert.deepEqual(inline?.repeatSeconds, [1.2, 1.0]);
 * assert.equal(inline?.completed, 4);
 * assert.equal(inlineStepOf([step(1, 1)]), null);
 * ```
 */
export function inlineStepOf(sweepSteps: readonly StepResult[] | undefined): JsonInlineStep | null {
  const first = (sweepSteps ?? []).find((step) => step.workers === 0);
  if (first === undefined) return null;
  const concurrency = first.concurrency ?? 1;
  const runs = (sweepSteps ?? []).filter((step) =>
    step.workers === 0 && (step.concurrency ?? 1) === concurrency
  );
  const seconds = runs.map((step) => step.seconds);
  return {
    concurrency,
    repeatSeconds: seconds,
    seconds: quantileInPlace(Float64Array.from(seconds), 0.5),
    jobCount: runs[0].jobCount,
    averageJobSeconds: runs[runs.length - 1].averageJobSeconds,
    completed: runs.reduce((sum, step) => sum + step.completed, 0),
    failed: runs.reduce((sum, step) => sum + step.failed, 0),
    cancelled: runs.reduce((sum, step) => sum + step.cancelled, 0),
  };
}
