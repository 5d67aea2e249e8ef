/**
 * A worker's drain with up to `concurrency` jobs in flight: the Deno twin of
 * goroutines. A job that returns a promise stays in flight while the worker
 * claims the next one from the shared channel; a synchronous job simply runs
 * to completion first. Private to `src/pool/`: the worker entry calls it.
 *
 * @module
 */
import { type ChannelClaimer, CLAIM_END, CLAIM_NONE } from "../channel/mod.ts";
import type { JobRunner } from "../jobs/job.ts";
import type { JobReport } from "./protocol.ts";
import { InFlightJobContext, type JobSignals, type SerialJobContext } from "./job_signals.ts";
import { mapDelete, mapForEach, mapSet, mapSize, whenSettled } from "./_builtins.ts";

// Taken when this module loads, before any job code: a job that replaces `Atomics`, the
// timers or `performance.now` in its global scope (or the methods of `Map` and `Promise`:
// see `_builtins.ts`) must not see the flag or stop the loop.
const { load: atomicLoad, store: atomicStore } = Atomics;
const now = performance.now.bind(performance);
const timeOrigin = performance.timeOrigin;
const repeat = setInterval;
const stopRepeating = clearInterval;
const { RuntimeError } = WebAssembly;
const resolved = Promise.resolve.bind(Promise);

/** How often the loop looks at the cancel flag while jobs are in flight, in milliseconds. */
const FLAG_POLL_MS = 10;

/** What the drain needs from the worker entry. */
export interface InFlightHost {
  claimer: ChannelClaimer;
  /** This slot's cancelling state word. */
  cancelling: number;
  concurrency: number;
  /** The worker's context: its flag, whether jobs have inputs, its signals. */
  context: SerialJobContext;
  signals: JobSignals;
  runner: JobRunner<unknown>;
  inputs: readonly unknown[] | undefined;
  /** Commits or reports a settled job; true when its state says cancelling. */
  settle(
    index: number,
    runMs: number,
    output: unknown,
    failed: boolean,
    error: unknown,
    stopping: boolean,
  ): boolean;
  report(entry: JobReport): void;
  flushIfDue(): void;
  flushReports(): void;
  /**
   * Called once when the drain ends, with whether a job trapped (the worker should be
   * replaced).
   */
  end(trapped: boolean): void;
}

/** Whether a job threw a WebAssembly trap; false where asking throws (a revoked Proxy). */
function isTrap(error: unknown): boolean {
  try {
    return error instanceof RuntimeError;
  } catch {
    return false;
  }
}

/**
 * Runs the drain with jobs in flight until the channel closes or the slot is
 * retired and no job is left in flight. A job the main thread asks to stop (a
 * time-out: its state says cancelling and the flag goes up) has its signal
 * aborted and is reported cancelled at once, whether or not it stops: its
 * promise is abandoned and whatever it settles to later is ignored. When the
 * channel closes (Ctrl-C, cancel), every job in flight is treated that way.
 *
 * It ends by calling `host.end` (whether a job trapped).
 */
export async function drainInFlight(host: InFlightHost): Promise<void> {
  const { claimer, cancelling, concurrency, runner, inputs, signals } = host;
  const flag = host.context.cancelFlag;
  const inFlight = new Map<number, number>(); // index → start (now())
  let trapped = false;
  // The last claim found nothing while jobs were in flight: the next claim waits for the poll
  // (a job handed back by another slot) or for the jobs to run out, not for every settle (10,000
  // timers settling at once must not each scan the channel and notify the main thread).
  let claimIdle = false;
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const isStopping = (index: number) =>
    claimer.closed || claimer.retired || claimer.state(index) === cancelling;
  const abandon = (start: number, index: number, why: string) => {
    mapDelete(inFlight, index);
    signals.abort(index, why);
    const runMs = now() - start;
    const from = claimer.state(index);
    if (claimer.markReported(index, runMs, from === cancelling ? cancelling : undefined)) {
      host.report({ index, cancelled: true });
    }
  };
  const onRaised = () => {
    const all = claimer.closed || claimer.retired;
    // Lowered before looking, so a time-out raised meanwhile is seen next time.
    if (!all) atomicStore(flag, 0, 0);
    // Map.forEach visits entries as they are (deleting the one visited is allowed).
    mapForEach(inFlight, (start, index) => {
      if (all) abandon(start, index, "the step was cancelled");
      else if (claimer.state(index) === cancelling) {
        abandon(start, index, "it ran past its time-out");
      }
    });
    wakeUp();
  };
  signals.onRaised = onRaised;
  const finish = (
    index: number,
    start: number,
    output: unknown,
    failed: boolean,
    error: unknown,
  ) => {
    if (!mapDelete(inFlight, index)) return; // Abandoned: already reported cancelled.
    signals.release(index);
    const runMs = now() - start;
    const stopping = failed && atomicLoad(flag, 0) !== 0 && isStopping(index);
    if (host.settle(index, runMs, output, failed, error, stopping)) {
      if (claimer.markReported(index, runMs, cancelling)) host.report({ index, cancelled: true });
    }
    if (failed && isTrap(error)) trapped = true;
    wakeUp();
  };
  // Keeps the event loop turning while jobs wait (a pending Atomics.waitAsync does not) and
  // looks at the flag for jobs that never read their signal.
  // Also wakes a loop waiting with nothing to claim, so jobs handed back by another slot are seen.
  const poll = repeat(() => {
    claimIdle = false;
    if (atomicLoad(flag, 0) !== 0) onRaised();
    else wakeUp();
  }, FLAG_POLL_MS);
  const settled = () => new Promise<void>((resolve) => (wake = resolve));
  try {
    while (!trapped) {
      host.flushIfDue();
      const ending = mapSize(inFlight) > 0 && (claimer.closed || claimer.retired);
      if (ending || atomicLoad(flag, 0) !== 0) onRaised();
      if (mapSize(inFlight) >= concurrency || (claimIdle && mapSize(inFlight) > 0)) {
        await settled();
        continue;
      }
      const index = claimer.next();
      if (index === CLAIM_END || index === CLAIM_NONE) {
        if (mapSize(inFlight) === 0) {
          if (index === CLAIM_END) break;
          host.flushReports();
          claimer.waitForWork();
          continue;
        }
        host.flushReports();
        claimer.flushCompleted();
        claimIdle = true;
        await settled();
        continue;
      }
      claimIdle = false;
      if (!claimer.begin(index)) continue;
      const input = inputs?.[index];
      const context = new InFlightJobContext(host.context, index, input, signals, isStopping);
      const start = now();
      claimer.recordStart(index, timeOrigin + start);
      let output: unknown;
      let pending: Promise<unknown> | undefined;
      try {
        output = runner(context);
        // A thenable's `then` is job code: read (and called) here, where a throw fails the job.
        const thenable = typeof (output as PromiseLike<unknown> | null)?.then === "function";
        if (thenable) pending = resolved(output);
      } catch (error) {
        mapSet(inFlight, index, start);
        finish(index, start, undefined, true, error);
        continue;
      }
      mapSet(inFlight, index, start);
      if (pending) {
        whenSettled(
          pending,
          (value) => finish(index, start, value, false, undefined),
          (error) => finish(index, start, undefined, true, error),
        );
      } else finish(index, start, output, false, undefined);
    }
    // A trap stops the claiming; the jobs already in flight still settle here.
    while (mapSize(inFlight) > 0) {
      if (claimer.closed || claimer.retired || atomicLoad(flag, 0) !== 0) onRaised();
      if (mapSize(inFlight) > 0) await settled();
    }
  } finally {
    stopRepeating(poll);
    signals.onRaised = () => signals.abortAll("it was asked to stop");
    signals.clear();
    host.end(trapped);
  }
}
