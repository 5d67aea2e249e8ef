/**
 * The no-op job: returns at once, so a sweep measures only the dispatcher.
 *
 * @module
 */
import { defineJob, type JobKind } from "./job.ts";

/**
 * Does nothing; a sweep of these prices the dispatch of one job (its claim
 * from the shared job channel, its records, and the bookkeeping after the step).
 * It returns `null`, so it is recorded in the shared columns only: no message per job.
 *
 * @example Run one no-op job on this thread
 * ```ts
 * import { noopJob } from "./noop.ts";
 * import assert from "node:assert/strict";
 *
 * const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
 * const context = { cancelFlag, shouldStop: () => Atomics.load(cancelFlag, 0) !== 0 };
 * const run = await noopJob.createRunner({}, undefined);
 * assert.equal(await run(context), null);
 * ```
 */
export const noopJob: JobKind = defineJob<undefined, null>({
  name: "noop",
  aliases: ["NoopJob"],
  description: "returns at once (prices the dispatch overhead per job)",
  createRunner: () => () => null,
});
