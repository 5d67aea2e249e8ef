/**
 * Per-job `AbortSignal`s for the jobs a thread runs, made only when a job reads
 * `context.signal` (an `AbortController` costs ~0.1 µs; a no-op job must not
 * pay it), and a watch on the thread's cancel flag that tells the owner when
 * the flag goes up. Used by the worker entry and the inline step; not public.
 *
 * @module
 */
import { JobCancelledError } from "../errors.ts";
import type { JobContext } from "../jobs/job.ts";
import {
  abortController,
  controllerSignal,
  mapClear,
  mapDelete,
  mapForEach,
  mapGet,
  mapSet,
  mapSize,
  whenSettled,
} from "./_builtins.ts";

// The inline step's jobs print as a worker's do (the console is the other thing a job shares).
export { installJobConsole } from "./_job_console.ts";

// Taken when this module loads, before any job code runs in the thread: a job that replaces
// `Atomics`, the timers or `AbortController` in its global scope (or the methods of `Map` and
// `Promise`: see `_builtins.ts`) must not see the flag or stop the watch.
const { load: atomicLoad, waitAsync: atomicWaitAsync } = Atomics;
const later = setTimeout;
const soon = queueMicrotask;
const Controller = AbortController;

/** How often a raised flag that nobody lowered is looked at again, in milliseconds. */
const RAISED_POLL_MS = 10;

/**
 * The signals of the jobs in flight on one thread, keyed by job index, and the
 * watch on its cancel flag.
 *
 * @example A job's signal is aborted when its owner says so
 * ```ts
 * import assert from "node:assert/strict";
 * import { JobSignals } from "./job_signals.ts";
 *
 * const signals = new JobSignals(new Int32Array(new SharedArrayBuffer(4)));
 * const signal = signals.signalFor(3);
 * signals.abort(3, "timed out");
 * assert.equal(signal.aborted, true);
 * ```
 */
export class JobSignals {
  readonly #flag: Int32Array;
  /**
   * Called when the flag goes up while a signal is live; it decides which jobs
   * to abort (and may lower the flag). By default every live signal is aborted:
   * a thread with one job at a time was asked to stop that job.
   */
  onRaised: () => void = () => this.abortAll("it was asked to stop");
  readonly #controllers = new Map<number, AbortController>();
  #watching = false;

  /** @param flag The thread's cancel flag (index 0: 0 = run, 1 = stop). */
  constructor(flag: Int32Array) {
    this.#flag = flag;
  }

  /** Job `index`'s signal, made on first use; the flag is watched from then on. */
  signalFor(index: number): AbortSignal {
    let controller = mapGet(this.#controllers, index);
    if (!controller) {
      controller = new Controller();
      mapSet(this.#controllers, index, controller);
      this.#watch();
    }
    return controllerSignal(controller);
  }

  /** Whether job `index` has a signal (it read `context.signal`). */
  has(index: number): boolean {
    return mapGet(this.#controllers, index) !== undefined;
  }

  /** Aborts job `index`'s signal, if it has one, with a `JobCancelledError` naming `why`. */
  abort(index: number, why: string): void {
    const controller = mapGet(this.#controllers, index);
    if (!controller) return;
    mapDelete(this.#controllers, index);
    try {
      abortController(controller, new JobCancelledError(`Job ${index + 1} was cancelled: ${why}`));
    } catch {
      // A listener of the job's threw: its job is told, and the rest must be too.
    }
  }

  /** Aborts every live signal. */
  abortAll(why: string): void {
    mapForEach(this.#controllers, (_controller, index) => this.abort(index, why));
  }

  /** Forgets job `index`'s signal once the job has settled. */
  release(index: number): void {
    mapDelete(this.#controllers, index);
  }

  /** Forgets every signal; the watch ends at its next wake-up. */
  clear(): void {
    mapClear(this.#controllers);
  }

  // A pending Atomics.waitAsync does not keep an event loop alive, and resolves
  // only while something else does; a worker's message port does, and so does
  // the job that holds a signal.
  #watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    const waiting = atomicWaitAsync(this.#flag, 0, 0);
    const fired = () => {
      this.#watching = false;
      if (mapSize(this.#controllers) === 0) return;
      if (atomicLoad(this.#flag, 0) !== 0) this.onRaised();
      if (mapSize(this.#controllers) === 0) return;
      if (atomicLoad(this.#flag, 0) === 0) this.#watch();
      else {
        this.#watching = true;
        later(fired, RAISED_POLL_MS);
      }
    };
    if (waiting.async) whenSettled(waiting.value, fired);
    else soon(fired);
  }
}

/**
 * The one context of a thread that runs one job at a time, updated for each
 * job (a µs job must not pay an object each).
 */
export class SerialJobContext implements JobContext {
  /** The running job's index in the batch (its number less one). */
  index = -1;
  jobNumber?: number;
  input?: unknown;
  readonly cancelFlag: Int32Array;
  readonly hasInput: boolean;
  readonly #signals: JobSignals;

  constructor(cancelFlag: Int32Array, hasInput: boolean, signals: JobSignals) {
    this.cancelFlag = cancelFlag;
    this.hasInput = hasInput;
    this.#signals = signals;
  }

  // A property, not a method: kinds destructure it (`({ shouldStop }) => …`).
  readonly shouldStop = (): boolean => atomicLoad(this.cancelFlag, 0) !== 0;

  get signal(): AbortSignal {
    return this.#signals.signalFor(this.index);
  }
}

/**
 * A context of its own for each job in flight: its number, input and signal
 * stay its own while others run, and it is asked to stop only when the flag is
 * up for it (`isStopping(index)`), not for another job's time-out.
 */
export class InFlightJobContext implements JobContext {
  readonly jobNumber: number;
  readonly input: unknown;
  readonly cancelFlag: Int32Array;
  readonly hasInput: boolean;
  readonly #signals: JobSignals;
  readonly #isStopping: (index: number) => boolean;

  constructor(
    base: { cancelFlag: Int32Array; hasInput: boolean },
    index: number,
    input: unknown,
    signals: JobSignals,
    isStopping: (index: number) => boolean,
  ) {
    this.cancelFlag = base.cancelFlag;
    this.hasInput = base.hasInput;
    this.jobNumber = index + 1;
    this.input = input;
    this.#signals = signals;
    this.#isStopping = isStopping;
  }

  #shouldStop?: () => boolean;

  // A getter, made when first read and kept (a job in flight must not pay a function unless it
  // asks, nor one per poll): kinds destructure it.
  get shouldStop(): () => boolean {
    return this.#shouldStop ??= () =>
      atomicLoad(this.cancelFlag, 0) !== 0 && this.#isStopping(this.jobNumber - 1);
  }

  get signal(): AbortSignal {
    return this.#signals.signalFor(this.jobNumber - 1);
  }
}
