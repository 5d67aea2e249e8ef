// deno-lint-ignore-file no-console
/**
 * Turns a sweep's steps into the chosen output (the summary and analysis
 * tables, Markdown, JSON or CSV) and writes it, and the chart, where asked.
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
import { duration } from "../report/_words.ts";
import { machineInfo } from "./machine.ts";
import type { Config } from "./settings.ts";

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
  } s against ${first.seconds.toFixed(6)} s on ${first.workers} worker${
    first.workers === 1 ? "" : "s"
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

async function renderResults(
  config: Config,
  job: RunJob,
  steps: readonly SweepStep[],
  analysis: SweepAnalysis,
): Promise<string> {
  const cpuCount = navigator.hardwareConcurrency;
  switch (config.format) {
    case "table":
      return `${renderSummary(job, steps)}\n\nScaling analysis:\n${
        renderAnalysisTable(analysis, { cpuCount }).trimEnd()
      }\n`;
    case "markdown":
      return renderMarkdown(analysis, { cpuCount });
    case "csv":
      return renderCsv(analysis);
    case "json": {
      const { help: _help, jobCountGiven: _given, ...settings } = config;
      return renderJson({
        config: settings,
        machine: await machineInfo(),
        analysis,
        generatedAt: new Date().toISOString(),
      });
    }
  }
}

/**
 * Writes the results (stdout or `--out`) and the chart (`--chart`).
 *
 * @param config The run's settings.
 * @param job The job kind and its parameters.
 * @param steps The steps to report.
 */
export async function writeResults(
  config: Config,
  job: RunJob,
  steps: readonly SweepStep[],
): Promise<void> {
  // The inline step is a reference row of the summary, not a point of the scaling analysis.
  const workerSteps = steps.filter((step) => step.workers > 0);
  const analysis = analyzeSweep({ steps: workerSteps }, { jobBound: job.kind.bound });
  const text = await renderResults(config, job, steps, analysis);
  if (config.out) {
    await Deno.writeTextFile(config.out, text.endsWith("\n") ? text : `${text}\n`);
    if (!config.quiet) console.error(`deno-channels: wrote ${config.format} to ${config.out}`);
  } else {
    console.log(text.trimEnd());
  }
  if (config.chart && steps.length > 0) {
    const cpus = navigator.hardwareConcurrency;
    const title = `deno-channels: ${config.job} on ${cpus} CPU${cpus === 1 ? "" : "s"}`;
    await Deno.writeTextFile(
      config.chart,
      renderChartSvg(analysis, { cpuCount: navigator.hardwareConcurrency, title }),
    );
    if (!config.quiet) console.error(`deno-channels: wrote chart to ${config.chart}`);
  }
}
