/**
 * Small pieces of wording every layer shares: counts with their noun, percentages,
 * durations and the message of anything thrown. It imports nothing, so any file may use it.
 *
 * @module
 */

/** Seconds as ns, µs, ms or s, whichever reads best. */
export function duration(seconds: number): string {
  if (seconds < 1e-6) return `${(seconds * 1e9).toFixed(0)} ns`;
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(seconds < 1e-5 ? 2 : 1)} µs`;
  if (seconds < 1) return `${(seconds * 1e3).toFixed(1)} ms`;
  return `${seconds.toFixed(2)} s`;
}

/** `1 worker`, `2 workers`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/**
 * A step's threads in words: `2 workers`, or `2 workers × 16 in flight` when
 * each keeps more than 1 job in flight.
 *
 * @param step The step's workers and jobs in flight (absent: 1).
 * @returns The words.
 *
 * @example
 * ```ts
 * import { workersInFlight } from "./text.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(workersInFlight({ workers: 1 }), "1 worker");
 * assert.equal(workersInFlight({ workers: 2, concurrency: 16 }), "2 workers × 16 in flight");
 * ```
 */
export function workersInFlight(step: { workers: number; concurrency?: number }): string {
  const inFlight = step.concurrency ?? 1;
  const workers = plural(step.workers, "worker");
  return inFlight > 1 ? `${workers} × ${inFlight} in flight` : workers;
}

/** A ratio as a whole percentage. */
export function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

/**
 * The message of anything thrown: an `Error`'s `message`, anything else as a string. Never
 * throws, even for an error whose `message` getter does.
 *
 * @param error What was thrown.
 * @returns Its message.
 *
 * @example A thrown Error and a thrown string
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorMessage } from "./text.ts";
 *
 * assert.equal(errorMessage(new RangeError("too big")), "too big");
 * assert.equal(errorMessage("plain"), "plain");
 * ```
 */
export function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return "(a value whose message could not be read)";
  }
}
