/**
 * Error classes that callers are expected to tell apart with `instanceof`.
 *
 * @module
 */

/**
 * Thrown inside a worker (or on the calling thread) when a running job notices
 * that its cancel flag was raised and stops early.
 *
 * @example Recognise a cancelled job
 * ```ts
 * import { JobCancelledError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new JobCancelledError("Cannot finish job 3: it was cancelled");
 * assert.equal(error.name, "JobCancelledError");
 * assert.equal(JobCancelledError.name, "JobCancelledError"); // no instance needed
 * assert.ok(error instanceof Error);
 * ```
 */
export class JobCancelledError extends Error {
  /** The class's name, as errors and records carry it: `JobCancelledError.name`, no instance needed. */
  static override readonly name = "JobCancelledError";

  /**
   * Creates a cancellation error.
   *
   * @param message What was stopped and why.
   * @param options Standard error options; `cause` is kept.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = JobCancelledError.name;
  }
}

/**
 * A step's workers could not start: the job module failed to load, had no
 * default function export, or a worker died during start-up. The sweep stops
 * (no respawn loop) and the original error is the `cause`.
 *
 * @example Recognise a start-up failure
 * ```ts
 * import { WorkerStartError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new WorkerStartError("Cannot start 2 workers: boom", { cause: new Error("boom") });
 * assert.equal(error.name, "WorkerStartError");
 * assert.ok(error.cause instanceof Error);
 * ```
 */
export class WorkerStartError extends Error {
  /** The class's name, as errors and records carry it: `WorkerStartError.name`, no instance needed. */
  static override readonly name = "WorkerStartError";

  /**
   * Creates a start-up error.
   *
   * @param message Which step's workers failed and why.
   * @param options Standard error options; pass the worker's error as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = WorkerStartError.name;
  }
}

/**
 * A CLI setting was missing its value, malformed or out of range. The CLI
 * prints its message as one line and exits with code 2.
 *
 * @example Tell a bad setting from other failures
 * ```ts
 * import { ConfigError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new ConfigError('Cannot read settings: --jobs must be an integer, received "x"');
 * assert.ok(error instanceof ConfigError);
 * assert.equal(String(error), `ConfigError: ${error.message}`);
 * ```
 */
export class ConfigError extends Error {
  /** The class's name, as errors and records carry it: `ConfigError.name`, no instance needed. */
  static override readonly name = "ConfigError";

  /**
   * Creates a settings error.
   *
   * @param message One line naming the setting, the value and what is accepted.
   * @param options Standard error options; `cause` is kept.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ConfigError.name;
  }
}

/**
 * The errors a job's record can carry that come from the pool rather than
 * from the job itself. Records hold them as plain `{ name, message }` (what
 * crosses threads and goes into JSON); each class is the one source of its
 * name, and {@linkcode errorRecord} makes the record.
 */

/**
 * A job ran past its `jobTimeoutMs` and was cancelled.
 *
 * @example The record of a timed-out job
 * ```ts
 * import { errorRecord, JobTimeoutError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const record = errorRecord(new JobTimeoutError("Job 3 (sleep) timed out after 50 ms"));
 * assert.deepEqual(record, { name: "JobTimeoutError", message: "Job 3 (sleep) timed out after 50 ms" });
 * ```
 */
export class JobTimeoutError extends Error {
  /** The class's name, as errors and records carry it: `JobTimeoutError.name`, no instance needed. */
  static override readonly name = "JobTimeoutError";

  /**
   * Creates a timeout error.
   *
   * @param message Which job and its limit.
   */
  constructor(message: string) {
    super(message);
    this.name = JobTimeoutError.name;
  }
}

/**
 * A job never ran because no worker was left to run it (every worker died and
 * none could be replaced).
 *
 * @example Tell it from a job's own failure
 * ```ts
 * import { NoWorkerError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new NoWorkerError("No worker was left to run it").name, "NoWorkerError");
 * ```
 */
export class NoWorkerError extends Error {
  /** The class's name, as errors and records carry it: `NoWorkerError.name`, no instance needed. */
  static override readonly name = "NoWorkerError";

  /**
   * Creates the error.
   *
   * @param message Why no worker was left.
   */
  constructor(message: string) {
    super(message);
    this.name = NoWorkerError.name;
  }
}

/**
 * A job's worker died under it: an uncaught error, `self.close()` or
 * `Deno.exit()` in the job, a message the pool does not understand, or
 * retirement after a timeout.
 *
 * @example The record of a job whose worker crashed
 * ```ts
 * import { errorRecord, WorkerCrashError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(errorRecord(new WorkerCrashError("boom")).name, "WorkerCrashError");
 * ```
 */
export class WorkerCrashError extends Error {
  /** The class's name, as errors and records carry it: `WorkerCrashError.name`, no instance needed. */
  static override readonly name = "WorkerCrashError";

  /**
   * Creates the error.
   *
   * @param message What ended the worker.
   */
  constructor(message: string) {
    super(message);
    this.name = WorkerCrashError.name;
  }
}

/**
 * The plain record of an error, as job records hold it.
 *
 * @param error Any error.
 * @returns Its name and message.
 *
 * @example A record of a RangeError
 * ```ts
 * import { errorRecord } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(errorRecord(new RangeError("too big")), { name: "RangeError", message: "too big" });
 * ```
 */
export function errorRecord(error: Error): { name: string; message: string } {
  return { name: error.name, message: error.message };
}
