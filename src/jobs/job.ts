/**
 * The shape every job kind shares: what the main thread prepares once per
 * sweep, and what each worker runs for every job.
 *
 * @module
 */

/** The parameters of a sweep's jobs; each kind reads the ones it needs. */
export interface JobParams {
  /** How long each sleep job sleeps, in milliseconds. */
  sleepMs: number;
  /** How many decimals of pi each Pi job computes. */
  digits: number;
  /** How many lines each IO job writes per file (for the `io` kind). */
  ioLines?: number;
  /** The URL of a custom job module (for the `module` kind). */
  moduleUrl?: string;
  /** Values passed to a custom job module as its input (`--job-arg key=value`). */
  jobArgs?: Record<string, string>;
  /** Permissions for a custom job module's workers, beyond reading the module itself. */
  permissions?: JobPermissions;
}

/** What a job kind's workers may touch; everything not listed is denied. */
export interface JobPermissions {
  /** Paths the job may read. */
  read?: string[];
  /** Paths the job may write. */
  write?: string[];
  /** Hosts the job may reach (and import from). */
  net?: string[];
  /** Environment variables the job may read. */
  env?: string[];
}

/** What a running job can ask of the worker that runs it. */
export interface JobContext {
  /**
   * The worker's cancel flag: index 0 holds 0 while the job may run and 1
   * once it must stop. Kernels poll it between chunks of work, and blocking
   * waits use `Atomics.wait` on it so a cancel wakes them at once.
   */
  readonly cancelFlag: Int32Array;
  /** Whether the job has been asked to stop. */
  shouldStop(): boolean;
}

/**
 * Runs one job inside a worker and returns its output. A runner backed by a
 * WebAssembly instance may report its memory size through `wasmMemoryBytes`.
 */
export type JobRunner<Output> = ((context: JobContext) => Output | Promise<Output>) & {
  wasmMemoryBytes?: () => number;
};

/**
 * A kind of job: a name, the main-thread preparation, and the worker-side runner.
 *
 * @typeParam Setup Data prepared once on the main thread and posted to every
 *   worker (must survive structured clone, e.g. a compiled `WebAssembly.Module`).
 * @typeParam Output What one job returns.
 */
export interface JobKind<Setup = unknown, Output = unknown> {
  /** The canonical name, as given to `--job`. */
  readonly name: string;
  /** Other accepted names, such as the Go seed's (`EmptySleepJob`); matched case-insensitively. */
  readonly aliases: readonly string[];
  /** One line for `--help` and the README. */
  readonly description: string;
  /** Main thread, once per sweep: prepares what every worker receives. */
  setup?(params: JobParams): Setup | Promise<Setup>;
  /** Worker side, once per worker: builds the function that runs each job. */
  createRunner(params: JobParams, setup: Setup): JobRunner<Output> | Promise<JobRunner<Output>>;
  /** Main thread: the permissions this kind's workers need (default: none at all). */
  permissions?(params: JobParams, setup: Setup): JobPermissions;
  /** Main thread, once the sweep ends (also on failure or abort): undo what `setup` made. */
  teardown?(setup: Setup): void | Promise<void>;
  /** Worker side: a short phrase about one output for DEBUG lines ("50000 digits, sha …"). */
  describeOutput?(output: Output, params: JobParams): string;
}

/**
 * Declares a job kind, erasing its type parameters so kinds of every shape fit
 * in one registry.
 *
 * @param kind The job kind.
 * @returns The same object, typed for the registry.
 *
 * @example A job kind that returns a constant
 * ```ts
 * import { defineJob } from "./job.ts";
 * import assert from "node:assert/strict";
 *
 * const answer = defineJob({
 *   name: "answer",
 *   aliases: [],
 *   description: "Returns 42",
 *   createRunner: () => () => 42,
 * });
 * assert.equal(answer.name, "answer");
 * ```
 */
export function defineJob<Setup, Output>(kind: JobKind<Setup, Output>): JobKind {
  return kind as unknown as JobKind;
}
