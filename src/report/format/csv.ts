/**
 * The CSV report of a {@linkcode SweepAnalysis}: one row per step, the columns
 * named as the JSON report's step keys, flattened (`breakdownBalance` for
 * `breakdown.balance`), then `warnings`: the run's warnings joined by " | ",
 * the same in every row. Data in, string
 * out; the CLI writes the file.
 *
 * @module
 */
import type { StepResult } from "../../types.ts";
import { finite } from "../_common.ts";
import { rawTimesByWorkers, stepKey } from "../analysis/job_times.ts";
import type { SweepAnalysis } from "../analysis/stats.ts";

/** Options for {@linkcode renderCsv}. */
export interface CsvOptions {
  /**
   * Every step as the sweep yielded it (all repeats): the source of the
   * `…Min` and `…P99` job time columns, empty without it.
   */
  sweepSteps?: readonly StepResult[];
  /** Columns put before the step's own in every row (a scan's `parameter` and `value`). */
  leading?: { header: readonly string[]; cells: readonly string[] };
  /** The run's warnings, one sentence each: the last column of every row. */
  warnings?: readonly string[];
}

/** A CSV cell, quoted when it holds a comma, a quote or a line break. */
function quoted(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The CSV header, in column order; each name matches a JSON step key. */
const CSV_COLUMNS = [
  "workers",
  "jobCount",
  "repeats",
  "seconds",
  "secondsMin",
  "secondsMax",
  "secondsMean",
  "secondsStdDev",
  "workerRatio",
  "speedup",
  "efficiency",
  "karpFlatt",
  "waitSecondsMin",
  "waitSecondsP50",
  "waitSecondsP95",
  "waitSecondsP99",
  "waitSecondsMax",
  "runSecondsMin",
  "runSecondsP50",
  "runSecondsP95",
  "runSecondsP99",
  "runSecondsMax",
  "utilization",
  "overheadSeconds",
  "breakdownBalance",
  "breakdownDispatch",
  "breakdownComputation",
  "breakdownProduct",
  "breakdownMeasured",
  "breakdownRawDispatch",
  "breakdownCounted",
  "breakdownLostMost",
  "breakdownSentence",
  "breakdownRepeat",
  "boundBest",
  "boundClaimOrder",
  "boundLongestFirst",
  "boundLowerBound",
  "boundOrderCostSeconds",
  "speedupIntervalLow",
  "speedupIntervalHigh",
  "peakRssMiB",
  "completed",
  "failed",
  "cancelled",
  // After the columns of 0.3.0, so that they keep their place; the free text last.
  "concurrency",
  "warnings",
] as const;

function fixed(value: number | null | undefined, digits: number): string {
  const number = finite(value);
  return number === null ? "" : number.toFixed(digits);
}

/**
 * Renders one CSV row per step under a header whose names match the JSON step
 * keys (`waitSecondsP50` for `waitSeconds.p50`). Seconds and ratios have six
 * decimals, job times nine, MiB three; an undefined figure is an empty cell;
 * lines end in `\n`. JSON's `repeatSeconds` list has no column.
 *
 * @param analysis The sweep's analysis.
 * @param options The sweep's own steps, for the job times' min and p99; leading columns.
 * @returns The CSV text.
 *
 * @example The header and the baseline row
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "../analysis/stats.ts";
 * import { renderCsv } from "./csv.ts";
 * import assert from "node:assert/strict";
 *
 * const step = {
 *   workers: 1, seconds: 2, jobCount: 2, startupSeconds: 0, completed: 2, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * };
 * const [header, row] = renderCsv(analyzeSweep({ steps: [step] })).split("\n");
 * assert.ok(header.startsWith("workers,jobCount,repeats,seconds,"));
 * // No Karp–Flatt for the baseline, no wait or run times without jobs: 11 empty cells;
 * // no dispatch overhead and no breakdown without job records either.
 * assert.ok(row.startsWith(`1,2,1,2.000000,2.000000,2.000000,2.000000,0.000000,1.000000,1.000000,1.000000${",".repeat(12)}`));
 * assert.ok(row.endsWith(",0.000,2,0,0,1,"));
 * ```
 */
export function renderCsv(analysis: SweepAnalysis, options: CsvOptions = {}): string {
  const raw = rawTimesByWorkers(options.sweepSteps);
  const leading = options.leading;
  const warnings = quoted((options.warnings ?? []).join(" | "));
  const rows = analysis.steps.map((step) => {
    const times = raw.get(stepKey(step));
    const why = analysis.why?.steps.find((entry) =>
      entry.workers === step.workers && (entry.concurrency ?? 1) === step.concurrency
    );
    return [
      ...leading?.cells ?? [],
      String(step.workers),
      String(step.jobCount),
      String(step.repeats),
      fixed(step.seconds, 6),
      fixed(step.secondsMin, 6),
      fixed(step.secondsMax, 6),
      fixed(step.secondsMean, 6),
      fixed(step.secondsStdDev, 6),
      fixed(step.workerRatio, 6),
      fixed(step.speedup, 6),
      fixed(step.efficiency, 6),
      fixed(step.karpFlatt, 6),
      fixed(step.waitSeconds && times?.waitSeconds?.min, 9),
      fixed(step.waitSeconds?.p50, 9),
      fixed(step.waitSeconds?.p95, 9),
      fixed(step.waitSeconds && times?.waitSeconds?.p99, 9),
      fixed(step.waitSeconds?.max, 9),
      fixed(step.runSeconds && times?.runSeconds?.min, 9),
      fixed(step.runSeconds?.p50, 9),
      fixed(step.runSeconds?.p95, 9),
      fixed(step.runSeconds && times?.runSeconds?.p99, 9),
      fixed(step.runSeconds?.max, 9),
      fixed(step.utilization, 6),
      fixed(step.overheadSeconds, 9),
      fixed(why?.breakdown?.balance, 6),
      fixed(why?.breakdown?.dispatch, 6),
      fixed(why?.breakdown?.computation, 6),
      fixed(why?.breakdown?.product, 6),
      fixed(why?.breakdown?.measured, 6),
      fixed(why?.breakdown?.rawDispatch, 6),
      quoted(why?.breakdown?.counted ?? ""),
      why?.breakdown?.lostMost ?? "",
      quoted(why?.breakdown?.sentence ?? ""),
      why?.breakdown ? String(why.repeat) : "",
      fixed(why?.bound.best, 9),
      fixed(why?.bound.claimOrder, 9),
      fixed(why?.bound.longestFirst, 9),
      fixed(why?.bound.lowerBound, 9),
      fixed(why?.bound.orderCostSeconds, 9),
      fixed(why?.interval?.low, 6),
      fixed(why?.interval?.high, 6),
      fixed(step.peakRssMiB, 3),
      String(step.completed),
      String(step.failed),
      String(step.cancelled),
      String(step.concurrency),
      warnings,
    ].join(",");
  });
  return [[...leading?.header ?? [], ...CSV_COLUMNS].join(","), ...rows, ""].join("\n");
}
