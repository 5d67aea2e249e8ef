/**
 * The sleep job (Golang-Channels' `EmptySleepJob`): a fixed wait with no CPU work.
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

/** How long a sleep job sleeps when the caller does not say, in milliseconds. */
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
 * @example Sleep 5 ms, then see a raised cancel flag stop the next sleep at once
 * ```ts
 * import { sleepJob } from "./sleep.ts";
 * import { JobCancelledError } from "../errors.ts";
 * import assert from "node:assert/strict";
 *
 * const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
 * const context = { cancelFlag, shouldStop: () => Atomics.load(cancelFlag, 0) !== 0 };
 * const run = await sleepJob.createRunner({ sleepMs: 5 }, undefined);
 * assert.deepEqual(await run(context), { sleepMs: 5 });
 * Atomics.store(cancelFlag, 0, 1);
 * assert.throws(() => run(context), JobCancelledError);
 * ```
 */
export const sleepJob: JobKind = defineJob<undefined, SleepOutput, SleepParams>({
  name: "sleep",
  aliases: ["EmptySleepJob"],
  bound: "wait",
  description: "waits SLEEPMS in each job (Atomics.wait, the thread blocked: no CPU work)",
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
