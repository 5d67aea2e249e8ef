/**
 * The machine-readable reports, published as `@deno-channels/core/report/json`:
 * the JSON report of a sweep (and of a parameter scan) with its schema version
 * and every key's type. The keys and their units are listed in
 * `src/report/format/json.ts` and in `docs/json.md`.
 *
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "../mod.ts";
 * import { buildJsonReport, JSON_SCHEMA_VERSION } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 4, completed: 4, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const machine = { cpuModel: "x", cpuCount: 2, denoVersion: "2.9.6", v8Version: "v", wasmBuildHash: "h" };
 * const analysis = analyzeSweep({ steps: [step(1, 4), step(2, 2)] });
 * const json = buildJsonReport({ config: {}, machine, analysis });
 * assert.equal(json.schemaVersion, JSON_SCHEMA_VERSION);
 * assert.deepEqual(json.steps.map((s) => s.speedup), [1, 2]);
 * ```
 *
 * @module
 */
export {
  buildJsonReport,
  JSON_SCHEMA_VERSION,
  type JsonAmdahl,
  type JsonBound,
  type JsonBreakdown,
  type JsonConcurrency,
  type JsonConfiguration,
  type JsonFitFailure,
  type JsonPercentiles,
  type JsonPrediction,
  type JsonReport,
  type JsonStep,
  type JsonUsl,
  type MachineInfo,
  renderJson,
  type ScalingReport,
} from "../format/json.ts";
export type { JsonInlineStep } from "../analysis/job_times.ts";
export {
  buildJsonScanReport,
  type JsonScanReport,
  type JsonScanValue,
  renderJsonScan,
  type ScanReport,
} from "../scan/json.ts";
