/**
 * A job that only waits: it awaits a `ms` timer (default 10) on its thread's
 * event loop, like a call to a slow service, and uses no CPU meanwhile. More
 * jobs in flight per worker (`--concurrency`) pay here, not more threads.
 * It stops at once when its `context.signal` aborts (a time-out, Ctrl-C).
 * Run it with `deno run -A mod.ts --job ./examples/wait_job.ts --job-arg ms=20 --jobs 16 --workers 1,2 --concurrency 1,8`.
 *
 * @module
 */

/**
 * Waits `ms` milliseconds (`--job-arg ms=…`, `params.jobArgs.ms` in the library).
 *
 * @param _input The job's input (unused).
 * @param context The job's `--job-arg` pairs and its abort signal.
 * @returns The milliseconds waited, as asked (the same for every job).
 * @throws {RangeError} When `ms` is not a whole number from 0 to 3,600,000.
 * @throws The signal's reason, unchanged, when the signal aborts first.
 *
 * @example Waits, and stops when aborted
 * ```ts
 * import waitJob from "./wait_job.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await waitJob(undefined, { args: { ms: "1" }, signal: new AbortController().signal }), 1);
 * const controller = new AbortController();
 * const waiting = waitJob(undefined, { args: { ms: "60000" }, signal: controller.signal });
 * controller.abort(new Error("stop"));
 * await assert.rejects(waiting, { message: "stop" });
 * ```
 */
export default function waitJob(
  _input: unknown,
  context: { args: Record<string, string>; signal: AbortSignal },
): Promise<number> {
  const ms = Number(context.args.ms ?? 10);
  if (!Number.isInteger(ms) || ms < 0 || ms > 3_600_000) {
    throw new RangeError(
      `Cannot run wait_job: ms must be a whole number from 0 to 3600000, received ${ms}`,
    );
  }
  const { signal } = context;
  return new Promise<number>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(ms);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
