/**
 * A parameter scan's output: for each value a heading, the summary and the
 * analysis (as a run without a scan prints them), then the granularity table
 * and the crossover; the same in Markdown, CSV (with `parameter` and `value`
 * columns) and JSON (`scan`), the `--export-*` files, and the granularity
 * chart for `--chart`, all as a report that `writeResults` writes.
 *
 * @module
 */
import { renderAnalysisTable } from "../report/format/analysis_table.ts";
import { renderCsv } from "../report/format/csv.ts";
import {
  analyzeScan,
  CROSSOVER_SPEEDUP,
  renderGranularityTable,
} from "../report/scan/granularity.ts";
import { renderGranularityChartSvg } from "../report/scan/chart.ts";
import { renderMarkdown } from "../report/format/markdown.ts";
import { renderJsonScan } from "../report/scan/json.ts";
import type { SweepStep } from "../types.ts";
import { machineCeiling, machineInfo, machineLine } from "./machine.ts";
import {
  analyzeRun,
  defaultsUsed,
  renderSummary,
  type Report,
  reportedConfig,
  reportedSteps,
  type RunJob,
} from "./render.ts";
import type { ParameterScan } from "./scan.ts";
import type { Config } from "./settings.ts";
import { plural } from "../text.ts";

/** One sweep of a run: the scan's value (none without a scan), its job and every step it yielded. */
export interface SweepRun {
  /** The scanned parameter's value, `undefined` without a scan. */
  value: number | string | undefined;
  /** The job kind and the parameters of this value. */
  job: RunJob;
  /** Every step the sweep yielded, all repeats, in order. */
  sweepSteps: SweepStep[];
}

/**
 * The heading above one value's tables.
 *
 * @param scan The scan.
 * @param index The value's position in the scan, 0-based.
 * @returns `Parameter scan: sleep-ms = 10 (value 2 of 3)`.
 */
export function scanHeading(scan: ParameterScan, index: number): string {
  return `Parameter scan: ${scan.name} = ${scan.values[index]} (value ${
    index + 1
  } of ${scan.values.length})`;
}

/**
 * The summaries of the sweeps that yielded steps, each under its scan heading
 * (what the CLI prints when a run stops early).
 *
 * @param config The run's settings.
 * @param runs The sweeps so far.
 * @returns The text, without a final newline; for a scan, empty when no step completed.
 */
export function renderCompleted(config: Config, runs: readonly SweepRun[]): string {
  // Without a scan the summary prints even empty, as the interrupted run's record.
  if (!config.scan) return renderSummary(runs[0].job, reportedSteps(config, runs[0].sweepSteps));
  return runs.flatMap((run, index) => {
    if (run.sweepSteps.length === 0) return [];
    const summary = renderSummary(run.job, reportedSteps(config, run.sweepSteps));
    return [`${scanHeading(config.scan!, index)}\n${summary}`];
  }).join("\n\n");
}

/**
 * A scan's results in every format: per value the heading, summary and
 * analysis, then the granularity table and crossover; Markdown, CSV (with
 * `parameter` and `value` columns) and JSON (`scan`); the granularity chart.
 *
 * @param config The run's settings, with `scan` set.
 * @param runs One sweep per value, in the order run.
 * @returns The report; `undefined` when no value's sweep yielded a step.
 */
export function scanReport(
  config: Config,
  runs: readonly SweepRun[],
  warnings: readonly string[] = [],
): Report | undefined {
  const scan = config.scan!;
  const cpuCount = navigator.hardwareConcurrency;
  const cpuCeiling = machineCeiling();
  const measured = runs.flatMap((run, index) => {
    if (run.sweepSteps.length === 0) return [];
    const steps = reportedSteps(config, run.sweepSteps);
    return [{ index, run, steps, analysis: analyzeRun(run.job, steps, run.sweepSteps) }];
  });
  if (measured.length === 0) return undefined;
  const analysis = analyzeScan(
    scan.name,
    measured.map(({ run, analysis }) => ({
      value: run.value!,
      analysis,
      sweepSteps: run.sweepSteps,
    })),
  );
  const top = Math.max(...analysis.crossover.points.map((point) => point.workers));
  const granularityTitle =
    `Granularity: speed-up by ${scan.name} (a value pays when ${
      plural(top, "worker")
    } run at least ` +
    `${CROSSOVER_SPEEDUP}x as fast as ${
      plural(analysis.values[0].analysis.baselineWorkers, "worker")
    })`;
  return {
    formats: {
      table: () =>
        [
          ...measured.map(({ index, run, steps, analysis }) =>
            `${scanHeading(scan, index)}\n${renderSummary(run.job, steps)}\n\n` +
            `Scaling analysis:\n${
              renderAnalysisTable(analysis, { cpuCount, cpuCeiling }).trimEnd()
            }\n`
          ),
          `${granularityTitle}:\n${renderGranularityTable(analysis)}${
            machineLine(defaultsUsed(config))
          }\n`,
        ].join("\n"),
      markdown: () =>
        [
          ...measured.map(({ index, analysis }) =>
            `## ${scanHeading(scan, index)}\n\n${
              renderMarkdown(analysis, { cpuCount, cpuCeiling })
            }`
          ),
          `## ${granularityTitle}\n\n${renderGranularityTable(analysis, "markdown")}`,
          ...(warnings.length > 0
            ? [`## Warnings\n\n${warnings.map((line) => `- ${line}`).join("\n")}\n`]
            : []),
        ].join("\n"),
      csv: () =>
        measured.map(({ run, analysis }, i) => {
          const text = renderCsv(analysis, {
            sweepSteps: run.sweepSteps,
            leading: { header: ["parameter", "value"], cells: [scan.name, String(run.value)] },
            warnings,
          });
          return i === 0 ? text : text.slice(text.indexOf("\n") + 1);
        }).join(""),
      json: async () =>
        renderJsonScan({
          config: reportedConfig(config),
          machine: await machineInfo(),
          scan: analysis,
          generatedAt: new Date().toISOString(),
          warnings,
        }),
    },
    chart: () =>
      renderGranularityChartSvg(analysis, {
        title: `deno-channels: ${config.job}, speed-up by ${scan.name} on ${
          plural(cpuCount, "CPU")
        }`,
      }),
  };
}
