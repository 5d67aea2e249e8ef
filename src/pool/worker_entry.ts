/**
 * The script every worker runs: receives `init`, builds the job runner, then
 * runs one job per `run` message and reports each result or error.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { Session } from "node:inspector/promises";
import { JobCancelledError } from "../errors.ts";
import { type JobKind, type JobParams, type JobRunner, resolveJobParams } from "../jobs/job.ts";
import { findJobKind } from "../jobs/registry.ts";
import {
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
import { JobSignals, SerialJobContext } from "./job_signals.ts";
import { drainInFlight } from "./_in_flight.ts";
import {
  errorEventError,
  preventDefault,
  rejectionReason,
  stopImmediatePropagation,
} from "./_builtins.ts";
import { installJobConsole } from "./_job_console.ts";
import {
  flushBeforeNextJob,
  flushIfDue,
  flushReports,
  report,
  REPORT_BATCH_MS,
  watchReading,
} from "./_reports.ts";

installJobConsole(); // Before any job module loads: a job's console goes to stderr, never stdout.

// The worker's own references, taken before any job code runs (a job module is loaded by
// `import()` inside init, after this module and its static imports have run): a job may
// replace `self.postMessage`, `self.onmessage`, `Atomics` or `performance.now` in its global
// scope, and must neither silence the protocol nor see what passes through it. Module
// scope, never on `globalThis`; the prototype methods it calls later are in `_builtins.ts`.
const postToMain: (message: WorkerToMain) => void = self.postMessage.bind(self);
const listen = EventTarget.prototype.addEventListener.bind(self);
const { load: atomicLoad, store: atomicStore, wait: atomicWait } = Atomics;
const now = performance.now.bind(performance);
const timeOrigin = performance.timeOrigin;
const { RuntimeError } = WebAssembly;
const closeWorker = self.close.bind(self);
const memoryUsage = Deno.memoryUsage;
// Deno's own message loop in a worker calls `Function.prototype.call` and waits on promises
// (through `Promise.prototype.constructor` and `Promise[Symbol.species]`) as it finds them
// then: a job that replaced one would leave the worker deaf to the pool, and Deno 2.9 panics,
// taking the sweep process with it. Pinned before any job code: a job module that assigns
// or redefines them fails at load, in one line. With these pinned, our own `await`s never
// consult a replaced `Promise.prototype.then` either.
Object.defineProperty(Function.prototype, "call", { writable: false, configurable: false });
Object.defineProperty(Promise.prototype, "constructor", { writable: false, configurable: false });
Object.defineProperty(Promise, Symbol.species, { configurable: false });

/** `value instanceof type`, false where asking throws (a revoked Proxy). */
function isInstance(value: unknown, type: abstract new (...args: never[]) => unknown): boolean {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}

let kind: JobKind | undefined;
let params: JobParams | undefined;
let runner: JobRunner<unknown> | undefined;
let context: SerialJobContext | undefined;
let signals: JobSignals | undefined;
let inputs: readonly unknown[] | undefined;

function post(message: WorkerToMain): void {
  postToMain(message);
}

// A job that calls self.close() would otherwise leave its job in flight with
// no word to the main thread: say so first (after the reports it has made).
function closeOnJobRequest(): void {
  flushReports();
  post({ type: "closing" });
  closeWorker();
}
self.close = closeOnJobRequest;
// Inside a worker, Deno.exit() ends only the worker and leaves its job in flight with no word to
// the main thread (the run would wait for it forever): treat it as self.close().
Deno.exit = closeOnJobRequest as typeof Deno.exit;

async function init(message: Extract<MainToWorker, { type: "init" }>): Promise<void> {
  try {
    kind = findJobKind(message.jobKind);
    if (!kind) throw new TypeError(`Cannot start worker: unknown job kind "${message.jobKind}"`);
    params = resolveJobParams(kind, { ...message.params });
    const cancelFlag = new Int32Array(message.cancelBuffer);
    watchReading(new Int32Array(message.readBuffer), cancelFlag);
    inputs = message.inputs;
    signals = new JobSignals(cancelFlag);
    context = new SerialJobContext(cancelFlag, inputs !== undefined, signals);
    runner = await kind.createRunner(params, message.setup);
    if (message.profile) await startProfiler();
    post({ type: "ready" });
  } catch (error) {
    post({ type: "init-error", error: serializeError(error) });
  }
}

async function run(jobId: string): Promise<void> {
  const startedAtMs = timeOrigin + now();
  const start = now();
  try {
    if (!runner || !context || !kind || !params) {
      throw new Error(`Cannot run job ${jobId}: the worker was not initialised`);
    }
    const output = await runner(context);
    const elapsedMs = now() - start;
    const summary = kind.describeOutput?.(output, params);
    post({ type: "result", jobId, output, summary, startedAtMs, elapsedMs });
  } catch (error) {
    const elapsedMs = now() - start;
    // A job that throws once its cancel flag is up stopped because it was asked to.
    const cancelled = isInstance(error, JobCancelledError) || context?.shouldStop() === true;
    const trapped = isInstance(error, RuntimeError);
    post({
      type: "error",
      jobId,
      error: serializeError(error, { stack: false }),
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
 * Commits or reports job `index`, which settled after `runMs` with `output`
 * (or threw `error`). Returns whether the main thread asked the job to stop
 * meanwhile (its state says cancelling): the caller then acknowledges it.
 */
function settleJob(
  claimer: ChannelClaimer,
  cancelling: number,
  index: number,
  runMs: number,
  output: unknown,
  failed: boolean,
  error: unknown,
  stopping: boolean,
): boolean {
  if (!failed && output == null) {
    return claimer.commit(index, JOB_STATE.DONE, runMs) === cancelling;
  }
  if (!failed && typeof output === "number") {
    return claimer.commitNumber(index, runMs, output) === cancelling;
  }
  let summary: string | undefined;
  if (!failed) {
    try {
      summary = kind?.describeOutput?.(output, params!);
    } catch (thrown) {
      failed = true;
      error = thrown;
    }
  }
  if (claimer.markReported(index, runMs)) {
    if (failed) {
      report({
        index,
        error: serializeError(error, { stack: false }),
        cancelled: isInstance(error, JobCancelledError) || stopping,
        trapped: isInstance(error, RuntimeError),
      });
    } else report({ index, output, summary });
    return false;
  }
  return claimer.state(index) === cancelling;
}

/**
 * Claims jobs from a shared channel until it closes or this slot is retired,
 * one job at a time (`concurrency` 1) or keeping up to `concurrency` jobs in
 * flight. Synchronous while the jobs are (no await on the hot path): a job with
 * no output and no error is recorded in the shared columns only; the rest are
 * reported in batches. A job that returns a promise flushes the batch first,
 * so a job that then kills the worker cannot take earlier reports with it.
 */
function drain(message: Extract<MainToWorker, { type: "drain" }>): void {
  const view = viewJobChannel(message.channel);
  const claimer = new ChannelClaimer(view, message.slot);
  const cancelling = slotState(JOB_STATE.CANCELLING_TAG, message.slot);
  let ended = false;
  // Called by the loop itself when it ends (its reports, its `drained`), whatever became of
  // the promise it returns.
  const end = (trapped: boolean) => {
    if (ended) return;
    ended = true;
    claimer.release();
    flushReports();
    claimer.flushCompleted();
    claimer.notify();
    post({ type: "drained", trapped });
  };
  if (!runner || !context || !kind || !params) {
    end(false);
    throw new Error("Cannot drain jobs: the worker was not initialised");
  }
  if ((message.concurrency ?? 1) > 1) {
    drainInFlight({
      claimer,
      cancelling,
      concurrency: message.concurrency!,
      context,
      runner,
      inputs,
      signals: signals!,
      settle: (index, runMs, output, failed, error, stopping) =>
        settleJob(claimer, cancelling, index, runMs, output, failed, error, stopping),
      report,
      flushIfDue,
      flushReports,
      end,
    });
  } else drainOneAtATime(claimer, cancelling, context, runner, end);
}

/** The drain loop for one job at a time: calls `end` with whether a job trapped. */
async function drainOneAtATime(
  claimer: ChannelClaimer,
  cancelling: number,
  context: SerialJobContext,
  runner: JobRunner<unknown>,
  end: (trapped: boolean) => void,
): Promise<void> {
  const { cancelFlag } = context;
  let trapped = false;
  try {
    for (;;) {
      flushIfDue();
      const index = claimer.next();
      if (index === CLAIM_END) break;
      if (index === CLAIM_NONE) {
        flushReports();
        claimer.waitForWork();
        continue;
      }
      if (!claimer.begin(index)) continue;
      context.index = index;
      context.jobNumber = index + 1;
      if (inputs) context.input = inputs[index];
      const start = now();
      claimer.recordStart(index, timeOrigin + start);
      let output: unknown;
      let error: unknown;
      let failed = false;
      let runMs = 0;
      try {
        output = runner(context);
        if (isThenable(output)) {
          flushReports();
          claimer.flushCompleted();
          output = await output;
        }
        runMs = now() - start;
      } catch (thrown) {
        runMs = now() - start;
        failed = true;
        error = thrown;
      }
      signals?.release(index);
      const stopping = failed && context.shouldStop();
      const settled = settleJob(claimer, cancelling, index, runMs, output, failed, error, stopping);
      // A job longer than a batch's age: its report goes before the next job starts, or the main
      // thread would count it done (progress, DEBUG) only after the next job too.
      if (runMs >= REPORT_BATCH_MS) flushBeforeNextJob();
      if (!settled) {
        if (failed && isInstance(error, RuntimeError)) {
          trapped = true;
          break;
        }
        continue;
      }
      // The main thread asked this job to stop (a timeout) and raised the flag:
      // acknowledge once the flag is seen, lower it, and report the job cancelled.
      while (atomicLoad(cancelFlag, 0) === 0 && !claimer.retired) {
        atomicWait(cancelFlag, 0, 0, 100);
      }
      if (!claimer.closed) atomicStore(cancelFlag, 0, 0);
      if (!claimer.markReported(index, runMs, cancelling)) continue;
      report({
        index,
        error: failed ? serializeError(error, { stack: false }) : undefined,
        cancelled: true,
      });
      if (failed && isInstance(error, RuntimeError)) {
        trapped = true;
        break;
      }
    }
  } finally {
    end(trapped);
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
  const { heapUsed, heapTotal, external } = memoryUsage();
  post({
    type: "stats",
    stats: {
      memory: { heapUsed, heapTotal, external },
      wasmMemoryBytes: runner?.wasmMemoryBytes?.(),
      profile,
    },
  });
}

// Set before anything awaits so no message is missed. A capturing listener added before any
// job code, which stops the event there: a job's own `onmessage` or listener (added later)
// never sees `init`, `drain` or the channel's buffer, and replacing `self.onmessage` cannot
// take the protocol's messages away from this handler.
listen("message", (event: Event) => {
  stopImmediatePropagation(event);
  // `data` is the event's own property (no prototype getter a job could replace).
  const message = (event as MessageEvent<MainToWorker>).data;
  if (message.type === "init") init(message);
  else if (message.type === "stats") stats();
  else if (message.type === "drain") drain(message);
  else run(message.jobId);
}, { capture: true });

// An error no job code caught (a throw from a timer, a rejection left unhandled) ends the
// worker as it always did, and the pool fails its job and starts a replacement; said here in
// a message the pool turns into one line per job, rather than as Deno's "Uncaught (in
// worker)" trace on the sweep's stderr. Added before any job code, so these run first. The
// pool terminates the worker on this message (and retires its slot): closing it from inside
// an error event makes Deno 2.9 panic ("either js is polling or the worker is terminated").
function endOnUncaught(event: Event, error: unknown, inPromise: boolean): void {
  preventDefault(event);
  stopImmediatePropagation(event);
  flushReports();
  post({ type: "uncaught", error: serializeError(error, { stack: false }), inPromise });
}
listen("error", (event: Event) => endOnUncaught(event, errorEventError(event), false));
listen(
  "unhandledrejection",
  (event: Event) => endOnUncaught(event, rejectionReason(event), true),
);
