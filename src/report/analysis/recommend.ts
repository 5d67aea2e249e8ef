/**
 * How many workers to use, picked from the measured speed-ups.
 *
 * @module
 */
import { dispatchBound } from "./_dispatch_bound.ts";
import { measured } from "./_measured.ts";
import { duration, percent, plural } from "../../text.ts";
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
 * A dispatch-bound sweep (its first step's workers mostly waited for jobs)
 * gets its fewest workers and the advice to make jobs larger, by how much:
 * its speed-ups measure the dispatcher, so they are no case for more workers.
 *
 * @param steps The analysed steps (utilisation, per-job overhead and run
 *   times, when given, tell a dispatch-bound sweep).
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
 *
 * @example A dispatch-bound sweep: batch the jobs, not more workers
 * ```ts
 * import { recommendWorkers } from "./recommend.ts";
 * import assert from "node:assert/strict";
 *
 * // 1 µs jobs, 9 µs of dispatch each: the workers were busy a tenth of the time.
 * const steps = [[1, 1], [2, 1.8]].map(([workers, speedup]) => ({
 *   workers, speedup, utilization: 0.1, overheadSeconds: 9e-6, runSeconds: { p50: 1e-6 },
 * }));
 * const recommendation = recommendWorkers(steps);
 * assert.equal(recommendation.workers, 1);
 * assert.match(recommendation.reason, /batch about 90 of these jobs into one/);
 * ```
 */
export function recommendWorkers(
  steps: readonly {
    workers: number;
    speedup: number | null;
    runSeconds?: { p50: number } | null;
    utilization?: number | null;
    overheadSeconds?: number | null;
  }[],
  usl?: UslFit | FitFailure,
): Recommendation {
  const usable = measured(steps).slice().sort((a, b) => a.workers - b.workers);
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
  const dispatch = new Set(usable.map((step) => step.workers)).size > 1
    ? dispatchBound(usable[0])
    : undefined;
  if (dispatch) {
    const size = `at least ${duration(dispatch.enoughSeconds)} of work per job`;
    return {
      workers: usable[0].workers,
      fastestWorkers: fastest.workers,
      fastestSpeedup: fastest.speedup,
      reason: `dispatch-bound: at ${plural(dispatch.workers, "worker")} the workers were busy ` +
        `only ${percent(dispatch.utilization)} of the time, so the speed-ups measure the ` +
        `dispatcher and are no case for more workers; ` +
        (dispatch.batch === undefined
          ? `make each job ${size}`
          : `batch about ${dispatch.batch} of these jobs into one (${size})`) +
        `, then measure again`,
    };
  }
  const enough = usable
    .filter((step) => step.speedup >= RECOMMEND_SHARE * fastest.speedup)
    .reduce((fewest, step) => step.workers < fewest.workers ? step : fewest);
  const largest = Math.max(...usable.map((step) => step.workers));
  let reason: string;
  if (usable.length === 1 || usable.every((step) => step.workers === largest)) {
    reason = `only one worker count (${largest}) was measured`;
  } else if (enough.workers === fastest.workers && fastest.workers === largest) {
    reason = `speed-up was still rising at ${plural(largest, "worker")}, the most measured`;
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
      plural(fastest.workers, "worker");
  }
  return {
    workers: enough.workers,
    fastestWorkers: fastest.workers,
    fastestSpeedup: fastest.speedup,
    reason,
  };
}
