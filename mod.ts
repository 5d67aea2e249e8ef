/**
 * deno-channels: run the same batch of jobs with 1, 2, … N Deno Web Workers
 * and measure when more workers pay off and when they stop paying. A Deno port
 * of the Go "Golang-Channels" demo: a dispatcher, a Go-like channel of jobs,
 * workers pulling from it, and a summary table of the speed-up.
 *
 * ```ts ignore
 * import { renderSummaryTable, runSweep } from "./mod.ts";
 *
 * const sweep = await runSweep({ job: "sleep", params: { sleepMs: 100 }, maxWorkers: 2, jobCount: 4 });
 * console.log(renderSummaryTable(sweep.steps));
 * ```
 *
 * Run as a program (`deno run -A mod.ts --help`) it prints the sweep's tables.
 *
 * Workers run with `deno: { permissions: "none" }`, so a program importing this
 * module needs `--unstable-worker-options` (or `"unstable": ["worker-options"]`
 * in its deno.json); imported by URL it needs `--allow-import` for the host.
 *
 * @module
 */
export { Channel, type ReceiveResult } from "./src/channel.ts";
export {
  type Config,
  ConfigError,
  type ConfigSources,
  DEFAULTS,
  helpText,
  MAX_IO_LINES,
  MAX_JOBS,
  MAX_REPEAT,
  MAX_SLEEP_MS,
  MAX_WORKERS,
  OUTPUT_FORMATS,
  type OutputFormat,
  parseConfig,
} from "./src/config.ts";
export { type JobResult, runStep, type RunStepOptions, type StepResult } from "./src/dispatcher.ts";
export { JobCancelledError, WorkerStartError } from "./src/errors.ts";
export type { SweepEvent, SweepEventHandler } from "./src/events.ts";
export {
  defineJob,
  type JobContext,
  type JobKind,
  type JobParams,
  type JobPermissions,
  type JobRunner,
} from "./src/jobs/job.ts";
export { findJobKind, JOB_KINDS } from "./src/jobs/registry.ts";
export { type CustomJobFunction, isJobModuleReference, moduleJob } from "./src/jobs/module.ts";
export { DEFAULT_IO_LINES, IO_FILES_PER_JOB, ioJob, type IoOutput } from "./src/jobs/io.ts";
export { noopJob } from "./src/jobs/noop.ts";
export { fnv1a32, piJob, type PiOutput, summarisePi } from "./src/jobs/pi.ts";
export { piBigIntJob } from "./src/jobs/pi_bigint.ts";
export { piMachinJob } from "./src/jobs/pi_machin.ts";
export { type PiBigIntOptions, piDigitsBigInt } from "./src/pi/bigint_reference.ts";
export { loadPiModule, piDigits } from "./src/pi/loader.ts";
export {
  assertPiDigits,
  DEFAULT_PI_DIGITS,
  MACHIN_DIGITS_MAX,
  MachinKernel,
  PI_DIGITS_MAX,
  PI_DIGITS_MIN,
  type PiComputeOptions,
  PiKernel,
} from "./src/pi/kernel.ts";
export { sleepJob, type SleepOutput } from "./src/jobs/sleep.ts";
export { type WorkerStats } from "./src/pool/protocol.ts";
export {
  type JobOutcome,
  PoolWorker,
  WorkerPool,
  type WorkerPoolOptions,
  type WorkerState,
} from "./src/pool/worker_pool.ts";
export { type ChartOptions, renderChartSvg } from "./src/report/chart.ts";
export {
  type AmdahlFit,
  amdahlSpeedup,
  type ExplainOptions,
  explainScaling,
  fitAmdahl,
  type FitFailure,
  type FitOptions,
  fitUsl,
  formatParameter,
  type Prediction,
  RECOMMEND_SHARE,
  type Recommendation,
  recommendWorkers,
  rSquared,
  type ScalingPoint,
  type UslFit,
  uslSpeedup,
} from "./src/report/fit.ts";
export {
  buildJsonReport,
  describeFits,
  JSON_SCHEMA_VERSION,
  type JsonAmdahl,
  type JsonFitFailure,
  type JsonPercentiles,
  type JsonPrediction,
  type JsonReport,
  type JsonStep,
  type JsonUsl,
  type MachineInfo,
  renderAnalysisTable,
  renderCsv,
  renderJson,
  renderMarkdown,
  type RenderOptions,
  type ScalingReport,
} from "./src/report/formats.ts";
export {
  analyzeProfiles,
  type CpuProfile,
  type CpuProfileCallFrame,
  type CpuProfileNode,
  type ProfileFunction,
  type ProfileSummary,
  profileSummary,
  type ProfileTop,
  profileTop,
  type ProfileTopOptions,
  renderProfileTop,
  type RenderProfileTopOptions,
  type TopEntry,
  validateCpuProfile,
} from "./src/report/profile.ts";
export { nameWasmFunction, wasmExportNames } from "./src/report/wasm_names.ts";
export {
  analyzeStep,
  analyzeSweep,
  combineRepeats,
  karpFlatt,
  medianMinMax,
  percentile,
  type Percentiles,
  percentiles,
  type RepeatedStep,
  type RepeatInfo,
  type Spread,
  type StepAnalysis,
  type StepInput,
  type SweepAnalysis,
} from "./src/report/stats.ts";
export {
  type Align,
  formatSeconds,
  formatSpeedup,
  renderAsciiTable,
  renderPiTable,
  renderSummaryTable,
  type SummaryRow,
} from "./src/report/table.ts";
export {
  runSweep,
  type StepProfiles,
  type SweepOptions,
  type SweepResult,
  type SweepStep,
  sweepWorkerCounts,
  type WorkerMemory,
} from "./src/sweep.ts";

if (import.meta.main) {
  const { runCli } = await import("./src/cli.ts");
  await runCli();
}
