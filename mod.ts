/**
 * deno-channels: run the same batch of jobs with 1, 2, … N Deno Web Workers
 * and measure when more workers pay off and when they stop paying. A Deno port
 * of the Go "Golang-Channels" demo: a dispatcher, a Go-like channel of jobs,
 * workers pulling from it, and a summary table of the speed-up.
 *
 * ```ts ignore
 * import { runSweep } from "./mod.ts";
 * import { renderSummaryTable } from "./src/report/mod.ts"; // jsr: @deno-channels/core/report
 *
 * const steps = await Array.fromAsync(
 *   runSweep({ job: "sleep", params: { sleepMs: 100 }, maxWorkers: 2, jobCount: 4 }),
 * );
 * console.log(renderSummaryTable(steps));
 * ```
 *
 * Your own job is a module whose default export runs one job; pass its URL:
 *
 * ```ts ignore
 * import { runSweep } from "./mod.ts";
 *
 * const job = new URL("./my_job.ts", import.meta.url);
 * for await (const step of runSweep({ job, params: { jobArgs: { size: "1000" } } })) {
 *   console.log(step.workers, step.seconds);
 * }
 * ```
 *
 * The analysis and renderers are `./report`, the Pi kernels `./pi`, CPU
 * profiles `./profile`.
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
export { jobRecords } from "./src/step/job_records.ts";
export type {
  JobRecords,
  JobResult,
  JobStatus,
  OutputDigest,
  StepProfiles,
  StepResult,
  SweepEvent,
  SweepEventHandler,
  SweepStep,
  WorkerMemory,
} from "./src/types.ts";
export { runSweep } from "./src/sweep/sweep.ts";
export {
  MAX_CONCURRENCY,
  MAX_JOBS,
  MAX_REPEAT,
  MAX_WORKERS,
  type SweepOptions,
  sweepWorkerCounts,
} from "./src/sweep/options.ts";
export { runStep, type RunStepOptions } from "./src/step/run_step.ts";
export type { JobReport, SerializedError, WorkerStats } from "./src/pool/protocol.ts";
export type { WorkerPoolOptions } from "./src/pool/spawn_worker.ts";
export { WorkerPool } from "./src/pool/worker_pool.ts";
export {
  JobCancelledError,
  JobTimeoutError,
  NoWorkerError,
  WorkerCrashError,
  WorkerStartError,
} from "./src/errors.ts";
export type { JobParams, JobPermissions } from "./src/jobs/job.ts";
export type { CustomJobContext, CustomJobFunction, ModuleJobParams } from "./src/jobs/module.ts";

if (import.meta.main) {
  const { runCli } = await import("./src/cli/main.ts");
  await runCli();
}
