// deno-lint-ignore-file no-console
/**
 * Turns a sweep's steps into the chosen output (the summary and analysis
 * tables, Markdown, JSON or CSV) and writes it, the `--export-*` files and the
 * chart, where asked.
 *
 * @module
 */
import type { JobKind, JobParams } from "../jobs/job.ts";
import { renderChartSvg } from "../report/format/chart.ts";
import { renderAnalysisTable } from "../report/format/analysis_table.ts";
import { renderCsv } from "../report/format/csv.ts";
import { renderJson } from "../report/format/json.ts";
import { renderMarkdown } from "../report/format/markdown.ts";
import { analyzeSweep, combineRepeats, type SweepAnalysis } from "../report/analysis/stats.ts";
import { formatJobSeconds, renderSummaryTable } from "../report/format/table.ts";
import type { SweepStep } from "../types.ts";
import { duration, plural } from "../text.ts";
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
  // combineRepeats groups by worker count, so every run's steps go in as one list; the inline
  // step (0 workers) apart, so that the first worker step stays the baseline.
  const inline = steps.filter((step) => step.workers === 0);
  const workers = steps.filter((step) => step.workers > 0);
  const combine = (list: SweepStep[]) =>
    config.repeat === 1 || list.length === 0 ? list : combineRepeats([list]);
  return [...combine(inline).map((step) => ({ ...step, speedup: 1 })), ...combine(workers)];
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
  if (steps.length > 0 && !job.kind.summaryColumns?.includes("averageJobSeconds")) {
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
        steps.filter((s) => s.workers > 0).map((s) =>
          `${s.workers} w ${s.startupSeconds.toFixed(3)} s`
        )
          .join(", ")
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
 * @param _job The job kind and its parameters.
 * @param steps The steps to report.
 * @returns The analysis.
 */
export function analyzeRun(job: RunJob, steps: readonly SweepStep[]): SweepAnalysis {
  // The inline step is a reference row of the summary, not a point of the scaling analysis.
  const workerSteps = steps.filter((step) => step.workers > 0);
  return analyzeSweep({ steps: workerSteps }, { jobBound: job.kind.bound });
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
export function reportedConfig(config: Config): Omit<Config, "help" | "jobCountGiven"> {
  const { help: _help, jobCountGiven: _given, ...settings } = config;
  return settings;
}

async function renderResults(
  format: OutputFormat,
  config: Config,
  job: RunJob,
  steps: readonly SweepStep[],
  sweepSteps: readonly SweepStep[],
  analysis: SweepAnalysis,
  warnings: readonly string[],
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
        warnings,
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
  warnings: readonly string[] = [],
): Promise<void> {
  const steps = reportedSteps(config, sweepSteps);
  const analysis = analyzeRun(job, steps);
  await writeFormats(
    config,
    (format) => renderResults(format, config, job, steps, sweepSteps, analysis, warnings),
  );
  if (config.chart && steps.length > 0) {
    const cpus = navigator.hardwareConcurrency;
    const title = `deno-channels: ${config.job} on ${cpus} CPU${cpus === 1 ? "" : "s"}`;
    await writeOutputFile(
      config,
      "chart",
      config.chart,
      renderChartSvg(analysis, { cpuCount: navigator.hardwareConcurrency, title }),
    );
  }
}
