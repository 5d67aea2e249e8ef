/**
 * deno-channels: run the same batch of jobs with 1, 2, … N Deno Web Workers
 * and measure when more workers pay off and when they stop paying. A Deno port
 * of the Go "Golang-Channels" demo: a dispatcher, a Go-like channel of jobs,
 * workers pulling from it, and a summary table of the speed-up.
 *
 * ```ts ignore
 * import { renderSummaryTable, runSweep } from "./mod.ts";
 *
 * const steps = await Array.fromAsync(
 *   runSweep({ job: "sleep", params: { sleepMs: 100 }, maxWorkers: 2, jobCount: 4 }),
 * );
 * console.log(renderSummaryTable(steps));
 * ```
 *
 * Run as a program (`deno run -A mod.ts --help`) it prints the sweep's tables.
 *
 * Imported by URL (as from JSR) it needs `--allow-import` for the host and no
 * other flag: workers have the importing program's permissions, so a custom job
 * module may do whatever the program may. `sandbox: true` runs each kind's
 * workers with only what the kind needs (nothing for sleep, noop and pi); it
 * needs `--unstable-worker-options`, without which Deno exits with code 70.
 *
 * @module
 */
export { Channel, type ReceiveResult } from "./src/channel.ts";
export { jobRecords } from "./src/step/job_records.ts";
export type {
  JobRecords,
  JobResult,
  JobStatus,
  StepProfiles,
  StepResult,
  SweepEvent,
  SweepEventHandler,
  SweepStep,
  WorkerMemory,
} from "./src/types.ts";
export {
  MAX_CONCURRENCY,
  MAX_JOBS,
  MAX_REPEAT,
  MAX_WORKERS,
  runSweep,
  type SweepOptions,
  sweepWorkerCounts,
} from "./src/sweep/sweep.ts";
export { runStep, type RunStepOptions } from "./src/step/run_step.ts";
export type { JobReport, SerializedError, WorkerStats } from "./src/pool/protocol.ts";
export type { DrainEnd, JobOutcome, PoolWorker, WorkerState } from "./src/pool/pool_worker.ts";
export type { WorkerPoolOptions } from "./src/pool/spawn_worker.ts";
export { WorkerPool } from "./src/pool/worker_pool.ts";
export {
  JobCancelledError,
  JobTimeoutError,
  NoWorkerError,
  WorkerCrashError,
  WorkerStartError,
} from "./src/errors.ts";
export {
  defineJob,
  type JobContext,
  type JobKind,
  type JobParams,
  type JobPermissions,
  type JobRunner,
} from "./src/jobs/job.ts";
export { findJobKind, JOB_KINDS } from "./src/jobs/registry.ts";
export type { CustomJobContext, CustomJobFunction } from "./src/jobs/module.ts";
export { type PiBigIntOptions, piDigitsBigInt } from "./src/pi/bigint_reference.ts";
export { loadPiModule, piDigits } from "./src/pi/loader.ts";
export { MachinKernel } from "./src/pi/machin_kernel.ts";
export {
  MACHIN_DIGITS_MAX,
  PI_DIGITS_MAX,
  PI_DIGITS_MIN,
  type PiComputeOptions,
  PiKernel,
} from "./src/pi/kernel.ts";
export { renderSummaryTable, type SummaryRow } from "./src/report/format/table.ts";

if (import.meta.main) {
  const { runCli } = await import("./src/cli/main.ts");
  await runCli();
}
