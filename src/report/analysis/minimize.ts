/**
 * The numeric minimisers the fits use: golden-section search in one dimension
 * and the Nelder–Mead simplex in several. Derivative-free, because the fits'
 * losses are cheap to evaluate but awkward to differentiate.
 *
 * @module
 */

/**
 * Golden-section search for the minimum of a unimodal `f` on [low, high].
 *
 * @param f The function to minimise, unimodal on the interval.
 * @param low The interval's lower end.
 * @param high The interval's upper end.
 * @returns Where `f` is smallest, to within about 1e-15 of the interval.
 *
 * @example The minimum of a parabola
 * ```ts
 * import { goldenSection } from "./minimize.ts";
 * import assert from "node:assert/strict";
 *
 * const x = goldenSection((x) => (x - 0.3) ** 2, 0, 1);
 * assert.ok(Math.abs(x - 0.3) < 1e-7);
 * ```
 */
export function goldenSection(f: (x: number) => number, low: number, high: number): number {
  const inverse = (Math.sqrt(5) - 1) / 2;
  let a = low;
  let b = high;
  let c = b - inverse * (b - a);
  let d = a + inverse * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < 200 && b - a > 1e-15; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - inverse * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + inverse * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

/**
 * Nelder–Mead simplex minimisation of `f` from `start`, with per-axis first steps.
 *
 * @param f The function to minimise.
 * @param start The first guess.
 * @param steps How far the first simplex reaches along each axis.
 * @returns The best vertex found (after 5000 iterations at most).
 *
 * @example The minimum of a bowl centred on (1, −2)
 * ```ts
 * import { nelderMead } from "./minimize.ts";
 * import assert from "node:assert/strict";
 *
 * const [x, y] = nelderMead(([x, y]) => (x - 1) ** 2 + 3 * (y + 2) ** 2, [0, 0], [0.5, 0.5]);
 * assert.ok(Math.abs(x - 1) < 1e-6 && Math.abs(y + 2) < 1e-6);
 * ```
 */
export function nelderMead(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  steps: readonly number[],
): number[] {
  const n = start.length;
  let simplex = [start.slice()];
  for (let i = 0; i < n; i++) {
    const vertex = start.slice();
    vertex[i] += steps[i];
    simplex.push(vertex);
  }
  let values = simplex.map(f);
  const combine = (a: readonly number[], b: readonly number[], t: number) =>
    a.map((x, i) => x + t * (b[i] - x));
  for (let iteration = 0; iteration < 5000; iteration++) {
    const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
    simplex = order.map((i) => simplex[i]);
    values = order.map((i) => values[i]);
    const size = Math.max(
      ...simplex.slice(1).map((v) => Math.max(...v.map((x, i) => Math.abs(x - simplex[0][i])))),
    );
    if (size < 1e-13) break;
    const centroid = Array.from(
      { length: n },
      (_, i) => simplex.slice(0, n).reduce((sum, v) => sum + v[i], 0) / n,
    );
    const worst = simplex[n];
    const reflected = combine(centroid, worst, -1);
    const fr = f(reflected);
    if (fr < values[0]) {
      const expanded = combine(centroid, worst, -2);
      const fe = f(expanded);
      [simplex[n], values[n]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < values[n - 1]) {
      [simplex[n], values[n]] = [reflected, fr];
    } else {
      const contracted = fr < values[n]
        ? combine(centroid, reflected, 0.5)
        : combine(centroid, worst, 0.5);
      const fc = f(contracted);
      if (fc < Math.min(fr, values[n])) {
        [simplex[n], values[n]] = [contracted, fc];
      } else {
        for (let i = 1; i <= n; i++) {
          simplex[i] = combine(simplex[0], simplex[i], 0.5);
          values[i] = f(simplex[i]);
        }
      }
    }
  }
  return simplex[values.indexOf(Math.min(...values))];
}
