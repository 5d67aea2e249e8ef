/**
 * The `sleep-async` job: waits on a timer of the event loop (`setTimeout`),
 * the Deno twin of a goroutine's `time.Sleep`: the thread is free meanwhile, so
 * one thread can keep many such jobs in flight (`concurrency`).
 *
 * @module
 */
import type { StepResult } from "../types.ts";
import { defineJob, type JobKind } from "./job.ts";
import { DEFAULT_SLEEP_MS, type SleepParams } from "./sleep.ts";

/** Milliseconds a step took beyond the ideal `ceil(jobs / (threads × in flight)) × sleepMs`. */
function overheadMs(step: StepResult, sleepMs: number): number {
  const slots = Math.max(1, step.workers) * (step.concurrency ?? 1);
  return step.seconds * 1000 - Math.ceil(step.jobCount / slots) * sleepMs;
}

/**
 * Waits `sleepMs` on a timer, returning a promise; the job's signal (a time-out,
 * Ctrl-C) clears the timer and rejects at once. Unlike `sleep` (which blocks its
 * thread in `Atomics.wait`), it holds no thread while it waits: compare the two
 * with `concurrency` above 1.
 *
 * @example The job returns at once and waits on the event loop, so two can be in flight
 * ```ts
 * import { sleepAsyncJob } from "./sleep_async.ts";
 * import assert from "node:assert/strict";
 *
 * const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
 * const context = { cancelFlag, shouldStop: () => false, signal: new AbortController().signal };
 * const run = await sleepAsyncJob.createRunner({ sleepMs: 20 }, undefined);
 * let settled = 0;
 * const both = [run(context), run(context)].map((job) => Promise.resolve(job).then(() => settled++));
 * assert.equal(settled, 0); // both started, neither blocked the thread
 * await Promise.all(both);
 * assert.equal(settled, 2);
 * ```
 */
export const sleepAsyncJob: JobKind = defineJob<undefined, void, SleepParams>({
  name: "sleep-async",
  aliases: ["async-sleep"],
  bound: "wait",
  description:
    "waits SLEEPMS on a timer of the event loop (setTimeout): its thread is free meanwhile",
  defaultParams: { sleepMs: DEFAULT_SLEEP_MS },
  describeParams: (params) => `${params.sleepMs.toLocaleString("en-US")} ms`,
  summaryNotes: (steps, params) =>
    steps.length === 0 ? [] : [
      `Overhead over the ideal ceil(jobs / (workers × in flight)) × SLEEPMS: ${
        steps.map((s) =>
          `${s.workers} w ×${s.concurrency ?? 1} ${overheadMs(s, params.sleepMs).toFixed(1)} ms`
        ).join(", ")
      }`,
    ],
  createRunner: (params) => ({ signal }) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, params.sleepMs);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
});
