/**
 * What the text formats share: non-finite numbers as `null`, and the step
 * columns of the ASCII table and the Markdown table.
 *
 * @module
 */
import type { Percentiles, StepAnalysis, SweepAnalysis } from "./analysis/stats.ts";
import type { WhyStep } from "./analysis/why.ts";
import { describeWhy } from "./analysis/why.ts";
import { type Align, formatSeconds, formatSpeedup } from "./format/table.ts";
import { describeFits, type ExplainOptions, explainScaling } from "./analysis/explain.ts";
import { describeVerdict } from "./analysis/concurrency.ts";

/** `value`, or `null` when it is missing or not finite (JSON has no NaN or Infinity). */
export function finite(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

/**
 * The lines under the analysis table (why, fits, recommendation) and the
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
    lines: [
      ...(analysis.why ? describeWhy(analysis.why) : []),
      ...(verdict ? describeVerdict(verdict, fits, axis) : fits),
    ].filter((line) => line !== ""),
    explanation: verdict ? verdict.reason : explainScaling(analysis, options),
  };
}

/** The why of the step with these workers and jobs in flight, if the analysis has one. */
function whyOf(
  analysis: SweepAnalysis,
  step: { workers: number; concurrency: number },
): WhyStep | undefined {
  return analysis.why?.steps.find((why) =>
    why.workers === step.workers && (why.concurrency ?? 1) === step.concurrency
  );
}

function factorCell(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "n/a" : `${(value * 100).toFixed(1)}%`;
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
  const broken = steps.some((step) => whyOf(analysis, step)?.breakdown !== undefined);
  const intervals = steps.some((step) => whyOf(analysis, step)?.interval !== undefined);
  const factor = (
    ascii: string,
    markdown: string,
    pick: (why: WhyStep) => number | undefined,
  ): Column | false =>
    broken && {
      ascii,
      markdown,
      align: "right",
      cell: (s) => {
        const why = whyOf(analysis, s);
        return factorCell(why && pick(why));
      },
    };
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
    intervals && {
      ascii: "SPEED-UP 95% CI",
      markdown: "Speed-up 95% CI",
      align: "left",
      cell: (s) => {
        const interval = whyOf(analysis, s)?.interval;
        return interval ? `${formatSpeedup(interval.low)}-${formatSpeedup(interval.high)}` : "n/a";
      },
    },
    {
      ascii: "EFFICIENCY",
      markdown: "Efficiency",
      align: "right",
      cell: (s) => percentCell(s.efficiency),
    },
    factor("= BALANCE", "= Balance", (why) => why.breakdown?.balance),
    factor("× DISPATCH", "× Dispatch", (why) => why.breakdown?.dispatch),
    factor("× COMPUTE", "× Computation", (why) => why.breakdown?.computation),
    broken && {
      ascii: "BEST POSSIBLE S",
      markdown: "Best possible (s)",
      align: "right",
      cell: (s) => {
        const bound = whyOf(analysis, s)?.bound;
        return bound ? secondsCell(bound.best) : "n/a";
      },
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
