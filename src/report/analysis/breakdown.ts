/**
 * Why a step's efficiency is what it is: the POP Centre of Excellence metrics,
 * computed from the per-job records a step keeps. Parallel efficiency splits
 * into factors that multiply: load balance (average ÷ maximum useful time per
 * worker), dispatch efficiency (the share of the step the busiest worker ran
 * jobs, relative to the baseline's own share) and computation scalability
 * (total job time at the baseline ÷ at this step). Data in, values and one
 * sentence out.
 *
 * @module
 */
import { percent, plural } from "../../text.ts";
import type { SweepStep } from "../../types.ts";

/** What {@linkcode efficiencyBreakdown} reads from a step (a `SweepStep` has all of it). */
export interface BreakdownStep extends Pick<SweepStep, "workers" | "seconds" | "jobs"> {
  /** Jobs in flight per worker; absent means 1. */
  concurrency?: number;
}

/** Options for {@linkcode efficiencyBreakdown}. */
export interface BreakdownOptions {
  /** The CPUs this process can use: named in the sentence when the workers outnumber them. */
  cpus?: number;
}

/** One of the three factors of efficiency. */
export type EfficiencyFactor = "balance" | "dispatch" | "computation";

/** How useful time per worker was counted. */
export type UsefulTimeCounting = "run time" | "run time capped at the step time";

/** What {@linkcode efficiencyBreakdown} found for one step. */
export interface EfficiencyBreakdown {
  /** The step's workers (0 = inline). */
  workers: number;
  /** Jobs in flight per worker. */
  concurrency: number;
  /** Load balance: the workers' average useful time ÷ the largest. */
  balance: number;
  /** Dispatch efficiency: {@linkcode rawDispatch} ÷ {@linkcode baselineDispatch}. */
  dispatch: number;
  /** Computation scalability: total useful time at the baseline ÷ at this step. */
  computation: number;
  /** `balance × dispatch × computation`. */
  product: number;
  /** The measured efficiency: speed-up over the baseline ÷ workers (the identity says `product`). */
  measured: number;
  /** The busiest worker's useful time ÷ the step time (POP's communication efficiency). */
  rawDispatch: number;
  /** The same share at the baseline: its useful time ÷ (its workers × its step time). */
  baselineDispatch: number;
  /** Total useful time at this step, in seconds. */
  usefulSeconds: number;
  /** The busiest worker's useful time, in seconds. */
  maxUsefulSeconds: number;
  /** Total useful time at the baseline, in seconds. */
  baselineUsefulSeconds: number;
  /** How a worker's useful time was counted (capped when jobs overlap on a worker). */
  counted: UsefulTimeCounting;
  /** The factor that lost most (the smallest). */
  lostMost: EfficiencyFactor;
  /** One sentence: the identity with its numbers and what the lost factor means. */
  sentence: string;
}

/**
 * A baseline whose workers ran jobs less than this share of its step was
 * itself dispatch-bound (as `explainScaling` says at utilisation under 50%):
 * the relative factors then hide the dispatcher, which is what lost most.
 */
const DISPATCH_BOUND_SHARE = 0.5;

/** Factors at or above this lost nothing worth a sentence (the baseline's are all 1). */
const NOTHING_LOST = 0.99;

/** Inline steps (0 workers) ran their jobs on one thread: they count as one worker. */
const INLINE_WORKERS = 1;

/** The worker id of a job no worker took (it did no work). */
const NOT_STARTED = "";

function effectiveWorkers(workers: number): number {
  return Math.max(INLINE_WORKERS, workers);
}

function checkStep(step: BreakdownStep, role: string): void {
  if (!(step.seconds > 0)) {
    throw new RangeError(
      `Cannot break down efficiency: the ${role} step's seconds must be above 0, received ${step.seconds}`,
    );
  }
}

/**
 * Per-worker useful time in seconds: the sum of the run times of the jobs each
 * worker started, capped at the step time (jobs in flight together on one
 * worker overlap, and a worker cannot be busier than the step was long).
 */
function usefulPerWorker(step: BreakdownStep): { perWorker: number[]; capped: boolean } {
  const sums = new Map<string, number>();
  const jobs = step.jobs;
  const inline = step.workers === 0;
  for (let i = 0; i < jobs.length; i++) {
    if (!jobs.started(i)) continue;
    // `get` makes one object per job: O(n) overall. A worker-index column on
    // JobRecords would avoid it (asked for in the integration notes).
    const worker = inline ? "inline" : jobs.get(i).workerId;
    if (worker === NOT_STARTED) continue;
    sums.set(worker, (sums.get(worker) ?? 0) + jobs.elapsedSeconds(i));
  }
  let capped = false;
  const perWorker = [...sums.values()].map((seconds) => {
    if (seconds > step.seconds) capped = true;
    return Math.min(seconds, step.seconds);
  });
  // Workers that ran no job still count (with 0) in the average.
  while (perWorker.length < effectiveWorkers(step.workers)) perWorker.push(0);
  return { perWorker, capped };
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function workersLabel(workers: number, concurrency = 1): string {
  const inFlight = concurrency > 1 ? ` × ${concurrency} in flight` : "";
  return workers === 0 ? `inline${inFlight}` : `at ${plural(workers, "worker")}${inFlight}`;
}

function baselineLabel(workers: number): string {
  return workers === 0 ? "inline" : `on ${plural(workers, "worker")}`;
}

function factorLine(breakdown: Omit<EfficiencyBreakdown, "sentence" | "lostMost">): string {
  // With jobs in flight the factors are per thread; the EFFICIENCY column counts every slot.
  const perSlot = breakdown.concurrency > 1
    ? ` (÷ ${breakdown.concurrency} in flight: ${
      percent(breakdown.measured / breakdown.concurrency)
    } per slot, the EFFICIENCY column)`
    : "";
  return `${breakdown.concurrency > 1 ? "thread efficiency" : "efficiency"} ${
    percent(breakdown.measured)
  } = balance ${percent(breakdown.balance)} × dispatch ${
    percent(breakdown.dispatch)
  } × computation ${percent(breakdown.computation)}${perSlot}`;
}

function lostLine(
  lost: EfficiencyFactor,
  b: Omit<EfficiencyBreakdown, "sentence" | "lostMost">,
  baselineWorkers: number,
  jobCount: number,
  cpus: number | undefined,
): string {
  const workers = effectiveWorkers(b.workers);
  if (
    Math.min(b.balance, b.dispatch, b.computation) >= NOTHING_LOST &&
    b.baselineDispatch >= DISPATCH_BOUND_SHARE
  ) {
    return "no factor lost more than 1%";
  }
  switch (lost) {
    case "computation": {
      const slower = `jobs ran ${(1 / b.computation).toFixed(2)}× longer than ` +
        baselineLabel(baselineWorkers);
      return cpus !== undefined && workers > cpus
        ? `${slower} (they shared ${plural(cpus, "core")})`
        : slower;
    }
    case "balance":
      return `the busiest worker ran jobs ${(1 / b.balance).toFixed(2)}× as long as the average: ` +
        `the others idled at the end of the step (${plural(jobCount, "job")} over ` +
        `${plural(workers, "worker")})`;
    case "dispatch":
      if (b.baselineDispatch < DISPATCH_BOUND_SHARE) {
        return `the workers ran jobs only ${percent(b.baselineDispatch)} of the step even ` +
          `${baselineLabel(baselineWorkers)} (the busiest ${percent(b.rawDispatch)} here): ` +
          `handing out jobs, not the jobs, sets the step time`;
      }
      return `the busiest worker ran jobs ${
        percent(b.rawDispatch)
      } of the step: the rest went to ` +
        `handing out jobs and the step's start and end`;
  }
}

/**
 * Splits a step's efficiency into load balance × dispatch × computation
 * scalability, against a baseline step of the same batch (normally 1 worker).
 *
 * With `N` workers, step time `T_N`, useful time `U_w` per worker (`ΣU_N` in
 * all, `max U` the busiest), and the baseline's `W_b` workers (inline counts
 * as 1), step time `T_b` and total useful time `ΣU_b`:
 *
 * - balance = `ΣU_N ÷ (N · max U)`
 * - dispatch = `(max U ÷ T_N) ÷ (ΣU_b ÷ (W_b · T_b))`
 * - computation = `ΣU_b ÷ ΣU_N`
 * - measured efficiency = speed-up ÷ `N` = `(W_b · T_b) ÷ (N · T_N)`
 *
 * Their product is exactly the measured efficiency. With a 1-worker baseline,
 * POP's communication efficiency `max U ÷ T_N` alone would multiply to
 * `ΣU_1 ÷ (N · T_N)`, short of `T_1 ÷ (N · T_N)` by the baseline's own
 * overhead `ΣU_1 ÷ T_1` (its dispatcher and the step's start and end); so the
 * dispatch factor is taken relative to the baseline's (`baselineDispatch`): it
 * is 1 at the baseline itself and counts only the overhead beyond what one
 * worker already paid. `rawDispatch` keeps POP's absolute figure.
 *
 * Useful time is the jobs' run time (every started job, whatever its status),
 * summed per worker. With more than one job in flight per worker the jobs
 * overlap, and the process's CPU time cannot be split by worker, so a worker's
 * useful time is its jobs' run time capped at the step time (`counted` says
 * when the cap applied).
 *
 * @param step The step to explain.
 * @param baselineStep The step of the same batch it is compared with (the 1-worker step).
 * @param options The CPUs available, for the sentence.
 * @returns The factors, their product, the measured efficiency and one sentence.
 * @throws {RangeError} When either step's time is not above 0, or the baseline did no work.
 *
 * @example Sixteen 250 ms jobs on 5 workers: imbalance
 * ```ts
 * import assert from "node:assert/strict";
 * import { efficiencyBreakdown } from "./breakdown.ts";
 * import { jobRecords } from "../../step/job_records.ts";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers,
 *   seconds,
 *   jobs: jobRecords(Array.from({ length: 16 }, (_, i) => ({
 *     jobId: `j${i}`, jobNumber: i + 1, workerId: `w${i % workers}`, status: "done" as const,
 *     elapsedSeconds: 0.25, waitSeconds: 0,
 *   }))),
 * });
 * const breakdown = efficiencyBreakdown(step(5, 1.0), step(1, 4.0));
 * assert.equal(breakdown.lostMost, "balance");
 * assert.ok(Math.abs(breakdown.product - breakdown.measured) < 1e-9);
 * assert.equal(breakdown.balance, 0.8);
 * ```
 */
export function efficiencyBreakdown(
  step: BreakdownStep,
  baselineStep: BreakdownStep,
  options: BreakdownOptions = {},
): EfficiencyBreakdown {
  checkStep(step, "measured");
  checkStep(baselineStep, "baseline");
  const here = usefulPerWorker(step);
  const base = usefulPerWorker(baselineStep);
  const usefulSeconds = sum(here.perWorker);
  const baselineUsefulSeconds = sum(base.perWorker);
  if (!(baselineUsefulSeconds > 0)) {
    throw new RangeError(
      `Cannot break down efficiency: the baseline step ran no job time, received ${baselineUsefulSeconds} s`,
    );
  }
  const workers = effectiveWorkers(step.workers);
  const baseWorkers = effectiveWorkers(baselineStep.workers);
  const maxUsefulSeconds = Math.max(...here.perWorker);
  const balance = maxUsefulSeconds > 0 ? usefulSeconds / (workers * maxUsefulSeconds) : 0;
  const rawDispatch = maxUsefulSeconds / step.seconds;
  const baselineDispatch = baselineUsefulSeconds / (baseWorkers * baselineStep.seconds);
  const dispatch = rawDispatch / baselineDispatch;
  const computation = usefulSeconds > 0 ? baselineUsefulSeconds / usefulSeconds : 0;
  const measured = (baseWorkers * baselineStep.seconds) / (workers * step.seconds);
  const values = {
    workers: step.workers,
    concurrency: step.concurrency ?? 1,
    balance,
    dispatch,
    computation,
    product: balance * dispatch * computation,
    measured,
    rawDispatch,
    baselineDispatch,
    usefulSeconds,
    maxUsefulSeconds,
    baselineUsefulSeconds,
    counted:
      (here.capped || base.capped
        ? "run time capped at the step time"
        : "run time") as UsefulTimeCounting,
  };
  const factors: [EfficiencyFactor, number][] = [
    ["balance", balance],
    ["dispatch", dispatch],
    ["computation", computation],
  ];
  // A dispatch-bound baseline: the dispatcher lost most, whatever the relative factors say.
  const lostMost = baselineDispatch < DISPATCH_BOUND_SHARE
    ? "dispatch"
    : factors.reduce((low, next) => next[1] < low[1] ? next : low)[0];
  const sentence = `${workersLabel(step.workers, values.concurrency)}, ${factorLine(values)}: ` +
    lostLine(lostMost, values, baselineStep.workers, step.jobs.length, options.cpus);
  return { ...values, lostMost, sentence };
}
