/**
 * A parameter scan analysed: one sweep per value of a job parameter (job
 * size), and the crossover, the smallest value from which more workers pay.
 * Pure: analyses in, values or strings out.
 *
 * The crossover: a value *pays* when the largest worker count measured for it
 * ran at least {@linkcode CROSSOVER_SPEEDUP} times as fast as its baseline
 * (the first worker count, usually 1), a margin well above the few percent a
 * shared machine's noise moves a step, and its own recommendation is more
 * workers than the baseline (a dispatch-bound value does not pay, whatever
 * its speed-up: the scan table says what each value's block recommends). The crossover is the smallest value
 * that pays with every larger value paying too ("from what job size on do
 * more workers pay?"); values are ordered by number when all are numbers,
 * else as given. When the largest value does not pay, there is none.
 *
 * @module
 */
import type { StepResult } from "../../types.ts";
import { duration as formatDuration, plural } from "../../text.ts";
import type { StepAnalysis, SweepAnalysis } from "../analysis/stats.ts";
import { type Align, formatSpeedup, renderAsciiTable } from "../format/table.ts";

/**
 * The least speed-up of the largest worker count over the baseline at which a
 * value counts as paying: 1.2, i.e. 20% faster.
 *
 * @example The threshold
 * ```ts
 * import { CROSSOVER_SPEEDUP } from "./granularity.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(CROSSOVER_SPEEDUP, 1.2);
 * ```
 */
export const CROSSOVER_SPEEDUP = 1.2;

/** One value of a scan and the analysis of its sweep. */
export interface ScanValueInput {
  /** The parameter's value. */
  value: number | string;
  /** The analysis of that value's sweep. */
  analysis: SweepAnalysis;
  /** Every step of that sweep as yielded (all repeats), for the exports' raw figures. */
  sweepSteps?: readonly StepResult[];
}

/** How one value fared at the largest worker count it measured. */
export interface ScanPoint {
  /** The parameter's value. */
  value: number | string;
  /** The largest worker count measured for it. */
  workers: number;
  /** Its speed-up over the baseline; `null` when not measurable. */
  speedup: number | null;
  /** Its efficiency; `null` when not measurable. */
  efficiency: number | null;
  /** The median run time of one job at the baseline, in seconds (the job's size). */
  jobSeconds: number | null;
  /** The worker count this value's own analysis recommends. */
  recommendedWorkers: number;
  /**
   * Whether `speedup` ≥ {@linkcode CROSSOVER_SPEEDUP}, more workers were measured, and the
   * value's recommendation is more workers than its baseline.
   */
  pays: boolean;
}

/** The scan's answer to "from what value on do more workers pay?". */
export interface Crossover {
  /** {@linkcode CROSSOVER_SPEEDUP}. */
  minSpeedup: number;
  /** The smallest value from which on every value pays, or `null` when the largest does not. */
  value: number | string | null;
  /** Each value at its largest worker count, smallest value first. */
  points: ScanPoint[];
}

/** A whole scan: each value's analysis, in run order, and the crossover. */
export interface ScanAnalysis {
  /** The parameter's name (`sleep-ms`, a job-arg key). */
  parameter: string;
  /** Each value, in the order run. */
  values: ScanValueInput[];
  /** The crossover. */
  crossover: Crossover;
}

function largest(analysis: SweepAnalysis): StepAnalysis {
  return analysis.steps.reduce((best, step) => step.workers > best.workers ? step : best);
}

/**
 * Analyses a scan: each value at its largest worker count, and the crossover
 * (see the module doc).
 *
 * @param parameter The parameter's name.
 * @param values Each value with the analysis of its sweep, in run order.
 * @returns The scan's analysis.
 * @throws {RangeError} If there are no values.
 *
 * @example Workers pay from 10 ms jobs on
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "../analysis/stats.ts";
 * import { analyzeScan } from "./granularity.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 8, completed: 8, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const sweep = (one: number, two: number) => analyzeSweep({ steps: [step(1, one), step(2, two)] });
 * const scan = analyzeScan("sleep-ms", [
 *   { value: 1, analysis: sweep(0.01, 0.0095) },
 *   { value: 10, analysis: sweep(0.08, 0.041) },
 *   { value: 50, analysis: sweep(0.4, 0.2) },
 * ]);
 * assert.equal(scan.crossover.value, 10);
 * assert.deepEqual(scan.crossover.points.map((p) => p.pays), [false, true, true]);
 * ```
 */
export function analyzeScan(parameter: string, values: readonly ScanValueInput[]): ScanAnalysis {
  if (values.length === 0) throw new RangeError("Cannot analyse scan: it has no values");
  const numeric = values.every((v) => typeof v.value === "number");
  const ordered = numeric
    ? [...values].sort((a, b) => (a.value as number) - (b.value as number))
    : [...values];
  const points = ordered.map(({ value, analysis }): ScanPoint => {
    const top = largest(analysis);
    return {
      value,
      workers: top.workers,
      speedup: top.speedup,
      efficiency: top.efficiency,
      jobSeconds: analysis.steps[0].runSeconds?.p50 ?? null,
      recommendedWorkers: analysis.recommendation.workers,
      pays: top.workers > analysis.baselineWorkers && top.speedup !== null &&
        top.speedup >= CROSSOVER_SPEEDUP &&
        analysis.recommendation.workers > analysis.baselineWorkers,
    };
  });
  let from = points.length;
  while (from > 0 && points[from - 1].pays) from--;
  return {
    parameter,
    values: [...values],
    crossover: {
      minSpeedup: CROSSOVER_SPEEDUP,
      value: from < points.length ? points[from].value : null,
      points,
    },
  };
}

const workerWord = (n: number) => plural(n, "worker");

function jobSize(point: ScanPoint): string {
  return point.jobSeconds === null ? "" : ` (jobs of ${formatDuration(point.jobSeconds)})`;
}

/**
 * The crossover in one sentence (two when a value paid), naming the worker
 * counts, the speed-ups and each value's job run time.
 *
 * @param scan The scan's analysis.
 * @returns The sentence.
 *
 * @example No value paid
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "../analysis/stats.ts";
 * import { analyzeScan, describeCrossover } from "./granularity.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 8, completed: 8, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const analysis = analyzeSweep({ steps: [step(1, 1), step(2, 0.95)] });
 * const scan = analyzeScan("n", [{ value: "a", analysis }]);
 * assert.equal(
 *   describeCrossover(scan),
 *   "No crossover: at no n value did 2 workers run at least 1.2x as fast as 1 worker " +
 *     "(with every larger value doing so too); the best was +1.05x at n = a.",
 * );
 * ```
 */
export function describeCrossover(scan: ScanAnalysis): string {
  const { points, value } = scan.crossover;
  const name = scan.parameter;
  const baselineWorkers = scan.values[0].analysis.baselineWorkers;
  const baseline = workerWord(baselineWorkers);
  if (points.every((p) => p.workers <= baselineWorkers)) {
    return `No crossover: each ${name} value ran only ${baseline}, so there is nothing to compare.`;
  }
  const speedup = (p: ScanPoint) => p.speedup === null ? "n/a" : formatSpeedup(p.speedup);
  const top = workerWord(points[points.length - 1].workers);
  if (value === null) {
    const measured = points.filter((p) => p.speedup !== null);
    const best = measured.length === 0
      ? undefined
      : measured.reduce((a, b) => b.speedup! > a.speedup! ? b : a);
    return `No crossover: at no ${name} value did ${top} run at least ${CROSSOVER_SPEEDUP}x as ` +
      `fast as ${baseline} (with every larger value doing so too)${
        best ? `; the best was ${speedup(best)} at ${name} = ${best.value}${jobSize(best)}` : ""
      }.`;
  }
  const index = points.findIndex((p) => p.value === value);
  const at = points[index];
  const where = index === 0
    ? `at every ${name} value scanned, down to the smallest, ${name} = ${value}${jobSize(at)}`
    : `from ${name} = ${value}${jobSize(at)} on`;
  const below = index === 0
    ? ""
    : `, against ${speedup(points[index - 1])} at ${name} = ${points[index - 1].value}${
      jobSize(points[index - 1])
    }`;
  return `More workers pay ${where}: ${workerWord(at.workers)} ran ${speedup(at)} as fast as ` +
    `${baseline} there${below}. A value pays at ${CROSSOVER_SPEEDUP}x or more.`;
}

/**
 * The scan as a table: one row per value (smallest first) with the job's size,
 * the speed-up at every worker count measured, the efficiency at the largest
 * and whether it pays; then the crossover sentence.
 *
 * @param scan The scan's analysis.
 * @param format `ascii` (what the CLI prints) or `markdown`.
 * @returns The text, ending in a newline.
 *
 * @example Two values on 1 and 2 workers
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "../analysis/stats.ts";
 * import { analyzeScan, renderGranularityTable } from "./granularity.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 8, completed: 8, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const sweep = (two: number) => analyzeSweep({ steps: [step(1, 1), step(2, two)] });
 * const text = renderGranularityTable(
 *   analyzeScan("size", [{ value: 1, analysis: sweep(1) }, { value: 2, analysis: sweep(0.5) }]),
 * );
 * assert.match(text, /^\| SIZE \| JOB RUN P50 \| 1 WORKER +\| 2 WORKERS \| EFFICIENCY \| USE \| PAYS \|$/m);
 * assert.match(text, /^\|    2 \|         n\/a \| \(baseline\) \| \+2x +\|     100\.0% \|   2 \| yes  \|$/m);
 * ```
 */
export function renderGranularityTable(
  scan: ScanAnalysis,
  format: "ascii" | "markdown" = "ascii",
): string {
  const counts = [
    ...new Set(scan.values.flatMap((v) => v.analysis.steps.map((step) => step.workers))),
  ];
  const byValue = new Map(scan.values.map((v) => [v.value, v.analysis]));
  const headers = [
    scan.parameter.toUpperCase(),
    "JOB RUN P50",
    ...counts.map((n) => workerWord(n).toUpperCase()),
    "EFFICIENCY",
    "USE",
    "PAYS",
  ];
  const rows = scan.crossover.points.map((point) => {
    const analysis = byValue.get(point.value)!;
    return [
      String(point.value),
      point.jobSeconds === null ? "n/a" : formatDuration(point.jobSeconds),
      ...counts.map((n) => {
        const index = analysis.steps.findIndex((step) => step.workers === n);
        const speedup = analysis.steps[index]?.speedup;
        if (index === 0) return "(baseline)";
        return speedup === undefined || speedup === null ? "n/a" : formatSpeedup(speedup);
      }),
      point.efficiency === null ? "n/a" : `${(point.efficiency * 100).toFixed(1)}%`,
      String(point.recommendedWorkers),
      point.pays ? "yes" : "no",
    ];
  });
  const align: Align[] = headers.map((_, i) => i >= 2 && i < headers.length - 3 ? "left" : "right");
  align[headers.length - 1] = "left";
  const sentence = describeCrossover(scan);
  if (format === "ascii") return `${renderAsciiTable(headers, rows, align)}${sentence}\n`;
  const row = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [
    row(headers),
    row(align.map((a) => a === "left" ? ":---" : "---:")),
    ...rows.map(row),
    "",
    sentence,
    "",
  ].join("\n");
}
