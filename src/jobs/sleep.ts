/**
 * The sleep job: the Go seed's `EmptySleepJob`, a fixed wait with no CPU work.
 *
 * @module
 */
import { JobCancelledError } from "../errors.ts";
import { defineJob, type JobKind } from "./job.ts";

/** What one sleep job reports. */
export interface SleepOutput {
  /** The sleep that was asked for, in milliseconds. */
  sleepMs: number;
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
export const sleepJob: JobKind = defineJob<undefined, SleepOutput>({
  name: "sleep",
  aliases: ["EmptySleepJob"],
  description: "waits SLEEPMS in each job (a timer: no CPU work, like the seed's EmptySleepJob)",
  createRunner: (params) => ({ cancelFlag }) => {
    const outcome = Atomics.wait(cancelFlag, 0, 0, params.sleepMs);
    if (outcome !== "timed-out") {
      throw new JobCancelledError(`Cannot finish sleep of ${params.sleepMs} ms: it was cancelled`);
    }
    return { sleepMs: params.sleepMs };
  },
  describeOutput: (output) => `slept ${output.sleepMs} ms`,
});
