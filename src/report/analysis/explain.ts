/**
 * The analysis in words: one sentence on why the speed-up curve has its
 * shape, the fit and recommendation lines of the table and Markdown outputs,
 * and fitted parameters written short.
 *
 * @module
 */
import { dispatchBound } from "./_dispatch_bound.ts";
import { measured } from "./_measured.ts";
import { duration, percent, plural } from "../../text.ts";
import { type AmdahlFit, CREDIBLE_R_SQUARED, type FitFailure, type UslFit } from "./fit.ts";
import { formatSpeedup, splitRounds, uslThroughput } from "./models.ts";
import { RECOMMEND_SHARE } from "./recommend.ts";
import type { JobBound, StepAnalysis, SweepAnalysis } from "./stats.ts";

/** Options for {@linkcode explainScaling}. */
export interface ExplainOptions {
  /** Logical CPUs on the machine (`navigator.hardwareConcurrency`). */
  cpuCount?: number;
  /**
   * The CPUs this process can really use (affinity mask, cgroup quota), when read: a knee at
   * that count is put down to it, by its reason.
   */
  cpuCeiling?: CpuCeilingInfo;
}

/** What the verdict reads of the machine's CPU ceiling (`cpuCeiling()` in `sweep/ceiling.ts`). */
export interface CpuCeilingInfo {
  /** Whole CPUs to plan workers for. */
  wholeCpus: number;
  /** What set the ceiling: `"affinity"`, `"quota"` or `"none"`. */
  limitedBy: string;
  /** Why, as a phrase: "this container's quota of 2 CPUs, on a 64-CPU host". */
  reason: string;
}

/** What {@linkcode explainScaling} reads of each step. */
export type ExplainStep =
  & Pick<StepAnalysis, "workers" | "speedup" | "efficiency" | "jobCount">
  & Partial<
    Pick<
      StepAnalysis,
      "runSeconds" | "utilization" | "overheadSeconds" | "failed" | "cancelled" | "repeats"
    >
  >;

/** What {@linkcode explainScaling} reads of a sweep's analysis. */
export interface ExplainInput {
  /** The steps, in any order. */
  steps: readonly ExplainStep[];
  /** The Amdahl fit; quoted only when its R² reaches {@linkcode CREDIBLE_R_SQUARED}. */
  amdahl:
    | (Pick<AmdahlFit, "ok" | "serialFraction"> & Partial<Pick<AmdahlFit, "rSquared">>)
    | Pick<FitFailure, "ok">;
  /** The baseline-anchored USL fit; quoted only when its R² reaches {@linkcode CREDIBLE_R_SQUARED}. */
  usl:
    | (Pick<UslFit, "ok" | "sigma" | "kappa"> & Partial<Pick<UslFit, "rSquared">>)
    | Pick<FitFailure, "ok">;
  /** What limits one job: `"wait"` jobs are never explained by the CPU count. */
  jobBound?: JobBound;
}

/** Below this efficiency (of the ideal, or of what the split allows) scaling is not near-linear. */
const NEAR_LINEAR_EFFICIENCY = 0.9;

function credible(fit: { rSquared?: number }): boolean {
  return fit.rSquared === undefined || fit.rSquared >= CREDIBLE_R_SQUARED;
}

/** `2`, `1 and 2`, `1, 2 and 4`. */
function listed(values: readonly (string | number)[]): string {
  return values.length < 2
    ? values.join("")
    : `${values.slice(0, -1).join(", ")} and ${values[values.length - 1]}`;
}

function times(speedup: number): string {
  return `${String(Number(speedup.toFixed(2)))}x`;
}

/** Which USL cost weighs more at `workers`: σ's term grows with N − 1, κ's with N(N − 1). */
function uslCost(usl: ExplainInput["usl"], workers: number): string {
  if (!usl.ok || !("sigma" in usl) || !credible(usl)) return "";
  const contention = usl.sigma * (workers - 1);
  const coherency = usl.kappa * workers * (workers - 1);
  if (contention === 0 && coherency === 0) return "";
  return coherency > contention
    ? ` (USL: mostly coherency cost, κ=${formatParameter(usl.kappa)})`
    : ` (USL: mostly contention, σ=${formatParameter(usl.sigma)})`;
}

/** "3 of 48 jobs failed and 1 was cancelled (at 2 and 4 workers)", or nothing when all finished. */
function partialWork(steps: readonly ExplainStep[]): string | undefined {
  const failed = steps.reduce((sum, step) => sum + (step.failed ?? 0), 0);
  const cancelled = steps.reduce((sum, step) => sum + (step.cancelled ?? 0), 0);
  if (failed + cancelled === 0) return undefined;
  const total = steps.reduce((sum, step) => sum + step.jobCount * (step.repeats ?? 1), 0);
  const of = `of ${plural(total, "job")}`;
  const cancelledText = (count: number) => `${count} ${count === 1 ? "was" : "were"} cancelled`;
  const what = failed === 0
    ? `${cancelled} ${of} ${cancelled === 1 ? "was" : "were"} cancelled`
    : `${failed} ${of} failed${cancelled > 0 ? ` and ${cancelledText(cancelled)}` : ""}`;
  const at = steps
    .filter((step) => (step.failed ?? 0) + (step.cancelled ?? 0) > 0)
    .map((step) => step.workers)
    .sort((a, b) => a - b);
  return `The analysis covers partial work: ${what} (at ${listed(at)} ` +
    `${at.length === 1 && at[0] === 1 ? "worker" : "workers"}), so those steps did not ` +
    "run the whole batch.";
}

/**
 * Explains in one plain sentence why the speed-up curve has its shape, from
 * the measured figures: near-linear (or as good as an uneven split of the jobs
 * into rounds allows), dispatch-bound, slower past a peak (naming the larger
 * USL cost, σ or κ), flattening (because of the job count, the rounds, the
 * core count, jobs slowing each other down, or a serial fraction), or rising
 * with losses. The CPU count is never the reason for jobs that wait rather
 * than compute (`jobBound: "wait"`), and a fit is quoted only when its R²
 * reaches {@linkcode CREDIBLE_R_SQUARED}. When some jobs failed or were
 * cancelled, a second sentence says the analysis covers partial work.
 *
 * @param analysis The sweep's analysis.
 * @param options The machine's logical CPU count, when known.
 * @returns One sentence ending in a period, or two when jobs did not all finish.
 *
 * @example Flattening at the core count
 * ```ts
 * import { explainScaling } from "./explain.ts";
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
 *
 * @example Three jobs on two workers take two rounds
 * ```ts
 * import { explainScaling } from "./explain.ts";
 * import assert from "node:assert/strict";
 *
 * const steps = [
 *   { workers: 1, speedup: 1, efficiency: 1, jobCount: 3 },
 *   { workers: 2, speedup: 1.49, efficiency: 0.745, jobCount: 3 },
 * ];
 * assert.match(
 *   explainScaling({ steps, amdahl: { ok: false }, usl: { ok: false } }),
 *   /^Scaling is as good as the split allows up to 2 workers: 3 jobs take 2 rounds on 2 workers/,
 * );
 * ```
 */
export function explainScaling(analysis: ExplainInput, options: ExplainOptions = {}): string {
  const sentence = scalingSentence(analysis, options);
  const partial = partialWork(analysis.steps);
  return partial === undefined ? sentence : `${sentence} ${partial}`;
}

function scalingSentence(analysis: ExplainInput, options: ExplainOptions): string {
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
  const base = usable[0];
  const ceiling = options.cpuCeiling;
  // The CPUs the process can use, when known, are what a knee can be put down to.
  const cpuCount = ceiling?.wholeCpus ?? options.cpuCount;
  const cpuWords = (workers: number) =>
    ceiling && ceiling.limitedBy !== "none"
      ? `the knee at ${plural(workers, "worker")} is ${ceiling.reason}`
      : `this machine has ${plural(cpuCount!, "logical CPU")}`;
  // Unknown jobs may compute, so only jobs known to wait are spared the CPU count.
  const mayUseCpu = analysis.jobBound !== "wait";
  const cpuLimited = (workers: number) =>
    mayUseCpu && cpuCount !== undefined && cpuCount > 0 && cpuCount <= workers;

  type Step = typeof base;
  const rounds = (step: Step) => splitRounds(step.jobCount, step.workers);
  const ideal = (step: Step) => splitRounds(base.jobCount, base.workers) / rounds(step);
  const uneven = usable.filter((step) => ideal(step) < (step.workers / base.workers) * (1 - 1e-9));
  const split = (step: Step) =>
    `${plural(step.jobCount, "job")} take ${plural(rounds(step), "round")} on ` +
    `${plural(step.workers, "worker")} (ceil(${step.jobCount} / ${step.workers})) against ` +
    `${rounds(base)} on ${base.workers}, so equal jobs can reach at most ${times(ideal(step))} ` +
    `there and ${times(step.speedup)} was measured`;
  const amdahl = analysis.amdahl.ok && "serialFraction" in analysis.amdahl &&
      credible(analysis.amdahl)
    ? analysis.amdahl
    : undefined;
  const allowed = uneven.length > 0 ? ", after allowing for the uneven split" : "";
  const serial = (s: number) => `about ${percent(s)} of the work behaves as serial`;

  const dispatch = dispatchBound(base);
  if (dispatch) {
    // The workers mostly waited for jobs: the figures measure the dispatcher, not the jobs.
    return `Dispatch-bound: at ${plural(dispatch.workers, "worker")} the jobs kept the workers ` +
      `busy only ${percent(dispatch.utilization)} of the time (a job runs ` +
      `${duration(dispatch.runSeconds)}; handing one out costs about ` +
      `${duration(dispatch.overheadSeconds)}), so these figures measure the dispatcher more ` +
      `than the jobs: make each job at least ${duration(dispatch.enoughSeconds)} of work` +
      `${dispatch.batch ? ` (about ${dispatch.batch} of these per job)` : ""} before more ` +
      `workers can pay.`;
  }
  if (last.workers > fastest.workers && last.speedup < RECOMMEND_SHARE * fastest.speedup) {
    return `Adding workers beyond ${fastest.workers} makes it slower: speed-up falls from ` +
      `${fastest.speedup.toFixed(2)}x to ${last.speedup.toFixed(2)}x at ${last.workers}` +
      `${uslCost(analysis.usl, last.workers)}.`;
  }
  if (usable.every((step) => (step.efficiency ?? 0) >= NEAR_LINEAR_EFFICIENCY)) {
    const above = (last.efficiency ?? 0) > 1.05
      ? ": above 100% means the later steps hid waiting the first one paid, not extra speed"
      : "";
    return `Scaling is near-linear up to ${plural(last.workers, "worker")} ` +
      `(efficiency ${percent(last.efficiency ?? 0)}${above}).`;
  }
  const knee = usable.find((step) => step.speedup >= RECOMMEND_SHARE * fastest.speedup) ?? fastest;
  const head = `Speed-up flattens after ${plural(knee.workers, "worker")}`;
  if (knee.workers < last.workers) {
    if (knee.jobCount <= knee.workers) {
      return `${head}: each step has only ${
        plural(knee.jobCount, "job")
      }, so more workers sit idle.`;
    }
    if (ideal(last) * RECOMMEND_SHARE <= ideal(knee)) {
      return `${head}: ${plural(knee.jobCount, "job")} take ${plural(rounds(knee), "round")} ` +
        `on ${plural(knee.workers, "worker")} and ${rounds(last) === rounds(knee) ? "still " : ""}${
          rounds(last)
        } on ${last.workers} (ceil(jobs / workers)), so equal jobs cannot ` +
        "finish much sooner with more workers.";
    }
  }
  if (
    uneven.length > 0 &&
    usable.every((step) => step.speedup >= NEAR_LINEAR_EFFICIENCY * ideal(step))
  ) {
    const worst = uneven.reduce((a, b) => (b.efficiency ?? 1) < (a.efficiency ?? 1) ? b : a);
    return `Scaling is as good as the split allows up to ${plural(last.workers, "worker")}: ` +
      `${split(worst)}; the ${percent(worst.efficiency ?? 0)} efficiency there is the uneven ` +
      "split, not serial work.";
  }
  if (knee.workers < last.workers) {
    if (cpuLimited(knee.workers)) {
      return `${head}: ${cpuWords(knee.workers)}.`;
    }
    const runAtKnee = knee.runSeconds?.p50 ?? 0;
    const runAtLast = last.runSeconds?.p50 ?? 0;
    if (runAtKnee > 0 && runAtLast >= 1.5 * runAtKnee) {
      return `${head}: each job runs ${(runAtLast / runAtKnee).toFixed(1)}x longer at ` +
        `${plural(last.workers, "worker")} than at ${knee.workers}, so the workers compete ` +
        `for a shared resource (${mayUseCpu ? "CPU, memory bandwidth" : "disk, timers"}).`;
    }
    if (amdahl) {
      const s = amdahl.serialFraction;
      return `${head}: ${serial(s)} (Amdahl s=${formatParameter(s)}${allowed})` +
        (s > 0 ? `, capping speed-up near ${(1 / s).toFixed(1)}x.` : ".");
    }
    return `${head}: more workers add little (efficiency ${percent(last.efficiency ?? 0)} ` +
      `at ${last.workers}).`;
  }
  const why = cpuLimited(last.workers - 1)
    ? `: ${cpuWords(cpuCount!)}`
    : amdahl
    ? `: ${serial(amdahl.serialFraction)}${allowed}`
    : uneven.length > 0
    ? `: part of it is the uneven split (${split(uneven[uneven.length - 1])})`
    : !mayUseCpu && cpuCount !== undefined && cpuCount > 0 && cpuCount < last.workers
    ? `: these jobs wait rather than compute, so the ${plural(cpuCount, "logical CPU")} ${
      cpuCount === 1 ? "is" : "are"
    } not what limits them`
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
 * import { formatParameter } from "./explain.ts";
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

function speedupText(speedup: number): string {
  return Number.isFinite(speedup) && speedup > 0 ? formatSpeedup(speedup) : "n/a";
}

function rSquaredText(fit: { rSquared: number }): string {
  return `R² ${fit.rSquared.toFixed(3)}${credible(fit) ? "" : ", too low to trust"}`;
}

function peakText(fit: UslFit): string {
  // σ ≥ 1 puts the peak at 1: every added worker makes it slower.
  if (fit.peakWorkers !== null && fit.peakWorkers <= 1) return "peak at 1 worker";
  return fit.peakWorkers === null
    ? "no peak"
    : `peak near ${
      fit.peakWorkers < 100 ? fit.peakWorkers.toFixed(1) : Math.round(fit.peakWorkers)
    } workers`;
}

function uslText(fit: UslFit): string {
  return `σ=${formatParameter(fit.sigma)} κ=${formatParameter(fit.kappa)}${
    fit.gammaMode === "free" ? ` γ=${formatParameter(fit.gamma)}` : ""
  } (${rSquaredText(fit)}), ${peakText(fit)}, predicted ${
    speedupText(fit.predicted.speedup)
  } at ${fit.predicted.workers} workers`;
}

/** A free γ's baseline more than this share off its measurement, or peaks this far apart, disagree. */
const USL_DISAGREEMENT = 0.1;

/**
 * Whether the USL fitted with γ free tells a different story from the
 * baseline-anchored one: the free fit puts the baseline step more than 10%
 * off its measurement (so every speed-up relative to it is off too), or the
 * two put the peak more than 10% apart (or only one has a peak).
 *
 * @param anchored The USL fitted through the baseline's measurement.
 * @param free The USL fitted with γ free.
 * @returns A phrase starting "disagrees" or "agrees".
 *
 * @example SPEC SDM91: the 1-user measurement is well below the fit's
 * ```ts
 * import { compareUslFits } from "./explain.ts";
 * import { fitUsl } from "./fit.ts";
 * import assert from "node:assert/strict";
 *
 * const users = [1, 18, 36, 72, 108, 144, 216];
 * const throughput = [64.9, 995.9, 1652.4, 1853.2, 1828.9, 1775.0, 1702.2];
 * const points = users.map((workers, i) => ({ workers, speedup: throughput[i] / throughput[0] }));
 * const [anchored, free] = [fitUsl(points), fitUsl(points, { gamma: "free" })];
 * assert.ok(anchored.ok && free.ok);
 * assert.match(compareUslFits(anchored, free), /^disagrees: .* 28% below what the other steps imply/);
 * ```
 */
export function compareUslFits(anchored: UslFit, free: UslFit): string {
  const b = free.baselineWorkers;
  const modelled = uslThroughput(b, free.sigma, free.kappa, free.gamma);
  if (Math.abs(modelled - 1) > USL_DISAGREEMENT) {
    const off = modelled > 1
      ? `${percent(1 - 1 / modelled)} below`
      : `${percent(1 / modelled - 1)} above`;
    return `disagrees: with γ free, the baseline step's throughput is ${off} what the other ` +
      `steps imply, so speed-ups relative to it ${
        modelled > 1 ? "overstate" : "understate"
      } scaling`;
  }
  const [p, q] = [anchored.peakWorkers, free.peakWorkers];
  if ((p === null) !== (q === null) || (p !== null && q !== null && Math.abs(q / p - 1) > 0.1)) {
    const where = (peak: number | null) => peak === null ? "none" : String(Math.round(peak));
    return `disagrees on the peak: ${where(p)} workers anchored, ${where(q)} with γ free`;
  }
  return "agrees with the baseline-anchored fit";
}

/**
 * The fit and recommendation lines shared by the table and Markdown outputs:
 * Amdahl, the USL through the baseline, the USL with γ free (only with the
 * 5 or more worker counts it needs, with whether the two USL fits agree), and
 * the recommendation. A fit whose R² is below {@linkcode CREDIBLE_R_SQUARED}
 * says it is too low to trust.
 *
 * @param analysis The sweep's analysis.
 * @returns The lines (no bullets, no newline).
 *
 * @example A fit that could not be made says why
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { analyzeSweep } from "./stats.ts";
 * import { describeFits } from "./explain.ts";
 * import assert from "node:assert/strict";
 *
 * const step = {
 *   workers: 1, seconds: 2, jobCount: 2, startupSeconds: 0, completed: 2, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * };
 * const [amdahl] = describeFits(analyzeSweep({ steps: [step] }));
 * assert.equal(amdahl, "Amdahl: not fitted (needs speed-ups at 3 or more worker counts, received 1)");
 * ```
 */
export function describeFits(
  analysis:
    & Pick<SweepAnalysis, "amdahl" | "usl" | "recommendation" | "steps">
    & Partial<Pick<SweepAnalysis, "uslFree">>,
): string[] {
  const { amdahl, usl, uslFree, recommendation } = analysis;
  const uneven = analysis.steps.some((step) => step.idealSpeedup < step.workerRatio * (1 - 1e-9));
  const lines = [
    amdahl.ok
      ? `Amdahl: s=${formatParameter(amdahl.serialFraction)} (${rSquaredText(amdahl)}${
        uneven ? ", uneven split allowed for" : ""
      }), speed-up limit ${
        amdahl.speedupLimit === null ? "none" : speedupText(amdahl.speedupLimit)
      }, predicted ${speedupText(amdahl.predicted.speedup)} at ${amdahl.predicted.workers} workers`
      : `Amdahl: not fitted (${amdahl.reason})`,
    usl.ok ? `USL: ${uslText(usl)}` : `USL: not fitted (${usl.reason})`,
  ];
  if (uslFree?.ok) {
    lines.push(
      `USL, γ free: ${uslText(uslFree)}; ${
        usl.ok ? compareUslFits(usl, uslFree) : "the baseline-anchored fit failed"
      }`,
    );
  }
  lines.push(
    `Recommendation: ${plural(recommendation.workers, "worker")} (${recommendation.reason})`,
  );
  return lines;
}
