/**
 * One pool worker's lifecycle: spawn, wait for ready, run one job at a time
 * or drain a shared job channel, cancel, close.
 *
 * @module
 */
import { JobCancelledError, WorkerCrashError } from "../errors.ts";

const WORKER_CRASH = WorkerCrashError.name;
import {
  deserializeError,
  type JobReport,
  type MainToWorker,
  parseWorkerMessage,
  type SerializedError,
  type WorkerStats,
  type WorkerToMain,
} from "./protocol.ts";
import { spawnWorker, type WorkerPoolOptions } from "./spawn_worker.ts";
import { viewJobChannel } from "../channel/mod.ts";
import { checkDrained, checkReports, type DrainView, isLateReport } from "./_drain_checks.ts";

const JOB_CANCELLED = JobCancelledError.name;

/** Where a worker is in its life. */
export type WorkerState = "starting" | "ready" | "busy" | "closed";

/** How one job ended, as seen by the pool. */
export interface JobOutcome {
  /** `done`, `failed` (threw, timed out, or its worker died) or `cancelled`. */
  status: "done" | "failed" | "cancelled";
  /** What the job returned, when done. */
  output?: unknown;
  /** A short phrase about the output, from the job kind. */
  summary?: string;
  /** Why it failed or was cancelled. */
  error?: Error;
  /** The job failed with a WebAssembly trap (its worker is then retired). */
  trapped?: boolean;
  /** When the job started inside the worker, as epoch milliseconds. */
  startedAtMs: number;
  /** How long the job ran inside the worker, in milliseconds. */
  elapsedMs: number;
}

/** How a worker's {@linkcode PoolWorker.drain} of a shared job channel ended. */
export type DrainEnd =
  /** The loop ended: the channel closed, the slot was retired, or a job trapped (`trapped`). */
  | { type: "drained"; trapped: boolean }
  /** The worker died or was closed; `status` says how its running job should be counted. */
  | { type: "died"; error: SerializedError; status: "failed" | "cancelled" };

/**
 * One Deno Web Worker with an id, a cancel flag and at most one job in flight.
 *
 * @example Run one job on one worker
 * ```ts ignore
 * import { PoolWorker } from "./pool_worker.ts";
 *
 * const worker = new PoolWorker({ size: 1, jobKind: "noop", params: {} });
 * await worker.ready();
 * console.log((await worker.run(crypto.randomUUID())).status); // "done"
 * worker.close();
 * ```
 */
export class PoolWorker {
  /** The worker's UUID, as printed in DEBUG lines. */
  readonly id: string = crypto.randomUUID();
  #worker: Worker;
  #cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  /** The `reports` messages read so far: the worker's backpressure (protocol.ts, `readBuffer`). */
  #reportsRead = new Int32Array(new SharedArrayBuffer(4));
  #state: WorkerState = "starting";
  #ready: Promise<void>;
  #inFlight?: { jobId: string; settle: (outcome: JobOutcome) => void; startedAtMs: number };
  #cancelGraceMs: number;
  #stopping = false;
  #pendingStats?: (stats: WorkerStats | undefined) => void;
  #drain?: DrainView & {
    end: (end: DrainEnd) => void;
    onReports: (reports: JobReport[]) => void;
  };
  /** `stats` requests sent and not yet answered (a late answer after the 5 s wait still counts). */
  #statsAsked = 0;

  /**
   * Spawns the worker and sends it `init`.
   *
   * @param options The pool's options.
   */
  constructor(options: WorkerPoolOptions) {
    this.#cancelGraceMs = options.cancelGraceMs ?? 250;
    // Least privilege in the sandbox: jobs get no permissions unless a kind asks for them.
    this.#worker = spawnWorker(options);
    this.#ready = new Promise((resolve, reject) => {
      this.#worker.onmessage = (event: MessageEvent<unknown>) => {
        // Job code shares its worker with our entry and can post anything: nothing
        // else sees a message before it is checked, and a message that breaks the
        // protocol is that worker crashing.
        const message = parseWorkerMessage(event.data);
        const broken = !message
          ? `The job posted a message the pool does not understand: ${
            Deno.inspect(event.data, { depth: 1, breakLength: Infinity }).slice(0, 80)
          }`
          : this.#checkMessage(message);
        if (broken !== undefined || !message) {
          const wasStarting = this.#state === "starting";
          this.#fail({ name: WORKER_CRASH, message: broken! });
          if (wasStarting) reject(new Error(`Cannot start worker: ${broken}`));
          return;
        }
        if (message.type === "ready") {
          this.#state = "ready";
          resolve();
        } else if (message.type === "init-error") {
          this.#fail(message.error);
          reject(deserializeError(message.error));
        } else if (message.type === "stats") {
          this.#statsAsked--;
          this.#pendingStats?.(message.stats);
          this.#pendingStats = undefined;
        } else if (message.type === "reports") {
          Atomics.add(this.#reportsRead, 0, 1);
          Atomics.notify(this.#reportsRead, 0);
          const drain = this.#drain!;
          const reports = message.reports.filter((report) => !isLateReport(drain, report.index));
          if (reports.length > 0) this.#drain?.onReports(reports);
        } else if (message.type === "drained") {
          const drain = this.#drain;
          this.#drain = undefined;
          if (this.#state === "busy") this.#state = "ready";
          drain?.end({ type: "drained", trapped: message.trapped });
        } else if (message.type === "uncaught") {
          // As an uncaught error always ended the worker (`onerror` below), in the same words.
          const { name, message: text } = message.error;
          const uncaught = `Uncaught ${message.inPromise ? "(in promise) " : ""}${name}: ${text}`;
          const wasStarting = this.#state === "starting";
          this.#fail({ name: WORKER_CRASH, message: uncaught });
          if (wasStarting) reject(new Error(`Cannot start worker: ${uncaught}`));
        } else if (message.type === "closing") {
          const wasStarting = this.#state === "starting";
          this.#fail({
            name: WORKER_CRASH,
            message: "The job called self.close() or Deno.exit()",
          });
          if (wasStarting) reject(new Error("Cannot start worker: it called self.close()"));
        } else {
          this.#settle(message);
        }
      };
      this.#worker.onerror = (event: ErrorEvent) => {
        // Handled here: an unhandled worker error would end the whole process.
        event.preventDefault();
        const error = { name: WORKER_CRASH, message: event.message };
        const wasStarting = this.#state === "starting";
        this.#fail(error);
        if (wasStarting) reject(new Error(`Cannot start worker: ${event.message}`));
      };
    });
    // A rejection here is reported through ready(); keep it from being unhandled.
    this.#ready.catch(() => {});
    const init: MainToWorker = {
      type: "init",
      workerId: this.id,
      jobKind: options.jobKind,
      params: options.params,
      setup: options.setup,
      cancelBuffer: this.#cancelFlag.buffer as SharedArrayBuffer,
      readBuffer: this.#reportsRead.buffer as SharedArrayBuffer,
      profile: options.profile,
      inputs: options.inputs,
    };
    this.#worker.postMessage(init);
  }

  /** Where the worker is in its life. */
  get state(): WorkerState {
    return this.#state;
  }

  /**
   * Resolves once the worker has built its job runner.
   *
   * @returns A promise that rejects if the worker failed to start.
   */
  ready(): Promise<void> {
    return this.#ready;
  }

  /**
   * Runs one job. Never rejects: failures and cancels come back as outcomes.
   *
   * @param jobId The job's UUID.
   * @returns How the job ended.
   * @throws {Error} If a job is already in flight on this worker.
   */
  run(jobId: string): Promise<JobOutcome> {
    if (this.#state === "closed") {
      return Promise.resolve({
        status: "failed",
        error: new Error(`Cannot run job ${jobId}: worker ${this.id} is closed`),
        startedAtMs: performance.timeOrigin + performance.now(),
        elapsedMs: 0,
      });
    }
    if (this.#inFlight) throw new Error(`Cannot run job ${jobId}: worker ${this.id} is busy`);
    if (this.#stopping) {
      return Promise.resolve({
        status: "cancelled",
        error: new JobCancelledError(`Cannot run job ${jobId}: worker ${this.id} is stopping`),
        startedAtMs: performance.timeOrigin + performance.now(),
        elapsedMs: 0,
      });
    }
    this.#state = "busy";
    return new Promise((settle) => {
      this.#inFlight = { jobId, settle, startedAtMs: performance.timeOrigin + performance.now() };
      const message: MainToWorker = { type: "run", jobId };
      this.#worker.postMessage(message);
    });
  }

  /**
   * Claims jobs from a shared job channel (`src/channel/`) as `slot`
   * until the channel closes or the slot is retired. No message per job: the
   * worker records jobs in the channel and sends only batches of reports.
   *
   * @param channel The channel's buffer.
   * @param slot This worker's slot in the channel.
   * @param onReports Receives each batch of reports (outputs, errors).
   * @param concurrency How many jobs the worker keeps in flight (1: one at a time).
   * @returns How the drain ended; never rejects.
   * @throws {Error} If a job is already in flight on this worker.
   */
  drain(
    channel: SharedArrayBuffer,
    slot: number,
    onReports: (reports: JobReport[]) => void,
    concurrency = 1,
  ): Promise<DrainEnd> {
    if (this.#state === "closed") {
      return Promise.resolve({
        type: "died",
        error: new Error(`Cannot drain jobs: worker ${this.id} is closed`),
        status: "failed",
      });
    }
    if (this.#inFlight || this.#drain) {
      throw new Error(`Cannot drain jobs: worker ${this.id} is busy`);
    }
    const view = viewJobChannel(channel);
    this.#state = "busy";
    return new Promise((end) => {
      this.#drain = {
        end,
        onReports,
        states: view.state,
        slots: view.slot,
        header: view.header,
        slot,
      };
      const message: MainToWorker = { type: "drain", channel, slot, concurrency };
      this.#worker.postMessage(message);
    });
  }

  /** Whether a {@linkcode drain} is under way. */
  get draining(): boolean {
    return this.#drain !== undefined;
  }

  /**
   * Raises the cancel flag and wakes any `Atomics.wait`, with no grace timer:
   * for a job of a drain, whose worker acknowledges the cancel itself.
   */
  raiseCancel(): void {
    Atomics.store(this.#cancelFlag, 0, 1);
    Atomics.notify(this.#cancelFlag, 0);
  }

  /**
   * Stops the worker taking jobs and cancels the one running: later `run()`
   * calls come back cancelled at once.
   */
  stop(): void {
    this.#stopping = true;
    this.cancelJob();
  }

  /**
   * Asks the running job to stop: raises the cancel flag and wakes any
   * `Atomics.wait`. A job that does not stop within the grace period is
   * reported cancelled and its worker closed. The flag is lowered again once
   * the job has settled, so the worker can take the next job.
   */
  cancelJob(): void {
    Atomics.store(this.#cancelFlag, 0, 1);
    Atomics.notify(this.#cancelFlag, 0);
    const drain = this.#drain;
    if (drain) {
      const timer = setTimeout(() => {
        if (this.#drain !== drain) return;
        this.#fail({
          name: JOB_CANCELLED,
          message: `The worker did not stop within ${this.#cancelGraceMs} ms of its cancel`,
        }, "cancelled");
      }, this.#cancelGraceMs);
      Deno.unrefTimer(timer);
    }
    const inFlight = this.#inFlight;
    if (!inFlight) return;
    const timer = setTimeout(() => {
      if (this.#inFlight !== inFlight) return;
      this.#fail({
        name: JOB_CANCELLED,
        message:
          `Job ${inFlight.jobId} did not stop within ${this.#cancelGraceMs} ms of its cancel`,
      }, "cancelled");
    }, this.#cancelGraceMs);
    Deno.unrefTimer(timer);
  }

  /**
   * Asks the idle worker for its memory figures and, when profiling, its CPU
   * profile (which stops the profiler).
   *
   * @returns The figures, or `undefined` if the worker is closed or does not answer in 5 s.
   */
  stats(): Promise<WorkerStats | undefined> {
    if (this.#state === "closed") return Promise.resolve(undefined);
    this.#pendingStats?.(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pendingStats = undefined;
        resolve(undefined);
      }, 5_000);
      this.#pendingStats = (stats) => {
        clearTimeout(timer);
        resolve(stats);
      };
      const message: MainToWorker = { type: "stats" };
      this.#statsAsked++;
      this.#worker.postMessage(message);
    });
  }

  /** Terminates the worker; a job still in flight is reported cancelled. Idempotent. */
  close(): void {
    if (this.#state === "closed") return;
    Atomics.store(this.#cancelFlag, 0, 1);
    Atomics.notify(this.#cancelFlag, 0);
    this.#fail({ name: JOB_CANCELLED, message: "The worker was closed" }, "cancelled");
  }

  #settle(message: Extract<WorkerToMain, { type: "result" | "error" }>): void {
    const inFlight = this.#inFlight;
    if (!inFlight || inFlight.jobId !== message.jobId) return;
    this.#inFlight = undefined;
    if (this.#state === "busy") this.#state = "ready";
    if (!this.#stopping) Atomics.store(this.#cancelFlag, 0, 0);
    if (message.type === "result") {
      inFlight.settle({
        status: "done",
        output: message.output,
        summary: message.summary,
        startedAtMs: message.startedAtMs,
        elapsedMs: message.elapsedMs,
      });
    } else {
      inFlight.settle({
        status: message.cancelled ? "cancelled" : "failed",
        error: deserializeError(message.error),
        trapped: message.trapped,
        startedAtMs: message.startedAtMs,
        elapsedMs: message.elapsedMs,
      });
      // After a trap the instance's memory may be corrupt: retire the worker.
      if (message.trapped) this.close();
    }
  }

  /**
   * Why (a crash message) `message` cannot have come from our worker entry in the worker's
   * present state, or `undefined` when it may have: the type must be one this
   * state expects; a report must name a job in range whose state word says
   * this worker's slot reported it (or, late, a job this slot ran and the main
   * thread has settled since), once per batch; `drained` must leave no job
   * claimed or running by this slot.
   */
  #checkMessage(message: WorkerToMain): string | undefined {
    const type = message.type;
    const unexpected = `The worker broke the protocol: it posted "${type}" while ${this.#state}${
      this.#drain ? " draining" : ""
    }`;
    switch (type) {
      case "closing":
      case "uncaught":
        return undefined;
      case "ready":
      case "init-error":
        return this.#state === "starting" ? undefined : unexpected;
      case "stats":
        return this.#statsAsked > 0 ? undefined : unexpected;
      case "result":
      case "error":
        return this.#inFlight?.jobId === message.jobId ? undefined : unexpected;
      case "reports":
        return this.#drain ? checkReports(this.#drain, message.reports) : unexpected;
      case "drained":
        return this.#drain ? checkDrained(this.#drain) : unexpected;
    }
  }

  /** Closes the worker and settles the job in flight, if any, with `error`. */
  #fail(error: SerializedError, status: "failed" | "cancelled" = "failed"): void {
    this.#state = "closed";
    this.#pendingStats?.(undefined);
    this.#pendingStats = undefined;
    this.#worker.terminate();
    const drain = this.#drain;
    this.#drain = undefined;
    // Plain as it came: the dispatcher only records its name and message.
    drain?.end({ type: "died", error, status });
    const inFlight = this.#inFlight;
    this.#inFlight = undefined;
    if (inFlight) {
      const now = performance.timeOrigin + performance.now();
      inFlight.settle({
        status,
        error: deserializeError(error),
        startedAtMs: inFlight.startedAtMs,
        elapsedMs: now - inFlight.startedAtMs,
      });
    }
  }
}
