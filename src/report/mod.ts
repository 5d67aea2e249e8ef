/**
 * The analysis and rendering of a sweep's steps, published as
 * `@deno-channels/core/report`: statistics per step, Amdahl and USL fits, a
 * recommended worker count, and one renderer per output format (tables, Markdown,
 * CSV, JSON, SVG charts), for sweeps and for parameter scans. Everything here
 * is pure: it takes steps and returns values or strings.
 *
 * ```ts
 * import { jobRecords } from "../step/job_records.ts";
 * import { analyzeSweep, renderAnalysisTable } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 4, completed: 4, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const analysis = analyzeSweep({ steps: [step(1, 4), step(2, 2)] });
 * assert.equal(analysis.steps[1].speedup, 2);
 * assert.match(renderAnalysisTable(analysis), /EFFICIENCY/);
 * ```
 *
 * @module
 */
export { renderAnalysisTable, type RenderOptions } from "./format/analysis_table.ts";
export { type ChartOptions, renderChartSvg } from "./format/chart.ts";
export { type CsvOptions, renderCsv } from "./format/csv.ts";
export type { AmdahlFit, FitFailure, Prediction, UslFit } from "./analysis/fit.ts";
export {
  analyzeScan,
  type Crossover,
  renderGranularityTable,
  type ScanAnalysis,
  type ScanPoint,
  type ScanValueInput,
} from "./scan/granularity.ts";
export { type GranularityChartOptions, renderGranularityChartSvg } from "./scan/chart.ts";
export type { CpuCeilingInfo, ExplainOptions } from "./analysis/explain.ts";
export {
  analyzeConcurrency,
  type ConcurrencyFigures,
  type ConcurrencyOptions,
  type ConcurrencyStep,
  type ConcurrencySuggestion,
  type ConcurrencyVerdict,
  type JobShape,
} from "./analysis/concurrency.ts";
export type { ScalingPoint } from "./analysis/models.ts";
export { renderMarkdown } from "./format/markdown.ts";
export type { Recommendation } from "./analysis/recommend.ts";
export {
  type AnalyzeOptions,
  analyzeSweep,
  combineRepeats,
  type JobBound,
  type Percentiles,
  type RepeatedStep,
  type RepeatInfo,
  type Spread,
  type StepAnalysis,
  type StepInput,
  type SweepAnalysis,
} from "./analysis/stats.ts";
export { renderSummaryTable, type SummaryColumn, type SummaryRow } from "./format/table.ts";
export {
  analyzeWhy,
  type SweepWhy,
  type WhyOptions,
  type WhySourceStep,
  type WhyStep,
} from "./analysis/why.ts";
export type {
  EfficiencyBreakdown,
  EfficiencyFactor,
  UsefulTimeCounting,
} from "./analysis/breakdown.ts";
export type { BatchBound } from "./analysis/bound.ts";
export type { Interval, NoiseRecommendation, SpeedupEstimate } from "./analysis/confidence.ts";
