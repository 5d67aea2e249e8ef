/**
 * Confidence where a sweep has repeats: a percentile-bootstrap interval for
 * each configuration's speed-up, whether two configurations can be told
 * apart, and the recommendation that follows: the fewest workers whose
 * speed-up cannot be told apart from the best. Deterministic: the bootstrap
 * draws from a fixed-seed generator, so the same steps give the same intervals.
 *
 * @module
 */
import { plural } from "../../text.ts";
import type { SweepStep } from "../../types.ts";

/** A closed interval `[low, high]`. */
export interface Interval {
  /** The lower end. */
  low: number;
  /** The upper end. */
  high: number;
}

/** Options for {@linkcode bootstrapInterval} and {@linkcode speedupIntervals}. */
export interface BootstrapOptions {
  /** The interval's coverage, between 0 and 1; default 0.95. */
  confidence?: number;
  /** How many resamples; default 2000. */
  resamples?: number;
  /** The generator's seed; default 1. */
  seed?: number;
  /** The statistic of a sample; default the median. */
  statistic?: (samples: readonly number[]) => number;
}

/** The fewest repeats an interval is given for. */
export const MIN_REPEATS = 3;

/** Default coverage of an interval. */
export const DEFAULT_CONFIDENCE = 0.95;

/** Default number of bootstrap resamples: enough for stable 2.5% tails. */
export const DEFAULT_RESAMPLES = 2000;

/** Default seed of the bootstrap's generator. */
export const DEFAULT_SEED = 1;

/** 2^32, to turn a 32-bit integer into a number in [0, 1). */
const UINT32_RANGE = 4294967296;

/** Mulberry32: a small, fast, seeded 32-bit generator; plenty for resampling indices. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / UINT32_RANGE;
  };
}

/**
 * The median of a list (the mean of the middle two for an even count).
 *
 * @param samples The values (not changed).
 * @returns Their median (`NaN` for none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { median } from "./confidence.ts";
 *
 * assert.equal(median([3, 1, 2, 10]), 2.5);
 * ```
 */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(
      `Cannot compute an interval: confidence must be between 0 and 1, received ${confidence}`,
    );
  }
}

/** The value at quantile `q` of sorted values, by nearest rank. */
function sortedQuantile(sorted: Float64Array, q: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/**
 * A percentile-bootstrap interval for a statistic (default the median) of a
 * sample: resample with replacement from a seeded generator, take the
 * statistic of each resample, and read the interval's tails off their
 * distribution by nearest rank.
 *
 * @param samples At least {@linkcode MIN_REPEATS} values (one per repeat).
 * @param options Coverage, resamples, seed and statistic.
 * @returns The interval.
 * @throws {RangeError} With fewer than three samples, or a coverage outside (0, 1).
 *
 * @example The same sample gives the same interval
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrapInterval } from "./confidence.ts";
 *
 * const first = bootstrapInterval([1.9, 2.0, 2.1, 2.0, 2.05]);
 * assert.deepEqual(bootstrapInterval([1.9, 2.0, 2.1, 2.0, 2.05]), first);
 * assert.ok(first.low >= 1.9 && first.low <= 2.0 && first.high >= 2.0 && first.high <= 2.1);
 * ```
 */
export function bootstrapInterval(
  samples: readonly number[],
  options: BootstrapOptions = {},
): Interval {
  if (samples.length < MIN_REPEATS) {
    throw new RangeError(
      `Cannot compute an interval: at least ${MIN_REPEATS} samples are needed, received ${samples.length}`,
    );
  }
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  checkConfidence(confidence);
  const statistic = options.statistic ?? median;
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const random = seededRandom(options.seed ?? DEFAULT_SEED);
  const n = samples.length;
  const draw = new Array<number>(n);
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) draw[i] = samples[Math.floor(random() * n)];
    stats[r] = statistic(draw);
  }
  stats.sort();
  const tail = (1 - confidence) / 2;
  return { low: sortedQuantile(stats, tail), high: sortedQuantile(stats, 1 - tail) };
}

/**
 * A percentile-bootstrap interval for the ratio of a statistic (default the
 * median) of two independent samples, `statistic(after) ÷ statistic(before)`:
 * each is resampled on its own, from one seeded generator.
 *
 * @param before At least {@linkcode MIN_REPEATS} values (the saved run's times).
 * @param after At least {@linkcode MIN_REPEATS} values (the new run's times).
 * @param options Coverage, resamples, seed and statistic.
 * @returns The interval of the ratio.
 * @throws {RangeError} With fewer than three values on either side, or a coverage outside (0, 1).
 *
 * @example The same times: an interval around 1
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrapRatioInterval } from "./confidence.ts";
 *
 * const times = [1.0, 1.02, 0.98, 1.01, 0.99];
 * const interval = bootstrapRatioInterval(times, times);
 * assert.ok(interval.low < 1 && interval.high > 1);
 * ```
 */
export function bootstrapRatioInterval(
  before: readonly number[],
  after: readonly number[],
  options: BootstrapOptions = {},
): Interval {
  const fewest = Math.min(before.length, after.length);
  if (fewest < MIN_REPEATS) {
    throw new RangeError(
      `Cannot compute an interval: at least ${MIN_REPEATS} samples are needed on each side, received ${fewest}`,
    );
  }
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  checkConfidence(confidence);
  const statistic = options.statistic ?? median;
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const random = seededRandom(options.seed ?? DEFAULT_SEED);
  const resample = (samples: readonly number[], draw: number[]): number[] => {
    for (let i = 0; i < samples.length; i++) {
      draw[i] = samples[Math.floor(random() * samples.length)];
    }
    return draw;
  };
  const beforeDraw = new Array<number>(before.length);
  const afterDraw = new Array<number>(after.length);
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    const low = statistic(resample(before, beforeDraw));
    stats[r] = statistic(resample(after, afterDraw)) / low;
  }
  stats.sort();
  const tail = (1 - confidence) / 2;
  return { low: sortedQuantile(stats, tail), high: sortedQuantile(stats, 1 - tail) };
}

/**
 * Whether two intervals can be told apart: they do not overlap.
 *
 * @param a One interval.
 * @param b The other.
 * @returns `true` when one lies wholly above the other.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { distinguishable } from "./confidence.ts";
 *
 * assert.equal(distinguishable({ low: 1, high: 2 }, { low: 1.5, high: 3 }), false);
 * assert.equal(distinguishable({ low: 1, high: 2 }, { low: 2.5, high: 3 }), true);
 * ```
 */
export function distinguishable(a: Interval, b: Interval): boolean {
  return a.high < b.low || b.high < a.low;
}

/** What {@linkcode speedupIntervals} reads from each step (a `SweepStep` has all of it). */
export interface ConfidenceStep extends Pick<SweepStep, "workers" | "seconds" | "repeat"> {
  /** Jobs in flight per worker; absent means 1. */
  concurrency?: number;
}

/** One configuration's speed-up over the sweep's first, with its interval. */
export interface SpeedupEstimate {
  /** Workers (0 = inline). */
  workers: number;
  /** Jobs in flight per worker. */
  concurrency: number;
  /** The median of the per-repeat speed-ups. */
  speedup: number;
  /** The per-repeat speed-ups: the first configuration's time ÷ this one's, in the same repeat. */
  samples: number[];
  /** The bootstrap interval of the median speed-up. */
  interval: Interval;
}

function configKey(workers: number, concurrency: number | undefined): string {
  return `${workers}×${concurrency ?? 1}`;
}

/**
 * A speed-up interval for each configuration (workers and jobs in flight) of
 * a sweep with repeats. Speed-ups are paired by repeat (the first
 * configuration's time in repeat r ÷ this configuration's time in repeat r),
 * so drift between repeats cancels; the interval is a percentile bootstrap of
 * their median ({@linkcode bootstrapInterval}), not a rank-based one.
 *
 * @param steps Every step of the sweep, every repeat; the first step's configuration is the baseline.
 * @param options Coverage, resamples and seed.
 * @returns One estimate per configuration, in the order they first appear.
 * @throws {RangeError} When a configuration has fewer than three repeats paired with the baseline.
 *
 * @example Three repeats of 1 and 2 workers
 * ```ts
 * import assert from "node:assert/strict";
 * import { speedupIntervals } from "./confidence.ts";
 *
 * const steps = [1, 2, 3].flatMap((repeat) => [
 *   { workers: 1, seconds: 2, repeat },
 *   { workers: 2, seconds: 1, repeat },
 * ]);
 * const [one, two] = speedupIntervals(steps);
 * assert.equal(one.speedup, 1);
 * assert.deepEqual(two.interval, { low: 2, high: 2 });
 * ```
 */
export function speedupIntervals(
  steps: readonly ConfidenceStep[],
  options: BootstrapOptions = {},
): SpeedupEstimate[] {
  if (steps.length === 0) return [];
  const baseKey = configKey(steps[0].workers, steps[0].concurrency);
  const baseByRepeat = new Map<number, number>();
  const groups = new Map<string, ConfidenceStep[]>();
  for (const step of steps) {
    const key = configKey(step.workers, step.concurrency);
    if (key === baseKey) baseByRepeat.set(step.repeat, step.seconds);
    const group = groups.get(key);
    if (group) group.push(step);
    else groups.set(key, [step]);
  }
  return [...groups.values()].map((group) => {
    const samples: number[] = [];
    for (const step of group) {
      const base = baseByRepeat.get(step.repeat);
      if (base !== undefined && step.seconds > 0) samples.push(base / step.seconds);
    }
    const { workers, concurrency } = group[0];
    if (samples.length < MIN_REPEATS) {
      throw new RangeError(
        `Cannot give a speed-up interval: ${configLabel(workers, concurrency ?? 1)} has ${
          plural(samples.length, "repeat")
        } paired with the first step, at least ${MIN_REPEATS} are needed`,
      );
    }
    return {
      workers,
      concurrency: concurrency ?? 1,
      speedup: median(samples),
      samples,
      interval: bootstrapInterval(samples, options),
    };
  });
}

/** "inline", "4 workers", "4 workers × 2 in flight". */
function configLabel(workers: number, concurrency: number): string {
  const base = workers === 0 ? "inline" : plural(workers, "worker");
  return concurrency > 1 ? `${base} × ${concurrency} in flight` : base;
}

/** "a", "a and b", "a, b and c". */
function listWords(words: readonly string[]): string {
  return words.length <= 1
    ? words.join("")
    : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** What {@linkcode recommendWithinNoise} chose. */
export interface NoiseRecommendation {
  /** The fewest workers (then fewest in flight) whose interval overlaps the best's. */
  choice: SpeedupEstimate;
  /** The configuration with the highest median speed-up. */
  best: SpeedupEstimate;
  /** Every configuration that cannot be told apart from the best (the best included), cheapest first. */
  withinNoise: SpeedupEstimate[];
  /** One sentence: "2 and 4 workers are within noise; 2 is cheaper". */
  sentence: string;
}

function cost(estimate: SpeedupEstimate): number {
  return Math.max(1, estimate.workers) * estimate.concurrency;
}

/**
 * The recommendation with repeats: the fewest workers whose speed-up cannot be
 * told apart from the best one's (their intervals overlap), and a sentence
 * that says so when two or more counts are within noise.
 *
 * @param estimates What {@linkcode speedupIntervals} returned.
 * @returns The choice, the best, the counts within noise and one sentence.
 * @throws {RangeError} When there is no estimate.
 *
 * @example 2 and 4 workers tie
 * ```ts
 * import assert from "node:assert/strict";
 * import { recommendWithinNoise } from "./confidence.ts";
 *
 * const estimate = (workers: number, speedup: number, low: number, high: number) => ({
 *   workers, concurrency: 1, speedup, samples: [], interval: { low, high },
 * });
 * const recommendation = recommendWithinNoise([
 *   estimate(1, 1, 1, 1), estimate(2, 1.9, 1.8, 2.0), estimate(4, 1.95, 1.85, 2.1),
 * ]);
 * assert.equal(recommendation.choice.workers, 2);
 * assert.equal(recommendation.sentence, "2 and 4 workers are within noise; 2 is cheaper");
 * ```
 */
export function recommendWithinNoise(estimates: readonly SpeedupEstimate[]): NoiseRecommendation {
  if (estimates.length === 0) {
    throw new RangeError("Cannot recommend a worker count: no speed-up estimates, received 0");
  }
  const best = estimates.reduce((top, next) => next.speedup > top.speedup ? next : top);
  const withinNoise = estimates
    .filter((estimate) => !distinguishable(estimate.interval, best.interval))
    .sort((a, b) => cost(a) - cost(b) || a.workers - b.workers);
  const choice = withinNoise[0];
  let sentence: string;
  if (withinNoise.length === 1) {
    sentence = `${configLabel(best.workers, best.concurrency)}: faster than every other ` +
      `count beyond noise`;
  } else {
    const plain = withinNoise.every((estimate) =>
      estimate.concurrency === 1 && estimate.workers > 0
    );
    const names = plain
      ? `${listWords(withinNoise.map((estimate) => String(estimate.workers)))} workers`
      : listWords(
        withinNoise.map((estimate) => configLabel(estimate.workers, estimate.concurrency)),
      );
    const cheaper = plain
      ? String(choice.workers)
      : configLabel(choice.workers, choice.concurrency);
    sentence = `${names} are within noise; ${cheaper} is cheaper`;
  }
  return { choice, best, withinNoise, sentence };
}
