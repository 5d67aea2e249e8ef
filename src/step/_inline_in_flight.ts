/**
 * The inline step with jobs in flight on the calling thread: up to
 * `concurrency` promises pending at once, each job with its own context and
 * signal, a time-out per job that awaits. The "no threads at all" answer for
 * jobs that wait. Private to `src/step/`: `inline_step.ts` calls it.
 *
 * @module
 */
import { errorRecord, JobCancelledError, JobTimeoutError } from "../errors.ts";
import { serializeError } from "../pool/protocol.ts";
import type { JobRunner } from "../jobs/job.ts";
import { InFlightJobContext, JobSignals } from "../pool/job_signals.ts";
import type { JobColumnsBuilder } from "./job_records.ts";

/** What one run of the batch with jobs in flight needs. */
export interface InFlightRun {
  runner: JobRunner<unknown>;
  jobCount: number;
  concurrency: number;
  inputs?: readonly unknown[];
  signal?: AbortSignal;
  jobName: string;
  jobTimeoutMs?: number;
  /** The thread's cancel flag, raised when `signal` aborts. */
  cancelFlag: Int32Array;
  /** Where each job's record goes; left out for warm-up runs. */
  columns?: JobColumnsBuilder;
  /** Describes an output that is neither a number nor empty. */
  describe(output: unknown): string | undefined;
}

/** The counts and the run time of the done jobs. */
export interface InFlightCounts {
  completed: number;
  failed: number;
  cancelled: number;
  doneSeconds: number;
}

/** Whether a job threw a `JobCancelledError`; false where asking throws (a hostile Proxy). */
export function isCancel(thrown: unknown): boolean {
  try {
    return thrown instanceof JobCancelledError;
  } catch {
    return false;
  }
}

/** Whether `value` has a `then` method; throws what reading it throws (a hostile Proxy). */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

/**
 * Runs the batch with up to `concurrency` jobs in flight and records every job
 * once as done, failed (a time-out among them) or cancelled.
 *
 * @returns The counts; a warm-up run (no `columns`) stops at its first failure.
 */
export async function runInFlight(run: InFlightRun): Promise<InFlightCounts> {
  const { runner, jobCount, concurrency, inputs, signal, columns, cancelFlag } = run;
  const counts: InFlightCounts = { completed: 0, failed: 0, cancelled: 0, doneSeconds: 0 };
  const signals = new JobSignals(cancelFlag);
  // The jobs in flight and those timed out, by index: objects without a prototype, not a Map or a
  // Set, whose methods a job on this thread may have replaced (the inline step's bookkeeping
  // shares its realm), so that no job can make the step lose track of one (or hang).
  type Entry = { start: number; timer?: ReturnType<typeof setTimeout> };
  const inFlight: Record<number, Entry | undefined> = Object.create(null);
  let inFlightCount = 0;
  const base = { cancelFlag, hasInput: inputs !== undefined };
  const timedOut: Record<number, true | undefined> = Object.create(null);
  const isStopping = (index: number) => signal?.aborted === true || timedOut[index] === true;
  const startMs = performance.now();
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const label = (index: number) => `Job ${index + 1} (${run.jobName})`;
  const record = (
    index: number,
    start: number,
    status: "done" | "failed" | "cancelled",
    output: unknown,
    error?: { name: string; message: string },
  ) => {
    const entry = inFlight[index];
    if (!entry) return false; // Already settled (timed out or cancelled).
    delete inFlight[index];
    inFlightCount--;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    signals.release(index);
    const elapsedSeconds = (performance.now() - start) / 1000;
    const waitSeconds = (start - startMs) / 1000;
    counts[status === "done" ? "completed" : status]++;
    if (status === "done") counts.doneSeconds += elapsedSeconds;
    if (status === "done" && typeof output === "number") {
      columns?.setNumber(index, 0, elapsedSeconds, waitSeconds, output);
    } else if (status === "done" && output == null) {
      columns?.set(index, "done", 0, elapsedSeconds, waitSeconds);
    } else if (status === "done") {
      columns?.set(index, "done", 0, elapsedSeconds, waitSeconds, {
        output,
        summary: run.describe(output),
      });
    } else columns?.set(index, status, 0, elapsedSeconds, waitSeconds, { error });
    wakeUp();
    return true;
  };
  const fail = (index: number, start: number, thrown: unknown) => {
    const cancelled = isCancel(thrown) || isStopping(index);
    const status = cancelled ? "cancelled" : "failed";
    // Whatever was thrown (a getter that throws, a revoked Proxy): never a throw of its own.
    const { name, message } = serializeError(thrown, { stack: false });
    record(index, start, status, undefined, {
      name,
      message: `${label(index)} ${status}: ${message}`,
    });
  };
  const timeOut = (index: number, start: number) => {
    if (!inFlight[index]) return;
    timedOut[index] = true;
    signals.abort(index, `it ran past ${run.jobTimeoutMs} ms`);
    const error = errorRecord(
      new JobTimeoutError(`${label(index)} timed out after ${run.jobTimeoutMs} ms`),
    );
    record(index, start, "failed", undefined, error);
  };
  const onAbort = () => {
    signals.abortAll("the step was cancelled");
    for (const key in inFlight) {
      record(Number(key), inFlight[key]!.start, "cancelled", undefined, {
        name: JobCancelledError.name,
        message: `${label(Number(key))} cancelled: the step was cancelled`,
      });
    }
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    let next = 0;
    while (next < jobCount || inFlightCount > 0) {
      if (signal?.aborted) {
        onAbort();
        break;
      }
      if (columns === undefined && counts.failed + counts.cancelled > 0) break;
      if (next >= jobCount || inFlightCount >= concurrency) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const index = next++;
      const context = new InFlightJobContext(base, index, inputs?.[index], signals, isStopping);
      const start = performance.now();
      inFlight[index] = { start };
      inFlightCount++;
      let output: unknown;
      let thenable: boolean;
      try {
        output = runner(context);
        thenable = isThenable(output);
      } catch (thrown) {
        fail(index, start, thrown);
        continue;
      }
      if (!thenable) {
        record(index, start, "done", output);
        continue;
      }
      const pending = output as PromiseLike<unknown>;
      if (run.jobTimeoutMs !== undefined) {
        inFlight[index]!.timer = setTimeout(() => timeOut(index, start), run.jobTimeoutMs);
      }
      pending.then(
        (value) => record(index, start, "done", value),
        (thrown) => fail(index, start, thrown),
      );
    }
    // Jobs never started (the signal came first) are cancelled too.
    for (let index = next; index < jobCount; index++) {
      columns?.setUnstarted(index, "cancelled", 0, (performance.now() - startMs) / 1000);
      counts.cancelled++;
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    for (const key in inFlight) clearTimeout(inFlight[key]!.timer);
    signals.clear();
  }
  return counts;
}
