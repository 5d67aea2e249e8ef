/**
 * The messages between the main thread and a worker, imported by both sides.
 *
 * @module
 */
import type { JobParams } from "../jobs/job.ts";

/** The CPU profiler's sampling interval, in microseconds (V8's default is 1000). */
export const PROFILE_INTERVAL_MICROS = 250;

// Taken when this module loads, before any job code runs in a worker: a job may replace
// `String`, `Error` or `Deno.inspect`, and its errors must still be described.
const toText = String;
const ErrorType = Error;
const inspect = Deno.inspect;

/** An error as it crosses the worker boundary. */
export interface SerializedError {
  /** The error's `name`, e.g. `RangeError` or `JobCancelledError`. */
  name: string;
  /** The error's message. */
  message: string;
  /**
   * The stack inside the worker, when there was one and it was asked for: a worker's
   * start-up error carries it; a job's failure does not (formatting a stack costs ~60 µs,
   * which a failing job would otherwise pay in its step's time, and no record keeps it).
   */
  stack?: string;
}

/** Main thread → worker. */
export type MainToWorker =
  | {
    type: "init";
    workerId: string;
    jobKind: string;
    params: JobParams;
    setup: unknown;
    /** Backs the worker's cancel flag (`Int32Array` of length 1). */
    cancelBuffer: SharedArrayBuffer;
    /**
     * Counts the `reports` messages the main thread has read (`Int32Array` of length 1, raised
     * by one per message): a worker whose unread reports hold large outputs waits for it.
     */
    readBuffer: SharedArrayBuffer;
    /** Record a V8 CPU profile from the first job on (needs the `inspector` sys permission). */
    profile?: boolean;
    /** One input per job, by job index, when the batch has per-job inputs. */
    inputs?: readonly unknown[];
  }
  | { type: "run"; jobId: string }
  /**
   * Claim jobs from a shared job channel (`src/channel/`) as `slot` until it closes
   * or the slot is retired; answered by `reports` batches and one `drained`.
   */
  | { type: "drain"; channel: SharedArrayBuffer; slot: number; concurrency?: number }
  /** Ask for the worker's memory figures and, when profiling, its CPU profile (stops it). */
  | { type: "stats" };

/** A worker's memory and profile at the end of a step. */
export interface WorkerStats {
  /** `Deno.memoryUsage()` inside the worker (rss is the whole process's). */
  memory: { heapUsed: number; heapTotal: number; external: number };
  /** Bytes of WebAssembly memory the job kind's instance holds, when it has one. */
  wasmMemoryBytes?: number;
  /** The V8 CPU profile (`Profiler.Profile`), when profiling. */
  profile?: unknown;
}

/** What a worker reports about one job claimed from a shared channel, when columns are not enough. */
export interface JobReport {
  /** The job's index in the channel. */
  index: number;
  /** What the job returned, when done. */
  output?: unknown;
  /** A short phrase about the output, from the job kind. */
  summary?: string;
  /** Why it failed or was cancelled. */
  error?: SerializedError;
  /** It stopped because its cancel flag was raised. */
  cancelled?: boolean;
  /** A WebAssembly trap: the worker stops claiming and should be replaced. */
  trapped?: boolean;
}

/** Worker → main thread. */
export type WorkerToMain =
  | { type: "ready" }
  | { type: "stats"; stats: WorkerStats }
  /** The job called `self.close()`: the worker is about to stop. */
  | { type: "closing" }
  | { type: "init-error"; error: SerializedError }
  /** Jobs of a `drain` that have outputs or errors, batched (never one message per job). */
  | { type: "reports"; reports: JobReport[] }
  /** The `drain` loop ended (channel closed, slot retired, or a trap). */
  | { type: "drained"; trapped: boolean }
  /**
   * An error no job code caught (a throw from a timer, a rejection nobody handled, with
   * `inPromise`): the worker is closing, as an uncaught error always closed it.
   */
  | { type: "uncaught"; error: SerializedError; inPromise: boolean }
  | {
    type: "result";
    jobId: string;
    output: unknown;
    summary?: string;
    /** Job start as `performance.timeOrigin + performance.now()` inside the worker, ms. */
    startedAtMs: number;
    elapsedMs: number;
  }
  | {
    type: "error";
    jobId: string;
    error: SerializedError;
    cancelled: boolean;
    /** A WebAssembly trap: the instance may be corrupt, so the worker should be replaced. */
    trapped: boolean;
    startedAtMs: number;
    elapsedMs: number;
  };

/**
 * Turns anything thrown into a plain object that survives `postMessage`.
 * Never throws: job code chooses what it throws, and an error whose getters
 * throw (or a Proxy, revoked or not) must not take the worker's job loop with it.
 *
 * @param error Whatever was thrown.
 * @param options `stack: false` leaves the stack unread (a job's failure: see
 *   {@linkcode SerializedError.stack}).
 * @returns Its name, message and stack, as far as they could be read.
 *
 * @example Serialize a RangeError
 * ```ts
 * import { serializeError } from "./protocol.ts";
 * import assert from "node:assert/strict";
 *
 * const plain = serializeError(new RangeError("too big"));
 * assert.equal(plain.name, "RangeError");
 * assert.equal(plain.message, "too big");
 * assert.equal(serializeError(Object.create(null)).message, "[Object: null prototype] {}");
 * const hostile = new Error("x");
 * Object.defineProperty(hostile, "message", { get() { throw new Error("no"); } });
 * assert.equal(serializeError(hostile).message, "(its message could not be read)");
 * assert.equal(serializeError(new Error("x"), { stack: false }).stack, undefined);
 * ```
 */
export function serializeError(
  error: unknown,
  options: { stack?: boolean } = {},
): SerializedError {
  let isError = false;
  try {
    isError = error instanceof ErrorType;
  } catch {
    // A revoked Proxy, or one whose getPrototypeOf trap throws.
  }
  if (!isError) return { name: "Error", message: describeThrown(error) };
  const thrown = error as Error;
  const name = readString(() => thrown.name) ?? "Error";
  const message = readString(() => thrown.message) ?? "(its message could not be read)";
  const stack = options.stack === false ? undefined : readString(() => thrown.stack);
  return stack === undefined ? { name, message } : { name, message, stack };
}

/** Reads one field of a thrown value as a string, or `undefined` when reading it throws. */
function readString(read: () => unknown): string | undefined {
  try {
    const value = read();
    if (value === undefined) return undefined;
    return typeof value === "string" ? value : toText(value);
  } catch {
    return undefined;
  }
}

/** Describes a thrown non-`Error`: `String()` first, then `Deno.inspect` (a null-prototype object). */
function describeThrown(value: unknown): string {
  try {
    return toText(value);
  } catch {
    // No toString, or one that throws.
  }
  try {
    const text: unknown = inspect(value, { depth: 2 });
    if (typeof text === "string") return text;
  } catch {
    // A Proxy whose traps throw.
  }
  return "(a thrown value that could not be described)";
}

/**
 * Rebuilds an `Error` from its serialized form, keeping the worker's stack.
 *
 * @param plain The serialized error.
 * @returns An `Error` with the same name, message and stack.
 *
 * @example Round trip
 * ```ts
 * import { deserializeError, serializeError } from "./protocol.ts";
 * import assert from "node:assert/strict";
 *
 * const error = deserializeError(serializeError(new TypeError("bad")));
 * assert.equal(error.name, "TypeError");
 * assert.equal(error.message, "bad");
 * ```
 */
export function deserializeError(plain: SerializedError): Error {
  const error = new Error(plain.message);
  error.name = plain.name;
  if (plain.stack) error.stack = plain.stack;
  return error;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null;

const isSerializedError = (value: unknown): boolean =>
  isObject(value) && typeof value.name === "string" && typeof value.message === "string";

// Job code can post a `stats` of its own while one is awaited: the main thread reads its
// numbers, so they must be numbers.
const isStats = (value: unknown): boolean =>
  isObject(value) && isObject(value.memory) &&
  typeof value.memory.heapUsed === "number" && typeof value.memory.heapTotal === "number" &&
  typeof value.memory.external === "number" &&
  (value.wasmMemoryBytes === undefined || typeof value.wasmMemoryBytes === "number");

const isReport = (value: unknown): boolean =>
  isObject(value) && Number.isSafeInteger(value.index) &&
  (value.error === undefined || isSerializedError(value.error)) &&
  (value.summary === undefined || typeof value.summary === "string");

/**
 * Checks that a message from a worker is one the protocol defines: job code
 * shares its worker with our entry and can `self.postMessage` anything, so the
 * main thread uses nothing it has not checked.
 *
 * @param data `MessageEvent.data` from a worker.
 * @returns The message, typed, or `undefined` when it is not one of ours.
 *
 * @example A job's stray messages are told apart
 * ```ts
 * import { parseWorkerMessage } from "./protocol.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseWorkerMessage({ type: "drained", trapped: false }), {
 *   type: "drained",
 *   trapped: false,
 * });
 * assert.equal(parseWorkerMessage(null), undefined);
 * assert.equal(parseWorkerMessage({ type: "result", jobId: 5 }), undefined);
 * ```
 */
export function parseWorkerMessage(data: unknown): WorkerToMain | undefined {
  if (!isObject(data) || typeof data.type !== "string") return undefined;
  const timed = typeof data.startedAtMs === "number" && typeof data.elapsedMs === "number";
  switch (data.type) {
    case "ready":
    case "closing":
      return data as WorkerToMain;
    case "stats":
      return isStats(data.stats) ? data as WorkerToMain : undefined;
    case "init-error":
      return isSerializedError(data.error) ? data as WorkerToMain : undefined;
    case "reports":
      return Array.isArray(data.reports) && data.reports.every(isReport)
        ? data as WorkerToMain
        : undefined;
    case "drained":
      return typeof data.trapped === "boolean" ? data as WorkerToMain : undefined;
    case "uncaught":
      return isSerializedError(data.error) && typeof data.inPromise === "boolean"
        ? data as WorkerToMain
        : undefined;
    case "result":
      return typeof data.jobId === "string" && timed ? data as WorkerToMain : undefined;
    case "error":
      return typeof data.jobId === "string" && timed && isSerializedError(data.error)
        ? data as WorkerToMain
        : undefined;
    default:
      return undefined;
  }
}
