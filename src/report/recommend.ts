/**
 * How many workers to use, picked from the measured speed-ups.
 *
 * @module
 */
import { measured } from "./_measured.ts";
import type { FitFailure, UslFit } from "./fit.ts";

/** How many workers to use, from the measured speed-ups. */
export interface Recommendation {
  /** The fewest measured workers within {@linkcode RECOMMEND_SHARE} of the best speed-up. */
  workers: number;
  /** The measured worker count with the highest speed-up. */
  fastestWorkers: number;
  /** That highest measured speed-up, or `null` when no step took measurable time. */
  fastestSpeedup: number | null;
  /** Why, as a phrase. */
  reason: string;
}

/**
 * The share of the best measured speed-up a smaller worker count must reach
 * to be recommended instead: 0.95, so 5% slower buys fewer workers.
 *
 * @example Just below the share, the larger count wins
 * ```ts
 * import { RECOMMEND_SHARE, recommendWorkers } from "./recommend.ts";
 * import assert from "node:assert/strict";
 *
 * const steps = (twoWorkerSpeedup: number) =>
 *   [[1, 1], [2, twoWorkerSpeedup], [4, 2]].map(([workers, speedup]) => ({ workers, speedup }));
 * assert.equal(recommendWorkers(steps(2 * RECOMMEND_SHARE)).workers, 2);
 * assert.equal(recommendWorkers(steps(2 * RECOMMEND_SHARE - 0.01)).workers, 4);
 * ```
 */
export const RECOMMEND_SHARE = 0.95;

/**
 * Picks how many workers to use: the fewest measured workers whose speed-up
 * reaches {@linkcode RECOMMEND_SHARE} of the best measured one. Measured
 * figures decide, not a model, so the answer is never a count nobody ran.
 *
 * @param steps The analysed steps.
 * @param usl The USL fit, quoted in the reason when speed-up was still rising.
 * @returns The recommendation.
 *
 * @example Two workers are within 5% of four
 * ```ts
 * import { recommendWorkers } from "./recommend.ts";
 * import assert from "node:assert/strict";
 *
 * const steps = [[1, 1], [2, 1.95], [4, 2]].map(([workers, speedup]) => ({ workers, speedup }));
 * assert.equal(recommendWorkers(steps).workers, 2);
 * ```
 */
export function recommendWorkers(
  steps: readonly { workers: number; speedup: number | null }[],
  usl?: UslFit | FitFailure,
): Recommendation {
  const usable = measured(steps);
  if (usable.length === 0) {
    const workers = steps[0]?.workers ?? 1;
    return {
      workers,
      fastestWorkers: workers,
      fastestSpeedup: null,
      reason: "no step took a measurable time",
    };
  }
  const fastest = usable.reduce((best, step) => step.speedup > best.speedup ? step : best);
  const enough = usable
    .filter((step) => step.speedup >= RECOMMEND_SHARE * fastest.speedup)
    .reduce((fewest, step) => step.workers < fewest.workers ? step : fewest);
  const largest = Math.max(...usable.map((step) => step.workers));
  let reason: string;
  if (enough.workers === fastest.workers && fastest.workers === largest) {
    reason = `speed-up was still rising at ${largest} workers, the most measured`;
    // A peak far beyond the measured range is an extrapolation not worth quoting.
    const peak = usl?.ok ? usl.peakWorkers : null;
    if (peak !== null && peak > largest && peak <= 4 * largest) {
      reason += `; the USL fit peaks near ${Math.round(peak)}`;
    }
  } else if (enough.workers === fastest.workers) {
    reason = `the highest measured speed-up, ${fastest.speedup.toFixed(2)}x`;
  } else {
    const share = Math.round((enough.speedup / fastest.speedup) * 100);
    reason = `${share}% of the best measured speed-up, ${fastest.speedup.toFixed(2)}x at ` +
      `${fastest.workers} workers`;
  }
  return {
    workers: enough.workers,
    fastestWorkers: fastest.workers,
    fastestSpeedup: fastest.speedup,
    reason,
  };
}
