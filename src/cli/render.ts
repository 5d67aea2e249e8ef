/**
 * A sweep's steps in every output format: the summary and analysis tables,
 * Markdown, JSON and CSV, and the speed-up chart.
 *
 * @module
 */
import type { JobKind, JobParams } from "../jobs/job.ts";
import { renderChartSvg } from "../report/format/chart.ts";
import { renderAnalysisTable } from "../report/format/analysis_table.ts";
import { renderCsv } from "../report/format/csv.ts";
import { renderJson } from "../report/format/json.ts";
import { renderMarkdown } from "../report/format/markdown.ts";
import {
  analyzeSweep,
  combineRepeats,
  percentile,
  type SweepAnalysis,
} from "../report/analysis/stats.ts";
import { formatJobSeconds, renderSummaryTable, stepName } from "../report/format/table.ts";
import { analyzeConcurrency } from "../report/analysis/concurrency.ts";
import type { SweepStep } from "../types.ts";
import { duration, plural } from "../text.ts";
import { machineCeiling, machineInfo, machineLine, usableCpus } from "./machine.ts";
import type { Config, OutputFormat } from "./settings.ts";

/** The job kind the run uses, with the parameters its workers get. */
export interface RunJob {
  /** The job kind. */
  kind: JobKind;
  /** Its resolved parameters. */
  params: JobParams;
}

/**
 * The steps to report: one run's steps as they are, or several runs combined by worker count.
 *
 * @param config The run's settings (`repeat`).
 * @param steps Every step yielded, in order.
 * @returns The steps the tables show.
 */
export function reportedSteps(config: Config, steps: readonly SweepStep[]): SweepStep[] {
  // combineRepeats groups by worker count, so every run's steps go in as one list; the inline
  // step (0 workers) apart, so that the first worker step stays the baseline.
  const inline = steps.filter((step) => step.workers === 0);
  const workers = steps.filter((step) => step.workers > 0);
  const combine = (list: SweepStep[]) =>
    config.repeat === 1 || list.length === 0 ? list : combineRepeats([list]);
  return [...combine(inline).map((step) => ({ ...step, speedup: 1 })), ...combine(workers)];
}

/** The median and 95th percentile of a step's finished jobs' run times, if any finished. */
function jobTimeSpread(step: SweepStep): { p50: number; p95: number } | undefined {
  const times: number[] = [];
  for (let index = 0; index < step.jobs.length; index++) {
    if (step.jobs.status(index) === "done") times.push(step.jobs.elapsedSeconds(index));
  }
  const p50 = percentile(times, 0.5);
  const p95 = percentile(times, 0.95);
  return p50 === null || p95 === null ? undefined : { p50, p95 };
}

/**
 * The inline step's line: its time next to the first worker step's, and what
 * moving the jobs to workers cost (or saved) per job.
 */
function inlineNote(steps: readonly SweepStep[]): string | undefined {
  const inline = steps.find((step) => step.workers === 0);
  const first = steps.find((step) => step.workers > 0);
  if (!inline || !first) return undefined;
  const perJob = (first.seconds - inline.seconds) / inline.jobCount;
  const verb = perJob >= 0 ? "cost" : "saved";
  return `Inline (0 workers: the batch on the main thread, no dispatch): ${
    inline.seconds.toFixed(6)
  } s against ${first.seconds.toFixed(6)} s on ${
    plural(first.workers, "worker")
  }: moving the jobs to workers ${verb} ${duration(Math.abs(perJob))} per job`;
}

/**
 * The summary table with the kind's own notes and the workers' start-up times.
 *
 * @param job The job kind and its parameters.
 * @param steps The steps to show.
 * @returns The text, without a final newline.
 */
export function renderSummary(job: RunJob, steps: readonly SweepStep[]): string {
  const table = renderSummaryTable(steps, { columns: job.kind.summaryColumns });
  const lines = ["Summary:", table.trimEnd()];
  const spread = steps.map(jobTimeSpread);
  if (steps.length > 0 && !job.kind.summaryColumns?.includes("averageJobSeconds")) {
    // The Go original's four columns have no job time: it goes under them, with the median
    // beside the mean, so that it agrees with RUN P50/P95 in the analysis.
    lines.push(
      `Average job execution time (in the worker; mean [median]): ${
        steps.map((s, i) =>
          `${stepName(s)} ${formatJobSeconds(s.averageJobSeconds)}${
            spread[i] ? ` [${formatJobSeconds(spread[i]!.p50)}]` : ""
          }`
        ).join(", ")
      }`,
    );
  }
  // Beyond rounding: with one job (or a few equal ones) the mean and the 95th percentile are one
  // time, read from two columns.
  const skewed = steps.filter((s, i) =>
    spread[i] && s.jobCount > 1 && s.averageJobSeconds > spread[i]!.p95 * 1.001
  );
  if (skewed.length > 0) {
    lines.push(
      `The mean job time is above the 95th percentile at ${
        skewed.map((s) => `${s.workers} w`).join(", ")
      }: a few slow jobs (often the first ones, while the code warms up) pull the mean up; ` +
        "the median and RUN P50/P95 show the typical job.",
    );
  }
  // Every configuration starts its own workers: one start-up per step with workers.
  const started = steps.filter((s) => s.workers > 0);
  if (started.length > 0) {
    const label = (s: SweepStep) =>
      (s.concurrency ?? 1) > 1 ? `${s.workers} w × ${s.concurrency}` : `${s.workers} w`;
    lines.push(
      `Worker start-up (spawn until ready; not in EXECUTION TIME): ${
        started.map((s) => `${label(s)} ${s.startupSeconds.toFixed(3)} s`).join(", ")
      }`,
    );
  }
  const inline = inlineNote(steps);
  if (inline) lines.push(inline);
  lines.push(
    ...job.kind.summaryNotes?.(steps.filter((step) => step.workers > 0), job.params) ?? [],
  );
  return lines.join("\n");
}

/**
 * The analysis of one sweep's reported steps; a parameter scan analyses each
 * value's sweep with it too, so both read the same options.
 *
 * @param job The job kind and its parameters.
 * @param steps The steps to report.
 * @param sweepSteps Every step the sweep yielded (all repeats): the breakdown's and intervals' source.
 * @returns The analysis.
 */
export function analyzeRun(
  job: RunJob,
  steps: readonly SweepStep[],
  sweepSteps: readonly SweepStep[] = steps,
): SweepAnalysis {
  // The inline step is a reference row of the summary, not a point of the scaling analysis.
  const workerSteps = steps.filter((step) => step.workers > 0);
  // Threads or jobs in flight: the verdict sees the inline steps too (no threads at all).
  const concurrency = analyzeConcurrency(steps, { cpuCount: navigator.hardwareConcurrency });
  return analyzeSweep({ steps: workerSteps }, {
    jobBound: job.kind.bound,
    sweepSteps,
    cpus: usableCpus(),
    concurrency,
  });
}

/**
 * The default worker and job counts the run used (they follow the CPUs available), for the
 * machine line.
 *
 * @param config The run's settings.
 * @returns The defaults used: `maxWorkers` without `--workers` and at the CPUs available,
 *   `jobCount` when not given.
 */
export function defaultsUsed(config: Config): { maxWorkers?: number; jobCount?: number } {
  const cpus = machineCeiling().wholeCpus;
  return {
    ...(!config.workerCounts && config.maxWorkers === cpus ? { maxWorkers: cpus } : {}),
    ...(!config.jobCountGiven && config.inputs === undefined ? { jobCount: config.jobCount } : {}),
  };
}

/** The run's settings as the JSON report records them. */
export type ReportedConfig = Omit<Config, "help" | "version" | "jobCountGiven">;

/** A run's results in every output format, and its chart when it has one. */
export interface Report {
  /** The text of the results in each format. */
  formats: Record<OutputFormat, () => string | Promise<string>>;
  /** The chart's SVG (`--chart`), if there is one to draw. */
  chart?: () => string;
}

/**
 * The JSON report's settings: the run's configuration without the fields only the CLI reads
 * (`--help`, `--version`, whether the job count was given), with the digits the job ran when the
 * kind's default applied (a Pi kind's default differs by kind).
 *
 * @param config The run's settings.
 * @param params The job's resolved parameters, for a default the settings leave out.
 * @returns What `config` in the JSON report holds.
 *
 * @example The default digits of the pi kind are in the report
 * ```ts
 * import { reportedConfig } from "./render.ts";
 * import { parseConfig } from "./settings.ts";
 * import assert from "node:assert/strict";
 *
 * const config = parseConfig({ args: ["--job", "pi"] });
 * assert.equal(config.digits, undefined);
 * assert.equal(reportedConfig(config, { digits: 2_000_000 }).digits, 2_000_000);
 * assert.equal("help" in reportedConfig(config), false);
 * ```
 */
export function reportedConfig(config: Config, params?: JobParams): ReportedConfig {
  const { help: _help, version: _version, jobCountGiven: _given, ...settings } = config;
  if (settings.digits === undefined && params?.digits !== undefined) {
    return { ...settings, digits: params.digits };
  }
  return settings;
}

/**
 * A run without a parameter scan in every format: the summary and analysis tables, Markdown,
 * CSV and JSON, and the speed-up chart.
 *
 * @param config The run's settings.
 * @param job The job kind and its parameters.
 * @param sweepSteps Every step the sweep yielded, all repeats, in order.
 * @param warnings The warnings about the run (the JSON report holds them).
 * @returns The report.
 */
export function runReport(
  config: Config,
  job: RunJob,
  sweepSteps: readonly SweepStep[],
  warnings: readonly string[],
): Report {
  const steps = reportedSteps(config, sweepSteps);
  const analysis = analyzeRun(job, steps, sweepSteps);
  const cpuCount = navigator.hardwareConcurrency;
  const cpuCeiling = machineCeiling();
  return {
    formats: {
      table: () =>
        `${renderSummary(job, steps)}\n\nScaling analysis:\n${
          renderAnalysisTable(analysis, { cpuCount, cpuCeiling }).trimEnd()
        }\n${machineLine(defaultsUsed(config))}\n`,
      markdown: () => renderMarkdown(analysis, { cpuCount, cpuCeiling, warnings }),
      csv: () => renderCsv(analysis, { sweepSteps, warnings }),
      json: async () =>
        renderJson({
          config: reportedConfig(config, job.params),
          machine: await machineInfo(),
          analysis,
          sweepSteps,
          warnings,
          generatedAt: new Date().toISOString(),
        }),
    },
    chart: steps.length === 0 ? undefined : () =>
      renderChartSvg(analysis, {
        cpuCount,
        cpuCeiling,
        title: `deno-channels: ${config.job} on ${plural(cpuCount, "CPU")}`,
      }),
  };
}
