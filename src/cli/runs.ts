/**
 * What one CLI run sweeps: one sweep per value of the parameter scan (one
 * without a scan), each with its job kind, its job parameters and the options
 * the library's sweep takes.
 *
 * @module
 */
import { type JobParams, resolveJobParams } from "../jobs/job.ts";
import { isJobModuleReference, moduleJob, moduleUrlOf } from "../jobs/module.ts";
import { findJobKind } from "../jobs/registry.ts";
import type { SweepOptions } from "../sweep/sweep.ts";
import type { RunJob } from "./render.ts";
import { scanJobParams } from "./scan.ts";
import type { SweepRun } from "./scan_render.ts";
import { type Config, SETTINGS } from "./settings.ts";
import type { Setting } from "./setting_kinds.ts";

/** The values of the settings that name `field` (`sweepOption`, `jobParam`), by that name. */
function valuesNamedBy(config: Config, field: "sweepOption" | "jobParam"): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(SETTINGS).flatMap((name) => {
      const target =
        (SETTINGS[name as keyof typeof SETTINGS] as Pick<Setting<unknown>, typeof field>)[field];
      return target === undefined ? [] : [[target, config[name as keyof Config]]];
    }),
  );
}

/**
 * The job parameters of a run: each setting that names a `jobParam`, with the custom module's
 * `--job-arg` values and `--job-allow-*` permissions.
 *
 * @param config The run's settings.
 * @returns The parameters, for whichever kind runs (each reads only its own).
 *
 * @example The sleep job's parameter, from its setting
 * ```ts
 * import { jobParams } from "./runs.ts";
 * import { parseConfig } from "./settings.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(jobParams(parseConfig({ args: ["--sleep-ms", "5"] })).sleepMs, 5);
 * ```
 */
export function jobParams(config: Config): JobParams {
  return {
    ...valuesNamedBy(config, "jobParam"),
    jobArgs: config.jobArgs,
    permissions: config.jobPermissions,
  };
}

/**
 * The library's sweep options the settings give: each setting that names a `sweepOption`, the
 * job parameters, and whether to profile.
 *
 * @param config The run's settings.
 * @returns The options, without inputs, signal and event handlers.
 *
 * @example Worker counts and job count, from their settings
 * ```ts
 * import { sweepOptions } from "./runs.ts";
 * import { parseConfig } from "./settings.ts";
 * import assert from "node:assert/strict";
 *
 * const options = sweepOptions(parseConfig({ args: ["--max-workers", "3", "--jobs", "6"] }));
 * assert.equal(options.maxWorkers, 3);
 * assert.equal(options.jobCount, 6);
 * assert.equal(options.profile, false);
 * ```
 */
export function sweepOptions(config: Config): SweepOptions {
  return {
    ...valuesNamedBy(config, "sweepOption"),
    // The library takes a job module by URL; `--job ./my_job.ts` names one by path.
    job: isJobModuleReference(config.job) ? moduleUrlOf(config.job) : config.job,
    params: jobParams(config),
    profile: config.profileDir !== undefined,
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
export function runSweepOptions(
  config: Config,
  run: SweepRun,
  inputs: unknown[] | undefined,
): SweepOptions {
  return {
    ...sweepOptions(config),
    params: valueParams(config, run.value),
    jobCount: inputs ? undefined : config.jobCount,
    inputs,
    sandbox: true,
    // Nothing the CLI writes holds outputs: the output check compares their digests.
    keepOutputs: false,
  };
}
