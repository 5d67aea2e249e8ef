/**
 * Scaling models fitted to measured speed-ups: Amdahl's law and the Universal
 * Scalability Law (USL), by least squares on the speed-ups themselves (the
 * models are in `models.ts`, the minimisers in `minimize.ts`).
 *
 * Every speed-up here is relative to a baseline step with `baselineWorkers`
 * workers (the sweep's first step), so a sweep that starts at 2 workers is
 * modelled as such rather than pretending its first step had 1 worker.
 *
 * @module
 */
import { goldenSection, nelderMead } from "./minimize.ts";
import { amdahlSpeedup, rSquared, type ScalingPoint, sumOfSquares, uslSpeedup } from "./models.ts";

/** Options for {@linkcode fitAmdahl} and {@linkcode fitUsl}. */
export interface FitOptions {
  /** Workers in the step the speed-ups are relative to. Default: the first point's workers. */
  baselineWorkers?: number;
}

/** Why a model could not be fitted (too few points, no usable times). */
export interface FitFailure {
  /** Always `false`: no parameters. */
  ok: false;
  /** Which model was asked for. */
  model: "amdahl" | "usl";
  /** What was missing, as a phrase ("needs speed-ups at 3 or more worker counts, received 2"). */
  reason: string;
}

/** A model's speed-up at a worker count it was not measured at. */
export interface Prediction {
  /** The worker count (twice the largest measured one). */
  workers: number;
  /** The model's speed-up there, relative to the baseline step. */
  speedup: number;
}

/**
 * Amdahl's law fitted to the points: `S(p) = 1 / (s + (1 − s) / p)` with
 * `p = workers / baselineWorkers` and `s` in [0, 1].
 */
export interface AmdahlFit {
  /** Always `true`. */
  ok: true;
  /** Always `"amdahl"`. */
  model: "amdahl";
  /** Workers in the baseline step. */
  baselineWorkers: number;
  /** `s`: the serial share of the baseline step's time, 0 to 1. */
  serialFraction: number;
  /** Coefficient of determination on the speed-ups (1 is a perfect fit). */
  rSquared: number;
  /** How many points the fit used. */
  pointCount: number;
  /** `1 / s`, the speed-up no worker count can pass; `null` when `s` is 0. */
  speedupLimit: number | null;
  /** The model's speed-up at twice the largest measured worker count. */
  predicted: Prediction;
}

/**
 * The Universal Scalability Law fitted to the points: relative capacity
 * `C(N) = N / (1 + σ(N − 1) + κN(N − 1))`, speed-up `C(N) / C(baselineWorkers)`,
 * with `σ, κ ≥ 0`.
 */
export interface UslFit {
  /** Always `true`. */
  ok: true;
  /** Always `"usl"`. */
  model: "usl";
  /** Workers in the baseline step. */
  baselineWorkers: number;
  /** `σ`: contention, the cost of queueing for a shared resource. */
  sigma: number;
  /** `κ`: coherency, the cost of workers keeping each other in step (grows with N²). */
  kappa: number;
  /** Coefficient of determination on the speed-ups (1 is a perfect fit). */
  rSquared: number;
  /** How many points the fit used. */
  pointCount: number;
  /**
   * `N* = sqrt((1 − σ) / κ)`, where the model's speed-up peaks; 1 when `σ ≥ 1`;
   * `null` when `κ` is 0 and `σ < 1` (the model never turns down).
   */
  peakWorkers: number | null;
  /** The whole worker count the model likes best, within the measured range. */
  bestWorkers: number;
  /** The model's speed-up at twice the largest measured worker count. */
  predicted: Prediction;
}

interface Prepared {
  points: ScalingPoint[];
  baselineWorkers: number;
  maxWorkers: number;
  minWorkers: number;
}

function prepare(
  model: "amdahl" | "usl",
  input: readonly ScalingPoint[],
  options: FitOptions,
  distinctNeeded: number,
): Prepared | FitFailure {
  const points = input.filter((point) =>
    Number.isFinite(point.workers) && point.workers > 0 &&
    Number.isFinite(point.speedup) && point.speedup > 0
  );
  const baselineWorkers = options.baselineWorkers ?? input[0]?.workers;
  if (baselineWorkers === undefined || !Number.isFinite(baselineWorkers) || baselineWorkers <= 0) {
    return { ok: false, model, reason: "needs a positive baseline worker count" };
  }
  const distinct = new Set(points.map((point) => point.workers)).size;
  if (distinct < distinctNeeded) {
    return {
      ok: false,
      model,
      reason: `needs speed-ups at ${distinctNeeded} or more worker counts, received ${distinct}`,
    };
  }
  const counts = points.map((point) => point.workers);
  return {
    points,
    baselineWorkers,
    maxWorkers: Math.max(...counts),
    minWorkers: Math.min(...counts),
  };
}

/**
 * Fits Amdahl's law to measured speed-ups by least squares on the speed-ups:
 * a grid over `s` in [0, 1] finds the basin, golden-section search refines it.
 * Points with a non-positive or non-finite speed-up are left out.
 *
 * @param points Measured (workers, speed-up) pairs, the baseline included.
 * @param options The baseline's worker count (default: the first point's).
 * @returns The fit, or a {@linkcode FitFailure} when fewer than two worker counts remain.
 *
 * @example Recover a serial fraction of 0.1
 * ```ts
 * import { fitAmdahl } from "./fit.ts";
 * import { amdahlSpeedup } from "./models.ts";
 * import assert from "node:assert/strict";
 *
 * const points = [1, 2, 4, 8].map((workers) => ({ workers, speedup: amdahlSpeedup(workers, 0.1) }));
 * const fit = fitAmdahl(points);
 * assert.ok(fit.ok);
 * assert.ok(Math.abs(fit.serialFraction - 0.1) < 1e-6);
 * assert.equal(fitAmdahl([{ workers: 1, speedup: 1 }]).ok, false);
 * ```
 */
export function fitAmdahl(
  points: readonly ScalingPoint[],
  options: FitOptions = {},
): AmdahlFit | FitFailure {
  const prepared = prepare("amdahl", points, options, 2);
  if ("ok" in prepared) return prepared;
  const { baselineWorkers, maxWorkers } = prepared;
  const loss = (s: number) =>
    sumOfSquares(prepared.points, (workers) => amdahlSpeedup(workers, s, baselineWorkers));
  // The loss is smooth but not guaranteed unimodal on [0, 1] (points below the
  // baseline bend it), so a grid picks the basin before the golden section.
  const gridSize = 200;
  let best = 0;
  for (let i = 1; i <= gridSize; i++) {
    if (loss(i / gridSize) < loss(best / gridSize)) best = i;
  }
  const low = Math.max(0, (best - 1) / gridSize);
  const high = Math.min(1, (best + 1) / gridSize);
  let s = goldenSection(loss, low, high);
  for (const edge of [low, high]) if (loss(edge) < loss(s)) s = edge;
  const fitted = prepared.points.map((point) => amdahlSpeedup(point.workers, s, baselineWorkers));
  return {
    ok: true,
    model: "amdahl",
    baselineWorkers,
    serialFraction: s,
    rSquared: rSquared(prepared.points.map((point) => point.speedup), fitted),
    pointCount: prepared.points.length,
    speedupLimit: s > 0 ? 1 / s : null,
    predicted: {
      workers: 2 * maxWorkers,
      speedup: amdahlSpeedup(2 * maxWorkers, s, baselineWorkers),
    },
  };
}

/**
 * Fits the Universal Scalability Law to measured speed-ups by least squares
 * on the speed-ups. A coarse grid over (σ, κ) picks the start; Nelder–Mead
 * refines it over `σ = u²`, `κ = v²`, which keeps both non-negative without a
 * penalty; the search restarts from its answer until it stops improving.
 *
 * @param points Measured (workers, speed-up) pairs, the baseline included.
 * @param options The baseline's worker count (default: the first point's).
 * @returns The fit, or a {@linkcode FitFailure} when fewer than three worker counts remain.
 *
 * @example Recover σ = 0.05 and κ = 0.002
 * ```ts
 * import { fitUsl } from "./fit.ts";
 * import { uslSpeedup } from "./models.ts";
 * import assert from "node:assert/strict";
 *
 * const points = [1, 2, 4, 8, 16].map((workers) => ({
 *   workers,
 *   speedup: uslSpeedup(workers, 0.05, 0.002),
 * }));
 * const fit = fitUsl(points);
 * assert.ok(fit.ok);
 * assert.ok(Math.abs(fit.sigma - 0.05) < 1e-6 && Math.abs(fit.kappa - 0.002) < 1e-6);
 * assert.equal(fit.bestWorkers, 16);
 * ```
 */
export function fitUsl(
  points: readonly ScalingPoint[],
  options: FitOptions = {},
): UslFit | FitFailure {
  const prepared = prepare("usl", points, options, 3);
  if ("ok" in prepared) return prepared;
  const { baselineWorkers, minWorkers, maxWorkers } = prepared;
  const loss = (sigma: number, kappa: number) =>
    sumOfSquares(
      prepared.points,
      (workers) => uslSpeedup(workers, sigma, kappa, baselineWorkers),
    );
  let start = [0, 0];
  for (const sigma of [0, 0.001, 0.01, 0.03, 0.1, 0.3, 0.6, 1]) {
    for (const kappa of [0, 1e-5, 1e-4, 1e-3, 0.003, 0.01, 0.03, 0.1, 0.3]) {
      if (loss(sigma, kappa) < loss(start[0], start[1])) start = [sigma, kappa];
    }
  }
  const squared = (x: readonly number[]) => loss(x[0] * x[0], x[1] * x[1]);
  let uv = [Math.sqrt(start[0]), Math.sqrt(start[1])];
  for (let restart = 0; restart < 5; restart++) {
    const before = squared(uv);
    uv = nelderMead(squared, uv, [0.05 + uv[0] / 4, 0.01 + uv[1] / 4]);
    if (squared(uv) >= before && restart > 0) break;
  }
  // The square root parametrisation approaches a zero parameter without
  // reaching it (κ = 2e-16 would put the peak at 6e7 workers), so a term that
  // moves the denominator by less than 1e-9 at the largest count becomes 0.
  const negligible = 1e-9;
  const sigma = uv[0] * uv[0] * (maxWorkers - 1) < negligible ? 0 : uv[0] * uv[0];
  const kappa = uv[1] * uv[1] * maxWorkers * (maxWorkers - 1) < negligible ? 0 : uv[1] * uv[1];
  const predict = (workers: number) => uslSpeedup(workers, sigma, kappa, baselineWorkers);
  const peakWorkers = sigma >= 1 ? 1 : kappa > 0 ? Math.sqrt((1 - sigma) / kappa) : null;
  const target = Math.min(maxWorkers, Math.max(minWorkers, peakWorkers ?? maxWorkers));
  const floor = Math.max(minWorkers, Math.floor(target));
  const ceil = Math.min(maxWorkers, Math.ceil(target));
  return {
    ok: true,
    model: "usl",
    baselineWorkers,
    sigma,
    kappa,
    rSquared: rSquared(
      prepared.points.map((point) => point.speedup),
      prepared.points.map((p) => predict(p.workers)),
    ),
    pointCount: prepared.points.length,
    peakWorkers,
    bestWorkers: predict(ceil) > predict(floor) ? ceil : floor,
    predicted: { workers: 2 * maxWorkers, speedup: predict(2 * maxWorkers) },
  };
}
