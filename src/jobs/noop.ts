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
 * @example The no-op job's name
 * ```ts
 * import { noopJob } from "./noop.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(noopJob.name, "noop");
 * ```
 */
export const noopJob: JobKind = defineJob<undefined, null>({
  name: "noop",
  aliases: ["NoopJob"],
  description: "returns at once (prices the dispatch overhead per job)",
  createRunner: () => () => null,
});
