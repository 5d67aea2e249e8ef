/**
 * What a sweep checks around its steps: its per-job inputs; and its two
 * promise helpers. Private to `src/sweep/`: `sweep.ts` uses it.
 *
 * @module
 */

/** The sweep's inputs as an array, checked: some, as many as `jobCount`, each clonable. */
export function checkedInputs(
  options: { inputs: Iterable<unknown>; jobCount?: number },
  maxJobs: number,
): unknown[] {
  // Read lazily, one past the cap at most: an endless iterable is refused, not spread into memory.
  const inputs: unknown[] = [];
  for (const input of options.inputs) {
    if (inputs.length === maxJobs) {
      throw new RangeError(
        `Cannot start sweep: inputs must hold from 1 to ${maxJobs} inputs, received more than ${maxJobs}`,
      );
    }
    inputs.push(input);
  }
  if (inputs.length === 0) {
    throw new RangeError(
      `Cannot start sweep: inputs must hold from 1 to ${maxJobs} inputs, received ${inputs.length}`,
    );
  }
  if (options.jobCount !== undefined && options.jobCount !== inputs.length) {
    throw new RangeError(
      `Cannot start sweep: jobCount must be left out or equal the number of inputs ` +
        `(${inputs.length}), received ${options.jobCount}`,
    );
  }
  try {
    structuredClone(inputs);
  } catch {
    const index = inputs.findIndex((input) => {
      try {
        structuredClone(input);
        return false;
      } catch {
        return true;
      }
    });
    throw new TypeError(
      `Cannot start sweep: input ${index + 1} cannot be posted to a worker (it must survive ` +
        `structured clone: no functions, no class instances with private state)`,
    );
  }
  return inputs;
}

/** `promise`, or a rejection naming `what` once `ms` milliseconds have passed. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** `promise`, or a rejection with `signal.reason` once it aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
