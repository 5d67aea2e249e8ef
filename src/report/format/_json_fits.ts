/**
 * The fits as the JSON report writes them: Amdahl and USL, or why not.
 * Private to `src/report/format/`: `json.ts` uses it and re-exports the types.
 *
 * @module
 */
import { finite } from "../_common.ts";
import type { SweepAnalysis } from "../analysis/stats.ts";

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

/** The `amdahl` and `usl` keys of the JSON report. */
export function jsonFits(analysis: SweepAnalysis): { amdahl: JsonAmdahl; usl: JsonUsl } {
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
