/**
 * The worker pool: a fixed set of workers (`PoolWorker`) for one sweep step,
 * replaced when one dies, cancelled or closed together.
 *
 * @module
 */
import { PoolWorker } from "./pool_worker.ts";
import type { WorkerStats } from "./protocol.ts";
import type { WorkerPoolOptions } from "./spawn_worker.ts";

/**
 * The most workers one pool (one sweep step) may start: each Deno worker is a V8 isolate of
 * ~10 MiB and more, and they start one after another.
 *
 * @example Ask for too many workers
 * ```ts
 * import { MAX_WORKERS, WorkerPool } from "./worker_pool.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => new WorkerPool({ size: MAX_WORKERS + 1, jobKind: "noop", params: {} }), RangeError);
 * ```
 */
export const MAX_WORKERS = 1024;

/**
 * A fixed set of workers for one sweep step.
 *
 * @example Run two steps on the same two sleep workers
 * ```ts ignore
 * import { runStep, WorkerPool } from "../../mod.ts";
 *
 * await using pool = new WorkerPool({ size: 2, jobKind: "sleep", params: { sleepMs: 10 } });
 * await pool.ready();
 * const first = await runStep(pool, { jobCount: 4 });
 * const second = await runStep(pool, { jobCount: 4 });
 * console.log(first.completed, second.completed); // 4 4
 * ```
 */
export class WorkerPool implements AsyncDisposable {
  #workers: PoolWorker[];
  #options: WorkerPoolOptions;
  #cancelled = false;
  #closed = false;

  /**
   * Spawns `size` workers; `ready()` tells when all of them can take jobs.
   *
   * @param options Size, job kind, parameters and setup.
   * @throws {RangeError} If `size` is not an integer from 1 to {@linkcode MAX_WORKERS}.
   */
  constructor(options: WorkerPoolOptions) {
    if (!Number.isSafeInteger(options.size) || options.size < 1 || options.size > MAX_WORKERS) {
      throw new RangeError(
        `Cannot start worker pool: size must be an integer from 1 to ${MAX_WORKERS}, received ${options.size}`,
      );
    }
    this.#options = options;
    this.#workers = Array.from({ length: options.size }, () => new PoolWorker(options));
  }

  /**
   * Replaces a worker that has closed (it crashed, trapped or was given up on)
   * with a new one, and waits until it is ready.
   *
   * @param worker The closed worker.
   * @returns The new worker, in the old one's place.
   * @throws {Error} (as a rejection) If the new worker fails to start, or the pool was cancelled.
   * @ignore The step's, not the public API's: workers are not public.
   */
  async replace(worker: PoolWorker): Promise<PoolWorker> {
    const index = this.#workers.indexOf(worker);
    if (index < 0) throw new Error(`Cannot replace worker ${worker.id}: not in this pool`);
    if (this.#cancelled || this.#closed) {
      throw new Error(`Cannot replace worker ${worker.id}: the pool is stopping`);
    }
    worker.close();
    const replacement = new PoolWorker(this.#options);
    this.#workers[index] = replacement;
    await replacement.ready();
    return replacement;
  }

  /**
   * The workers, in allocation order.
   *
   * @ignore The step's, not the public API's: workers are not public.
   */
  get workers(): readonly PoolWorker[] {
    return this.#workers;
  }

  /** How many workers the pool has. */
  get size(): number {
    return this.#workers.length;
  }

  /**
   * Waits until every worker is ready.
   *
   * @returns A promise that rejects with the first start-up failure.
   */
  async ready(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.ready()));
  }

  /**
   * Collects every worker's memory figures and CPU profile (see {@linkcode PoolWorker.stats}).
   *
   * @returns One entry per worker, in allocation order; `undefined` for a closed worker.
   */
  stats(): Promise<(WorkerStats | undefined)[]> {
    return Promise.all(this.#workers.map((worker) => worker.stats()));
  }

  /** Stops every worker taking jobs and cancels the running ones (see {@linkcode PoolWorker.stop}). */
  cancel(): void {
    this.#cancelled = true;
    for (const worker of this.#workers) worker.stop();
  }

  /** Terminates every worker. Idempotent; a closed pool runs no more steps. */
  close(): void {
    this.#closed = true;
    for (const worker of this.#workers) worker.close();
  }

  /** Whether {@linkcode WorkerPool.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Closes the pool at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/** The pools running a step now: a pool runs one step at a time. */
const runningSteps = new WeakSet<WorkerPool>();

/**
 * Marks the pool as running a step, which `runStep` does first: a pool runs
 * one step at a time, and a closed pool none. Not on the public API: only the
 * step calls it (`mod.ts` does not re-export it).
 *
 * @param pool The pool the step runs on.
 * @returns A function that marks the step as ended.
 * @throws {Error} If the pool is closed or already running a step.
 *
 * @example A closed pool runs no step
 * ```ts ignore
 * import { beginStep, WorkerPool } from "./worker_pool.ts";
 *
 * const pool = new WorkerPool({ size: 1, jobKind: "noop", params: {} });
 * pool.close();
 * beginStep(pool); // throws: "Cannot run step: the worker pool is closed"
 * ```
 */
export function beginStep(pool: WorkerPool): () => void {
  if (pool.closed) throw new Error("Cannot run step: the worker pool is closed");
  if (runningSteps.has(pool)) {
    throw new Error(
      "Cannot run step: the worker pool is already running one (a pool runs one step at a time)",
    );
  }
  runningSteps.add(pool);
  return () => {
    runningSteps.delete(pool);
  };
}
