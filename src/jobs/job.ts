/**
 * The shape every job kind shares: what the main thread prepares once per
 * sweep, and what each worker runs for every job.
 *
 * @module
 */
import type { StepResult } from "../types.ts";

/**
 * The parameters a sweep can pass to its jobs: the union of what the built-in
 * kinds read. Each kind declares its own params type and defaults
 * (`JobKind.defaultParams`) and reads only its own keys; a caller passes only
 * the keys of the kind it runs, e.g. `{ sleepMs: 50 }` for `sleep`.
 */
export interface JobParams {
  /** How long each sleep job sleeps, in milliseconds (the `sleep` kind). */
  sleepMs?: number;
  /** How many decimals of pi each Pi job computes (the `pi` kinds). */
  digits?: number;
  /** How many lines each IO job writes per file (the `io` kind). */
  ioLines?: number;
  /** The URL of a custom job module (the `module` kind). */
  moduleUrl?: string;
  /** Values passed to a custom job module as its input (`--job-arg key=value`). */
  jobArgs?: Record<string, string>;
  /** Permissions for a custom job module's workers, beyond reading the module itself. */
  permissions?: JobPermissions;
}

/** What a job kind's workers may touch; everything not listed is denied. */
export interface JobPermissions {
  /** Paths the job may read. */
  read?: string[];
  /** Paths the job may write. */
  write?: string[];
  /** Hosts the job may reach (and import from). */
  net?: string[];
  /** Hosts the job may import modules from, without network access to them. */
  import?: string[];
  /** Environment variables the job may read. */
  env?: string[];
  /**
   * Whether the job module's own static `npm:` imports may load. Only the inline step's process
   * obeys it (npm on, the module's npm packages cached before it starts, nothing downloaded
   * after); workers load npm packages as the calling process can (the CLI's sweep process turns
   * npm on for this alone). Default `false`.
   */
  npm?: boolean;
}

/** What a running job can ask of the worker that runs it. */
export interface JobContext {
  /**
   * The worker's cancel flag: index 0 holds 0 while the job may run and 1
   * once it must stop. Kernels poll it between chunks of work, and blocking
   * waits use `Atomics.wait` on it so a cancel wakes them at once.
   */
  readonly cancelFlag: Int32Array;
  /** Whether the job has been asked to stop. */
  shouldStop(): boolean;
  /** The running job's 1-based number in the batch. */
  readonly jobNumber?: number;
  /**
   * The running job's own input, when the batch was given one per job (the
   * sweep's `inputs`, the CLI's `--inputs FILE`); `hasInput` says whether it was.
   */
  readonly input?: unknown;
  /** Whether the batch has per-job inputs (then `input` is this job's, even when `null`). */
  readonly hasInput?: boolean;
  /**
   * This job's signal: aborted, with a `JobCancelledError` as its reason, when the job runs past
   * its time-out or the step is cancelled (Ctrl-C, `signal` of the sweep). For jobs that await:
   * pass it to `fetch`, timers and streams. Made when first read, so jobs that never read it pay
   * nothing.
   */
  readonly signal?: AbortSignal;
}

/**
 * Runs one job inside a worker and returns its output. A runner backed by a
 * WebAssembly instance may report its memory size through `wasmMemoryBytes`.
 */
export type JobRunner<Output> = ((context: JobContext) => Output | Promise<Output>) & {
  wasmMemoryBytes?: () => number;
};

/**
 * A kind of job: a name, the main-thread preparation, and the worker-side runner.
 *
 * @typeParam Setup Data prepared once on the main thread and posted to every
 *   worker (must survive structured clone, e.g. a compiled `WebAssembly.Module`).
 * @typeParam Output What one job returns.
 * @typeParam Params The kind's own parameters (a subset of {@linkcode JobParams}).
 */
export interface JobKind<Setup = unknown, Output = unknown, Params = JobParams> {
  /** The canonical name, as given to `--job`. */
  readonly name: string;
  /** Other accepted names, such as Golang-Channels' (`EmptySleepJob`); matched case-insensitively. */
  readonly aliases: readonly string[];
  /** One line for `--help` and the README. */
  readonly description: string;
  /**
   * What limits one job, when the kind knows: `"cpu"` (it computes) or `"wait"`
   * (it sleeps or waits on IO, so the CPU count does not cap how many can run
   * at once). The analysis never explains a `"wait"` kind's scaling by CPUs.
   */
  readonly bound?: "cpu" | "wait";
  /** The kind's parameters with their defaults; a sweep fills in what its caller left out. */
  readonly defaultParams?: Readonly<Params>;
  /**
   * The largest value of a numeric parameter this kind accepts, where it is below what the
   * parameter allows in general (`pi-machin`: `{ digits: 1_000_000 }`); checked before any job runs.
   */
  readonly maxParams?: Readonly<Partial<Record<keyof Params & string, number>>>;
  /** Describes one job's parameters for table titles and bench names ("1,000 ms"). */
  describeParams?(params: Params): string;
  /**
   * The summary table's columns beyond the Go original's four, as data the report renders (the
   * Pi kinds: `["averageJobSeconds", "peakRssBytes"]`). Default none: the average job time
   * then goes under the table.
   */
  readonly summaryColumns?: readonly ("averageJobSeconds" | "peakRssBytes")[];
  /** Lines the kind adds under the summary table (the sleep kind's overhead over the ideal). */
  summaryNotes?(steps: readonly StepResult[], params: Params): string[];
  /** Main thread, once per sweep: prepares what every worker receives. */
  setup?(params: Params): Setup | Promise<Setup>;
  /** Worker side, once per worker: builds the function that runs each job. */
  createRunner(params: Params, setup: Setup): JobRunner<Output> | Promise<JobRunner<Output>>;
  /** Main thread: the permissions this kind's workers need (default: none at all). */
  permissions?(params: Params, setup: Setup): JobPermissions;
  /** Main thread, once the sweep ends (also on failure or abort): undo what `setup` made. */
  teardown?(setup: Setup): void | Promise<void>;
  /** Worker side: a short phrase about one output for DEBUG lines ("50000 digits, sha …"). */
  describeOutput?(output: Output, params: Params): string;
}

/**
 * Declares a job kind, erasing its type parameters so kinds of every shape fit
 * in one registry.
 *
 * @param kind The job kind.
 * @returns The same object, typed for the registry.
 *
 * @example A job kind that returns a constant
 * ```ts
 * import { defineJob } from "./job.ts";
 * import assert from "node:assert/strict";
 *
 * const answer = defineJob({
 *   name: "answer",
 *   aliases: [],
 *   description: "Returns 42",
 *   createRunner: () => () => 42,
 * });
 * assert.equal(answer.name, "answer");
 * ```
 */
export function defineJob<Setup, Output, Params = JobParams>(
  kind: JobKind<Setup, Output, Params>,
): JobKind {
  return kind as unknown as JobKind;
}

/**
 * A kind's parameters: its defaults, overridden by the keys of `params` that
 * are set (`undefined` counts as not set). Keys the kind does not declare pass
 * through unchanged, so a custom module still gets its URL and arguments. A
 * parameter whose default is a number must be a positive safe integer.
 *
 * @param kind The job kind.
 * @param params What the caller passed.
 * @returns The parameters the kind's workers receive.
 * @throws {RangeError} For a numeric parameter that is not a positive safe integer (NaN, 1.5, 0),
 *   or is above the kind's `maxParams`.
 *
 * @example Fill in the sleep job's default
 * ```ts
 * import { defineJob, resolveJobParams } from "./job.ts";
 * import assert from "node:assert/strict";
 *
 * const wait = defineJob<undefined, number, { waitMs: number }>({
 *   name: "wait",
 *   aliases: [],
 *   description: "Waits",
 *   defaultParams: { waitMs: 10 },
 *   createRunner: (params) => () => params.waitMs,
 * });
 * assert.deepEqual(resolveJobParams(wait, {}), { waitMs: 10 });
 * assert.deepEqual(resolveJobParams(wait, { waitMs: 5, digits: undefined }), { waitMs: 5 });
 * assert.throws(() => resolveJobParams(wait, { waitMs: NaN }), RangeError);
 * ```
 */
export function resolveJobParams(
  kind: JobKind,
  params: Readonly<Record<string, unknown>> = {},
): JobParams {
  const set = Object.entries(params).filter(([, value]) => value !== undefined);
  const resolved: Record<string, unknown> = { ...kind.defaultParams, ...Object.fromEntries(set) };
  const maxParams: Record<string, number | undefined> = kind.maxParams ?? {};
  for (const [key, fallback] of Object.entries(kind.defaultParams ?? {})) {
    const value = resolved[key];
    const max = maxParams[key];
    if (typeof fallback !== "number") continue;
    if (!(Number.isSafeInteger(value) && (value as number) > 0)) {
      throw new RangeError(
        `Cannot run ${kind.name} jobs: params.${key} must be a positive integer, received ${
          String(value)
        }`,
      );
    }
    if (max !== undefined && (value as number) > max) {
      throw new RangeError(
        `Cannot run ${kind.name} jobs: params.${key} must be an integer from 1 to ${max}, received ${value}`,
      );
    }
  }
  return resolved as JobParams;
}
