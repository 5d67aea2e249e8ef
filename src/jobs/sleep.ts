/**
 * The sleep job: the Go seed's `EmptySleepJob`, a fixed wait with no CPU work.
 *
 * @module
 */
import { JobCancelledError } from "../errors.ts";
import type { StepResult } from "../types.ts";
import { defineJob, type JobKind } from "./job.ts";

/** What one sleep job reports. */
export interface SleepOutput {
  /** The sleep that was asked for, in milliseconds. */
  sleepMs: number;
}

/** The sleep job's parameters. */
export interface SleepParams {
  /** How long each job sleeps, in milliseconds. */
  sleepMs: number;
}

/** How long a sleep job sleeps when the caller does not say, in milliseconds (the seed's 1 s). */
export const DEFAULT_SLEEP_MS = 1000;

/** Milliseconds a step took beyond the ideal `ceil(jobs / workers) × sleepMs`. */
function overheadMs(step: StepResult, sleepMs: number): number {
  return step.seconds * 1000 - Math.ceil(step.jobCount / step.workers) * sleepMs;
}

/**
 * Sleeps `sleepMs` in the worker. `Atomics.wait` on the worker's cancel flag
 * rather than `setTimeout`: it overshoots by microseconds instead of ~1 ms,
 * and a cancel (`Atomics.notify`) wakes it at once.
 *
 * @example The sleep job's names
 * ```ts
 * import { sleepJob } from "./sleep.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(sleepJob.name, "sleep");
 * assert.ok(sleepJob.aliases.includes("EmptySleepJob"));
 * ```
 */
export const sleepJob: JobKind = defineJob<undefined, SleepOutput, SleepParams>({
  name: "sleep",
  aliases: ["EmptySleepJob"],
  description: "waits SLEEPMS in each job (a timer: no CPU work, like the seed's EmptySleepJob)",
  defaultParams: { sleepMs: DEFAULT_SLEEP_MS },
  describeParams: (params) => `${params.sleepMs.toLocaleString("en-US")} ms`,
  summaryNotes: (steps, params) =>
    steps.length === 0 ? [] : [
      `Overhead over the ideal ceil(jobs / workers) x SLEEPMS: ${
        steps.map((s) => `${s.workers} w ${overheadMs(s, params.sleepMs).toFixed(1)} ms`).join(
          ", ",
        )
      }`,
    ],
  createRunner: (params) => ({ cancelFlag }) => {
    const outcome = Atomics.wait(cancelFlag, 0, 0, params.sleepMs);
    if (outcome !== "timed-out") {
      throw new JobCancelledError(`Cannot finish sleep of ${params.sleepMs} ms: it was cancelled`);
    }
    return { sleepMs: params.sleepMs };
  },
  describeOutput: (output) => `slept ${output.sleepMs} ms`,
});
