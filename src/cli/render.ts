// deno-lint-ignore-file no-console
/**
 * Turns a sweep's steps into the chosen output (the summary and analysis
 * tables, Markdown, JSON or CSV) and writes it, the `--export-*` files and the
 * chart, where asked.
 *
 * @module
 */
import type { JobKind, JobParams } from "../jobs/job.ts";
import { renderChartSvg } from "../report/chart.ts";
import { renderAnalysisTable } from "../report/analysis_table.ts";
import { renderCsv } from "../report/csv.ts";
import { renderJson } from "../report/json.ts";
import { renderMarkdown } from "../report/markdown.ts";
import { analyzeSweep, combineRepeats, type SweepAnalysis } from "../report/stats.ts";
import { formatJobSeconds, renderSummaryTable } from "../report/table.ts";
import type { SweepStep } from "../types.ts";
import { machineInfo } from "./machine.ts";
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
  // combineRepeats groups by worker count, so every run's steps go in as one list.
  return config.repeat === 1 || steps.length === 0 ? [...steps] : combineRepeats([steps]);
}

/**
 * The summary table with the kind's own notes and the workers' start-up times.
 *
 * @param job The job kind and its parameters.
 * @param steps The steps to show.
 * @returns The text, without a final newline.
 */
export function renderSummary(job: RunJob, steps: readonly SweepStep[]): string {
  const table = (job.kind.renderSummaryTable ?? renderSummaryTable)(steps);
  const lines = ["Summary:", table.trimEnd()];
  if (steps.length > 0 && !job.kind.renderSummaryTable) {
    // The Go original's four columns have no job time: it goes under them.
    lines.push(
      `Average job execution time (in the worker): ${
        steps.map((s) => `${s.workers} w ${formatJobSeconds(s.averageJobSeconds)}`).join(", ")
      }`,
    );
  }
  if (steps.length > 0) {
    lines.push(
      `Worker start-up (spawn until ready; not in EXECUTION TIME): ${
        steps.map((s) => `${s.workers} w ${s.startupSeconds.toFixed(3)} s`).join(", ")
      }`,
    );
  }
  lines.push(...job.kind.summaryNotes?.(steps, job.params) ?? []);
  return lines.join("\n");
}

/**
 * The analysis of one sweep's reported steps; a parameter scan analyses each
 * value's sweep with it too, so both read the same options.
 *
 * @param _job The job kind and its parameters.
 * @param steps The steps to report.
 * @returns The analysis.
 */
export function analyzeRun(_job: RunJob, steps: readonly SweepStep[]): SweepAnalysis {
  return analyzeSweep({ steps });
}

/** The formats `--export-*` write, with the setting that names each file. */
const EXPORTS = [
  ["json", "exportJson"],
  ["csv", "exportCsv"],
  ["markdown", "exportMarkdown"],
] as const satisfies readonly (readonly [OutputFormat, keyof Config])[];

/**
 * Writes `text` to `path` (with a final newline) and says so on stderr unless quiet.
 *
 * @param config The run's settings (`quiet`).
 * @param what What the file holds ("json", "chart").
 * @param path The file.
 * @param text Its contents.
 */
export async function writeOutputFile(
  config: Config,
  what: string,
  path: string,
  text: string,
): Promise<void> {
  await Deno.writeTextFile(path, text.endsWith("\n") ? text : `${text}\n`);
  if (!config.quiet) console.error(`deno-channels: wrote ${what} to ${path}`);
}

/**
 * Writes the main output (stdout, or `--out` in `--format`) and every `--export-*` file.
 *
 * @param config The run's settings.
 * @param render The text of the results in a format.
 */
export async function writeFormats(
  config: Config,
  render: (format: OutputFormat) => string | Promise<string>,
): Promise<void> {
  const text = await render(config.format);
  if (config.out) await writeOutputFile(config, config.format, config.out, text);
  else console.log(text.trimEnd());
  for (const [format, setting] of EXPORTS) {
    const path = config[setting];
    if (path) await writeOutputFile(config, format, path, await render(format));
  }
}

/**
 * The JSON report's settings: the run's configuration without `--help`.
 *
 * @param config The run's settings.
 * @returns What `config` in the JSON report holds.
 */
export function reportedConfig(config: Config): Omit<Config, "help"> {
  const { help: _help, ...settings } = config;
  return settings;
}

async function renderResults(
  format: OutputFormat,
  config: Config,
  job: RunJob,
  steps: readonly SweepStep[],
  sweepSteps: readonly SweepStep[],
  analysis: SweepAnalysis,
): Promise<string> {
  const cpuCount = navigator.hardwareConcurrency;
  switch (format) {
    case "table":
      return `${renderSummary(job, steps)}\n\nScaling analysis:\n${
        renderAnalysisTable(analysis, { cpuCount }).trimEnd()
      }\n`;
    case "markdown":
      return renderMarkdown(analysis, { cpuCount });
    case "csv":
      return renderCsv(analysis, { sweepSteps });
    case "json":
      return renderJson({
        config: reportedConfig(config),
        machine: await machineInfo(),
        analysis,
        sweepSteps,
        generatedAt: new Date().toISOString(),
      });
  }
}

/**
 * Writes the results (stdout or `--out`), the `--export-*` files and the chart (`--chart`).
 *
 * @param config The run's settings.
 * @param job The job kind and its parameters.
 * @param sweepSteps Every step the sweep yielded, all repeats, in order.
 */
export async function writeResults(
  config: Config,
  job: RunJob,
  sweepSteps: readonly SweepStep[],
): Promise<void> {
  const steps = reportedSteps(config, sweepSteps);
  const analysis = analyzeRun(job, steps);
  await writeFormats(
    config,
    (format) => renderResults(format, config, job, steps, sweepSteps, analysis),
  );
  if (config.chart && steps.length > 0) {
    const title = `deno-channels: ${config.job} on ${navigator.hardwareConcurrency} CPUs`;
    await writeOutputFile(
      config,
      "chart",
      config.chart,
      renderChartSvg(analysis, { cpuCount: navigator.hardwareConcurrency, title }),
    );
  }
}
