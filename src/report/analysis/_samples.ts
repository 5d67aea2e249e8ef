/**
 * Samples of job times read from a step's job records without making an
 * object per job, and their quantiles without sorting them: Hoare's selection
 * (quickselect) per quantile, O(n) on average. Ten million job times take well
 * under a second, where a full sort took seconds. Private to `src/report/`:
 * `stats.ts` uses it.
 *
 * @module
 */
import type { JobRecords } from "../../types.ts";

/**
 * One time column of a step's jobs, for the jobs `keep` accepts, without a
 * `JobResult` each; non-finite values are left out.
 */
export function jobColumn(
  jobs: JobRecords,
  column: "elapsedSeconds" | "waitSeconds",
  keep?: (index: number) => boolean,
): Float64Array {
  const values = new Float64Array(jobs.length);
  let count = 0;
  for (let index = 0; index < jobs.length; index++) {
    if (keep && !keep(index)) continue;
    const value = jobs[column](index);
    if (Number.isFinite(value)) values[count++] = value;
  }
  return values.subarray(0, count);
}

/** The finite values of `values`, in a new typed array (the caller may reorder it). */
export function finiteCopy(values: ArrayLike<number>): Float64Array {
  const copy = new Float64Array(values.length);
  let count = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (Number.isFinite(value)) copy[count++] = value;
  }
  return copy.subarray(0, count);
}

/**
 * The quantile at `fraction` of finite `values` (linear between closest
 * ranks, as R's type 7), reordering `values` in place.
 *
 * @param values A non-empty sample of finite numbers; reordered.
 * @param fraction From 0 (minimum) to 1 (maximum).
 * @returns The quantile.
 */
export function quantileInPlace(values: Float64Array, fraction: number): number {
  const last = values.length - 1;
  const position = last * fraction;
  const below = Math.floor(position);
  const low = select(values, below);
  if (below === last || position === below) return low;
  // After the selection everything past `below` is at least `low`: the next rank is their minimum.
  let next = Infinity;
  for (let index = below + 1; index <= last; index++) {
    if (values[index] < next) next = values[index];
  }
  return low + (next - low) * (position - below);
}

/** Reorders `values` so that `values[k]` is the k-th smallest, and returns it (Hoare). */
function select(values: Float64Array, k: number): number {
  let low = 0;
  let high = values.length - 1;
  while (high > low) {
    const middle = (low + high) >>> 1;
    const pivot = medianOfThree(values[low], values[middle], values[high]);
    let i = low;
    let j = high;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const swap = values[i];
        values[i] = values[j];
        values[j] = swap;
        i++;
        j--;
      }
    }
    // Now [low, j] ≤ pivot ≤ [i, high], and what lies strictly between equals the pivot.
    if (k <= j) high = j;
    else if (k >= i) low = i;
    else return values[k];
  }
  return values[k];
}

function medianOfThree(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
}

/**
 * The mean and sample standard deviation (n − 1) of repeated measurements.
 *
 * @param values At least one value.
 * @returns `secondsMean` and `secondsStdDev` (0 for a single value).
 */
export function meanStdDev(
  values: readonly number[],
): { secondsMean: number; secondsStdDev: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return {
    secondsMean: mean,
    secondsStdDev: values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0,
  };
}

/** The 50th and 95th percentiles and the maximum of a set of durations, in seconds. */
export interface Percentiles {
  /** The median, in seconds. */
  p50: number;
  /** The 95th percentile, in seconds. */
  p95: number;
  /** The largest value, in seconds. */
  max: number;
}

/**
 * The `fraction` quantile of `values` by linear interpolation between closest
 * ranks: position `h = (n − 1) × fraction` in the sorted values (NumPy's
 * default, R type 7, Excel PERCENTILE.INC). Non-finite values are ignored.
 *
 * @param values The sample, in any order.
 * @param fraction 0 for the minimum, 0.5 for the median, 1 for the maximum.
 * @returns The quantile, or `null` for an empty sample.
 * @throws {RangeError} If `fraction` is outside [0, 1].
 *
 * @example The median and 95th percentile of 1..5
 * ```ts
 * import { percentile } from "./stats.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(percentile([5, 1, 3, 2, 4], 0.5), 3);
 * assert.equal(percentile([1, 2, 3, 4, 5], 0.95), 4.8);
 * assert.equal(percentile([], 0.5), null);
 * ```
 */
export function percentile(values: ArrayLike<number>, fraction: number): number | null {
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(
      `Cannot take percentile: fraction must be in [0, 1], received ${fraction}`,
    );
  }
  const finite = finiteCopy(values);
  return finite.length === 0 ? null : quantileInPlace(finite, fraction);
}

/**
 * The p50, p95 and maximum of `values` (see {@linkcode percentile}).
 *
 * @param values Durations in seconds.
 * @returns The three figures, or `null` for an empty sample.
 *
 * @example Eleven durations
 * ```ts
 * import { percentiles } from "./stats.ts";
 * import assert from "node:assert/strict";
 *
 * const result = percentiles([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
 * assert.deepEqual(result, { p50: 50, p95: 95, max: 100 });
 * ```
 */
export function percentiles(values: ArrayLike<number>): Percentiles | null {
  return percentilesInPlace(finiteCopy(values));
}

/** {@linkcode percentiles} of finite values the caller gives up (they are reordered). */
export function percentilesInPlace(finite: Float64Array): Percentiles | null {
  if (finite.length === 0) return null;
  return {
    p50: quantileInPlace(finite, 0.5),
    p95: quantileInPlace(finite, 0.95),
    max: quantileInPlace(finite, 1),
  };
}
