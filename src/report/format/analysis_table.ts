/**
 * The analysis as an ASCII table with the fit lines, the recommendation and
 * the explanation under it: what the CLI prints. Data in, string out.
 *
 * @module
 */
import { analysisText, columns } from "../_common.ts";
import type { ExplainOptions } from "../analysis/explain.ts";
import type { SweepAnalysis } from "../analysis/stats.ts";
import { renderAsciiTable } from "./table.ts";

/** Options for {@linkcode renderAnalysisTable} and {@linkcode renderMarkdown}. */
export interface RenderOptions extends ExplainOptions {
  /** Warnings about the run, one sentence each: the Markdown output lists them at its end. */
  warnings?: readonly string[];
}

/**
 * Renders the analysis as an ASCII table (WORKERS | SECONDS | SPEED-UP |
 * EFFICIENCY = BALANCE × DISPATCH × COMPUTE | BEST POSSIBLE S | KARP-FLATT |
 * UTILISATION | WAIT P50/P95 | RUN P50/P95 | PEAK RSS MIB; SECONDS MIN-MAX and
 * RUNS with repeats, SPEED-UP 95% CI with three or more; FAILED and CANCELLED
 * when any job did not finish), then the breakdown of the step that lost most
 * with its bound ({@linkcode describeWhy}), the fit lines, the recommendation
 * and the sentence from {@linkcode explainScaling}.
 *
 * @param analysis The sweep's analysis.
 * @param options The machine's logical CPU count, for the sentence.
 * @returns The text, ending in a newline.
 *
 * @example Near-linear scaling
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "../analysis/stats.ts";
 * import { renderAnalysisTable } from "./analysis_table.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 8, startupSeconds: 0, completed: 8, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const text = renderAnalysisTable(analyzeSweep({ steps: [step(1, 8), step(2, 4), step(4, 2)] }));
 * assert.match(text, /^\| WORKERS \| SECONDS +\| SPEED-UP +\| EFFICIENCY \|/m);
 * assert.match(text, /Scaling is near-linear up to 4 workers \(efficiency 100%\)\.\n$/);
 * ```
 */
export function renderAnalysisTable(analysis: SweepAnalysis, options: RenderOptions = {}): string {
  const cols = columns(analysis);
  const table = renderAsciiTable(
    cols.map((column) => column.ascii),
    analysis.steps.map((step, i) => cols.map((column) => column.cell(step, i))),
    cols.map((column) => column.align),
  );
  const { lines, explanation } = analysisText(analysis, options);
  return `${table}${lines.join("\n")}\n${explanation}\n`;
}
