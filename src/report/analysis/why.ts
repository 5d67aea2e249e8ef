/**
 * Why a sweep's efficiency is what it is, step by step: the efficiency
 * breakdown ({@linkcode efficiencyBreakdown}), the batch's own bound
 * ({@linkcode batchBound}) and, with three or more repeats, an interval for
 * each speed-up and the recommendation within noise
 * ({@linkcode recommendWithinNoise}). It joins the pure modules for the
 * formats; data in, values and sentences out.
 *
 * With repeats, a step's breakdown and bound come from its median run (the
 * run whose time is closest to the median; with an odd count it is the median
 * itself), so the factors multiply to that run's efficiency against the
 * baseline's median run.
 *
 * @module
 */
import { workersInFlight } from "../../text.ts";
import type { SweepStep } from "../../types.ts";
import { type BatchBound, batchBound, describeBound, startedJobSeconds } from "./bound.ts";
import { type EfficiencyBreakdown, efficiencyBreakdown } from "./breakdown.ts";
import {
  type Interval,
  MIN_REPEATS,
  type NoiseRecommendation,
  recommendWithinNoise,
  speedupIntervals,
} from "./confidence.ts";

/** What {@linkcode analyzeWhy} reads of each step (a `SweepStep` has all of it). */
export type WhySourceStep =
  & Pick<SweepStep, "workers" | "seconds" | "jobs">
  & Partial<Pick<SweepStep, "concurrency" | "repeat">>;

/** One worker count's why: its breakdown, its bound and its speed-up interval. */
export interface WhyStep {
  /** Workers in the step. */
  workers: number;
  /** Jobs in flight per worker (1: one at a time). */
  concurrency: number;
  /** Which run the breakdown and the bound come from (the median run), 1-based. */
  repeat: number;
  /** Load balance × dispatch × computation; `undefined` when the step took no measurable time. */
  breakdown?: EfficiencyBreakdown;
  /** The batch's own bound at this worker count, from the run's job times. */
  bound: BatchBound;
  /** The bound beside the measurement, in sentences. */
  boundLines: string[];
  /** The speed-up's bootstrap interval (95%), with three or more repeats. */
  interval?: Interval;
}

/** What {@linkcode analyzeWhy} found for a whole sweep. */
export interface SweepWhy {
  /** One entry per worker count, in the order they first ran. */
  steps: WhyStep[];
  /** How the intervals were made, when there are any. */
  intervalMethod?: string;
  /** The recommendation within noise, with three or more repeats. */
  noise?: NoiseRecommendation;
}

/** Options for {@linkcode analyzeWhy}. */
export interface WhyOptions {
  /** The CPUs this process can use: named when the workers outnumber them. */
  cpus?: number;
}

/** How the speed-up intervals are made, as the outputs say it. */
export const INTERVAL_METHOD =
  "95% percentile bootstrap of the median speed-up over repeats (paired by run, 2000 resamples)";

function medianRun<T extends WhySourceStep>(runs: readonly T[]): T {
  const sorted = runs.map((run) => run.seconds).sort((a, b) => a - b);
  const middle = sorted.length % 2 === 1
    ? sorted[(sorted.length - 1) / 2]
    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return runs.reduce((best, run) =>
    Math.abs(run.seconds - middle) < Math.abs(best.seconds - middle) ? run : best
  );
}

/**
 * The why of a sweep: each worker count's efficiency breakdown against the
 * first worker count, the batch's bound, and with at least
 * {@linkcode MIN_REPEATS} repeats the speed-up intervals and the
 * recommendation within noise. The inline step (0 workers) is left out, as it
 * is from the scaling analysis.
 *
 * @param sweepSteps Every step the sweep yielded (all repeats), in order.
 * @param options The CPUs this process can use.
 * @returns One entry per worker count, and the recommendation within noise when there are repeats.
 *
 * @example Sixteen 250 ms jobs on 1 and 5 workers: balance lost most at 5
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeWhy } from "./why.ts";
 * import { jobRecords } from "../../step/job_records.ts";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, repeat: 1,
 *   jobs: jobRecords(Array.from({ length: 16 }, (_, i) => ({
 *     jobId: `j${i}`, jobNumber: i + 1, workerId: `w${i % workers}`, status: "done" as const,
 *     elapsedSeconds: 0.25, waitSeconds: 0,
 *   }))),
 * });
 * const why = analyzeWhy([step(1, 4), step(5, 1)]);
 * assert.equal(why.steps[1].breakdown?.lostMost, "balance");
 * assert.equal(why.steps[1].bound.best, 1);
 * assert.equal(why.noise, undefined);
 * ```
 */
export function analyzeWhy(
  sweepSteps: readonly WhySourceStep[],
  options: WhyOptions = {},
): SweepWhy {
  const workerSteps = sweepSteps.filter((step) => step.workers > 0);
  // One group per configuration: worker count and jobs in flight.
  const groups = new Map<string, WhySourceStep[]>();
  for (const step of workerSteps) {
    const key = `${step.workers}x${step.concurrency ?? 1}`;
    const group = groups.get(key);
    if (group) group.push(step);
    else groups.set(key, [step]);
  }
  const medians = [...groups.values()].map(medianRun);
  // The intervals are a thread-axis figure: only for a sweep at one jobs-in-flight value.
  const oneInFlight = new Set(workerSteps.map((step) => step.concurrency ?? 1)).size <= 1;
  const repeated = [...groups.values()].every((group) => group.length >= MIN_REPEATS) &&
    groups.size > 0 && oneInFlight;
  let intervals: Map<number, Interval> | undefined;
  let noise: NoiseRecommendation | undefined;
  if (repeated) {
    try {
      const estimates = speedupIntervals(
        workerSteps.map((step) => ({ ...step, repeat: step.repeat ?? 1 })),
      );
      intervals = new Map(estimates.map((estimate) => [estimate.workers, estimate.interval]));
      noise = recommendWithinNoise(estimates);
    } catch {
      // A run with too few repeats paired with the baseline (an interrupted sweep): no intervals.
    }
  }
  const baseline = medians[0];
  const steps = medians.map((run): WhyStep => {
    const jobSeconds = startedJobSeconds(run.jobs);
    const slots = Math.max(1, run.workers) * (run.concurrency ?? 1);
    const bound = batchBound(jobSeconds, slots);
    let breakdown: EfficiencyBreakdown | undefined;
    try {
      breakdown = efficiencyBreakdown(run, baseline, { cpus: options.cpus });
    } catch {
      // A step (or the baseline) with no measurable time or no job time: no breakdown.
    }
    return {
      workers: run.workers,
      concurrency: run.concurrency ?? 1,
      repeat: run.repeat ?? 1,
      breakdown,
      bound,
      boundLines: describeBound(bound, run.seconds, jobSeconds),
      interval: intervals?.get(run.workers),
    };
  });
  return {
    steps,
    ...(intervals ? { intervalMethod: INTERVAL_METHOD } : {}),
    ...(noise ? { noise } : {}),
  };
}

/**
 * The step whose breakdown tells most: the one with the lowest measured
 * efficiency past the baseline (the last one on a tie).
 *
 * @param why What {@linkcode analyzeWhy} found.
 * @returns That step, or `undefined` when no step past the baseline has a breakdown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeWhy, worstStep } from "./why.ts";
 *
 * assert.equal(worstStep(analyzeWhy([])), undefined);
 * ```
 */
export function worstStep(why: SweepWhy): WhyStep | undefined {
  let worst: WhyStep | undefined;
  for (const step of why.steps.slice(1)) {
    if (!step.breakdown) continue;
    if (!worst || step.breakdown.measured <= worst.breakdown!.measured) worst = step;
  }
  return worst;
}

/**
 * The lines the table and Markdown outputs print under the step table in
 * place of the old overhead line: the breakdown of the step that lost most
 * (end-of-step idling is imbalance, not dispatch), with its bound. The
 * recommendation within noise is the recommendation line itself.
 *
 * @param why What {@linkcode analyzeWhy} found.
 * @returns The lines, without final periods (empty when there is nothing to say).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeWhy, describeWhy } from "./why.ts";
 *
 * assert.deepEqual(describeWhy(analyzeWhy([])), []);
 * ```
 */
export function describeWhy(why: SweepWhy): string[] {
  const lines: string[] = [];
  const worst = worstStep(why);
  if (worst?.breakdown) {
    const capped = worst.breakdown.counted === "run time"
      ? ""
      : " (useful time: each worker's job run time capped at the step time, as jobs overlap)";
    lines.push(`Why: ${worst.breakdown.sentence}${capped}`);
    lines.push(`Bound at ${workersInFlight(worst)}: ${worst.boundLines.join("; ")}`);
  }
  return lines;
}
