/**
 * Samples of job times read from a step's job records without making an
 * object per job, and their quantiles without sorting them: Hoare's selection
 * (quickselect) per quantile, O(n) on average. Ten million job times take well
 * under a second, where a full sort took seconds. Private to `src/report/`:
 * `stats.ts` uses it.
 *
 * @module
 */
import type { JobRecords } from "../types.ts";

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
