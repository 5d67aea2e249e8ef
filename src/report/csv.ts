/**
 * The CSV report of a {@linkcode SweepAnalysis}: one row per step, the columns
 * named as the JSON report's step keys. Data in, string out; the CLI writes
 * the file.
 *
 * @module
 */
import { finite } from "./_format_common.ts";
import type { SweepAnalysis } from "./stats.ts";

/** The CSV header, in column order; each name matches a JSON step key. */
const CSV_COLUMNS = [
  "workers",
  "jobCount",
  "repeats",
  "seconds",
  "secondsMin",
  "secondsMax",
  "workerRatio",
  "speedup",
  "efficiency",
  "karpFlatt",
  "waitSecondsP50",
  "waitSecondsP95",
  "waitSecondsMax",
  "runSecondsP50",
  "runSecondsP95",
  "runSecondsMax",
  "utilization",
  "overheadSeconds",
  "peakRssMiB",
  "completed",
  "failed",
  "cancelled",
] as const;

function fixed(value: number | null | undefined, digits: number): string {
  const number = finite(value);
  return number === null ? "" : number.toFixed(digits);
}

/**
 * Renders one CSV row per step under a header whose names match the JSON step
 * keys (`waitSecondsP50` for `waitSeconds.p50`). Seconds and ratios have six
 * decimals, MiB three; an undefined figure is an empty cell; lines end in `\n`.
 *
 * @param analysis The sweep's analysis.
 * @returns The CSV text.
 *
 * @example The header and the baseline row
 * ```ts
 * import { jobRecords } from "../job_records.ts";
 * import { analyzeSweep } from "./stats.ts";
 * import { renderCsv } from "./csv.ts";
 * import assert from "node:assert/strict";
 *
 * const step = {
 *   workers: 1, seconds: 2, jobCount: 2, startupSeconds: 0, completed: 2, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * };
 * const [header, row] = renderCsv(analyzeSweep({ steps: [step] })).split("\n");
 * assert.ok(header.startsWith("workers,jobCount,repeats,seconds,"));
 * // No Karp–Flatt for the baseline, no wait or run times without jobs: 7 empty cells;
 * // no dispatch overhead without job records either.
 * assert.equal(row, `1,2,1,2.000000,2.000000,2.000000,1.000000,1.000000,1.000000${",".repeat(8)}` +
 *   "0.000000,,0.000,2,0,0");
 * ```
 */
export function renderCsv(analysis: SweepAnalysis): string {
  const rows = analysis.steps.map((step) =>
    [
      String(step.workers),
      String(step.jobCount),
      String(step.repeats),
      fixed(step.seconds, 6),
      fixed(step.secondsMin, 6),
      fixed(step.secondsMax, 6),
      fixed(step.workerRatio, 6),
      fixed(step.speedup, 6),
      fixed(step.efficiency, 6),
      fixed(step.karpFlatt, 6),
      fixed(step.waitSeconds?.p50, 9),
      fixed(step.waitSeconds?.p95, 9),
      fixed(step.waitSeconds?.max, 9),
      fixed(step.runSeconds?.p50, 9),
      fixed(step.runSeconds?.p95, 9),
      fixed(step.runSeconds?.max, 9),
      fixed(step.utilization, 6),
      fixed(step.overheadSeconds, 9),
      fixed(step.peakRssMiB, 3),
      String(step.completed),
      String(step.failed),
      String(step.cancelled),
    ].join(",")
  );
  return [CSV_COLUMNS.join(","), ...rows, ""].join("\n");
}
