/**
 * Steps measured more than once: the median, minimum and maximum of repeated
 * measurements, and {@linkcode combineRepeats}, which makes one step per
 * configuration (workers × jobs in flight) from several runs.
 *
 * @module
 */
import { plural } from "../../text.ts";
import { concatJobRecords } from "../../step/job_records.ts";
import type { SweepStep } from "../../types.ts";
import { jobColumn, meanStdDev, percentile } from "./_samples.ts";

/** The middle and the range of repeated measurements. */
export interface Spread {
  /** The median (the mean of the two middle values for an even count). */
  median: number;
  /** The smallest value. */
  min: number;
  /** The largest value. */
  max: number;
}

/** What {@linkcode combineRepeats} adds to a step measured more than once. */
export interface RepeatInfo {
  /** How many times the step was run. */
  repeats: number;
  /** The fastest run's seconds. */
  secondsMin: number;
  /** The slowest run's seconds. */
  secondsMax: number;
  /** The runs' mean seconds. */
  secondsMean?: number;
  /** The runs' sample standard deviation (n − 1), in seconds; 0 for one run. */
  secondsStdDev?: number;
}

/** A step whose `seconds` is the median of several runs (see {@linkcode combineRepeats}). */
export interface RepeatedStep extends SweepStep, RepeatInfo {}

/**
 * The median, minimum and maximum of repeated measurements.
 *
 * @param values At least one value.
 * @returns The spread.
 * @throws {RangeError} If `values` is empty.
 *
 * @example Three runs
 * ```ts
 * import { medianMinMax } from "./stats.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(medianMinMax([2.1, 1.9, 2.0]), { median: 2.0, min: 1.9, max: 2.1 });
 * assert.equal(medianMinMax([1, 2, 3, 10]).median, 2.5);
 * ```
 */
export function medianMinMax(values: readonly number[]): Spread {
  const median = percentile(values, 0.5);
  if (median === null) {
    throw new RangeError("Cannot take median: received no finite values");
  }
  return { median, min: percentile(values, 0)!, max: percentile(values, 1)! };
}

/** The runs' median CPU seconds, when every run measured them. */
function cpuSecondsMedian(group: readonly SweepStep[]): { cpuSeconds?: number } {
  const values = group.map((step) => step.cpuSeconds);
  if (values.some((value) => value === undefined)) return {};
  return { cpuSeconds: medianMinMax(values as number[]).median };
}

/**
 * Combines K repeated runs of a sweep into one step per worker count (and jobs in flight): the
 * median `seconds` with its min–max, speed-ups recomputed from the medians
 * (relative to the first worker count seen), and the jobs of every run pooled
 * so percentiles cover them all. Counts of completed, failed and cancelled
 * jobs are summed, `peakRssBytes` is the highest, `startupSeconds` the median.
 *
 * Steps are grouped by worker count and jobs in flight in first-seen order, so `runs` may hold
 * one array per sweep (`sweeps.map((s) => s.steps)`) or one per worker count.
 *
 * @param runs The repeated runs, at least one step in all.
 * @returns One combined step per worker count.
 * @throws {RangeError} If there are no steps, or runs of one worker count differ in job count.
 *
 * @example Three runs of a 1- and 2-worker sweep
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { combineRepeats } from "./stats.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, speedup: 1, repeat: 1, jobCount: 4, startupSeconds: 0, completed: 4, failed: 0,
 *   cancelled: 0, averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const combined = combineRepeats([
 *   [step(1, 4.0), step(2, 2.2)],
 *   [step(1, 4.2), step(2, 2.0)],
 *   [step(1, 3.9), step(2, 2.1)],
 * ]);
 * assert.equal(combined[1].seconds, 2.1);
 * assert.deepEqual([combined[1].secondsMin, combined[1].secondsMax], [2.0, 2.2]);
 * assert.ok(Math.abs(combined[1].speedup - 4.0 / 2.1) < 1e-12);
 * assert.equal(combined[1].repeats, 3);
 * ```
 */
export function combineRepeats(runs: readonly (readonly SweepStep[])[]): RepeatedStep[] {
  // One group per configuration: worker count and jobs in flight.
  const groups = new Map<string, SweepStep[]>();
  for (const run of runs) {
    for (const step of run) {
      const key = `${step.workers}x${step.concurrency ?? 1}`;
      const group = groups.get(key) ?? [];
      group.push(step);
      groups.set(key, group);
    }
  }
  if (groups.size === 0) {
    throw new RangeError("Cannot combine repeats: received no steps");
  }
  const combined = [...groups.values()].map((group): RepeatedStep => {
    const first = group[0];
    const other = group.find((step) => step.jobCount !== first.jobCount);
    if (other) {
      throw new RangeError(
        `Cannot combine repeats: every run with ${plural(first.workers, "worker")}${
          (first.concurrency ?? 1) > 1 ? ` × ${first.concurrency} in flight` : ""
        } must have the same ` +
          `job count, received ${first.jobCount} and ${other.jobCount}`,
      );
    }
    const seconds = medianMinMax(group.map((step) => step.seconds));
    const jobs = concatJobRecords(group.map((step) => step.jobs));
    const done = jobColumn(jobs, "elapsedSeconds", (index) => jobs.status(index) === "done");
    const sum = (pick: (step: SweepStep) => number) =>
      group.reduce((total, step) => total + pick(step), 0);
    return {
      ...first,
      seconds: seconds.median,
      secondsMin: seconds.min,
      secondsMax: seconds.max,
      ...meanStdDev(group.map((step) => step.seconds)),
      repeats: group.length,
      startupSeconds: medianMinMax(group.map((step) => step.startupSeconds)).median,
      ...cpuSecondsMedian(group),
      completed: sum((step) => step.completed),
      failed: sum((step) => step.failed),
      cancelled: sum((step) => step.cancelled),
      averageJobSeconds: done.length === 0
        ? medianMinMax(group.map((step) => step.averageJobSeconds)).median
        : done.reduce((total, seconds) => total + seconds, 0) / done.length,
      peakRssBytes: Math.max(...group.map((step) => step.peakRssBytes)),
      jobs,
      speedup: 1,
    };
  });
  const baseline = combined[0].seconds;
  for (const step of combined) step.speedup = baseline / step.seconds;
  return combined;
}
