/**
 * The analysis as Markdown: the step table, the fits and the recommendation
 * as a list, then the explanation. Data in, string out; the CLI writes the file.
 *
 * @module
 */
import { analysisText, columns } from "../_common.ts";
import type { RenderOptions } from "./analysis_table.ts";
import type { SweepAnalysis } from "../analysis/stats.ts";

/**
 * Renders the analysis as Markdown: a table with the same columns as
 * {@linkcode renderAnalysisTable}, a bullet list of the fits and the
 * recommendation, then the sentence from {@linkcode explainScaling}.
 *
 * @param analysis The sweep's analysis.
 * @param options The machine's logical CPU count, for the sentence.
 * @returns The Markdown text, ending in a newline.
 *
 * @example The table header
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "../analysis/stats.ts";
 * import { renderMarkdown } from "./markdown.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 8, startupSeconds: 0, completed: 8, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const markdown = renderMarkdown(analyzeSweep({ steps: [step(1, 8), step(2, 4)] }));
 * assert.ok(markdown.startsWith("| Workers | Seconds | Speed-up |"));
 * assert.match(markdown, /^- Recommendation: 2 workers/m);
 * ```
 */
export function renderMarkdown(analysis: SweepAnalysis, options: RenderOptions = {}): string {
  const cols = columns(analysis);
  const text = analysisText(analysis, options);
  const row = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [
    row(cols.map((column) => column.markdown)),
    row(cols.map((column) => column.align === "left" ? ":---" : "---:")),
    ...analysis.steps.map((step, i) => row(cols.map((column) => column.cell(step, i)))),
    "",
    ...text.lines.map((line) => `- ${line}`),
    "",
    text.explanation,
    "",
    ...(options.warnings?.length
      ? ["Warnings:", "", ...options.warnings.map((line) => `- ${line}`), ""]
      : []),
  ].join("\n");
}
