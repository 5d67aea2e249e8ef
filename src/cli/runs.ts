/**
 * What one CLI run sweeps: one sweep per value of the parameter scan (one
 * without a scan), each with its job kind, its job parameters and the options
 * the library's sweep takes.
 *
 * @module
 */
import { type JobParams, resolveJobParams } from "../jobs/job.ts";
import { isJobModuleReference, moduleJob } from "../jobs/module.ts";
import { findJobKind } from "../jobs/registry.ts";
import type { SweepOptions } from "../sweep/sweep.ts";
import type { RunJob } from "./render.ts";
import { scanJobParams } from "./scan.ts";
import type { SweepRun } from "./scan_render.ts";
import type { Config } from "./settings.ts";

/** The job parameters the settings name, for whichever kind runs. */
function jobParams(config: Config): JobParams {
  return {
    sleepMs: config.sleepMs,
    digits: config.digits,
    ioLines: config.ioLines,
    jobArgs: config.jobArgs,
    permissions: config.jobPermissions,
  };
}

/** The job parameters of one value of the scan (the settings' own without a scan). */
function valueParams(config: Config, value: number | string | undefined): JobParams {
  return config.scan && value !== undefined
    ? scanJobParams(jobParams(config), config.scan, value)
    : jobParams(config);
}

function runJob(config: Config, value: number | string | undefined): RunJob {
  const kind = isJobModuleReference(config.job) ? moduleJob : findJobKind(config.job)!;
  return { kind, params: resolveJobParams(kind, { ...valueParams(config, value) }) };
}

/**
 * The sweeps of a run, in order, with no steps yet.
 *
 * @param config The run's settings.
 * @returns One sweep per value of `config.scan`; one sweep without a scan.
 */
export function sweepRuns(config: Config): SweepRun[] {
  return (config.scan?.values ?? [undefined]).map((value) => ({
    value,
    job: runJob(config, value),
    sweepSteps: [],
  }));
}

/**
 * The library's sweep options for one sweep of the run, from the settings.
 *
 * @param config The run's settings.
 * @param run The sweep (its scan value picks the job parameters).
 * @param inputs The jobs' inputs (`--inputs`), which replace the job count.
 * @returns The options, without the signal and event handlers.
 */
export function sweepOptions(
  config: Config,
  run: SweepRun,
  inputs: unknown[] | undefined,
): SweepOptions {
  return {
    job: config.job,
    params: valueParams(config, run.value),
    jobTimeoutMs: config.jobTimeoutMs,
    startupTimeoutMs: config.startupTimeoutMs,
    profile: config.profileDir !== undefined,
    startWorkers: config.startWorkers,
    maxWorkers: config.maxWorkers,
    workerCounts: config.workerCounts,
    jobCount: inputs ? undefined : config.jobCount,
    inputs,
    repeat: config.repeat,
    warmup: config.warmup,
    sandbox: true,
  };
}
