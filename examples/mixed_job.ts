/**
 * A job that computes, then waits: about `computeMs` (default 2) of CPU on its
 * thread, then a `waitMs` (default 5) timer on the event loop, like a request
 * handler that parses, then calls a service. Run it with
 * `deno run -A mod.ts --job ./examples/mixed_job.ts --workers 0,1,2,4 --concurrency 1,4,16,64`.
 *
 * @module
 */

/** The job's `--job-arg` values, as strings. */
interface MixedArgs {
  computeMs?: string;
  waitMs?: string;
}

/**
 * Spins for `computeMs` of wall time, then awaits a `waitMs` timer.
 *
 * @param _input The job's input (unused).
 * @param context The job's args and its abort signal.
 * @returns `computeMs + waitMs` (the same for every job, so the output check holds).
 */
export default async function mixedJob(
  _input: unknown,
  context: { args: MixedArgs; signal: AbortSignal },
): Promise<number> {
  const computeMs = Number(context.args.computeMs ?? "2");
  const waitMs = Number(context.args.waitMs ?? "5");
  const until = performance.now() + computeMs;
  let turns = 0;
  while (performance.now() < until) turns++;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, waitMs);
    context.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(context.signal.reason);
    }, { once: true });
  });
  return turns > 0 ? computeMs + waitMs : 0;
}
