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
