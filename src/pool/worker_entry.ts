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
  type MainToWorker,
  PROFILE_INTERVAL_MICROS,
  serializeError,
  type WorkerToMain,
} from "./protocol.ts";

let kind: JobKind | undefined;
let params: JobParams | undefined;
let runner: JobRunner<unknown> | undefined;
let context: JobContext | undefined;

function post(message: WorkerToMain): void {
  self.postMessage(message);
}

// A job that calls self.close() would otherwise leave its job in flight with
// no word to the main thread: say so first.
const closeWorker = self.close.bind(self);
self.close = () => {
  post({ type: "closing" });
  closeWorker();
};

async function init(message: Extract<MainToWorker, { type: "init" }>): Promise<void> {
  try {
    kind = findJobKind(message.jobKind);
    if (!kind) throw new TypeError(`Cannot start worker: unknown job kind "${message.jobKind}"`);
    params = resolveJobParams(kind, { ...message.params });
    const cancelFlag = new Int32Array(message.cancelBuffer);
    context = { cancelFlag, shouldStop: () => Atomics.load(cancelFlag, 0) !== 0 };
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
  else run(message.jobId);
};
