/**
 * What the text formats share: non-finite numbers as `null`, and the step
 * columns of the ASCII table and the Markdown table.
 *
 * @module
 */
import { duration } from "../text.ts";
import type { Percentiles, StepAnalysis, SweepAnalysis } from "./analysis/stats.ts";
import { type Align, formatSeconds, formatSpeedup, stepName } from "./format/table.ts";
import { describeFits, type ExplainOptions, explainScaling } from "./analysis/explain.ts";
import { describeVerdict } from "./analysis/concurrency.ts";

/** `value`, or `null` when it is missing or not finite (JSON has no NaN or Infinity). */
export function finite(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

/**
 * The lines under the analysis table (overhead, fits, recommendation) and the
 * explanation after them; with a concurrency verdict, its lines and reason.
 *
 * @param analysis The sweep's analysis.
 * @param options The machine's logical CPU count, for the explanation.
 * @returns The lines and the explanation.
 */
export function analysisText(
  analysis: SweepAnalysis,
  options: ExplainOptions = {},
): { lines: string[]; explanation: string } {
  const verdict = analysis.concurrency;
  const fits = describeFits(analysis);
  const axis = analysis.steps[0]?.concurrency ?? 1;
  return {
    lines: [describeOverhead(analysis), ...(verdict ? describeVerdict(verdict, fits, axis) : fits)]
      .filter((line): line is string => line !== undefined && line !== ""),
    explanation: verdict ? verdict.reason : explainScaling(analysis, options),
  };
}

/**
 * The line under the tables that prices the dispatcher: each step's overhead
 * per job, `(seconds × workers − Σ job run time) / jobs`.
 *
 * @param analysis The sweep's analysis.
 * @returns The line, or `undefined` when no step has the figure.
 */
export function describeOverhead(analysis: SweepAnalysis): string | undefined {
  const measured = analysis.steps.filter((step) => step.overheadSeconds != null);
  if (measured.length === 0) return undefined;
  const slots = measured.some((step) => step.concurrency > 1) ? "workers × in flight" : "workers";
  return `Dispatch overhead per job (seconds × ${slots} − job run time, over jobs): ${
    measured.map((step) => `${stepName(step)} ${duration(step.overheadSeconds!)}`).join(
      ", ",
    )
  }`;
}

/** One step column: its ASCII and Markdown headers, alignment and cell text. */
export interface Column {
  /** The ASCII table's header. */
  ascii: string;
  /** The Markdown table's header. */
  markdown: string;
  /** How the column's cells line up. */
  align: Align;
  /** The cell text for a step and its index (0 is the baseline). */
  cell: (step: StepAnalysis, index: number) => string;
}

function percentCell(ratio: number | null): string {
  return ratio === null ? "n/a" : `${(ratio * 100).toFixed(1)}%`;
}

/** Seconds with 3 decimals; a time under 1 ms in µs or ns instead (`0.000` would hide it). */
function secondsCell(seconds: number): string {
  if (seconds === 0 || seconds >= 1e-3) return seconds.toFixed(3);
  return seconds < 1e-6 ? `${(seconds * 1e9).toFixed(0)}ns` : `${(seconds * 1e6).toFixed(1)}µs`;
}

function pairCell(value: Percentiles | null): string {
  return value === null ? "n/a" : `${secondsCell(value.p50)}/${secondsCell(value.p95)}`;
}

/**
 * The step columns for this analysis: jobs in flight only when a step had more than 1,
 * min–max and runs only with repeats,
 * failed and cancelled only when some job did not finish.
 */
export function columns(analysis: SweepAnalysis): Column[] {
  const { steps } = analysis;
  const repeated = steps.some((step) => step.repeats > 1);
  const inFlight = steps.some((step) => step.concurrency > 1);
  const notDone = steps.some((step) => step.failed > 0 || step.cancelled > 0);
  const all: (Column | false)[] = [
    { ascii: "WORKERS", markdown: "Workers", align: "right", cell: (s) => String(s.workers) },
    inFlight && {
      ascii: "IN FLIGHT",
      markdown: "In flight",
      align: "right",
      cell: (s) => String(s.concurrency),
    },
    {
      ascii: "SECONDS",
      markdown: "Seconds",
      align: "right",
      cell: (s) => formatSeconds(s.seconds),
    },
    repeated && {
      ascii: "SECONDS MIN-MAX",
      markdown: "Min–max (s)",
      align: "right",
      cell: (s) => `${formatSeconds(s.secondsMin)}-${formatSeconds(s.secondsMax)}`,
    },
    repeated && {
      ascii: "MEAN ± σ",
      markdown: "Mean ± σ (s)",
      align: "right",
      cell: (s) => `${formatSeconds(s.secondsMean)} ± ${formatSeconds(s.secondsStdDev)}`,
    },
    repeated && {
      ascii: "RUNS",
      markdown: "Runs",
      align: "right",
      cell: (s) => String(s.repeats),
    },
    {
      ascii: "SPEED-UP",
      markdown: "Speed-up",
      align: "left",
      cell: (s, i) =>
        i === 0 ? "(baseline)" : s.speedup === null ? "n/a" : formatSpeedup(s.speedup),
    },
    {
      ascii: "EFFICIENCY",
      markdown: "Efficiency",
      align: "right",
      cell: (s) => percentCell(s.efficiency),
    },
    {
      ascii: "KARP-FLATT",
      markdown: "Karp–Flatt",
      align: "right",
      cell: (s) => s.karpFlatt === null ? "-" : s.karpFlatt.toFixed(3),
    },
    {
      ascii: "UTILISATION",
      markdown: "Utilisation",
      align: "right",
      cell: (s) => percentCell(s.utilization),
    },
    {
      ascii: "WAIT P50/P95",
      markdown: "Wait p50/p95 (s)",
      align: "right",
      cell: (s) => pairCell(s.waitSeconds),
    },
    {
      ascii: "RUN P50/P95",
      markdown: "Run p50/p95 (s)",
      align: "right",
      cell: (s) => pairCell(s.runSeconds),
    },
    {
      ascii: "PEAK RSS MIB",
      markdown: "Peak RSS (MiB)",
      align: "right",
      cell: (s) => s.peakRssMiB.toFixed(1),
    },
    notDone &&
    { ascii: "FAILED", markdown: "Failed", align: "right", cell: (s) => String(s.failed) },
    notDone && {
      ascii: "CANCELLED",
      markdown: "Cancelled",
      align: "right",
      cell: (s) => String(s.cancelled),
    },
  ];
  return all.filter((column): column is Column => column !== false);
}
