/**
 * A step's jobs as columns: status, run time, wait time and worker per job in
 * typed arrays (11 bytes a job), each job's UUID derived from one random key,
 * and a {@linkcode JobResult} object made only when one is asked for. Ten
 * million jobs take about 110 MB instead of the gigabytes their objects would.
 *
 * @module
 */
import type { JobIds } from "./job_ids.ts";
import type { JobRecords, JobResult, JobStatus, OutputDigest } from "../types.ts";
import { outputDigestOf, withOutputDigest } from "./output_digest.ts";

export { JobIds } from "./job_ids.ts";

const STATUSES: readonly JobStatus[] = ["done", "failed", "cancelled"];
const STATUS_CODE: Record<JobStatus, number> = { done: 0, failed: 1, cancelled: 2 };
/** The detail bits of a job whose output is a number in the `numbers` column. */
const NUMBER_CODE = 63;

/** A job's error, as a {@linkcode JobResult} carries it. */
export interface JobRecordError {
  name: string;
  message: string;
}

/** What a job has beyond its columns: an output, a summary, an error. */
export interface JobDetail {
  output?: unknown;
  /** The output's digest, made when it arrived (kept when the output is not). */
  outputDigest?: OutputDigest;
  summary?: string;
  error?: JobRecordError;
}

/** The columns a {@linkcode ColumnarJobRecords} is built from (see {@linkcode JobColumnsBuilder}). */
interface JobColumns {
  /**
   * Status code (low 2 bits) and, in the bits above, 1 + the index of a shared
   * detail, or {@linkcode NUMBER_CODE} for a numeric output kept in `numbers`.
   */
  status: Uint8Array;
  /** Numeric outputs, made at the first one. */
  numbers?: Float64Array;
  /** Worker slot + 1 per job (0: no worker took it). */
  worker: Uint16Array | Uint32Array;
  elapsedSeconds: Float32Array;
  waitSeconds: Float32Array;
}

/**
 * A job's own detail by index (an output, an error), in an object without a prototype, not a
 * Map: the inline step's process shares its realm with the job, which may replace Map methods.
 */
type Details = Record<number, JobDetail | undefined>;

/** 1 + the position of `detail` among the shared ones, or 0 (a loop: no `indexOf` a job replaced). */
function sharedCode(shared: readonly JobDetail[], detail: JobDetail): number {
  for (let i = 0; i < shared.length; i++) if (shared[i] === detail) return i + 1;
  return 0;
}

/**
 * Fills a step's job columns, one job at a time, and seals them into
 * {@linkcode JobRecords}. Private to `src/`: the dispatcher uses it.
 */
export class JobColumnsBuilder {
  readonly #columns: JobColumns;
  readonly #details: Details = Object.create(null);
  readonly #shared: readonly JobDetail[];
  /** Whether outputs are kept, or only their digests (set before the first job is recorded). */
  keepOutputs = true;

  /**
   * @param jobCount How many jobs the step has.
   * @param slotCapacity How many worker slots the step has.
   * @param sharedDetails Details many jobs share (the error of every job an abort cancelled):
   *   kept once, not once per job; at most 62.
   */
  constructor(jobCount: number, slotCapacity: number, sharedDetails: readonly JobDetail[] = []) {
    if (sharedDetails.length >= NUMBER_CODE) {
      throw new RangeError(
        `Cannot record jobs: at most 62 shared details, received ${sharedDetails.length}`,
      );
    }
    this.#shared = sharedDetails;
    this.#columns = {
      status: new Uint8Array(jobCount),
      worker: slotCapacity < 0xffff ? new Uint16Array(jobCount) : new Uint32Array(jobCount),
      elapsedSeconds: new Float32Array(jobCount),
      waitSeconds: new Float32Array(jobCount),
    };
  }

  /**
   * Records one job.
   *
   * @param index The job's 0-based index.
   * @param status How it ended.
   * @param slot The worker slot that ran it, or -1 for none.
   * @param elapsedSeconds Its run time.
   * @param waitSeconds Its wait in the channel.
   * @param detail Its output, summary or error, when it has any.
   */
  set(
    index: number,
    status: JobStatus,
    slot: number,
    elapsedSeconds: number,
    waitSeconds: number,
    detail?: JobDetail,
  ): void {
    const columns = this.#columns;
    const shared = detail ? sharedCode(this.#shared, detail) : 0;
    columns.status[index] = STATUS_CODE[status] | (shared << 2);
    columns.worker[index] = slot + 1;
    columns.elapsedSeconds[index] = elapsedSeconds;
    columns.waitSeconds[index] = waitSeconds;
    if (detail && shared === 0) {
      this.#details[index] = withOutputDigest(detail, this.keepOutputs);
    }
  }

  /**
   * Records a finished job whose output is a number (kept in a column, 8 bytes).
   *
   * @param index The job's 0-based index.
   * @param slot The worker slot that ran it.
   * @param elapsedSeconds Its run time.
   * @param waitSeconds Its wait in the channel.
   * @param output What it returned.
   */
  setNumber(
    index: number,
    slot: number,
    elapsedSeconds: number,
    waitSeconds: number,
    output: number,
  ): void {
    const columns = this.#columns;
    columns.numbers ??= new Float64Array(columns.status.length);
    columns.numbers[index] = output;
    columns.status[index] = STATUS_CODE.done | (NUMBER_CODE << 2);
    columns.worker[index] = slot + 1;
    columns.elapsedSeconds[index] = elapsedSeconds;
    columns.waitSeconds[index] = waitSeconds;
  }

  /**
   * Records a job that never started and carries a shared detail (see the
   * constructor): no worker, no run time, one byte of status.
   *
   * @param index The job's 0-based index.
   * @param status How it ended.
   * @param shared The shared detail's position in `sharedDetails`.
   * @param waitSeconds Its wait in the channel.
   */
  setUnstarted(index: number, status: JobStatus, shared: number, waitSeconds: number): void {
    const columns = this.#columns;
    columns.status[index] = STATUS_CODE[status] | ((shared + 1) << 2);
    columns.worker[index] = 0;
    columns.elapsedSeconds[index] = 0;
    columns.waitSeconds[index] = waitSeconds;
  }

  /**
   * The records, read-only from here on.
   *
   * @param ids The step's job ids.
   * @param workerIdOf The id of the worker that held a slot.
   * @returns The step's job records.
   */
  seal(ids: JobIds, workerIdOf: (slot: number) => string): JobRecords {
    return new ColumnarJobRecords(this.#columns, this.#details, this.#shared, ids, workerIdOf);
  }
}

/** Job records kept as columns; see the module doc. */
class ColumnarJobRecords implements JobRecords {
  readonly #columns: JobColumns;
  readonly #details: Details;
  readonly #shared: readonly JobDetail[];
  readonly #ids: JobIds;
  readonly #workerIdOf: (slot: number) => string;

  constructor(
    columns: JobColumns,
    details: Details,
    shared: readonly JobDetail[],
    ids: JobIds,
    workerIdOf: (slot: number) => string,
  ) {
    this.#columns = columns;
    this.#details = details;
    this.#shared = shared;
    this.#ids = ids;
    this.#workerIdOf = workerIdOf;
  }

  get length(): number {
    return this.#columns.status.length;
  }

  status(index: number): JobStatus {
    return STATUSES[this.#columns.status[checkIndex(index, this.length)] & 3];
  }

  elapsedSeconds(index: number): number {
    return this.#columns.elapsedSeconds[checkIndex(index, this.length)];
  }

  waitSeconds(index: number): number {
    return this.#columns.waitSeconds[checkIndex(index, this.length)];
  }

  started(index: number): boolean {
    return this.#columns.worker[checkIndex(index, this.length)] !== 0;
  }

  output(index: number): unknown {
    const columns = this.#columns;
    const code = columns.status[checkIndex(index, this.length)];
    if ((code & 3) !== STATUS_CODE.done) return null;
    if (code >> 2 === NUMBER_CODE) return columns.numbers![index];
    return this.#details[index]?.output ?? null;
  }

  outputDigest(index: number): OutputDigest | undefined {
    return this.#details[checkIndex(index, this.length)]?.outputDigest;
  }

  get(index: number): JobResult {
    const columns = this.#columns;
    checkIndex(index, this.length);
    const code = columns.status[index];
    const status = STATUSES[code & 3];
    const slot = columns.worker[index] - 1;
    const detailCode = code >> 2;
    const detail = detailCode === NUMBER_CODE
      ? numberDetail(columns.numbers![index])
      : detailCode
      ? this.#shared[detailCode - 1]
      : this.#details[index];
    return withDetail({
      jobId: this.#ids.of(index),
      jobNumber: index + 1,
      workerId: slot < 0 ? "" : this.#workerIdOf(slot),
      status,
      elapsedSeconds: columns.elapsedSeconds[index],
      waitSeconds: columns.waitSeconds[index],
    }, detail);
  }

  *[Symbol.iterator](): Iterator<JobResult> {
    for (let index = 0; index < this.length; index++) yield this.get(index);
  }

  toJSON(): JobResult[] {
    return [...this];
  }
}

/** Completes `result` with its detail: a finished job's output (`null` for none) and summary, and a copy of any error. */
export function withDetail(result: JobResult, detail: JobDetail | undefined): JobResult {
  if (result.status === "done") {
    result.output = detail?.output ?? null;
    result.summary = detail?.summary;
  }
  if (detail?.error) result.error = { ...detail.error };
  return result;
}

/** A numeric output as a {@linkcode JobResult} shows it: the number, and its text as summary. */
export function numberDetail(value: number): JobDetail {
  return { output: value, summary: Object.is(value, -0) ? "-0" : String(value) };
}

function checkIndex(index: number, length: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(
      `Cannot read job record: index must be an integer from 0 to ${length - 1}, received ${index}`,
    );
  }
  return index;
}

/** Job records over `JobResult` objects a caller already has. */
class ListedJobRecords implements JobRecords {
  readonly #results: readonly JobResult[];

  constructor(results: readonly JobResult[]) {
    this.#results = results;
  }

  get length(): number {
    return this.#results.length;
  }

  status(index: number): JobStatus {
    return this.get(index).status;
  }

  elapsedSeconds(index: number): number {
    return this.get(index).elapsedSeconds;
  }

  waitSeconds(index: number): number {
    return this.get(index).waitSeconds;
  }

  started(index: number): boolean {
    return this.get(index).workerId !== "";
  }

  output(index: number): unknown {
    const job = this.get(index);
    return job.status === "done" ? job.output ?? null : null;
  }

  get(index: number): JobResult {
    return this.#results[checkIndex(index, this.length)];
  }

  [Symbol.iterator](): Iterator<JobResult> {
    return this.#results[Symbol.iterator]();
  }

  toJSON(): JobResult[] {
    return [...this.#results];
  }
}

/**
 * Job records over a list of {@linkcode JobResult}s: for steps built by hand
 * (tests, a step read back from JSON) rather than measured.
 *
 * @param results The jobs, in job-number order.
 * @returns Records that read the list.
 *
 * @example Records of two jobs
 * ```ts
 * import { jobRecords } from "./job_records.ts";
 * import assert from "node:assert/strict";
 *
 * const jobs = jobRecords([
 *   { jobId: "a", jobNumber: 1, workerId: "w", status: "done", elapsedSeconds: 1, waitSeconds: 0 },
 *   { jobId: "b", jobNumber: 2, workerId: "", status: "cancelled", elapsedSeconds: 0, waitSeconds: 2 },
 * ]);
 * assert.equal(jobs.length, 2);
 * assert.equal(jobs.status(1), "cancelled");
 * assert.equal(jobs.started(1), false);
 * assert.deepEqual([...jobs].map((job) => job.jobId), ["a", "b"]);
 * ```
 */
export function jobRecords(results: readonly JobResult[]): JobRecords {
  return new ListedJobRecords(results);
}

/** Several steps' job records read as one list (the repeats of a step, combined). */
class ConcatenatedJobRecords implements JobRecords {
  readonly #parts: readonly JobRecords[];
  readonly #starts: number[];
  readonly length: number;

  constructor(parts: readonly JobRecords[]) {
    this.#parts = parts;
    this.#starts = [];
    let length = 0;
    for (const part of parts) {
      this.#starts.push(length);
      length += part.length;
    }
    this.length = length;
  }

  /** The part that holds `index`, and the index within it. */
  #locate(index: number): [JobRecords, number] {
    checkIndex(index, this.length);
    const starts = this.#starts;
    let part = starts.length - 1;
    while (starts[part] > index) part--;
    return [this.#parts[part], index - starts[part]];
  }

  status(index: number): JobStatus {
    const [part, at] = this.#locate(index);
    return part.status(at);
  }

  elapsedSeconds(index: number): number {
    const [part, at] = this.#locate(index);
    return part.elapsedSeconds(at);
  }

  waitSeconds(index: number): number {
    const [part, at] = this.#locate(index);
    return part.waitSeconds(at);
  }

  started(index: number): boolean {
    const [part, at] = this.#locate(index);
    return part.started(at);
  }

  output(index: number): unknown {
    const [part, at] = this.#locate(index);
    return part.output(at);
  }

  outputDigest(index: number): OutputDigest | undefined {
    const [part, at] = this.#locate(index);
    return outputDigestOf(part, at);
  }

  get(index: number): JobResult {
    const [part, at] = this.#locate(index);
    return part.get(at);
  }

  *[Symbol.iterator](): Iterator<JobResult> {
    for (const part of this.#parts) yield* part;
  }

  toJSON(): JobResult[] {
    return [...this];
  }
}

/**
 * Several lists of job records read as one, in order (no copy).
 *
 * @param parts The lists.
 * @returns Their concatenation.
 *
 * @example Two repeats of a one-job step
 * ```ts
 * import { concatJobRecords, jobRecords } from "./job_records.ts";
 * import assert from "node:assert/strict";
 *
 * const run = (seconds: number) =>
 *   jobRecords([{
 *     jobId: "a", jobNumber: 1, workerId: "w", status: "done", elapsedSeconds: seconds, waitSeconds: 0,
 *   }]);
 * const both = concatJobRecords([run(1), run(2)]);
 * assert.equal(both.length, 2);
 * assert.equal(both.elapsedSeconds(1), 2);
 * ```
 */
export function concatJobRecords(parts: readonly JobRecords[]): JobRecords {
  return parts.length === 1 ? parts[0] : new ConcatenatedJobRecords(parts);
}
