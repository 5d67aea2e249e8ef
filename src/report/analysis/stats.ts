/**
 * Per-step scaling figures from measured sweep steps: speed-up, efficiency,
 * the Karp–Flatt serial fraction, job wait and run time percentiles, worker
 * utilisation and peak RSS; repeated runs combined by their median; and the
 * whole sweep analysed with Amdahl and USL fits and a recommendation.
 *
 * Definitions, with `b` the first (baseline) step's workers and `N` a step's:
 * - speed-up `S = baseline seconds / step seconds`, so the first step is 1;
 * - worker ratio `p = N / b`, the ideal speed-up for that step;
 * - efficiency `E = S / p` (1 is ideal, also when the baseline has 2+ workers);
 * - Karp–Flatt `e = (1/S − 1/p) / (1 − 1/p)`, `null` where `p = 1`;
 * - utilisation `U = Σ job run seconds / (step seconds × N)`;
 * - rounds `r = ceil(jobs / N)`: how many jobs the busiest worker runs when they are equal;
 * - ideal speed-up of the split `r(b) / r(N)`: at most `p`, less when the jobs split
 *   unevenly (3 jobs on 2 workers: 2 rounds against 3 on 1 worker, so 1.5). The fits
 *   use it in place of `p`, so an uneven split is not read as serial work.
 *
 * @module
 */
import {
  jobColumn,
  percentile,
  type Percentiles,
  percentiles,
  percentilesInPlace,
} from "./_samples.ts";

export { percentile, type Percentiles, percentiles };
import type { StepResult } from "../../types.ts";
import { type AmdahlFit, fitAmdahl, type FitFailure, fitUsl, type UslFit } from "./fit.ts";
import { karpFlatt, splitRounds } from "./models.ts";
import { type Recommendation, recommendWorkers } from "./recommend.ts";
import type { ConcurrencyVerdict } from "./concurrency.ts";
import { analyzeWhy, type SweepWhy, type WhySourceStep } from "./why.ts";
import type { RepeatInfo } from "./repeats.ts";
export {
  combineRepeats,
  medianMinMax,
  type RepeatedStep,
  type RepeatInfo,
  type Spread,
} from "./repeats.ts";

const BYTES_PER_MIB = 1024 * 1024;

/** A step as measured once, or combined from repeats. */
export type StepInput = StepResult & Partial<RepeatInfo>;

/** Every figure for one step; ratios are plain fractions (0.97, not 97). */
export interface StepAnalysis {
  /** Workers in the step. */
  workers: number;
  /** Jobs in flight per worker (1: one at a time). */
  concurrency: number;
  /** Jobs per run of the step. */
  jobCount: number;
  /** Runs the figures come from (1 unless combined from repeats). */
  repeats: number;
  /** Wall time of the step in seconds (the median over repeats). */
  seconds: number;
  /** The fastest run's seconds (equal to `seconds` for one run). */
  secondsMin: number;
  /** The slowest run's seconds (equal to `seconds` for one run). */
  secondsMax: number;
  /** The runs' mean seconds (equal to `seconds` for one run). */
  secondsMean: number;
  /** The runs' sample standard deviation, in seconds (0 for one run). */
  secondsStdDev: number;
  /** `p = workers / baselineWorkers`: the ideal speed-up for this step. */
  workerRatio: number;
  /** Baseline seconds over this step's; `null` when either is not positive. */
  speedup: number | null;
  /**
   * `speedup / workerRatio`, and with jobs in flight per in-flight slot: speed-up over the ratio
   * of workers × in flight to the baseline's; `null` without a speed-up.
   */
  efficiency: number | null;
  /**
   * Karp–Flatt experimental serial fraction; `null` for `workerRatio` 1, no speed-up, or jobs in
   * flight other than the baseline's (it is a thread-axis figure).
   */
  karpFlatt: number | null;
  /**
   * `ceil(jobCount / (workers × in flight))`: how many jobs the busiest in-flight slot runs when
   * jobs are equal.
   */
  rounds: number;
  /** Baseline rounds over this step's: `workerRatio` for an even split, less for an uneven one. */
  idealSpeedup: number;
  /** How long jobs waited for a worker, over jobs a worker took; `null` if none. */
  waitSeconds: Percentiles | null;
  /** How long finished jobs ran inside a worker; `null` if none finished. */
  runSeconds: Percentiles | null;
  /**
   * Share of in-flight slot time spent running jobs (`seconds × workers × in flight`), at most
   * 1: the jobs' clocks (in the workers) and the step's (on the main thread) differ by a few
   * microseconds, which must not read as more than 100%; `null` for 0 s.
   */
  utilization: number | null;
  /**
   * Worker time not spent running jobs, per job, in seconds: `(seconds × workers × in flight − Σ run) /
   * jobs`, the cost of handing each job out (and of idle workers); `null` without job records.
   */
  overheadSeconds?: number | null;
  /** Highest process resident set size during the step, in MiB. */
  peakRssMiB: number;
  /** Jobs that finished (summed over repeats). */
  completed: number;
  /** Jobs that failed (summed over repeats). */
  failed: number;
  /** Jobs that were cancelled (summed over repeats). */
  cancelled: number;
}

/** What limits one job: its CPU time, or time spent waiting (a timer, IO). */
export type JobBound = "cpu" | "wait";

/** Options for {@linkcode analyzeSweep}. */
export interface AnalyzeOptions {
  /**
   * What limits one job, when known (a job kind's `bound`): `"wait"` jobs
   * (sleep, IO) are never explained by the CPU count.
   */
  jobBound?: JobBound;
  /**
   * The verdict on a workers × concurrency sweep ({@linkcode analyzeConcurrency}, which also
   * sees the inline steps this analysis leaves out). Kept in the analysis; its `showFits`
   * decides whether the fits are a reason.
   */
  concurrency?: ConcurrencyVerdict;
  /**
   * Every step as the sweep yielded it (all repeats, before `combineRepeats`): the source of the
   * efficiency breakdown, the bound and the speed-up intervals. Default: the steps analysed.
   */
  sweepSteps?: readonly WhySourceStep[];
  /** The CPUs this process can use, for the breakdown's sentence. */
  cpus?: number;
}

/** A whole sweep analysed: every step, the fits, and how many workers to use. */
export interface SweepAnalysis {
  /** Workers in the first step, which every speed-up is relative to. */
  baselineWorkers: number;
  /** What limits one job, when the caller said ({@linkcode AnalyzeOptions}). */
  jobBound?: JobBound;
  /** One entry per step, in the order run. */
  steps: StepAnalysis[];
  /** Amdahl's law fitted to the speed-ups, or why not (it needs 3 or more worker counts). */
  amdahl: AmdahlFit | FitFailure;
  /** The Universal Scalability Law fitted with γ through the baseline, or why not. */
  usl: UslFit | FitFailure;
  /** The USL with γ fitted free (R's `usl` package), or why not (it needs 5 or more counts). */
  uslFree: UslFit | FitFailure;
  /**
   * How many workers to use; with three or more repeats, the fewest whose speed-up cannot be
   * told apart from the best ({@linkcode SweepWhy.noise}).
   */
  recommendation: Recommendation;
  /** Why each step's efficiency is what it is: breakdown, bound, speed-up intervals. */
  why: SweepWhy;
  /** Threads or jobs in flight: the verdict when some step had more than 1 in flight. */
  concurrency?: ConcurrencyVerdict;
}

/**
 * Computes every figure for one step relative to the baseline step (see the
 * module doc for the definitions). Speed-up is recomputed from `seconds`, so
 * it agrees with combined repeats; utilisation divides the job run time of all
 * repeats by `repeats`, so it is per run.
 *
 * @param step The step, measured once or combined from repeats.
 * @param baseline The sweep's first step.
 * @returns The step's figures.
 * @throws {RangeError} If either step has fewer than one worker.
 *
 * @example Two workers against a one-worker baseline
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeStep } from "./stats.ts";
 * import assert from "node:assert/strict";
 *
 * const job = (waitSeconds: number) => ({
 *   jobId: "", jobNumber: 1, workerId: "w", status: "done" as const, elapsedSeconds: 1, waitSeconds,
 * });
 * const step = {
 *   workers: 2, jobCount: 4, seconds: 2.5, startupSeconds: 0, completed: 4, failed: 0,
 *   cancelled: 0, averageJobSeconds: 1, peakRssBytes: 64 * 1024 * 1024,
 *   jobs: jobRecords([job(0), job(0), job(1), job(1)]),
 * };
 * const figures = analyzeStep(step, { workers: 1, seconds: 4 });
 * assert.equal(figures.speedup, 1.6);
 * assert.equal(figures.efficiency, 0.8);
 * assert.equal(figures.utilization, 0.8);
 * assert.equal(figures.karpFlatt, 0.25);
 * assert.equal(figures.peakRssMiB, 64);
 * ```
 */
export function analyzeStep(
  step: StepInput,
  baseline:
    & Pick<StepResult, "workers" | "seconds">
    & Partial<Pick<StepResult, "jobCount" | "concurrency">>,
): StepAnalysis {
  for (const [name, workers] of [["step", step.workers], ["baseline", baseline.workers]] as const) {
    if (!(workers >= 1)) {
      throw new RangeError(
        `Cannot analyse step: the ${name} must have at least 1 worker, received ${workers}`,
      );
    }
  }
  const repeats = step.repeats ?? 1;
  const workerRatio = step.workers / baseline.workers;
  const measurable = step.seconds > 0 && baseline.seconds > 0 && Number.isFinite(step.seconds) &&
    Number.isFinite(baseline.seconds);
  const speedup = measurable ? baseline.seconds / step.seconds : null;
  const jobs = step.jobs;
  let busySeconds = 0;
  for (let index = 0; index < jobs.length; index++) busySeconds += jobs.elapsedSeconds(index);
  busySeconds /= repeats;
  // A worker with C jobs in flight has C slots: the ideal step keeps every slot busy.
  const inFlight = step.concurrency ?? 1;
  const baseInFlight = baseline.concurrency ?? 1;
  const slots = step.workers * inFlight;
  const slotRatio = slots / (baseline.workers * baseInFlight);
  const rounds = splitRounds(step.jobCount, slots);
  return {
    workers: step.workers,
    concurrency: step.concurrency ?? 1,
    jobCount: step.jobCount,
    repeats,
    seconds: step.seconds,
    secondsMin: step.secondsMin ?? step.seconds,
    secondsMax: step.secondsMax ?? step.seconds,
    secondsMean: step.secondsMean ?? step.seconds,
    secondsStdDev: step.secondsStdDev ?? 0,
    workerRatio,
    speedup,
    efficiency: speedup === null ? null : speedup / slotRatio,
    karpFlatt: speedup === null || inFlight !== baseInFlight
      ? null
      : karpFlatt(speedup, workerRatio),
    rounds,
    idealSpeedup: splitRounds(baseline.jobCount ?? step.jobCount, baseline.workers * baseInFlight) /
      rounds,
    waitSeconds: percentilesInPlace(
      jobColumn(jobs, "waitSeconds", (index) => jobs.started(index)),
    ),
    runSeconds: percentilesInPlace(
      jobColumn(jobs, "elapsedSeconds", (index) => jobs.status(index) === "done"),
    ),
    utilization: step.seconds > 0 && Number.isFinite(step.seconds)
      ? Math.min(1, busySeconds / (step.seconds * slots))
      : null,
    overheadSeconds: jobs.length > 0 && Number.isFinite(step.seconds)
      ? Math.max(0, step.seconds * slots - busySeconds) / step.jobCount
      : null,
    peakRssMiB: step.peakRssBytes / BYTES_PER_MIB,
    completed: step.completed,
    failed: step.failed,
    cancelled: step.cancelled,
  };
}

/**
 * Analyses a whole sweep: every step against the first, Amdahl and USL fits
 * over the (workers, speed-up) points, and a recommended worker count. The
 * fits see each step's ideal speed-up of the split, so 3 jobs on 2 workers
 * (2 rounds, at most 1.5x) are not read as a third of the work being serial.
 *
 * @param sweep A sweep result, or `{ steps: combineRepeats(runs) }`.
 * @param options What limits one job, when known.
 * @returns The analysis; fits that cannot be made carry a reason instead of NaN.
 * @throws {RangeError} If the sweep has no steps.
 *
 * @example A sweep that flattens after 2 workers
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "./stats.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, seconds, jobCount: 8, startupSeconds: 0, completed: 8, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * });
 * const analysis = analyzeSweep({ steps: [step(1, 8), step(2, 4.1), step(3, 4), step(4, 4)] });
 * assert.equal(analysis.recommendation.workers, 2);
 * assert.ok(analysis.amdahl.ok && analysis.usl.ok);
 * ```
 */
export function analyzeSweep(
  sweep: { steps: readonly StepInput[] },
  options: AnalyzeOptions = {},
): SweepAnalysis {
  const baseline = sweep.steps[0];
  if (!baseline) {
    throw new RangeError("Cannot analyse sweep: it has no steps");
  }
  const steps = sweep.steps.map((step) => analyzeStep(step, baseline));
  // The fits and the worker recommendation follow the thread axis at the baseline's in flight.
  const threadAxis = steps.filter((step) => step.concurrency === (baseline.concurrency ?? 1));
  const points = threadAxis.flatMap((step) =>
    step.speedup === null
      ? []
      : [{ workers: step.workers, speedup: step.speedup, idealSpeedup: step.idealSpeedup }]
  );
  const fitOptions = { baselineWorkers: baseline.workers };
  const usl = fitUsl(points, fitOptions);
  const why = analyzeWhy(options.sweepSteps ?? sweep.steps, { cpus: options.cpus });
  const recommendation = recommendWorkers(threadAxis, usl);
  return {
    baselineWorkers: baseline.workers,
    ...(options.jobBound === undefined ? {} : { jobBound: options.jobBound }),
    steps,
    amdahl: fitAmdahl(points, fitOptions),
    usl,
    uslFree: fitUsl(points, { ...fitOptions, gamma: "free" }),
    recommendation: why.noise
      ? { ...recommendation, workers: why.noise.choice.workers, reason: why.noise.sentence }
      : recommendation,
    why,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  };
}
