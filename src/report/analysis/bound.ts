/**
 * The bound a batch sets by itself: from the recorded job times, the best time
 * a step of N workers could have had with no dispatch cost at all. Two list
 * schedules (jobs to the earliest-free worker in claim order, and longest job
 * first) beside the trivial lower bound `max(total ÷ N, longest job)`. Data in,
 * values and sentences out.
 *
 * @module
 */
import { duration } from "../../text.ts";
import type { JobRecords } from "../../types.ts";

/** What {@linkcode batchBound} found. */
export interface BatchBound {
  /** How many workers the schedules use. */
  workers: number;
  /** `max(total job time ÷ workers, longest job)`, in seconds: no schedule can beat it. */
  lowerBound: number;
  /** The makespan of list scheduling in claim order (job k to the earliest-free worker), in seconds. */
  claimOrder: number;
  /** The makespan of list scheduling longest job first (LPT), in seconds. */
  longestFirst: number;
  /** The better of the two schedules, in seconds: "best possible for this batch". */
  best: number;
  /** What claim order costs over longest-first, in seconds (0 when it is as good or better). */
  orderCostSeconds: number;
}

/**
 * Job times that differ by less than this share of the longest count as equal
 * sizes: measured times of equal jobs differ by clock jitter (0.2500 s against
 * 0.2502 s), which is not a batch of jobs of different sizes.
 */
const EQUAL_SIZE_RATIO = 0.05;

/** Decimals of a measured time in seconds: to the millisecond, as step times are read. */
const MEASURED_DECIMALS = 3;

/** A binary min-heap of worker finish times (the earliest-free worker on top). */
function makespan(jobSeconds: Iterable<number>, workers: number): number {
  const heap = new Float64Array(workers);
  for (const seconds of jobSeconds) {
    heap[0] += seconds;
    // Sift the root down: it just got later.
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= workers) break;
      const right = left + 1;
      const child = right < workers && heap[right] < heap[left] ? right : left;
      if (heap[child] >= heap[at]) break;
      [heap[child], heap[at]] = [heap[at], heap[child]];
      at = child;
    }
  }
  let end = 0;
  for (const finish of heap) end = Math.max(end, finish);
  return end;
}

/**
 * The best time a step of `workers` workers could have had for a batch,
 * from its recorded job times: list scheduling in claim order, longest job
 * first, and the lower bound no schedule beats. O(n log n).
 *
 * @param jobSeconds The jobs' run times in seconds, in claim (job-number) order.
 * @param workers How many workers (0 = inline, counted as 1).
 * @returns The two schedules' makespans, the lower bound and what the order costs.
 * @throws {RangeError} When `workers` is not a whole number ≥ 0 or a job time is negative or not finite.
 *
 * @example Four 1 s jobs, then one 3 s job, on 2 workers: longest-first wins
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchBound } from "./bound.ts";
 *
 * const bound = batchBound([1, 1, 1, 1, 3], 2);
 * assert.equal(bound.claimOrder, 5);
 * assert.equal(bound.longestFirst, 4);
 * assert.equal(bound.lowerBound, 3.5);
 * assert.equal(bound.orderCostSeconds, 1);
 * ```
 */
export function batchBound(jobSeconds: readonly number[], workers: number): BatchBound {
  if (!Number.isInteger(workers) || workers < 0) {
    throw new RangeError(
      `Cannot bound the batch: workers must be a whole number from 0, received ${workers}`,
    );
  }
  let total = 0;
  let longest = 0;
  for (const seconds of jobSeconds) {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError(
        `Cannot bound the batch: job times must be finite and at least 0, received ${seconds}`,
      );
    }
    total += seconds;
    longest = Math.max(longest, seconds);
  }
  const slots = Math.max(1, workers);
  const claimOrder = makespan(jobSeconds, slots);
  const longestFirst = makespan(Float64Array.from(jobSeconds).sort().reverse(), slots);
  return {
    workers,
    lowerBound: Math.max(total / slots, longest),
    claimOrder,
    longestFirst,
    best: Math.min(claimOrder, longestFirst),
    orderCostSeconds: Math.max(0, claimOrder - longestFirst),
  };
}

/**
 * The bound beside the measurement, in sentences: "best possible for this
 * batch: 2.00 s; measured 2.004 s", and, when the jobs differ in size (by 5%
 * or more: less is clock jitter) and claim order loses to longest-first, what
 * the order costs.
 *
 * @param bound What {@linkcode batchBound} returned.
 * @param measuredSeconds The step's measured time, in seconds.
 * @param jobSeconds The same job times, to tell whether they differ in size.
 * @returns One or two sentences.
 *
 * @example Equal jobs: one sentence
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchBound, describeBound } from "./bound.ts";
 *
 * const jobs = [0.5, 0.5, 0.5, 0.5];
 * assert.deepEqual(describeBound(batchBound(jobs, 1), 2.004, jobs), [
 *   "best possible for this batch: 2.00 s; measured 2.004 s",
 * ]);
 * ```
 */
export function describeBound(
  bound: BatchBound,
  measuredSeconds: number,
  jobSeconds: readonly number[],
): string[] {
  const measured = measuredSeconds >= 1
    ? `${measuredSeconds.toFixed(MEASURED_DECIMALS)} s`
    : duration(measuredSeconds);
  const lines = [`best possible for this batch: ${duration(bound.best)}; measured ${measured}`];
  let shortest = Infinity;
  let longest = 0;
  for (const seconds of jobSeconds) {
    shortest = Math.min(shortest, seconds);
    longest = Math.max(longest, seconds);
  }
  const differ = longest - shortest > EQUAL_SIZE_RATIO * longest;
  // Only an order that costs something is worth a sentence.
  if (differ && bound.orderCostSeconds > 0) {
    lines.push(
      `the jobs differ in size: claim order costs ${duration(bound.orderCostSeconds)} ` +
        `over longest-first (${duration(bound.claimOrder)} against ${
          duration(bound.longestFirst)
        })`,
    );
  }
  return lines;
}

/**
 * The run times of the jobs a step started, in claim (job-number) order: the
 * input {@linkcode batchBound} takes.
 *
 * @param jobs The step's job records.
 * @returns The started jobs' run times, in seconds.
 *
 * @example A job that never started is left out
 * ```ts
 * import assert from "node:assert/strict";
 * import { startedJobSeconds } from "./bound.ts";
 * import { jobRecords } from "../../step/job_records.ts";
 *
 * const jobs = jobRecords([
 *   { jobId: "a", jobNumber: 1, workerId: "w", status: "done", elapsedSeconds: 1, waitSeconds: 0 },
 *   { jobId: "b", jobNumber: 2, workerId: "", status: "cancelled", elapsedSeconds: 0, waitSeconds: 1 },
 * ]);
 * assert.deepEqual(startedJobSeconds(jobs), [1]);
 * ```
 */
export function startedJobSeconds(jobs: JobRecords): number[] {
  const seconds: number[] = [];
  for (let i = 0; i < jobs.length; i++) {
    if (jobs.started(i)) seconds.push(jobs.elapsedSeconds(i));
  }
  return seconds;
}
