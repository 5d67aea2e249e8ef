/**
 * The script every worker runs: receives `init`, builds the job runner, then
 * runs one job per `run` message and reports each result or error.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { Session } from "node:inspector/promises";
import { JobCancelledError } from "../errors.ts";
import {
  type JobContext,
  type JobKind,
  type JobParams,
  type JobRunner,
  resolveJobParams,
} from "../jobs/job.ts";
import { findJobKind } from "../jobs/registry.ts";
import {
  type JobReport,
  type MainToWorker,
  PROFILE_INTERVAL_MICROS,
  serializeError,
  type WorkerToMain,
} from "./protocol.ts";
import {
  ChannelClaimer,
  CLAIM_END,
  CLAIM_NONE,
  JOB_STATE,
  slotState,
  viewJobChannel,
} from "../channel/mod.ts";

let kind: JobKind | undefined;
let params: JobParams | undefined;
let runner: JobRunner<unknown> | undefined;
let context: MutableContext | undefined;
let inputs: readonly unknown[] | undefined;

/** The one context object of this worker, updated for each job. */
type MutableContext = { -readonly [K in keyof JobContext]: JobContext[K] };

function post(message: WorkerToMain): void {
  self.postMessage(message);
}

// Reports of a drain not yet posted: sent in batches, never one message per job.
let pending: JobReport[] = [];
let pendingSinceMs = 0;
/** Post a batch once it holds this many reports, or is this old (milliseconds). */
const REPORT_BATCH_JOBS = 256;
const REPORT_BATCH_MS = 5;

function flushReports(): void {
  if (pending.length === 0) return;
  const reports = pending;
  pending = [];
  try {
    post({ type: "reports", reports });
  } catch {
    // An output that cannot be cloned (a function, a socket): send the batch one
    // report at a time, failing each job whose output will not cross.
    for (const report of reports) {
      try {
        post({ type: "reports", reports: [report] });
      } catch (error) {
        post({ type: "reports", reports: [{ index: report.index, error: serializeError(error) }] });
      }
    }
  }
}

// A job that calls self.close() would otherwise leave its job in flight with
// no word to the main thread: say so first (after the reports it has made).
const closeWorker = self.close.bind(self);
self.close = () => {
  flushReports();
  post({ type: "closing" });
  closeWorker();
};
// Inside a worker, Deno.exit() ends only the worker and leaves its job in flight with no word to
// the main thread (the run would wait for it forever): treat it as self.close().
Deno.exit = (() => self.close()) as typeof Deno.exit;

async function init(message: Extract<MainToWorker, { type: "init" }>): Promise<void> {
  try {
    kind = findJobKind(message.jobKind);
    if (!kind) throw new TypeError(`Cannot start worker: unknown job kind "${message.jobKind}"`);
    params = resolveJobParams(kind, { ...message.params });
    const cancelFlag = new Int32Array(message.cancelBuffer);
    inputs = message.inputs;
    context = {
      cancelFlag,
      shouldStop: () => Atomics.load(cancelFlag, 0) !== 0,
      hasInput: inputs !== undefined,
    };
    runner = await kind.createRunner(params, message.setup);
    if (message.profile) await startProfiler();
    post({ type: "ready" });
  } catch (error) {
    post({ type: "init-error", error: serializeError(error) });
  }
}

async function run(jobId: string): Promise<void> {
  const startedAtMs = performance.timeOrigin + performance.now();
  const start = performance.now();
  try {
    if (!runner || !context || !kind || !params) {
      throw new Error(`Cannot run job ${jobId}: the worker was not initialised`);
    }
    const output = await runner(context);
    const elapsedMs = performance.now() - start;
    const summary = kind.describeOutput?.(output, params);
    post({ type: "result", jobId, output, summary, startedAtMs, elapsedMs });
  } catch (error) {
    const elapsedMs = performance.now() - start;
    // A job that throws once its cancel flag is up stopped because it was asked to.
    const cancelled = error instanceof JobCancelledError || context?.shouldStop() === true;
    const trapped = error instanceof WebAssembly.RuntimeError;
    post({
      type: "error",
      jobId,
      error: serializeError(error),
      cancelled,
      trapped,
      startedAtMs,
      elapsedMs,
    });
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

/**
 * Claims jobs from a shared channel until it closes or this slot is retired.
 * Synchronous while the jobs are (no await on the hot path): a job with no
 * output and no error is recorded in the shared columns only; the rest are
 * reported in batches. A job that returns a promise flushes the batch first,
 * so a job that then kills the worker cannot take earlier reports with it.
 */
async function drain(message: Extract<MainToWorker, { type: "drain" }>): Promise<void> {
  const view = viewJobChannel(message.channel);
  const claimer = new ChannelClaimer(view, message.slot);
  const cancelling = slotState(JOB_STATE.CANCELLING_TAG, message.slot);
  const timeOrigin = performance.timeOrigin;
  let trapped = false;
  const report = (entry: JobReport) => {
    if (pending.length === 0) pendingSinceMs = performance.now();
    pending.push(entry);
  };
  try {
    if (!runner || !context || !kind || !params) {
      throw new Error("Cannot drain jobs: the worker was not initialised");
    }
    const { cancelFlag } = context;
    for (;;) {
      if (
        pending.length > 0 &&
        (pending.length >= REPORT_BATCH_JOBS ||
          performance.now() - pendingSinceMs >= REPORT_BATCH_MS)
      ) {
        flushReports();
      }
      const index = claimer.next();
      if (index === CLAIM_END) break;
      if (index === CLAIM_NONE) {
        flushReports();
        claimer.waitForWork();
        continue;
      }
      if (!claimer.begin(index)) continue;
      context.jobNumber = index + 1;
      if (inputs) context.input = inputs[index];
      // One clock reading for the start record and the run time (each costs ~0.1 µs).
      const start = performance.now();
      claimer.recordStart(index, timeOrigin + start);
      let output: unknown;
      let error: unknown;
      let failed = false;
      let runMs = 0;
      let summary: string | undefined;
      try {
        output = runner(context);
        if (isThenable(output)) {
          flushReports();
          claimer.flushCompleted();
          output = await output;
        }
        runMs = performance.now() - start;
        // Nothing (null, undefined) and a number need no summary and go in the shared columns.
        if (output != null && typeof output !== "number") {
          summary = kind.describeOutput?.(output, params);
        }
      } catch (thrown) {
        if (runMs === 0) runMs = performance.now() - start;
        failed = true;
        error = thrown;
      }
      if (!failed && output == null && summary === undefined) {
        // The fast path: nothing to report, the shared columns say it all.
        const found = claimer.commit(index, JOB_STATE.DONE, runMs);
        if (found === JOB_STATE.DONE || found !== cancelling) continue;
      } else if (!failed && typeof output === "number") {
        const found = claimer.commitNumber(index, runMs, output);
        if (found === JOB_STATE.DONE_NUMBER || found !== cancelling) continue;
      } else if (claimer.markReported(index, runMs)) {
        if (failed) {
          trapped = error instanceof WebAssembly.RuntimeError;
          report({
            index,
            error: serializeError(error),
            cancelled: error instanceof JobCancelledError || context.shouldStop(),
            trapped,
          });
        } else report({ index, output, summary });
      } else if (Atomics.load(view.state, index) !== cancelling) {
        continue; // No longer ours (the slot was retired): write nothing.
      }
      if (Atomics.load(view.state, index) === cancelling) {
        // The main thread asked this job to stop (a timeout) and raises the cancel
        // flag right after its swap: wait for the flag, lower it for the next job
        // (unless the whole channel is closing), then report the job.
        while (Atomics.load(cancelFlag, 0) === 0 && !claimer.retired) {
          Atomics.wait(cancelFlag, 0, 0, 100);
        }
        if (!claimer.closed) Atomics.store(cancelFlag, 0, 0);
        if (!claimer.markReported(index, runMs, cancelling)) continue;
        report({ index, error: failed ? serializeError(error) : undefined, cancelled: true });
      }
      if (trapped) break;
    }
  } finally {
    claimer.release();
    flushReports();
    claimer.flushCompleted();
    claimer.notify();
    post({ type: "drained", trapped });
  }
}

let profiler: Session | undefined;

async function startProfiler(): Promise<void> {
  profiler = new Session();
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.setSamplingInterval", { interval: PROFILE_INTERVAL_MICROS });
  await profiler.post("Profiler.start");
}

async function stats(): Promise<void> {
  let profile: unknown;
  if (profiler) {
    profile = (await profiler.post("Profiler.stop")).profile;
    profiler.disconnect();
    profiler = undefined;
  }
  const { heapUsed, heapTotal, external } = Deno.memoryUsage();
  post({
    type: "stats",
    stats: {
      memory: { heapUsed, heapTotal, external },
      wasmMemoryBytes: runner?.wasmMemoryBytes?.(),
      profile,
    },
  });
}

// Set before anything awaits so no message is missed.
self.onmessage = (event: MessageEvent<MainToWorker>) => {
  const message = event.data;
  if (message.type === "init") init(message);
  else if (message.type === "stats") stats();
  else if (message.type === "drain") drain(message);
  else run(message.jobId);
};
