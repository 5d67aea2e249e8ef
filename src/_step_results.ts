/**
 * What a step keeps on the main thread besides the shared channel (the jobs it
 * settled itself, the outputs and errors of workers' reports), and the
 * {@linkcode JobResult}s and {@linkcode StepResult} built from both. Private to
 * `src/`: `dispatcher.ts` uses it.
 *
 * @module
 */
import type { JobReport } from "./pool/protocol.ts";
import {
  JOB_STATE,
  type JobChannelView,
  settleJob,
  stateSlot,
  stateTag,
} from "./shared_channel.ts";
import { errorRecord, JobCancelledError, JobTimeoutError, NoWorkerError } from "./errors.ts";
import type { JobResult, StepResult } from "./types.ts";

const JOB_CANCELLED = new JobCancelledError("").name;

/** The clock the step's records use, epoch milliseconds. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A job's error, as a {@linkcode JobResult} carries it. */
export interface JobError {
  name: string;
  message: string;
}

/** A job the main thread settled itself: its record is kept here, not in the shared columns. */
export interface SettledRecord {
  status: JobResult["status"];
  slot: number;
  startMs: number;
  runMs: number;
  error: JobError;
}

/** What a worker's report added to a job: its output, or its error. */
interface ReportDetail {
  output?: unknown;
  summary?: string;
  error?: JobError;
}

const UNSTARTED_CANCELLED_ERROR = {
  name: JOB_CANCELLED,
  message: "The sweep was cancelled before it started",
};
const UNSTARTED_FAILED_ERROR = errorRecord(new NoWorkerError("No worker was left to run it"));

/** What {@linkcode StepRecords} needs to know about its step. */
export interface StepRecordsOptions {
  /** The step's channel. */
  channel: JobChannelView;
  /** Each job's UUID, by index. */
  jobIds: string[];
  /** The id of the worker that held a slot ("" for none). */
  workerIdOf: (slot: number) => string;
  /** A job's name in messages, `Job 3 (pi)`. */
  label: (index: number) => string;
  /** The step's job timeout, in milliseconds, for its message. */
  jobTimeoutMs?: number;
}

/** The main thread's records of one step, and the results built from them. */
export class StepRecords {
  readonly #channel: JobChannelView;
  readonly #jobIds: string[];
  readonly #workerIdOf: (slot: number) => string;
  readonly #label: (index: number) => string;
  readonly #jobTimeoutMs?: number;
  readonly #settled = new Map<number, SettledRecord>();
  readonly #details = new Map<number, ReportDetail>();
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
  }

  /** The record of a job the main thread settled, if it did. */
  settled(index: number): SettledRecord | undefined {
    return this.#settled.get(index);
  }

  /** The error of a job that timed out. */
  timeoutError(index: number): JobError {
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
    error: JobError,
  ): boolean {
    const channel = this.#channel;
    const started = stateTag(from) >= JOB_STATE.RUNNING_TAG;
    if (!settleJob(channel, index, from)) return false;
    const settledAtMs = nowMs();
    // A worker that died right after its start swap may not have written the start time.
    const written = channel.startMs[index];
    const startedAtMs = started && written >= this.startMs ? written : settledAtMs;
    this.#settled.set(index, {
      status,
      slot: started ? stateSlot(from) : -1,
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
    const state = Atomics.load(channel.state, index);
    if (stateTag(state) !== JOB_STATE.REPORTED_TAG) return;
    let final: number = JOB_STATE.DONE;
    const detail: ReportDetail = {};
    if (timedOut) {
      final = JOB_STATE.FAILED;
      detail.error = this.timeoutError(index);
    } else if (report.error || report.cancelled) {
      final = report.cancelled ? JOB_STATE.CANCELLED : JOB_STATE.FAILED;
      const status = report.cancelled ? "cancelled" : "failed";
      const what = report.trapped ? "trapped in WebAssembly" : status;
      detail.error = {
        name: report.error?.name ?? JOB_CANCELLED,
        message: `${this.#label(index)} ${what}: ${report.error?.message ?? "it was cancelled"}`,
      };
    } else {
      detail.output = report.output;
      detail.summary = report.summary;
    }
    if (settleJob(channel, index, state, final)) this.#details.set(index, detail);
  }

  /**
   * Builds a final job's result from the channel's columns and the records kept here.
   *
   * @param index A job whose state word is final.
   * @returns Its result.
   */
  resultOf(index: number): JobResult {
    const channel = this.#channel;
    const jobIds = this.#jobIds;
    const startMs = this.startMs;
    const state = channel.state[index];
    if (state === JOB_STATE.UNSTARTED_CANCELLED || state === JOB_STATE.UNSTARTED_FAILED) {
      const cancelled = state === JOB_STATE.UNSTARTED_CANCELLED;
      const settledAtMs = cancelled ? this.#unstartedCancelledAtMs : this.#unstartedFailedAtMs;
      return {
        jobId: jobIds[index],
        jobNumber: index + 1,
        workerId: "",
        status: cancelled ? "cancelled" : "failed",
        elapsedSeconds: 0,
        waitSeconds: Math.max(0, settledAtMs - startMs) / 1000,
        error: { ...(cancelled ? UNSTARTED_CANCELLED_ERROR : UNSTARTED_FAILED_ERROR) },
      };
    }
    const record = this.#settled.get(index);
    if (state === JOB_STATE.SETTLED && record) {
      return {
        jobId: jobIds[index],
        jobNumber: index + 1,
        workerId: this.#workerIdOf(record.slot),
        status: record.status,
        elapsedSeconds: record.runMs / 1000,
        waitSeconds: record.slot < 0
          ? Math.max(0, (this.endMs || nowMs()) - startMs) / 1000
          : Math.max(0, record.startMs - startMs) / 1000,
        error: record.error,
      };
    }
    const detail = this.#details.get(index);
    const status = state === JOB_STATE.DONE
      ? "done"
      : state === JOB_STATE.FAILED
      ? "failed"
      : "cancelled";
    const result: JobResult = {
      jobId: jobIds[index],
      jobNumber: index + 1,
      workerId: this.#workerIdOf(channel.slot[index]),
      status,
      elapsedSeconds: channel.runMs[index] / 1000,
      waitSeconds: Math.max(0, channel.startMs[index] - startMs) / 1000,
      output: detail ? detail.output : null,
      summary: detail?.summary,
    };
    if (detail?.error) result.error = detail.error;
    return result;
  }

  /**
   * Builds the step's result once every job is final.
   *
   * @param results The results already built for job events (by index), if any.
   * @param workers How many workers the step ran on.
   * @param peakRssBytes The highest process RSS sampled during the step.
   * @returns The step's timings and every job's result.
   */
  stepResult(
    results: readonly (JobResult | undefined)[],
    workers: number,
    peakRssBytes: number,
  ): StepResult {
    const jobCount = this.#channel.jobCount;
    const jobs: JobResult[] = new Array(jobCount);
    let completed = 0;
    let failed = 0;
    let cancelled = 0;
    let doneSeconds = 0;
    for (let index = 0; index < jobCount; index++) {
      const job = results[index] ?? this.resultOf(index);
      jobs[index] = job;
      if (job.status === "done") {
        completed++;
        doneSeconds += job.elapsedSeconds;
      } else if (job.status === "failed") failed++;
      else cancelled++;
    }
    return {
      workers,
      jobCount,
      seconds: (this.endMs - this.startMs) / 1000,
      completed,
      failed,
      cancelled,
      averageJobSeconds: completed === 0 ? 0 : doneSeconds / completed,
      peakRssBytes,
      jobs,
    };
  }
}
