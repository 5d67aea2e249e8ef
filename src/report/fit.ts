/**
 * Scaling models fitted to measured speed-ups: Amdahl's law and the Universal
 * Scalability Law (USL), by least squares on the speed-ups themselves, plus a
 * worker-count recommendation and a one-sentence explanation of the curve.
 *
 * Every speed-up here is relative to a baseline step with `baselineWorkers`
 * workers (the sweep's first step), so a sweep that starts at 2 workers is
 * modelled as such rather than pretending its first step had 1 worker.
 *
 * @module
 */
import type { StepAnalysis } from "./stats.ts";

/** A measured point: a worker count and its speed-up over the baseline step. */
export interface ScalingPoint {
  /** Workers in the step. */
  workers: number;
  /** Baseline seconds divided by this step's seconds. */
  speedup: number;
}

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

/** Options for {@linkcode explainScaling}. */
export interface ExplainOptions {
  /** Logical CPUs on the machine (`navigator.hardwareConcurrency`). */
  cpuCount?: number;
}

/**
 * The share of the best measured speed-up a smaller worker count must reach
 * to be recommended instead: 0.95, so 5% slower buys fewer workers.
 *
 * @example The share
 * ```ts
 * import { RECOMMEND_SHARE } from "./fit.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(RECOMMEND_SHARE, 0.95);
 * ```
 */
export const RECOMMEND_SHARE = 0.95;

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
 * import { amdahlSpeedup } from "./fit.ts";
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
 * import { uslSpeedup } from "./fit.ts";
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
 * import { rSquared } from "./fit.ts";
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

function sumOfSquares(points: readonly ScalingPoint[], model: (workers: number) => number): number {
  return points.reduce((sum, point) => sum + (point.speedup - model(point.workers)) ** 2, 0);
}

/** Golden-section search for the minimum of a unimodal `f` on [low, high]. */
function goldenSection(f: (x: number) => number, low: number, high: number): number {
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
 * import { amdahlSpeedup, fitAmdahl } from "./fit.ts";
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

/** Nelder–Mead simplex minimisation of `f` from `start`, with per-axis first steps. */
function nelderMead(
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
 * import { fitUsl, uslSpeedup } from "./fit.ts";
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

function measured<T extends { speedup: number | null }>(
  steps: readonly T[],
): (T & { speedup: number })[] {
  return steps.filter((step): step is T & { speedup: number } =>
    step.speedup !== null && step.speedup > 0 && Number.isFinite(step.speedup)
  );
}

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
 * import { recommendWorkers } from "./fit.ts";
 * import assert from "node:assert/strict";
 *
 * const steps = [[1, 1], [2, 1.95], [4, 2]].map(([workers, speedup]) => ({ workers, speedup }));
 * assert.equal(recommendWorkers(steps).workers, 2);
 * ```
 */
export function recommendWorkers(
  steps: readonly Pick<StepAnalysis, "workers" | "speedup">[],
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

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

/**
 * Explains in one plain sentence why the speed-up curve has its shape, from
 * the measured figures: near-linear, slower past a peak (with the USL's κ),
 * flattening (because of the job count, the core count, jobs slowing each
 * other down, or a serial fraction),
 * or rising with losses.
 *
 * @param analysis The sweep's analysis.
 * @param options The machine's logical CPU count, when known.
 * @returns One sentence ending in a period.
 *
 * @example Flattening at the core count
 * ```ts
 * import { explainScaling } from "./fit.ts";
 * import assert from "node:assert/strict";
 *
 * const steps = [[1, 1], [2, 1.98], [3, 1.99], [4, 2]].map(([workers, speedup]) => ({
 *   workers, speedup, efficiency: speedup / workers, jobCount: 16,
 * }));
 * const analysis = { steps, amdahl: { ok: false as const }, usl: { ok: false as const } };
 * assert.equal(
 *   explainScaling(analysis, { cpuCount: 2 }),
 *   "Speed-up flattens after 2 workers: this machine has 2 logical CPUs.",
 * );
 * ```
 */
export function explainScaling(
  analysis: {
    steps: readonly (
      & Pick<StepAnalysis, "workers" | "speedup" | "efficiency" | "jobCount">
      & Partial<Pick<StepAnalysis, "runSeconds">>
    )[];
    amdahl: Pick<AmdahlFit, "ok" | "serialFraction"> | Pick<FitFailure, "ok">;
    usl: Pick<UslFit, "ok" | "kappa"> | Pick<FitFailure, "ok">;
  },
  options: ExplainOptions = {},
): string {
  const usable = measured(analysis.steps)
    .slice().sort((a, b) => a.workers - b.workers);
  const counts = new Set(usable.map((step) => step.workers));
  if (counts.size < 2) {
    return usable.length === 0
      ? "No step took a measurable time, so there is no speed-up to explain."
      : `Only one worker count (${usable[0].workers}) was measured, so there is no scaling ` +
        "to explain.";
  }
  const fastest = usable.reduce((best, step) => step.speedup > best.speedup ? step : best);
  const last = usable[usable.length - 1];
  const { cpuCount } = options;

  if (last.workers > fastest.workers && last.speedup < RECOMMEND_SHARE * fastest.speedup) {
    const cost = analysis.usl.ok && "kappa" in analysis.usl && analysis.usl.kappa > 0
      ? ` (coherency cost κ=${formatParameter(analysis.usl.kappa)})`
      : "";
    return `Adding workers beyond ${fastest.workers} makes it slower: speed-up falls from ` +
      `${fastest.speedup.toFixed(2)}x to ${last.speedup.toFixed(2)}x at ${last.workers}${cost}.`;
  }
  if (usable.every((step) => (step.efficiency ?? 0) >= 0.9)) {
    return `Scaling is near-linear up to ${plural(last.workers, "worker")} ` +
      `(efficiency ${percent(last.efficiency ?? 0)}).`;
  }
  const knee = usable.find((step) => step.speedup >= RECOMMEND_SHARE * fastest.speedup) ?? fastest;
  if (knee.workers < last.workers) {
    const head = `Speed-up flattens after ${plural(knee.workers, "worker")}`;
    if (knee.jobCount <= knee.workers) {
      return `${head}: each step has only ${
        plural(knee.jobCount, "job")
      }, so more workers sit idle.`;
    }
    if (cpuCount !== undefined && cpuCount > 0 && cpuCount <= knee.workers) {
      return `${head}: this machine has ${plural(cpuCount, "logical CPU")}.`;
    }
    const runAtKnee = knee.runSeconds?.p50 ?? 0;
    const runAtLast = last.runSeconds?.p50 ?? 0;
    if (runAtKnee > 0 && runAtLast >= 1.5 * runAtKnee) {
      return `${head}: each job runs ${(runAtLast / runAtKnee).toFixed(1)}x longer at ` +
        `${plural(last.workers, "worker")} than at ${knee.workers}, so the workers compete ` +
        `for a shared resource (CPU, memory bandwidth).`;
    }
    if (analysis.amdahl.ok && "serialFraction" in analysis.amdahl) {
      const s = analysis.amdahl.serialFraction;
      return `${head}: about ${percent(s)} of the work behaves as serial ` +
        `(Amdahl s=${formatParameter(s)})` +
        (s > 0 ? `, capping speed-up near ${(1 / s).toFixed(1)}x.` : ".");
    }
    return `${head}: more workers add little (efficiency ${percent(last.efficiency ?? 0)} ` +
      `at ${last.workers}).`;
  }
  const why = cpuCount !== undefined && cpuCount > 0 && cpuCount < last.workers
    ? `: this machine has ${plural(cpuCount, "logical CPU")}`
    : analysis.amdahl.ok && "serialFraction" in analysis.amdahl
    ? `: about ${percent(analysis.amdahl.serialFraction)} of the work behaves as serial`
    : "";
  return `Speed-up keeps rising up to ${plural(last.workers, "worker")} but at ` +
    `${percent(last.efficiency ?? 0)} efficiency${why}.`;
}

/**
 * Formats a fitted parameter with 2 significant digits, without exponent
 * notation for the usual range (`0.03`, `0.0021`, `0.25`).
 *
 * @param value A parameter such as σ, κ or s.
 * @returns The short text.
 *
 * @example Two significant digits
 * ```ts
 * import { formatParameter } from "./fit.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatParameter(0.0300001), "0.03");
 * assert.equal(formatParameter(0.0021234), "0.0021");
 * assert.equal(formatParameter(0), "0");
 * ```
 */
export function formatParameter(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(2)));
}
