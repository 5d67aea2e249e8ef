/**
 * The JSON report of a parameter scan: every value's sweep under the keys of
 * the sweep report, and the crossover. The keys are listed in the module doc
 * of `json.ts`. Data in, string out; the CLI writes the file.
 *
 * @module
 */
import { finite } from "../_common.ts";
import { type Crossover, describeCrossover, type ScanAnalysis } from "./granularity.ts";
import {
  buildJsonReport,
  JSON_SCHEMA_VERSION,
  type JsonReport,
  type MachineInfo,
} from "../format/json.ts";

/** Everything {@linkcode renderJsonScan} writes. */
export interface ScanReport {
  /** The run's configuration, written as given. */
  config: object;
  /** The machine, written as given. */
  machine: MachineInfo;
  /** The scan's analysis (each value's sweep steps ride along in `values[].sweepSteps`). */
  scan: ScanAnalysis;
  /** When the report was made (ISO 8601). */
  generatedAt?: string;
  /** Warnings about the run, one sentence each (each names the value it belongs to). */
  warnings?: readonly string[];
}

/** One value of `scan.values[]`: the value and its sweep, keyed as in the sweep report. */
export type JsonScanValue =
  & { value: number | string }
  & Pick<
    JsonReport,
    "baselineWorkers" | "steps" | "amdahl" | "usl" | "recommendation" | "explanation"
  >;

/** The whole scan report, as {@linkcode buildJsonScanReport} returns it. */
export interface JsonScanReport {
  /** The JSON report's schema version. */
  schemaVersion: number;
  /** ISO 8601 time stamp, or `null`. */
  generatedAt: string | null;
  /** The run's configuration, as given. */
  config: object;
  /** The machine, as given. */
  machine: MachineInfo;
  /** The scan. */
  scan: {
    /** The parameter's name. */
    parameter: string;
    /** Each value, in the order run. */
    values: JsonScanValue[];
    /** The crossover, with non-finite numbers as `null`. */
    crossover: Crossover;
    /** The crossover in one sentence. */
    explanation: string;
  };
  /** Warnings about the run, one sentence each (empty when there were none). */
  warnings: string[];
}

/**
 * Builds the scan report object (keys in the module doc of `json.ts`), every
 * non-finite number replaced by `null`.
 *
 * @param report Configuration, machine, scan and time stamp.
 * @returns A plain object ready for `JSON.stringify`.
 *
 * @example Two values
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "../analysis/stats.ts";
 * import { analyzeScan } from "./granularity.ts";
 * import { buildJsonScanReport } from "./json.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 4, completed: 4, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const sweep = (two: number) => analyzeSweep({ steps: [step(1, 1), step(2, two)] });
 * const scan = analyzeScan("sleep-ms", [
 *   { value: 1, analysis: sweep(0.9) },
 *   { value: 10, analysis: sweep(0.55) },
 * ]);
 * const machine = { cpuModel: null, cpuCount: 2, denoVersion: "2.9.6", v8Version: "15", wasmBuildHash: null };
 * const json = buildJsonScanReport({ config: {}, machine, scan });
 * assert.deepEqual(json.scan.values.map((v) => v.value), [1, 10]);
 * assert.equal(json.scan.values[1].steps[1].speedup, 1 / 0.55);
 * assert.equal(json.scan.crossover.value, 10);
 * ```
 */
export function buildJsonScanReport(report: ScanReport): JsonScanReport {
  const { machine, scan } = report;
  const crossover = scan.crossover;
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    generatedAt: report.generatedAt ?? null,
    config: report.config,
    machine,
    scan: {
      parameter: scan.parameter,
      values: scan.values.map(({ value, analysis, sweepSteps }) => {
        const sweep = buildJsonReport({ config: {}, machine, analysis, sweepSteps });
        return {
          value,
          baselineWorkers: sweep.baselineWorkers,
          steps: sweep.steps,
          amdahl: sweep.amdahl,
          usl: sweep.usl,
          recommendation: sweep.recommendation,
          explanation: sweep.explanation,
        };
      }),
      crossover: {
        minSpeedup: crossover.minSpeedup,
        value: crossover.value,
        points: crossover.points.map((point) => ({
          ...point,
          speedup: finite(point.speedup),
          efficiency: finite(point.efficiency),
          jobSeconds: finite(point.jobSeconds),
        })),
      },
      explanation: describeCrossover(scan),
    },
    warnings: [...report.warnings ?? []],
  };
}

/**
 * Renders the scan report, indented by two spaces and ending in a newline.
 *
 * @param report Configuration, machine, scan and time stamp.
 * @returns The JSON text.
 *
 * @example Parse it back
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "../analysis/stats.ts";
 * import { analyzeScan } from "./granularity.ts";
 * import { renderJsonScan } from "./json.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 4, completed: 4, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const analysis = analyzeSweep({ steps: [step(1, 1), step(2, 1)] });
 * const machine = { cpuModel: null, cpuCount: 2, denoVersion: "2.9.6", v8Version: "15", wasmBuildHash: null };
 * const text = renderJsonScan({ config: {}, machine, scan: analyzeScan("n", [{ value: "a", analysis }]) });
 * assert.equal(JSON.parse(text).scan.crossover.value, null);
 * ```
 */
export function renderJsonScan(report: ScanReport): string {
  return `${JSON.stringify(buildJsonScanReport(report), null, 2)}\n`;
}
