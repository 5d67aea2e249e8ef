/**
 * Job kinds by name: the one list the CLI, the sweep and the workers share.
 *
 * @module
 */
import { httpJob } from "./http.ts";
import { ioJob } from "./io.ts";
import type { JobKind } from "./job.ts";
import { moduleJob } from "./module.ts";
import { noopJob } from "./noop.ts";
import { piJob } from "./pi.ts";
import { piBigIntJob } from "./pi_bigint.ts";
import { piMachinJob } from "./pi_machin.ts";
import { sleepJob } from "./sleep.ts";
import { sleepAsyncJob } from "./sleep_async.ts";

/**
 * Every built-in job kind, in the order `--help` lists them.
 *
 * @example List the job names
 * ```ts
 * import { JOB_KINDS } from "./registry.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(JOB_KINDS.some((kind) => kind.name === "sleep"));
 * ```
 */
export const JOB_KINDS: readonly JobKind[] = [
  sleepJob,
  sleepAsyncJob,
  httpJob,
  piJob,
  piMachinJob,
  piBigIntJob,
  ioJob,
  noopJob,
];

/**
 * Finds a job kind by its name or one of its aliases, ignoring case.
 *
 * @param name A name such as `sleep`, `EmptySleepJob` or `emptysleepjob`.
 * @returns The job kind, or `undefined` when none has that name.
 *
 * @example Find the sleep job by its Go name
 * ```ts
 * import { findJobKind } from "./registry.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(findJobKind("EMPTYSLEEPJOB")?.name, "sleep");
 * assert.equal(findJobKind("nope"), undefined);
 * ```
 */
export function findJobKind(name: string): JobKind | undefined {
  const wanted = name.trim().toLowerCase();
  if (wanted === moduleJob.name) return moduleJob;
  return JOB_KINDS.find((kind) =>
    kind.name === wanted || kind.aliases.some((alias) => alias.toLowerCase() === wanted)
  );
}
