/**
 * Renderers for a {@linkcode SweepAnalysis}: an ASCII table, Markdown, CSV and
 * JSON. Data in, string out; the CLI writes the files.
 *
 * ## JSON report keys (schema version 1)
 *
 * Ratios are plain fractions (0.97 means 97%); `null` means "not defined".
 *
 * - `schemaVersion` (integer): {@linkcode JSON_SCHEMA_VERSION}, raised on any breaking change.
 * - `generatedAt` (string | null): when the report was made, ISO 8601, as the caller gives it.
 * - `config` (object): the run's configuration, passed through unchanged.
 * - `machine` (object): {@linkcode MachineInfo}, passed through unchanged: `cpuModel`,
 *   `cpuCount`, `denoVersion`, `v8Version`, `wasmBuildHash`, and any extra keys.
 * - `baselineWorkers` (workers): the first step's worker count; speed-ups are relative to it.
 * - `steps[]`: one object per worker count, in the order run:
 *   - `workers` (workers), `jobCount` (jobs per run), `repeats` (runs combined, 1 without repeats);
 *   - `seconds` (s): wall time, the median over repeats; `secondsMin`, `secondsMax` (s);
 *   - `workerRatio` (ratio): `workers / baselineWorkers`, the ideal speed-up;
 *   - `speedup` (ratio | null): baseline seconds over this step's;
 *   - `efficiency` (ratio | null): `speedup / workerRatio`;
 *   - `karpFlatt` (ratio | null): experimental serial fraction, `null` for the baseline;
 *   - `waitSeconds.p50`, `waitSeconds.p95`, `waitSeconds.max` (s): time jobs waited for a
 *     worker (`waitSeconds` is `null` when no job started);
 *   - `runSeconds.p50`, `runSeconds.p95`, `runSeconds.max` (s): in-worker run time of
 *     finished jobs (`runSeconds` is `null` when none finished);
 *   - `utilization` (ratio | null): job run time over `seconds × workers`;
 *   - `peakRssMiB` (MiB): highest process resident set size during the step;
 *   - `completed`, `failed`, `cancelled` (jobs, summed over repeats).
 * - `amdahl`: `{ ok: true, model: "amdahl", baselineWorkers, serialFraction (ratio),
 *   rSquared, pointCount, speedupLimit (ratio | null), predicted: { workers, speedup } }`
 *   or `{ ok: false, model: "amdahl", reason }`.
 * - `usl`: `{ ok: true, model: "usl", baselineWorkers, sigma, kappa, rSquared, pointCount,
 *   peakWorkers (workers | null), bestWorkers (workers), predicted: { workers, speedup } }`
 *   or `{ ok: false, model: "usl", reason }`.
 * - `recommendation`: `{ workers, fastestWorkers, fastestSpeedup (ratio | null), reason }`.
 * - `explanation` (string): one sentence on why the curve has its shape.
 *
 * Percentiles interpolate linearly between closest ranks (NumPy's default).
 *
 * @module
 */
import { type ExplainOptions, explainScaling, formatParameter } from "./explain.ts";
import type { Percentiles, StepAnalysis, SweepAnalysis } from "./stats.ts";
import { type Align, formatSeconds, formatSpeedup, renderAsciiTable } from "./table.ts";

/**
 * The JSON report's `schemaVersion`.
 *
 * @example The current version
 * ```ts
 * import { JSON_SCHEMA_VERSION } from "./formats.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(JSON_SCHEMA_VERSION, 1);
 * ```
 */
export const JSON_SCHEMA_VERSION = 1;

/** The machine a sweep ran on; the CLI gathers it, the report passes it through. */
export interface MachineInfo {
  /** The CPU model name (Linux `/proc/cpuinfo` "model name"), or `null` when unknown. */
  cpuModel: string | null;
  /** Logical CPUs (`navigator.hardwareConcurrency`). */
  cpuCount: number;
  /** `Deno.version.deno`. */
  denoVersion: string;
  /** `Deno.version.v8`. */
  v8Version: string;
  /** SHA-256 of the WASM build in hex, or `null` when the job uses none. */
  wasmBuildHash: string | null;
  /** `Deno.build.os`. */
  os?: string;
  /** `Deno.build.arch`. */
  arch?: string;
  /** `Deno.version.typescript`. */
  typescriptVersion?: string;
}

/** Everything {@linkcode renderJson} writes. */
export interface ScalingReport {
  /** The run's configuration, written as given. */
  config: object;
  /** The machine, written as given. */
  machine: MachineInfo;
  /** The sweep's analysis. */
  analysis: SweepAnalysis;
  /** When the report was made (ISO 8601); the caller supplies it so rendering stays pure. */
  generatedAt?: string;
}

/** Options for {@linkcode renderAnalysisTable} and {@linkcode renderMarkdown}. */
export interface RenderOptions extends ExplainOptions {}

/** Percentiles as written to JSON, in seconds. */
export interface JsonPercentiles {
  /** The median, in seconds. */
  p50: number | null;
  /** The 95th percentile, in seconds. */
  p95: number | null;
  /** The largest value, in seconds. */
  max: number | null;
}

/** One `steps[]` entry of the JSON report; units as in the module doc. */
export interface JsonStep {
  /** Workers in the step. */
  workers: number;
  /** Jobs per run. */
  jobCount: number;
  /** Runs combined. */
  repeats: number;
  /** Wall time (median over repeats), in seconds. */
  seconds: number | null;
  /** Fastest run, in seconds. */
  secondsMin: number | null;
  /** Slowest run, in seconds. */
  secondsMax: number | null;
  /** `workers / baselineWorkers`. */
  workerRatio: number | null;
  /** Baseline seconds over this step's. */
  speedup: number | null;
  /** `speedup / workerRatio`. */
  efficiency: number | null;
  /** Karp–Flatt serial fraction. */
  karpFlatt: number | null;
  /** Job wait times, in seconds. */
  waitSeconds: JsonPercentiles | null;
  /** Finished jobs' run times, in seconds. */
  runSeconds: JsonPercentiles | null;
  /** Job run time over `seconds × workers`. */
  utilization: number | null;
  /** Peak process RSS, in MiB. */
  peakRssMiB: number | null;
  /** Jobs that finished. */
  completed: number;
  /** Jobs that failed. */
  failed: number;
  /** Jobs that were cancelled. */
  cancelled: number;
}

/** A model's prediction as written to JSON. */
export interface JsonPrediction {
  /** Twice the largest measured worker count. */
  workers: number;
  /** The model's speed-up there. */
  speedup: number | null;
}

/** A fit that could not be made, as written to JSON. */
export interface JsonFitFailure {
  /** Always `false`. */
  ok: false;
  /** `"amdahl"` or `"usl"`. */
  model: "amdahl" | "usl";
  /** Why not. */
  reason: string;
}

/** The `amdahl` key of the JSON report. */
export type JsonAmdahl = {
  /** Always `true`. */
  ok: true;
  /** Always `"amdahl"`. */
  model: "amdahl";
  /** Workers in the baseline step. */
  baselineWorkers: number;
  /** `s`, 0 to 1. */
  serialFraction: number | null;
  /** R² on the speed-ups. */
  rSquared: number | null;
  /** Points used. */
  pointCount: number;
  /** `1 / s`, or `null` when `s` is 0. */
  speedupLimit: number | null;
  /** Speed-up at twice the largest measured count. */
  predicted: JsonPrediction;
} | JsonFitFailure;

/** The `usl` key of the JSON report. */
export type JsonUsl = {
  /** Always `true`. */
  ok: true;
  /** Always `"usl"`. */
  model: "usl";
  /** Workers in the baseline step. */
  baselineWorkers: number;
  /** `σ`, contention. */
  sigma: number | null;
  /** `κ`, coherency. */
  kappa: number | null;
  /** R² on the speed-ups. */
  rSquared: number | null;
  /** Points used. */
  pointCount: number;
  /** `N*`, or `null` when the model never turns down. */
  peakWorkers: number | null;
  /** The best whole worker count within the measured range. */
  bestWorkers: number;
  /** Speed-up at twice the largest measured count. */
  predicted: JsonPrediction;
} | JsonFitFailure;

/** The whole JSON report, as {@linkcode buildJsonReport} returns it. */
export interface JsonReport {
  /** {@linkcode JSON_SCHEMA_VERSION}. */
  schemaVersion: number;
  /** ISO 8601 time stamp, or `null`. */
  generatedAt: string | null;
  /** The run's configuration, as given. */
  config: object;
  /** The machine, as given. */
  machine: MachineInfo;
  /** The first step's worker count. */
  baselineWorkers: number;
  /** One entry per step. */
  steps: JsonStep[];
  /** Amdahl's law fit. */
  amdahl: JsonAmdahl;
  /** USL fit. */
  usl: JsonUsl;
  /** How many workers to use. */
  recommendation: {
    /** The recommended worker count. */
    workers: number;
    /** The measured count with the highest speed-up. */
    fastestWorkers: number;
    /** That speed-up. */
    fastestSpeedup: number | null;
    /** Why. */
    reason: string;
  };
  /** One sentence on why the curve has its shape. */
  explanation: string;
}

function finite(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

function jsonPercentiles(value: Percentiles | null): JsonPercentiles | null {
  return value && { p50: finite(value.p50), p95: finite(value.p95), max: finite(value.max) };
}

function jsonStep(step: StepAnalysis): JsonStep {
  return {
    workers: step.workers,
    jobCount: step.jobCount,
    repeats: step.repeats,
    seconds: finite(step.seconds),
    secondsMin: finite(step.secondsMin),
    secondsMax: finite(step.secondsMax),
    workerRatio: finite(step.workerRatio),
    speedup: finite(step.speedup),
    efficiency: finite(step.efficiency),
    karpFlatt: finite(step.karpFlatt),
    waitSeconds: jsonPercentiles(step.waitSeconds),
    runSeconds: jsonPercentiles(step.runSeconds),
    utilization: finite(step.utilization),
    peakRssMiB: finite(step.peakRssMiB),
    completed: step.completed,
    failed: step.failed,
    cancelled: step.cancelled,
  };
}

function jsonFits(analysis: SweepAnalysis): { amdahl: JsonAmdahl; usl: JsonUsl } {
  const { amdahl, usl } = analysis;
  const predicted = (p: { workers: number; speedup: number }): JsonPrediction => ({
    workers: p.workers,
    speedup: finite(p.speedup),
  });
  return {
    amdahl: amdahl.ok
      ? {
        ok: true,
        model: "amdahl",
        baselineWorkers: amdahl.baselineWorkers,
        serialFraction: finite(amdahl.serialFraction),
        rSquared: finite(amdahl.rSquared),
        pointCount: amdahl.pointCount,
        speedupLimit: finite(amdahl.speedupLimit),
        predicted: predicted(amdahl.predicted),
      }
      : { ok: false, model: "amdahl", reason: amdahl.reason },
    usl: usl.ok
      ? {
        ok: true,
        model: "usl",
        baselineWorkers: usl.baselineWorkers,
        sigma: finite(usl.sigma),
        kappa: finite(usl.kappa),
        rSquared: finite(usl.rSquared),
        pointCount: usl.pointCount,
        peakWorkers: finite(usl.peakWorkers),
        bestWorkers: usl.bestWorkers,
        predicted: predicted(usl.predicted),
      }
      : { ok: false, model: "usl", reason: usl.reason },
  };
}

/**
 * Builds the JSON report object with the keys listed in this module's doc,
 * every non-finite number replaced by `null`.
 *
 * @param report Configuration, machine, analysis and time stamp.
 * @returns A plain object ready for `JSON.stringify`.
 *
 * @example The schema version and the steps
 * ```ts
 * import { analyzeSweep } from "./stats.ts";
 * import { buildJsonReport } from "./formats.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 4, startupSeconds: 0, completed: 4, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: [],
 * });
 * const machine = { cpuModel: null, cpuCount: 2, denoVersion: "2.9.6", v8Version: "15", wasmBuildHash: null };
 * const analysis = analyzeSweep({ steps: [step(1, 4), step(2, 2)] });
 * const json = buildJsonReport({ config: { job: "sleep" }, machine, analysis });
 * assert.equal(json.schemaVersion, 1);
 * assert.deepEqual(json.steps.map((s) => s.speedup), [1, 2]);
 * ```
 */
export function buildJsonReport(report: ScalingReport): JsonReport {
  const { analysis, machine } = report;
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    generatedAt: report.generatedAt ?? null,
    config: report.config,
    machine,
    baselineWorkers: analysis.baselineWorkers,
    steps: analysis.steps.map(jsonStep),
    ...jsonFits(analysis),
    recommendation: {
      workers: analysis.recommendation.workers,
      fastestWorkers: analysis.recommendation.fastestWorkers,
      fastestSpeedup: finite(analysis.recommendation.fastestSpeedup),
      reason: analysis.recommendation.reason,
    },
    explanation: explainScaling(analysis, { cpuCount: machine.cpuCount }),
  };
}

/**
 * Renders the JSON report (keys listed in this module's doc), indented by two
 * spaces and ending in a newline.
 *
 * @param report Configuration, machine, analysis and time stamp.
 * @returns The JSON text.
 *
 * @example Parse it back
 * ```ts
 * import { analyzeSweep } from "./stats.ts";
 * import { renderJson } from "./formats.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 4, startupSeconds: 0, completed: 4, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: [],
 * });
 * const machine = { cpuModel: null, cpuCount: 2, denoVersion: "2.9.6", v8Version: "15", wasmBuildHash: null };
 * const analysis = analyzeSweep({ steps: [step(1, 4), step(2, 2)] });
 * const parsed = JSON.parse(renderJson({ config: {}, machine, analysis }));
 * assert.equal(parsed.steps[1].efficiency, 1);
 * assert.equal(parsed.amdahl.ok, true);
 * assert.equal(parsed.usl.ok, false);
 * ```
 */
export function renderJson(report: ScalingReport): string {
  return `${JSON.stringify(buildJsonReport(report), null, 2)}\n`;
}

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
 * import { analyzeSweep } from "./stats.ts";
 * import { renderCsv } from "./formats.ts";
 * import assert from "node:assert/strict";
 *
 * const step = {
 *   workers: 1, seconds: 2, jobCount: 2, startupSeconds: 0, completed: 2, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: [],
 * };
 * const [header, row] = renderCsv(analyzeSweep({ steps: [step] })).split("\n");
 * assert.ok(header.startsWith("workers,jobCount,repeats,seconds,"));
 * // No Karp–Flatt for the baseline, no wait or run times without jobs: 7 empty cells.
 * assert.equal(row, `1,2,1,2.000000,2.000000,2.000000,1.000000,1.000000,1.000000${",".repeat(8)}` +
 *   "0.000000,0.000,2,0,0");
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
      fixed(step.waitSeconds?.p50, 6),
      fixed(step.waitSeconds?.p95, 6),
      fixed(step.waitSeconds?.max, 6),
      fixed(step.runSeconds?.p50, 6),
      fixed(step.runSeconds?.p95, 6),
      fixed(step.runSeconds?.max, 6),
      fixed(step.utilization, 6),
      fixed(step.peakRssMiB, 3),
      String(step.completed),
      String(step.failed),
      String(step.cancelled),
    ].join(",")
  );
  return [CSV_COLUMNS.join(","), ...rows, ""].join("\n");
}

interface Column {
  ascii: string;
  markdown: string;
  align: Align;
  cell: (step: StepAnalysis, index: number) => string;
}

function percentCell(ratio: number | null): string {
  return ratio === null ? "n/a" : `${(ratio * 100).toFixed(1)}%`;
}

function pairCell(value: Percentiles | null): string {
  return value === null ? "n/a" : `${value.p50.toFixed(3)}/${value.p95.toFixed(3)}`;
}

function columns(analysis: SweepAnalysis): Column[] {
  const { steps } = analysis;
  const repeated = steps.some((step) => step.repeats > 1);
  const notDone = steps.some((step) => step.failed > 0 || step.cancelled > 0);
  const all: (Column | false)[] = [
    { ascii: "WORKERS", markdown: "Workers", align: "right", cell: (s) => String(s.workers) },
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

function speedupText(speedup: number): string {
  return Number.isFinite(speedup) && speedup > 0 ? formatSpeedup(speedup) : "n/a";
}

/**
 * The fit and recommendation lines shared by the table and Markdown outputs.
 *
 * @param analysis The sweep's analysis.
 * @returns Three lines: Amdahl, USL, recommendation (no bullets, no newline).
 *
 * @example A fit that could not be made says why
 * ```ts
 * import { analyzeSweep } from "./stats.ts";
 * import { describeFits } from "./formats.ts";
 * import assert from "node:assert/strict";
 *
 * const step = {
 *   workers: 1, seconds: 2, jobCount: 2, startupSeconds: 0, completed: 2, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: [],
 * };
 * const [amdahl] = describeFits(analyzeSweep({ steps: [step] }));
 * assert.equal(amdahl, "Amdahl: not fitted (needs speed-ups at 2 or more worker counts, received 1)");
 * ```
 */
export function describeFits(analysis: SweepAnalysis): [string, string, string] {
  const { amdahl, usl, recommendation } = analysis;
  const amdahlLine = amdahl.ok
    ? `Amdahl: s=${formatParameter(amdahl.serialFraction)} (R² ${
      amdahl.rSquared.toFixed(3)
    }), speed-up limit ${
      amdahl.speedupLimit === null ? "none" : speedupText(amdahl.speedupLimit)
    }, predicted ${speedupText(amdahl.predicted.speedup)} at ${amdahl.predicted.workers} workers`
    : `Amdahl: not fitted (${amdahl.reason})`;
  const uslLine = usl.ok
    ? `USL: σ=${formatParameter(usl.sigma)} κ=${formatParameter(usl.kappa)} (R² ${
      usl.rSquared.toFixed(3)
    }), ${
      usl.peakWorkers === null
        ? "no peak"
        : `peak near ${
          usl.peakWorkers < 100 ? usl.peakWorkers.toFixed(1) : Math.round(usl.peakWorkers)
        } workers`
    }, predicted ${speedupText(usl.predicted.speedup)} at ${usl.predicted.workers} workers`
    : `USL: not fitted (${usl.reason})`;
  const recommendationLine = `Recommendation: ${recommendation.workers} ${
    recommendation.workers === 1 ? "worker" : "workers"
  } (${recommendation.reason})`;
  return [amdahlLine, uslLine, recommendationLine];
}

/**
 * Renders the analysis as an ASCII table (WORKERS | SECONDS | SPEED-UP |
 * EFFICIENCY | KARP-FLATT | UTILISATION | WAIT P50/P95 | RUN P50/P95 | PEAK RSS
 * MIB; SECONDS MIN-MAX and RUNS with repeats; FAILED and CANCELLED when any
 * job did not finish), then the fit lines, the recommendation and the sentence
 * from {@linkcode explainScaling}.
 *
 * @param analysis The sweep's analysis.
 * @param options The machine's logical CPU count, for the sentence.
 * @returns The text, ending in a newline.
 *
 * @example Near-linear scaling
 * ```ts
 * import { analyzeSweep } from "./stats.ts";
 * import { renderAnalysisTable } from "./formats.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 8, startupSeconds: 0, completed: 8, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: [],
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
  return `${table}${describeFits(analysis).join("\n")}\n${explainScaling(analysis, options)}\n`;
}

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
 * import { analyzeSweep } from "./stats.ts";
 * import { renderMarkdown } from "./formats.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 8, startupSeconds: 0, completed: 8, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: [],
 * });
 * const markdown = renderMarkdown(analyzeSweep({ steps: [step(1, 8), step(2, 4)] }));
 * assert.ok(markdown.startsWith("| Workers | Seconds | Speed-up |"));
 * assert.match(markdown, /^- Recommendation: 2 workers/m);
 * ```
 */
export function renderMarkdown(analysis: SweepAnalysis, options: RenderOptions = {}): string {
  const cols = columns(analysis);
  const row = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [
    row(cols.map((column) => column.markdown)),
    row(cols.map((column) => column.align === "left" ? ":---" : "---:")),
    ...analysis.steps.map((step, i) => row(cols.map((column) => column.cell(step, i)))),
    "",
    ...describeFits(analysis).map((line) => `- ${line}`),
    "",
    explainScaling(analysis, options),
    "",
  ].join("\n");
}
