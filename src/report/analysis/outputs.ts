/**
 * Same answers at every worker count: each job's output compared between the
 * steps of a sweep. A job whose output changes with the worker count is not
 * deterministic or not safe to run in parallel, which a user needs to know
 * before trusting any speed-up. Data in, sentences out.
 *
 * Outputs are compared by their digests (`src/step/output_digest.ts`): each
 * step made them as the outputs arrived, so the check reads no output again,
 * and its work does not grow with their size.
 *
 * @module
 */
import type { OutputDigest, StepResult } from "../../types.ts";
import { outputDigestOf } from "../../step/output_digest.ts";
import { plural } from "../../text.ts";

/** What {@linkcode compareOutputs} reads from each step (a `SweepStep` has all of it). */
export interface OutputStep extends Pick<StepResult, "workers" | "jobCount" | "jobs"> {
  /** Which run of the sweep (1-based); default 1. */
  repeat?: number;
}

/** One job whose output differed from the first step's. */
export interface OutputDifference {
  /** The job's 1-based number. */
  jobNumber: number;
  /** The first step's worker count and the differing step's. */
  workers: [number, number];
  /** Which run the differing step belongs to. */
  repeat: number;
  /** Both outputs, written short (from their digests' previews). */
  outputs: [string, string];
}

/** What {@linkcode compareOutputs} found. */
export interface OutputCheck {
  /** How many (job, step) pairs had an output on both sides and were compared. */
  compared: number;
  /** How many of them differed. */
  differing: number;
  /** The first few differences, in step then job order. */
  examples: OutputDifference[];
}

const EXAMPLES = 3;
const SHOWN_CHARS = 40;

function short(text: string): string {
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS - 1)}…` : text;
}

/**
 * Compares every job's output with the same job's in the first step (jobs
 * that returned nothing, or did not finish, are skipped). Steps with a
 * different job count than the first are not compared.
 *
 * @param steps The sweep's steps, as measured (every repeat).
 * @returns How many outputs were compared, how many differed, and examples.
 *
 * @example A job whose output depends on the worker count
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { compareOutputs } from "./outputs.ts";
 * import assert from "node:assert/strict";
 *
 * const jobs = (outputs: unknown[]) =>
 *   jobRecords(outputs.map((output, i) => ({
 *     jobId: "", jobNumber: i + 1, workerId: "w", status: "done" as const,
 *     elapsedSeconds: 1, waitSeconds: 0, output,
 *   })));
 * const check = compareOutputs([
 *   { workers: 1, jobCount: 2, jobs: jobs([1, { a: 1 }]) },
 *   { workers: 2, jobCount: 2, jobs: jobs([1, { a: 2 }]) },
 * ]);
 * assert.equal(check.compared, 2);
 * assert.equal(check.differing, 1);
 * assert.deepEqual(check.examples[0].outputs, ["{ a: 1 }", "{ a: 2 }"]);
 * ```
 */
export function compareOutputs(steps: readonly OutputStep[]): OutputCheck {
  const check: OutputCheck = { compared: 0, differing: 0, examples: [] };
  const [first, ...rest] = steps;
  if (!first) return check;
  const reference: (OutputDigest | undefined)[] = [];
  const referenceOf = (index: number): OutputDigest | undefined =>
    index in reference ? reference[index] : reference[index] = outputDigestOf(first.jobs, index);
  for (const step of rest) {
    if (step.jobCount !== first.jobCount || step.jobs.length !== first.jobs.length) continue;
    for (let index = 0; index < step.jobs.length; index++) {
      const actual = outputDigestOf(step.jobs, index);
      if (actual === undefined) continue;
      const expected = referenceOf(index);
      if (expected === undefined) continue;
      check.compared++;
      if (actual.hash === expected.hash) continue;
      check.differing++;
      if (check.examples.length < EXAMPLES) {
        check.examples.push({
          jobNumber: index + 1,
          workers: [first.workers, step.workers],
          repeat: step.repeat ?? 1,
          outputs: [short(expected.preview), short(actual.preview)],
        });
      }
    }
  }
  return check;
}

/**
 * The warning for a check that found differences.
 *
 * @param check What {@linkcode compareOutputs} found.
 * @returns The sentence, or `undefined` when every compared output agreed.
 *
 * @example
 * ```ts
 * import { describeOutputCheck } from "./outputs.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(describeOutputCheck({ compared: 4, differing: 0, examples: [] }), undefined);
 * ```
 */
export function describeOutputCheck(check: OutputCheck): string | undefined {
  if (check.differing === 0) return undefined;
  const [example] = check.examples;
  const [from, to] = example.workers;
  const workers = (count: number) => count === 0 ? "the inline step" : plural(count, "worker");
  return `Warning: job ${example.jobNumber}'s output differs between ${workers(from)} and ` +
    `${workers(to)}${example.repeat > 1 ? ` (run ${example.repeat})` : ""} ` +
    `(${example.outputs[0]} vs ${example.outputs[1]}); ${check.differing} of ` +
    `${check.compared} compared outputs differ. A job that is not deterministic, or not safe ` +
    `to run in parallel, makes every speed-up above suspect.`;
}
