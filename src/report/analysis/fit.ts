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
import { amdahlSpeedup, rSquared, type ScalingPoint, uslThroughput } from "./models.ts";

/** Options for {@linkcode fitAmdahl} and {@linkcode fitUsl}. */
export interface FitOptions {
  /** Workers in the step the speed-ups are relative to. Default: the first point's workers. */
  baselineWorkers?: number;
}

/** Options for {@linkcode fitUsl}. */
export interface UslFitOptions extends FitOptions {
  /**
   * How the 1-worker capacity `γ` is found: `"baseline"` (default) makes the
   * model pass through the baseline step's measured speed-up of 1; `"free"`
   * fits it with σ and κ, as R's `usl` package does, so one noisy baseline
   * does not bend the whole curve. A free `γ` needs 5 or more worker counts.
   */
  gamma?: "baseline" | "free";
}

/**
 * The R² a fit needs before its parameters are quoted as an explanation or
 * its curve is drawn: below it the model leaves more than a tenth of the
 * variation in the speed-ups unexplained.
 *
 * @example A fit on exact Amdahl data passes
 * ```ts
 * import { CREDIBLE_R_SQUARED, fitAmdahl } from "./fit.ts";
 * import { amdahlSpeedup } from "./models.ts";
 * import assert from "node:assert/strict";
 *
 * const fit = fitAmdahl([1, 2, 4].map((workers) => ({ workers, speedup: amdahlSpeedup(workers, 0.2) })));
 * assert.ok(fit.ok && fit.rSquared >= CREDIBLE_R_SQUARED);
 * ```
 */
export const CREDIBLE_R_SQUARED = 0.9;

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
  /** The model's speed-up there, relative to the baseline step, for jobs that split evenly. */
  speedup: number;
}

/**
 * Amdahl's law fitted to the points: `S(p) = 1 / (s + (1 − s) / p)` with
 * `p` the point's ideal speed-up (`workers / baselineWorkers` when the jobs
 * split evenly, less when they split into uneven rounds) and `s` in [0, 1].
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
 * The Universal Scalability Law fitted to the points: speed-up
 * `S(N) = γ·N / (1 + σ(N − 1) + κN(N − 1))` with `σ, κ ≥ 0` (`N` in the
 * numerator becomes `baselineWorkers × idealSpeedup` when the jobs split into
 * uneven rounds). With `gamma: "baseline"`, `γ` makes `S(baselineWorkers) = 1`
 * (1 for a 1-worker baseline); with `gamma: "free"` it is fitted.
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
  /**
   * `γ`: the modelled speed-up of one worker over the baseline step, per worker
   * (`S(N) = γ·N / …`). Anchored, it is `1 / C(baselineWorkers)`; fitted free,
   * `γ · C(baselineWorkers)` above 1 means the baseline step measured slower
   * than the other steps imply.
   */
  gamma: number;
  /** How `γ` was found: through the baseline's measurement, or fitted free. */
  gammaMode: "baseline" | "free";
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

interface PreparedPoint {
  workers: number;
  speedup: number;
  idealSpeedup: number;
}

interface Prepared {
  points: PreparedPoint[];
  baselineWorkers: number;
  maxWorkers: number;
  minWorkers: number;
}

function prepare(
  model: "amdahl" | "usl",
  input: readonly ScalingPoint[],
  options: FitOptions,
  distinctNeeded: number,
  purpose = "",
): Prepared | FitFailure {
  const baselineWorkers = options.baselineWorkers ?? input[0]?.workers;
  if (baselineWorkers === undefined || !Number.isFinite(baselineWorkers) || baselineWorkers <= 0) {
    return { ok: false, model, reason: "needs a positive baseline worker count" };
  }
  const points = input.flatMap((point) => {
    const idealSpeedup = point.idealSpeedup ?? point.workers / baselineWorkers;
    return Number.isFinite(point.workers) && point.workers > 0 &&
        Number.isFinite(point.speedup) && point.speedup > 0 &&
        Number.isFinite(idealSpeedup) && idealSpeedup > 0
      ? [{ workers: point.workers, speedup: point.speedup, idealSpeedup }]
      : [];
  });
  const distinct = new Set(points.map((point) => point.workers)).size;
  if (distinct < distinctNeeded) {
    return {
      ok: false,
      model,
      reason: `needs speed-ups at ${distinctNeeded} or more worker counts${purpose}, ` +
        `received ${distinct}`,
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
 * Points with a non-positive or non-finite speed-up are left out. A point's
 * `idealSpeedup` (jobs split into uneven rounds) replaces its worker ratio, so
 * an uneven split is not read as serial work.
 *
 * @param points Measured (workers, speed-up) pairs, the baseline included.
 * @param options The baseline's worker count (default: the first point's).
 * @returns The fit, or a {@linkcode FitFailure} when fewer than three worker counts
 *   remain (with one parameter, two counts always fit exactly and say nothing).
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
 * assert.equal(fitAmdahl(points.slice(0, 2)).ok, false);
 * ```
 */
export function fitAmdahl(
  points: readonly ScalingPoint[],
  options: FitOptions = {},
): AmdahlFit | FitFailure {
  const prepared = prepare("amdahl", points, options, 3);
  if ("ok" in prepared) return prepared;
  const { baselineWorkers, maxWorkers } = prepared;
  const model = (point: PreparedPoint, s: number) => amdahlSpeedup(point.idealSpeedup, s);
  const loss = (s: number) =>
    prepared.points.reduce((sum, point) => sum + (point.speedup - model(point, s)) ** 2, 0);
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
  return {
    ok: true,
    model: "amdahl",
    baselineWorkers,
    serialFraction: s,
    rSquared: rSquared(
      prepared.points.map((point) => point.speedup),
      prepared.points.map((point) => model(point, s)),
    ),
    pointCount: prepared.points.length,
    speedupLimit: s > 0 ? 1 / s : null,
    predicted: {
      workers: 2 * maxWorkers,
      speedup: amdahlSpeedup(2 * maxWorkers, s, baselineWorkers),
    },
  };
}

/** `1 + σ(N − 1) + κN(N − 1)`: what the USL divides a worker count by. */
function uslDenominator(workers: number, sigma: number, kappa: number): number {
  return 1 + sigma * (workers - 1) + kappa * workers * (workers - 1);
}

/**
 * Fits the Universal Scalability Law to measured speed-ups by least squares
 * on the speed-ups. A coarse grid over (σ, κ) picks the start; Nelder–Mead
 * refines it over `σ = u²`, `κ = v²`, which keeps both non-negative without a
 * penalty; the search restarts from its answer until it stops improving.
 * With `gamma: "free"`, `γ` is not searched: for given σ and κ the model is
 * linear in it, so its least-squares value is solved for at every step.
 * A point's `idealSpeedup` (jobs split into uneven rounds) replaces its worker
 * ratio in the model's numerator.
 *
 * @param points Measured (workers, speed-up) pairs, the baseline included.
 * @param options The baseline's worker count (default: the first point's), and
 *   whether `γ` is anchored to the baseline (default) or fitted free.
 * @returns The fit, or a {@linkcode FitFailure} when fewer than three worker
 *   counts remain (five with a free `γ`).
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
 *
 * @example γ free: a slow baseline bends the curve less
 * ```ts
 * import { fitUsl } from "./fit.ts";
 * import { uslSpeedup } from "./models.ts";
 * import assert from "node:assert/strict";
 *
 * // The 1-worker step took 25% too long, so every other speed-up reads 1.25x too high.
 * const points = [1, 2, 4, 8, 16].map((workers) => ({
 *   workers,
 *   speedup: workers === 1 ? 1 : 1.25 * uslSpeedup(workers, 0.05, 0.002),
 * }));
 * const anchored = fitUsl(points);
 * const free = fitUsl(points, { gamma: "free" });
 * assert.ok(anchored.ok && free.ok);
 * assert.ok(free.gamma > 1.15, "the fit sees the baseline measured slow");
 * assert.ok(Math.abs(free.kappa - 0.002) < Math.abs(anchored.kappa - 0.002));
 * ```
 */
export function fitUsl(
  points: readonly ScalingPoint[],
  options: UslFitOptions = {},
): UslFit | FitFailure {
  const gammaMode = options.gamma ?? "baseline";
  const prepared = gammaMode === "free"
    ? prepare("usl", points, options, 5, " to fit γ free")
    : prepare("usl", points, options, 3);
  if ("ok" in prepared) return prepared;
  const { baselineWorkers, minWorkers, maxWorkers } = prepared;
  // What S(N) is before γ: the effective worker count over the USL's denominator.
  const shape = (point: PreparedPoint, sigma: number, kappa: number) =>
    baselineWorkers * point.idealSpeedup / uslDenominator(point.workers, sigma, kappa);
  const gammaFor = (sigma: number, kappa: number) => {
    if (gammaMode === "baseline") {
      return uslDenominator(baselineWorkers, sigma, kappa) / baselineWorkers;
    }
    let cross = 0;
    let square = 0;
    for (const point of prepared.points) {
      const g = shape(point, sigma, kappa);
      cross += point.speedup * g;
      square += g * g;
    }
    return cross / square;
  };
  const loss = (sigma: number, kappa: number) => {
    const gamma = gammaFor(sigma, kappa);
    return prepared.points.reduce(
      (sum, point) => sum + (point.speedup - gamma * shape(point, sigma, kappa)) ** 2,
      0,
    );
  };
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
  const gamma = gammaFor(sigma, kappa);
  const predict = (workers: number) => uslThroughput(workers, sigma, kappa, gamma);
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
    gamma,
    gammaMode,
    rSquared: rSquared(
      prepared.points.map((point) => point.speedup),
      prepared.points.map((point) => gamma * shape(point, sigma, kappa)),
    ),
    pointCount: prepared.points.length,
    peakWorkers,
    bestWorkers: predict(ceil) > predict(floor) ? ceil : floor,
    predicted: { workers: 2 * maxWorkers, speedup: predict(2 * maxWorkers) },
  };
}
