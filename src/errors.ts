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
 * assert.ok(error instanceof Error);
 * ```
 */
export class JobCancelledError extends Error {
  /**
   * Creates a cancellation error.
   *
   * @param message What was stopped and why.
   * @param options Standard error options; `cause` is kept.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "JobCancelledError";
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
  /**
   * Creates a start-up error.
   *
   * @param message Which step's workers failed and why.
   * @param options Standard error options; pass the worker's error as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WorkerStartError";
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
  /**
   * Creates a settings error.
   *
   * @param message One line naming the setting, the value and what is accepted.
   * @param options Standard error options; `cause` is kept.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}
