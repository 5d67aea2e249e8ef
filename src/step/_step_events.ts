/**
 * The events one step sends while it runs: `step-progress`, and when asked the
 * job events (`job-allocated`, `job-started`, `job-finished`) and the worker
 * events. Private to `src/step/`: `_claimed_step.ts` uses it.
 *
 * @module
 */
import type { ChannelMain } from "../channel/mod.ts";
import type { StepRecords } from "./_results.ts";
import type { JobIds } from "./job_ids.ts";
import type { SweepEvent, SweepEventHandler } from "../types.ts";

/** How often, at most, a `step-progress` event goes out while the step runs, in milliseconds. */
const PROGRESS_EVENT_MS = 100;

/** What {@linkcode StepEvents} needs to know about its step. */
export interface StepEventsOptions {
  /** The step's channel (who started a job). */
  channel: ChannelMain;
  /** The step's records (the result a finished job's event carries). */
  records: StepRecords;
  /** The step's job UUIDs. */
  jobIds: JobIds;
  /** The id of the worker that held a slot ("" for none). */
  workerIdOf: (slot: number) => string;
  /** Receives `step-progress`, and the job and worker events when `jobEvents` is on. */
  onEvent?: SweepEventHandler;
  /** Whether `onEvent` receives the job and worker events; default `true`. */
  jobEvents?: boolean;
}

/** The events of one step, each sent once; what was seen so far. */
export class StepEvents {
  readonly #channel: ChannelMain;
  readonly #records: StepRecords;
  readonly #jobIds: JobIds;
  readonly #workerIdOf: (slot: number) => string;
  readonly #onStepEvent?: SweepEventHandler;
  readonly #onEvent?: SweepEventHandler;
  readonly #jobCount: number;
  /** 1 for a job whose `job-started` went out (empty without job events). */
  readonly #startedSent: Uint8Array;
  // Finished jobs wait here for their events, which each look spends at most a
  // budget on (the rest after the step): the main thread must not take the
  // workers' CPU while the step is timed, and a DEBUG log of millions of jobs
  // is written after the fact anyway.
  #finishedQueue: number[] = [];
  #finishedHead = 0;
  /** The highest job seen running, for the progress events. */
  #lastStarted = -1;
  #lastProgressMs = -Infinity;
  #firstStartSent = false;

  /** @param options The step's channel, records, ids and handler. */
  constructor(options: StepEventsOptions) {
    this.#channel = options.channel;
    this.#records = options.records;
    this.#jobIds = options.jobIds;
    this.#workerIdOf = options.workerIdOf;
    this.#onStepEvent = options.onEvent;
    this.#onEvent = options.jobEvents === false ? undefined : options.onEvent;
    this.#jobCount = options.channel.jobCount;
    this.#startedSent = new Uint8Array(this.#onEvent ? this.#jobCount : 0);
  }

  /** Sends a worker event (`worker-replaced`, `worker-lost`), as the job events are: when on. */
  worker(event: SweepEvent): void {
    this.#onEvent?.(event);
  }

  /** Sends `job-allocated` for every job. */
  allocated(): void {
    const onEvent = this.#onEvent;
    if (!onEvent) return;
    for (let index = 0; index < this.#jobCount; index++) {
      onEvent({ type: "job-allocated", jobNumber: index + 1, jobId: this.#jobIds.of(index) });
    }
  }

  /**
   * Sends `job-started` for a job once it is seen started (and not before).
   *
   * @param index The job.
   * @param state Its state word, as just read.
   */
  started(index: number, state: number): void {
    const onEvent = this.#onEvent;
    if (!onEvent || this.#startedSent[index]) return;
    // A job the main thread settled keeps its record there; the channel knows who started the rest.
    const record = this.#records.settled(index);
    const slot = record ? record.slot : this.#channel.startedSlot(index, state);
    if (slot < 0) return;
    this.#startedSent[index] = 1;
    onEvent({
      type: "job-started",
      jobNumber: index + 1,
      jobCount: this.#jobCount,
      jobId: this.#jobIds.of(index),
      workerId: this.#workerIdOf(slot),
    });
  }

  /**
   * Notes an open job as seen: its `job-started`, and the highest job seen running.
   *
   * @param index The job.
   * @param state Its state word, as just read.
   */
  open(index: number, state: number): void {
    this.started(index, state);
    if (index > this.#lastStarted && this.#channel.startedSlot(index, state) >= 0) {
      this.#lastStarted = index;
    }
  }

  /** Queues a job seen final for its `job-finished` (see {@linkcode StepEvents.sendFinished}). */
  finished(index: number): void {
    if (this.#onEvent) this.#finishedQueue.push(index);
  }

  /**
   * Sends the queued `job-finished` events (each after its `job-started`).
   *
   * @param budgetMs The longest to spend, in milliseconds (checked every 128 events).
   */
  sendFinished(budgetMs: number): void {
    const onEvent = this.#onEvent;
    if (!onEvent) return;
    const until = performance.now() + budgetMs;
    while (this.#finishedHead < this.#finishedQueue.length) {
      const index = this.#finishedQueue[this.#finishedHead++];
      this.started(index, this.#channel.stateOf(index));
      onEvent({
        type: "job-finished",
        jobCount: this.#jobCount,
        job: this.#records.resultOf(index),
      });
      if ((this.#finishedHead & 127) === 0 && performance.now() > until) return;
    }
    this.#finishedQueue = [];
    this.#finishedHead = 0;
  }

  /**
   * Sends `step-progress`, at most every `PROGRESS_EVENT_MS` unless forced.
   *
   * @param nowMs The look's clock, epoch milliseconds.
   * @param settled How many jobs are final.
   * @param force Send it whatever the interval (the last one).
   */
  progress(nowMs: number, settled: number, force: boolean): void {
    const onStepEvent = this.#onStepEvent;
    if (!onStepEvent) return;
    // The first job seen running is sent at once: a crash log then names it.
    const firstStart = !this.#firstStartSent && this.#lastStarted >= 0;
    if (!force && !firstStart && nowMs - this.#lastProgressMs < PROGRESS_EVENT_MS) return;
    this.#firstStartSent ||= this.#lastStarted >= 0;
    this.#lastProgressMs = nowMs;
    onStepEvent({
      type: "step-progress",
      settled,
      jobCount: this.#jobCount,
      lastStartedJobNumber: this.#lastStarted < 0 ? undefined : this.#lastStarted + 1,
    });
  }
}
