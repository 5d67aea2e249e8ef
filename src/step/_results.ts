/**
 * What a step keeps on the main thread besides the shared channel (the jobs it
 * settled itself, the outputs and errors of workers' reports), and the
 * job records and {@linkcode StepResult} built from both. Private to
 * `src/step/`: `run_step.ts` uses it.
 *
 * @module
 */
import type { JobReport } from "../pool/protocol.ts";
import type { ChannelMain } from "../channel/mod.ts";
import { errorRecord, JobCancelledError, JobTimeoutError, NoWorkerError } from "../errors.ts";
import {
  JobColumnsBuilder,
  type JobDetail,
  type JobIds,
  type JobRecordError,
  numberDetail,
  withDetail,
} from "./job_records.ts";
import { withOutputDigest } from "./output_digest.ts";
import type { JobResult, StepResult } from "../types.ts";

const JOB_CANCELLED = JobCancelledError.name;

/** The clock the step's records use, epoch milliseconds. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A job the main thread settled itself: its record is kept here, not in the shared columns. */
export interface SettledRecord {
  status: JobResult["status"];
  slot: number;
  startMs: number;
  runMs: number;
  error: JobRecordError;
}

const UNSTARTED_CANCELLED_DETAIL: JobDetail = {
  error: { name: JOB_CANCELLED, message: "The sweep was cancelled before it started" },
};
const UNSTARTED_FAILED_DETAIL: JobDetail = {
  error: errorRecord(new NoWorkerError("No worker was left to run it")),
};

/** What {@linkcode StepRecords} needs to know about its step. */
export interface StepRecordsOptions {
  /** The step's channel. */
  channel: ChannelMain;
  /** The step's job UUIDs. */
  jobIds: JobIds;
  /** The id of the worker that held a slot ("" for none). */
  workerIdOf: (slot: number) => string;
  /** A job's name in messages, `Job 3 (pi)`. */
  label: (index: number) => string;
  /** The step's job timeout, in milliseconds, for its message. */
  jobTimeoutMs?: number;
  /** Whether reports' outputs are kept, or only their digests (default true). */
  keepOutputs?: boolean;
}

/** The main thread's records of one step, and the results built from them. */
export class StepRecords {
  readonly #channel: ChannelMain;
  readonly #jobIds: JobIds;
  readonly #workerIdOf: (slot: number) => string;
  readonly #label: (index: number) => string;
  readonly #jobTimeoutMs?: number;
  readonly #keepOutputs: boolean;
  readonly #settled = new Map<number, SettledRecord>();
  readonly #details = new Map<number, JobDetail>();
  #unstartedFailedAtMs = 0;
  #unstartedCancelledAtMs = 0;
  /** When the step's clock started (the first job handed out), epoch milliseconds. */
  startMs = 0;
  /** When the step's last job was seen final, epoch milliseconds; 0 while it runs. */
  endMs = 0;

  /** @param options The step's channel, job ids and names. */
  constructor(options: StepRecordsOptions) {
    this.#channel = options.channel;
    this.#jobIds = options.jobIds;
    this.#workerIdOf = options.workerIdOf;
    this.#label = options.label;
    this.#jobTimeoutMs = options.jobTimeoutMs;
    this.#keepOutputs = options.keepOutputs ?? true;
  }

  /** The record of a job the main thread settled, if it did. */
  settled(index: number): SettledRecord | undefined {
    return this.#settled.get(index);
  }

  /** The error of a job that timed out. */
  timeoutError(index: number): JobRecordError {
    return errorRecord(
      new JobTimeoutError(`${this.#label(index)} timed out after ${this.#jobTimeoutMs} ms`),
    );
  }

  /**
   * Settles a job on the main thread (its worker died or was given up on) and keeps its record.
   *
   * @returns Whether the swap from `from` won.
   */
  settleByMain(
    index: number,
    from: number,
    status: JobResult["status"],
    error: JobRecordError,
  ): boolean {
    const channel = this.#channel;
    const slot = channel.startedSlot(index, from);
    const started = slot >= 0;
    if (!channel.settle(index, from)) return false;
    const settledAtMs = nowMs();
    // A worker that died right after its start swap may not have written the start time.
    const written = channel.startMs[index];
    const startedAtMs = started && written >= this.startMs ? written : settledAtMs;
    this.#settled.set(index, {
      status,
      slot,
      startMs: startedAtMs,
      runMs: started ? settledAtMs - startedAtMs : 0,
      error,
    });
    return true;
  }

  /** Notes when jobs were first settled unstarted, with `status` (their wait ends there). */
  markUnstarted(status: "failed" | "cancelled"): void {
    if (status === "failed") this.#unstartedFailedAtMs ||= nowMs();
    else this.#unstartedCancelledAtMs ||= nowMs();
  }

  /**
   * Settles a `REPORTED` job from its worker's report and keeps its output or error.
   *
   * @param report The report.
   * @param timedOut Whether the main thread timed the job out meanwhile.
   */
  settleReport(report: JobReport, timedOut: boolean): void {
    const channel = this.#channel;
    const index = report.index;
    const state = channel.stateOf(index);
    if (!channel.isReported(state)) return;
    let final: JobResult["status"] = "done";
    const detail: JobDetail = {};
    if (timedOut) {
      final = "failed";
      detail.error = this.timeoutError(index);
    } else if (report.error || report.cancelled) {
      const status = report.cancelled ? "cancelled" : "failed";
      final = status;
      const what = report.trapped ? "trapped in WebAssembly" : status;
      detail.error = {
        name: report.error?.name ?? JOB_CANCELLED,
        message: `${this.#label(index)} ${what}: ${report.error?.message ?? "it was cancelled"}`,
      };
    } else {
      detail.output = report.output;
      detail.summary = report.summary;
    }
    // Digested as it arrives: with outputs not kept, the step holds none of them.
    if (channel.settle(index, state, final)) {
      this.#details.set(index, withOutputDigest(detail, this.#keepOutputs));
    }
  }

  /**
   * Reads a final job's record from the channel's columns and the records kept here.
   *
   * @param index A job whose state word is final.
   * @param into Where to write it (reused between calls).
   * @returns `into`, filled.
   */
  #read(index: number, into: JobRecordFields): JobRecordFields {
    const channel = this.#channel;
    const startMs = this.startMs;
    const end = channel.endOf(index);
    into.detail = undefined;
    if (end === "unstarted-cancelled" || end === "unstarted-failed") {
      const cancelled = end === "unstarted-cancelled";
      const settledAtMs = cancelled ? this.#unstartedCancelledAtMs : this.#unstartedFailedAtMs;
      into.status = cancelled ? "cancelled" : "failed";
      into.slot = -1;
      into.elapsedSeconds = 0;
      into.waitSeconds = Math.max(0, settledAtMs - startMs) / 1000;
      into.detail = cancelled ? UNSTARTED_CANCELLED_DETAIL : UNSTARTED_FAILED_DETAIL;
      return into;
    }
    const record = this.#settled.get(index);
    if (end === "settled" && record) {
      into.status = record.status;
      into.slot = record.slot;
      into.elapsedSeconds = record.runMs / 1000;
      into.waitSeconds = record.slot < 0
        ? Math.max(0, (this.endMs || nowMs()) - startMs) / 1000
        : Math.max(0, record.startMs - startMs) / 1000;
      into.detail = { error: record.error };
      return into;
    }
    into.status = end === "done" || end === "done-number"
      ? "done"
      : end === "failed"
      ? "failed"
      : "cancelled";
    into.slot = channel.slot[index];
    into.elapsedSeconds = channel.runMs[index] / 1000;
    into.waitSeconds = Math.max(0, channel.startMs[index] - startMs) / 1000;
    into.detail = end === "done-number"
      ? numberDetail(channel.output[index])
      : this.#details.get(index);
    return into;
  }

  /**
   * Builds a final job's result (for a job event).
   *
   * @param index A job whose state word is final.
   * @returns Its result.
   */
  resultOf(index: number): JobResult {
    const fields = this.#read(index, emptyFields());
    return withDetail({
      jobId: this.#jobIds.of(index),
      jobNumber: index + 1,
      workerId: fields.slot < 0 ? "" : this.#workerIdOf(fields.slot),
      status: fields.status,
      elapsedSeconds: fields.elapsedSeconds,
      waitSeconds: fields.waitSeconds,
    }, fields.detail);
  }

  /**
   * Builds the step's result once every job is final: the jobs' records become
   * columns ({@linkcode JobColumnsBuilder}), no object per job.
   *
   * @param workers How many workers the step ran on.
   * @param peakRssBytes The highest process RSS sampled during the step.
   * @returns The step's timings and every job's record.
   */
  stepResult(workers: number, peakRssBytes: number): StepResult {
    const channel = this.#channel;
    const jobCount = channel.jobCount;
    const columns = new JobColumnsBuilder(jobCount, channel.slotCapacity, [
      UNSTARTED_CANCELLED_DETAIL,
      UNSTARTED_FAILED_DETAIL,
    ]);
    columns.keepOutputs = this.#keepOutputs;
    const fields = emptyFields();
    let completed = 0;
    let failed = 0;
    let cancelled = 0;
    let doneSeconds = 0;
    const cancelledWait = Math.max(0, this.#unstartedCancelledAtMs - this.startMs) / 1000;
    const failedWait = Math.max(0, this.#unstartedFailedAtMs - this.startMs) / 1000;
    for (let index = 0; index < jobCount; index++) {
      // The millions of jobs an abort (or the loss of every worker) settled unstarted: one byte each.
      const end = channel.endOf(index);
      if (end === "unstarted-cancelled") {
        columns.setUnstarted(index, "cancelled", 0, cancelledWait);
        cancelled++;
        continue;
      }
      if (end === "unstarted-failed") {
        columns.setUnstarted(index, "failed", 1, failedWait);
        failed++;
        continue;
      }
      if (end === "done-number") {
        const elapsedSeconds = channel.runMs[index] / 1000;
        const waitSeconds = Math.max(0, channel.startMs[index] - this.startMs) / 1000;
        columns.setNumber(
          index,
          channel.slot[index],
          elapsedSeconds,
          waitSeconds,
          channel.output[index],
        );
        completed++;
        doneSeconds += elapsedSeconds;
        continue;
      }
      const job = this.#read(index, fields);
      columns.set(index, job.status, job.slot, job.elapsedSeconds, job.waitSeconds, job.detail);
      if (job.status === "done") {
        completed++;
        doneSeconds += job.elapsedSeconds;
      } else if (job.status === "failed") failed++;
      else cancelled++;
    }
    return {
      workers,
      concurrency: 1,
      jobCount,
      seconds: (this.endMs - this.startMs) / 1000,
      completed,
      failed,
      cancelled,
      averageJobSeconds: completed === 0 ? 0 : doneSeconds / completed,
      peakRssBytes,
      jobs: columns.seal(this.#jobIds, this.#workerIdOf),
    };
  }
}

/** One job's record as {@linkcode StepRecords} reads it. */
interface JobRecordFields {
  status: JobResult["status"];
  slot: number;
  elapsedSeconds: number;
  waitSeconds: number;
  detail: JobDetail | undefined;
}

function emptyFields(): JobRecordFields {
  return { status: "done", slot: -1, elapsedSeconds: 0, waitSeconds: 0, detail: undefined };
}
