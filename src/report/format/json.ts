/**
 * The JSON report of a {@linkcode SweepAnalysis}, with the run's configuration
 * and machine. Data in, string out; the CLI writes the file.
 *
 * ## JSON report keys (schema version 3)
 *
 * Ratios are plain fractions (0.97 means 97%); `null` means "not defined".
 *
 * - `schemaVersion` (integer): {@linkcode JSON_SCHEMA_VERSION}, raised on any breaking change.
 * - `generatedAt` (string | null): when the report was made, ISO 8601, as the caller gives it.
 * - `config` (object): the run's configuration, passed through unchanged.
 * - `machine` (object): {@linkcode MachineInfo}, passed through unchanged: `cpuModel`,
 *   `cpuCount`, `denoVersion`, `v8Version`, `wasmBuildHash`, and any extra keys.
 * - `baselineWorkers` (workers): the first step's worker count; speed-ups are relative to it.
 * - `steps[]`: one object per worker count and jobs in flight, in the order run:
 *   - `workers` (workers), `concurrency` (jobs in flight per worker, 0.4.0), `jobCount` (jobs
 *     per run), `repeats` (runs combined, 1 without repeats);
 *   - `seconds` (s): wall time, the median over repeats; `secondsMin`, `secondsMax`,
 *     `secondsMean`, `secondsStdDev` (s, sample standard deviation, 0 for one run);
 *   - `workerRatio` (ratio): `workers / baselineWorkers`, the ideal speed-up;
 *   - `speedup` (ratio | null): baseline seconds over this step's;
 *   - `efficiency` (ratio | null): `speedup / workerRatio`, per in-flight slot with jobs in
 *     flight (`workers × concurrency` over the baseline's);
 *   - `karpFlatt` (ratio | null): experimental serial fraction, `null` for the baseline;
 *   - `repeatSeconds` (s[] | null, 0.3.0): every run's wall time, in run order, from
 *     {@linkcode ScalingReport.sweepSteps} (without them `[seconds]` for one run, else `null`);
 *   - `waitSeconds.min`, `waitSeconds.p50`, `waitSeconds.p95`, `waitSeconds.p99`,
 *     `waitSeconds.max` (s): time jobs waited for a worker, over every run (`waitSeconds` is
 *     `null` when no job started);
 *   - `runSeconds.min`, `runSeconds.p50`, `runSeconds.p95`, `runSeconds.p99`,
 *     `runSeconds.max` (s): in-worker run time of finished jobs, over every run (`runSeconds`
 *     is `null` when none finished); `min` and `p99` (0.3.0) come from
 *     {@linkcode ScalingReport.sweepSteps} and are `null` without them;
 *   - `utilization` (ratio | null): job run time over `seconds × workers × concurrency`, at most 1;
 *   - `overheadSeconds` (s | null): worker time not spent running jobs, per job,
 *     `(seconds × workers × concurrency − Σ run) / jobs`: end-of-step idling (imbalance) and
 *     dispatch together;
 *   - `breakdown` (3): `{ balance, dispatch, computation, product, measured` (ratios: product =
 *     balance × dispatch × computation = the measured efficiency of the median run),
 *     `rawDispatch` (ratio: the busiest worker's job time ÷ the step time), `counted` (how a
 *     worker's useful time was counted), `lostMost` (`"balance"`, `"dispatch"` or
 *     `"computation"`), `sentence`, `repeat` (the run it comes from) `}`, or `null`;
 *   - `bound` (3): the batch's own bound from the run's job times, `{ best, claimOrder,
 *     longestFirst, lowerBound, orderCostSeconds }` (s), or `null`;
 *   - `speedupInterval` (3): `{ low, high }` (ratios), the speed-up's 95% bootstrap interval
 *     with three or more repeats, else `null`;
 *   - `peakRssMiB` (MiB): highest process resident set size during the step;
 *   - `completed`, `failed`, `cancelled` (jobs, summed over repeats).
 * - `amdahl`: `{ ok: true, model: "amdahl", baselineWorkers, serialFraction (ratio),
 *   rSquared, pointCount, speedupLimit (ratio | null), predicted: { workers, speedup } }`
 *   or `{ ok: false, model: "amdahl", reason }`.
 * - `usl`: `{ ok: true, model: "usl", baselineWorkers, sigma, kappa, rSquared, pointCount,
 *   peakWorkers (workers | null), bestWorkers (workers), predicted: { workers, speedup } }`
 *   or `{ ok: false, model: "usl", reason }`.
 * - `recommendation`: `{ workers, fastestWorkers, fastestSpeedup (ratio | null), reason }`, along
 *   the thread axis (the steps with the baseline's jobs in flight); with three or more repeats
 *   `workers` is the fewest whose speed-up cannot be told apart from the best, and `withinNoise`
 *   (3, workers[]) lists those counts (absent without repeats).
 * - `concurrency` (0.4.0): threads or jobs in flight, `null` when every step had 1 in flight, else
 *   `{ shape ("computes" | "waits" | "mixes" | "unknown"), cpuShare (ratio | null),
 *   pick: { workers, concurrency, throughput (jobs/s) }, fastest: { … }, suggested: { threads,
 *   inFlight } | null, showFits (boolean), reason (string), configurations[]: { workers,
 *   concurrency, seconds, startupSeconds, peakRssMiB, throughput, cpuShare } }` (inline steps,
 *   `workers` 0, included).
 * - `why` (3): `lines` (string[], the breakdown of the step that lost most and its bound, as
 *   the table prints them), `intervalMethod` (string | null: how the intervals were made).
 * - `warnings` (string[]): a busy machine, outputs that differed between steps (empty if none).
 * - The CLI's `machine` adds (3) `usableCpus` (CPUs this process can use) and `cpuCeiling`
 *   (`{ cpus, hostCpus, affinityCpus, quotaCpus, physicalCores, limitedBy, reason }`).
 * - `inline`: the inline step (`--workers 0,…`; not in `steps`), `{ concurrency, seconds, repeatSeconds,
 *   jobCount, averageJobSeconds, completed, failed, cancelled }`, or `null`.
 * - `explanation` (string): one sentence on why the curve has its shape (with jobs in flight, the
 *   `concurrency.reason`).
 *
 * A parameter scan's report (`--parameter-list`, `renderJsonScan` in `scan/json.ts`, 0.3.0) has
 * `schemaVersion`, `generatedAt`, `config`, `machine` and `scan` instead of the sweep's keys:
 * - `scan.parameter` (string): the parameter's name (`sleep-ms`, a `--job-arg` key);
 * - `scan.values[]`, in the order run: `value` (number, or string for a job-arg), then that
 *   value's sweep under the keys above: `baselineWorkers`, `steps`, `amdahl`, `usl`,
 *   `recommendation`, `explanation`;
 * - `scan.crossover`: `minSpeedup` (ratio, 1.2), `value` (the smallest value from which every
 *   value's largest worker count ran at least `minSpeedup` times as fast as its baseline, or
 *   `null`), `points[]` (smallest value first: `value`, `workers`, `speedup`, `efficiency`,
 *   `jobSeconds` (s, the baseline's median job run time), `recommendedWorkers` (3, what that
 *   value's own recommendation is), `pays` (3: also only when that recommendation is more
 *   workers than the baseline));
 * - `scan.explanation` (string): the crossover in one sentence.
 * - `warnings` (string[], 3): as above, each naming the scan value it belongs to.
 *
 * Percentiles interpolate linearly between closest ranks (NumPy's default).
 *
 * @module
 */
import type { StepResult } from "../../types.ts";
import { finite } from "../_common.ts";
import { type CpuCeilingInfo, explainScaling } from "../analysis/explain.ts";
import {
  inlineStepOf,
  type JobTimeSpread,
  type JsonInlineStep,
  rawTimesByWorkers,
  type StepJobTimes,
  stepKey,
} from "../analysis/job_times.ts";
import type { Percentiles, StepAnalysis, SweepAnalysis } from "../analysis/stats.ts";
import { type JsonConcurrency, jsonConcurrency } from "./_json_concurrency.ts";
import { describeWhy, type WhyStep } from "../analysis/why.ts";
import {
  type JsonAmdahl,
  type JsonFitFailure,
  jsonFits,
  type JsonPrediction,
  type JsonUsl,
} from "./_json_fits.ts";

import { type JsonBound, type JsonBreakdown, jsonWhy } from "./_json_why.ts";

export type { JsonAmdahl, JsonBound, JsonBreakdown, JsonFitFailure, JsonPrediction, JsonUsl };

/**
 * The JSON report's `schemaVersion`.
 *
 * @example Every report carries it
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "../analysis/stats.ts";
 * import { JSON_SCHEMA_VERSION, renderJson } from "./json.ts";
 * import assert from "node:assert/strict";
 *
 * const step = {
 *   workers: 1, seconds: 2, jobCount: 2, startupSeconds: 0, completed: 2, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * };
 * const machine = { cpuModel: null, cpuCount: 1, denoVersion: "2.9.6", v8Version: "15", wasmBuildHash: null };
 * const text = renderJson({ config: {}, machine, analysis: analyzeSweep({ steps: [step] }) });
 * assert.equal(JSON.parse(text).schemaVersion, JSON_SCHEMA_VERSION);
 * ```
 */
export const JSON_SCHEMA_VERSION = 3;

/** The machine a sweep ran on; the CLI gathers it, the report passes it through. */
export interface MachineInfo {
  /** The CPU model name (Linux `/proc/cpuinfo` "model name"), or `null` when unknown. */
  cpuModel: string | null;
  /** Logical CPUs (`navigator.hardwareConcurrency`). */
  cpuCount: number;
  /** `Deno.version.deno`. */
  denoVersion: string;
  /** `Deno.version.v8`. */
  v8Version: string;
  /** SHA-256 of the WASM build in hex, or `null` when the job uses none. */
  wasmBuildHash: string | null;
  /** `Deno.build.os`. */
  os?: string;
  /** `Deno.build.arch`. */
  arch?: string;
  /** `Deno.version.typescript`. */
  typescriptVersion?: string;
  /** The CPUs this process can use (affinity mask, cgroup quota), when read. */
  usableCpus?: number;
  /** The CPU ceiling and what set it, when read (the verdict names it at a matching knee). */
  cpuCeiling?: CpuCeilingInfo & {
    /** The CPUs the process can use (a quota may be fractional). */
    cpus: number;
    /** The host's CPUs. */
    hostCpus: number;
    /** CPUs the affinity mask allows, when read. */
    affinityCpus?: number;
    /** The cgroup quota in CPUs, when there is one. */
    quotaCpus?: number;
    /** Physical cores among the allowed CPUs, when read. */
    physicalCores?: number;
  };
}

/** Everything {@linkcode renderJson} writes. */
export interface ScalingReport {
  /** The run's configuration, written as given. */
  config: object;
  /** The machine, written as given. */
  machine: MachineInfo;
  /** The sweep's analysis. */
  analysis: SweepAnalysis;
  /** When the report was made (ISO 8601); the caller supplies it so rendering stays pure. */
  generatedAt?: string;
  /**
   * Every step as the sweep yielded it (all repeats, before `combineRepeats`): the source of
   * `repeatSeconds` and of the job times' `min` and `p99`.
   */
  sweepSteps?: readonly StepResult[];
  /** Warnings about the run (a busy machine, outputs that differ between steps), one sentence each. */
  warnings?: readonly string[];
}

/** Percentiles as written to JSON, in seconds. */
export interface JsonPercentiles {
  /** The smallest value, in seconds; `null` without `sweepSteps`. */
  min: number | null;
  /** The median, in seconds. */
  p50: number | null;
  /** The 95th percentile, in seconds. */
  p95: number | null;
  /** The 99th percentile, in seconds; `null` without `sweepSteps`. */
  p99: number | null;
  /** The largest value, in seconds. */
  max: number | null;
}

export type { JsonConcurrency, JsonConfiguration } from "./_json_concurrency.ts";

/** One `steps[]` entry of the JSON report; units as in the module doc. */
export interface JsonStep {
  /** Workers in the step. */
  workers: number;
  /** Jobs in flight per worker. */
  concurrency: number;
  /** Jobs per run. */
  jobCount: number;
  /** Runs combined. */
  repeats: number;
  /** Wall time (median over repeats), in seconds. */
  seconds: number | null;
  /** Fastest run, in seconds. */
  secondsMin: number | null;
  /** Slowest run, in seconds. */
  secondsMax: number | null;
  /** The runs' mean seconds. */
  secondsMean: number | null;
  /** The runs' sample standard deviation, in seconds (0 for one run). */
  secondsStdDev: number | null;
  /** Every run's wall time in run order, in seconds; `null` when not known. */
  repeatSeconds: (number | null)[] | null;
  /** `workers / baselineWorkers`. */
  workerRatio: number | null;
  /** Baseline seconds over this step's. */
  speedup: number | null;
  /** `speedup / workerRatio`. */
  efficiency: number | null;
  /** Karp–Flatt serial fraction. */
  karpFlatt: number | null;
  /** Job wait times, in seconds. */
  waitSeconds: JsonPercentiles | null;
  /** Finished jobs' run times, in seconds. */
  runSeconds: JsonPercentiles | null;
  /** Job run time over `seconds × workers`. */
  utilization: number | null;
  /** Worker time not spent running jobs (idling and dispatch), per job, in seconds. */
  overheadSeconds: number | null;
  /** Balance × dispatch × computation = efficiency, from the median run; `null` when not measurable. */
  breakdown: JsonBreakdown | null;
  /** The batch's own bound at this worker count; `null` when not known. */
  bound: JsonBound | null;
  /** The speed-up's 95% bootstrap interval with three or more repeats, else `null`. */
  speedupInterval: { low: number | null; high: number | null } | null;
  /** Peak process RSS, in MiB. */
  peakRssMiB: number | null;
  /** Jobs that finished. */
  completed: number;
  /** Jobs that failed. */
  failed: number;
  /** Jobs that were cancelled. */
  cancelled: number;
}

/** The whole JSON report, as {@linkcode buildJsonReport} returns it. */
export interface JsonReport {
  /** {@linkcode JSON_SCHEMA_VERSION}. */
  schemaVersion: number;
  /** ISO 8601 time stamp, or `null`. */
  generatedAt: string | null;
  /** The run's configuration, as given. */
  config: object;
  /** The machine, as given. */
  machine: MachineInfo;
  /** The first step's worker count. */
  baselineWorkers: number;
  /** One entry per step. */
  steps: JsonStep[];
  /** Amdahl's law fit. */
  amdahl: JsonAmdahl;
  /** USL fit. */
  usl: JsonUsl;
  /** How many workers to use. */
  recommendation: {
    /** The recommended worker count. */
    workers: number;
    /** The measured count with the highest speed-up. */
    fastestWorkers: number;
    /** That speed-up. */
    fastestSpeedup: number | null;
    /** Why. */
    reason: string;
    /** With three or more repeats: the counts whose speed-up cannot be told apart from the best. */
    withinNoise?: number[];
  };
  /** Threads or jobs in flight, when some step had more than 1 in flight. */
  concurrency: JsonConcurrency | null;
  /** The breakdown and bound lines, and how the speed-up intervals were made. */
  why: { lines: string[]; intervalMethod: string | null };
  /** One sentence on why the curve has its shape. */
  explanation: string;
  /** Warnings about the run, one sentence each (empty when there were none). */
  warnings: string[];
  /** The inline step, when the sweep had one. */
  inline: JsonInlineStep | null;
}

function jsonPercentiles(
  value: Percentiles | null,
  raw: JobTimeSpread | null | undefined,
): JsonPercentiles | null {
  return value && {
    min: finite(raw?.min),
    p50: finite(value.p50),
    p95: finite(value.p95),
    p99: finite(raw?.p99),
    max: finite(value.max),
  };
}

function jsonStep(step: StepAnalysis, raw?: StepJobTimes, why?: WhyStep): JsonStep {
  return {
    workers: step.workers,
    concurrency: step.concurrency,
    jobCount: step.jobCount,
    repeats: step.repeats,
    seconds: finite(step.seconds),
    secondsMin: finite(step.secondsMin),
    secondsMax: finite(step.secondsMax),
    secondsMean: finite(step.secondsMean),
    secondsStdDev: finite(step.secondsStdDev),
    repeatSeconds: raw
      ? raw.repeatSeconds.map(finite)
      : step.repeats === 1
      ? [finite(step.seconds)]
      : null,
    workerRatio: finite(step.workerRatio),
    speedup: finite(step.speedup),
    efficiency: finite(step.efficiency),
    karpFlatt: finite(step.karpFlatt),
    waitSeconds: jsonPercentiles(step.waitSeconds, raw?.waitSeconds),
    runSeconds: jsonPercentiles(step.runSeconds, raw?.runSeconds),
    utilization: finite(step.utilization),
    overheadSeconds: finite(step.overheadSeconds),
    ...jsonWhy(why),
    peakRssMiB: finite(step.peakRssMiB),
    completed: step.completed,
    failed: step.failed,
    cancelled: step.cancelled,
  };
}

/**
 * Builds the JSON report object with the keys listed in this module's doc,
 * every non-finite number replaced by `null`.
 *
 * @param report Configuration, machine, analysis and time stamp.
 * @returns A plain object ready for `JSON.stringify`.
 *
 * @example The schema version and the steps
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "../analysis/stats.ts";
 * import { buildJsonReport } from "./json.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 4, startupSeconds: 0, completed: 4, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const machine = { cpuModel: null, cpuCount: 2, denoVersion: "2.9.6", v8Version: "15", wasmBuildHash: null };
 * const analysis = analyzeSweep({ steps: [step(1, 4), step(2, 2)] });
 * const json = buildJsonReport({ config: { job: "sleep" }, machine, analysis });
 * assert.equal(json.schemaVersion, 3);
 * assert.deepEqual(json.steps.map((s) => s.speedup), [1, 2]);
 * ```
 */
export function buildJsonReport(report: ScalingReport): JsonReport {
  const { analysis, machine } = report;
  const raw = rawTimesByWorkers(report.sweepSteps);
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    generatedAt: report.generatedAt ?? null,
    config: report.config,
    machine,
    baselineWorkers: analysis.baselineWorkers,
    steps: analysis.steps.map((step) =>
      jsonStep(
        step,
        raw.get(stepKey(step)),
        analysis.why?.steps.find((why) =>
          why.workers === step.workers && (why.concurrency ?? 1) === step.concurrency
        ),
      )
    ),
    ...jsonFits(analysis),
    recommendation: {
      workers: analysis.recommendation.workers,
      fastestWorkers: analysis.recommendation.fastestWorkers,
      fastestSpeedup: finite(analysis.recommendation.fastestSpeedup),
      reason: analysis.recommendation.reason,
      ...(analysis.why?.noise
        ? { withinNoise: analysis.why.noise.withinNoise.map((estimate) => estimate.workers) }
        : {}),
    },
    concurrency: analysis.concurrency ? jsonConcurrency(analysis.concurrency) : null,
    why: {
      lines: analysis.why ? describeWhy(analysis.why) : [],
      intervalMethod: analysis.why?.intervalMethod ?? null,
    },
    explanation: analysis.concurrency?.reason ?? explainScaling(analysis, {
      cpuCount: machine.cpuCount,
      cpuCeiling: machine.cpuCeiling,
    }),
    warnings: [...report.warnings ?? []],
    inline: inlineStepOf(report.sweepSteps),
  };
}

/**
 * Renders the JSON report (keys listed in this module's doc), indented by two
 * spaces and ending in a newline.
 *
 * @param report Configuration, machine, analysis and time stamp.
 * @returns The JSON text.
 *
 * @example Parse it back
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "../analysis/stats.ts";
 * import { renderJson } from "./json.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 4, startupSeconds: 0, completed: 4, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const machine = { cpuModel: null, cpuCount: 2, denoVersion: "2.9.6", v8Version: "15", wasmBuildHash: null };
 * const analysis = analyzeSweep({ steps: [step(1, 4), step(2, 2)] });
 * const parsed = JSON.parse(renderJson({ config: {}, machine, analysis }));
 * assert.equal(parsed.steps[1].efficiency, 1);
 * assert.equal(parsed.amdahl.ok, false);
 * assert.equal(parsed.usl.ok, false);
 * ```
 */
export function renderJson(report: ScalingReport): string {
  return `${JSON.stringify(buildJsonReport(report), null, 2)}\n`;
}
