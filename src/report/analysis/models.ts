/**
 * The scaling models as functions: Amdahl's law and the Universal Scalability
 * Law (USL) speed-ups, and the least-squares and R² measures a fit is judged by.
 *
 * Every speed-up here is relative to a baseline step with `baselineWorkers`
 * workers (the sweep's first step), so a sweep that starts at 2 workers is
 * modelled as such rather than pretending its first step had 1 worker.
 *
 * @module
 */

/** A measured point: a worker count and its speed-up over the baseline step. */
export interface ScalingPoint {
  /** Workers in the step. */
  workers: number;
  /** Baseline seconds divided by this step's seconds. */
  speedup: number;
  /**
   * The speed-up equal jobs could reach at this step if nothing but the split
   * into rounds held them back: `ceil(jobs / baselineWorkers) / ceil(jobs / workers)`.
   * Default `workers / baselineWorkers`. Less than that when the jobs split
   * unevenly: 3 jobs take 3 rounds on 1 worker and 2 on 2 workers, so 1.5.
   */
  idealSpeedup?: number;
}

/**
 * How many rounds `jobs` equal jobs take on `workers` workers: `ceil(jobs / workers)`,
 * and at least 1, so an empty batch does not divide by zero.
 *
 * @param jobs Jobs in the batch.
 * @param workers Workers sharing it.
 * @returns The rounds the busiest worker runs.
 *
 * @example Three jobs on two workers
 * ```ts
 * import { splitRounds } from "./models.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(splitRounds(3, 2), 2);
 * assert.equal(splitRounds(4, 2), 2);
 * assert.equal(splitRounds(3, 8), 1);
 * ```
 */
export function splitRounds(jobs: number, workers: number): number {
  return Math.max(1, Math.ceil(jobs / workers));
}

/**
 * The Karp–Flatt metric, the experimentally determined serial fraction:
 * `e = (1/S − 1/p) / (1 − 1/p)`. A value that grows with `p` points at
 * overhead (contention, coordination) rather than a fixed serial part.
 *
 * @param speedup Measured speed-up `S` over the baseline step.
 * @param workerRatio `p`, this step's workers over the baseline's.
 * @returns `e`, or `null` when `p` is 1 (0/0) or either input is not positive.
 *
 * @example Amdahl data with s = 0.1 gives back 0.1
 * ```ts
 * import { karpFlatt } from "./models.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(Math.abs(karpFlatt(1 / (0.1 + 0.9 / 4), 4)! - 0.1) < 1e-12);
 * assert.equal(karpFlatt(1, 1), null);
 * ```
 */
export function karpFlatt(speedup: number, workerRatio: number): number | null {
  if (!(speedup > 0) || !(workerRatio > 0) || !Number.isFinite(speedup)) return null;
  if (Math.abs(workerRatio - 1) < 1e-12) return null;
  return (1 / speedup - 1 / workerRatio) / (1 - 1 / workerRatio);
}

/**
 * Amdahl's law: the speed-up at `workers` relative to `baselineWorkers`.
 *
 * @param workers Workers in the step.
 * @param serialFraction `s`, the serial share of the baseline step's time.
 * @param baselineWorkers Workers in the baseline step; default 1.
 * @returns `1 / (s + (1 − s) / p)` with `p = workers / baselineWorkers`.
 *
 * @example A tenth serial caps the speed-up below 10
 * ```ts
 * import { amdahlSpeedup } from "./models.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(amdahlSpeedup(4, 0), 4);
 * assert.ok(Math.abs(amdahlSpeedup(10, 0.1) - 1 / 0.19) < 1e-12);
 * ```
 */
export function amdahlSpeedup(
  workers: number,
  serialFraction: number,
  baselineWorkers = 1,
): number {
  const ratio = workers / baselineWorkers;
  return 1 / (serialFraction + (1 - serialFraction) / ratio);
}

function uslCapacity(workers: number, sigma: number, kappa: number): number {
  return workers / (1 + sigma * (workers - 1) + kappa * workers * (workers - 1));
}

/**
 * The Universal Scalability Law: the speed-up at `workers` relative to
 * `baselineWorkers`, `C(N) / C(baselineWorkers)`.
 *
 * @param workers Workers in the step.
 * @param sigma `σ`, contention.
 * @param kappa `κ`, coherency.
 * @param baselineWorkers Workers in the baseline step; default 1.
 * @returns The modelled speed-up.
 *
 * @example Linear without costs, slower than linear with them
 * ```ts
 * import { uslSpeedup } from "./models.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(uslSpeedup(8, 0, 0), 8);
 * assert.equal(uslSpeedup(2, 0.5, 0), 2 / 1.5);
 * ```
 */
export function uslSpeedup(
  workers: number,
  sigma: number,
  kappa: number,
  baselineWorkers = 1,
): number {
  return uslCapacity(workers, sigma, kappa) / uslCapacity(baselineWorkers, sigma, kappa);
}

/**
 * The Universal Scalability Law as R's `usl` package writes it, with the
 * capacity of one worker `γ` as a parameter: `X(N) = γN / (1 + σ(N − 1) + κN(N − 1))`.
 * With `γ = 1 / C(b)` it is {@linkcode uslSpeedup} relative to `b` workers.
 *
 * @param workers Workers `N`.
 * @param sigma `σ`, contention.
 * @param kappa `κ`, coherency.
 * @param gamma `γ`, the throughput (or speed-up) of one worker in the units of the result.
 * @returns The modelled throughput at `workers`.
 *
 * @example One worker gives γ; with no costs, N workers give γN
 * ```ts
 * import { uslThroughput } from "./models.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(uslThroughput(1, 0.1, 0.01, 90), 90);
 * assert.equal(uslThroughput(4, 0, 0, 90), 360);
 * ```
 */
export function uslThroughput(
  workers: number,
  sigma: number,
  kappa: number,
  gamma: number,
): number {
  return gamma * uslCapacity(workers, sigma, kappa);
}

/**
 * The coefficient of determination, `1 − SSres / SStot`. When every observed
 * value is the same (SStot = 0) it is 1 for an exact fit and 0 otherwise, so
 * it is never NaN.
 *
 * @param observed Measured values.
 * @param predicted The model's values at the same points.
 * @returns R², at most 1 (negative when the model is worse than the mean).
 *
 * @example A perfect and an imperfect fit
 * ```ts
 * import { rSquared } from "./models.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(rSquared([1, 2, 3], [1, 2, 3]), 1);
 * assert.equal(rSquared([1, 2, 3], [2, 2, 2]), 0);
 * ```
 */
export function rSquared(observed: readonly number[], predicted: readonly number[]): number {
  const mean = observed.reduce((sum, y) => sum + y, 0) / observed.length;
  let residual = 0;
  let total = 0;
  observed.forEach((y, i) => {
    residual += (y - predicted[i]) ** 2;
    total += (y - mean) ** 2;
  });
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

/**
 * Formats a speed-up: `+1.99x` when faster, `-1.25x` when
 * slower (the slowdown factor), trailing zeros dropped (`+16x`).
 *
 * @param speedup Baseline time divided by this time.
 * @returns The signed factor with an `x`.
 *
 * @example Faster and slower
 * ```ts
 * import { formatSpeedup } from "./models.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatSpeedup(1.994), "+1.99x");
 * assert.equal(formatSpeedup(16), "+16x");
 * assert.equal(formatSpeedup(0.8), "-1.25x");
 * assert.equal(formatSpeedup(0.997), "1x");
 * ```
 */
export function formatSpeedup(speedup: number): string {
  if (!Number.isFinite(speedup) || speedup <= 0) return "n/a";
  const trim = (x: number) => String(Number(x.toFixed(2)));
  // Within ±0.5% of 1 there is no direction to show: 0.997 would read "-1x".
  if (Math.abs(speedup - 1) <= 0.005 + 1e-12) return "1x";
  return speedup >= 1 ? `+${trim(speedup)}x` : `-${trim(1 / speedup)}x`;
}
