/**
 * The analysis in words: one sentence on why the speed-up curve has its
 * shape, the fit and recommendation lines of the table and Markdown outputs,
 * and fitted parameters written short.
 *
 * @module
 */
import { measured } from "./_measured.ts";
import { formatDuration } from "./_format_common.ts";
import type { AmdahlFit, FitFailure, UslFit } from "./fit.ts";
import { RECOMMEND_SHARE } from "./recommend.ts";
import type { StepAnalysis, SweepAnalysis } from "./stats.ts";
import { formatSpeedup } from "./table.ts";

/** Options for {@linkcode explainScaling}. */
export interface ExplainOptions {
  /** Logical CPUs on the machine (`navigator.hardwareConcurrency`). */
  cpuCount?: number;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

/** Below this utilisation at the first step, a sweep measures its dispatcher, not its jobs. */
const DISPATCH_BOUND_UTILIZATION = 0.5;
/** A job this many times the per-job dispatch cost keeps a worker busy over ~90% of the time. */
const DISPATCH_PAYS_FACTOR = 10;

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
 */
export function explainScaling(
  analysis: {
    steps: readonly (
      & Pick<StepAnalysis, "workers" | "speedup" | "efficiency" | "jobCount">
      & Partial<Pick<StepAnalysis, "runSeconds" | "utilization" | "overheadSeconds">>
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
  const base = usable[0];
  const baseRun = base.runSeconds?.p50;
  if (
    base.utilization != null && base.overheadSeconds != null && baseRun !== undefined &&
    base.utilization < DISPATCH_BOUND_UTILIZATION
  ) {
    // The workers mostly waited for jobs: the figures measure the dispatcher, not the jobs.
    const enough = DISPATCH_PAYS_FACTOR * base.overheadSeconds;
    // toPrecision first: 10 × 9e-6 / 1e-6 is 90.00000000000001 in floating point.
    const batch = baseRun > 0 ? Math.ceil(Number((enough / baseRun).toPrecision(12))) : undefined;
    return `Dispatch-bound: at ${plural(base.workers, "worker")} the jobs kept the workers busy ` +
      `only ${percent(base.utilization)} of the time (a job runs ${formatDuration(baseRun)}; ` +
      `handing one out costs about ${formatDuration(base.overheadSeconds)}), so these figures ` +
      `measure the dispatcher more than the jobs: make each job at least ${
        formatDuration(enough)
      } ` +
      `of work${batch && batch > 1 ? ` (about ${batch} of these per job)` : ""} before more ` +
      `workers can pay.`;
  }
  if (usable.every((step) => (step.efficiency ?? 0) >= 0.9)) {
    const above = (last.efficiency ?? 0) > 1.05
      ? ": above 100% means the later steps hid waiting the first one paid, not extra speed"
      : "";
    return `Scaling is near-linear up to ${plural(last.workers, "worker")} ` +
      `(efficiency ${percent(last.efficiency ?? 0)}${above}).`;
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

/**
 * The fit and recommendation lines shared by the table and Markdown outputs.
 *
 * @param analysis The sweep's analysis.
 * @returns Three lines: Amdahl, USL, recommendation (no bullets, no newline).
 *
 * @example A fit that could not be made says why
 * ```ts
 * import { jobRecords } from "../job_records.ts";
 * import { analyzeSweep } from "./stats.ts";
 * import { describeFits } from "./explain.ts";
 * import assert from "node:assert/strict";
 *
 * const step = {
 *   workers: 1, seconds: 2, jobCount: 2, startupSeconds: 0, completed: 2, failed: 0, cancelled: 0,
 *   averageJobSeconds: 1, peakRssBytes: 0, jobs: jobRecords([]),
 * };
 * const [amdahl] = describeFits(analyzeSweep({ steps: [step] }));
 * assert.equal(amdahl, "Amdahl: not fitted (needs speed-ups at 2 or more worker counts, received 1)");
 * ```
 */
export function describeFits(analysis: SweepAnalysis): [string, string, string] {
  const { amdahl, usl, recommendation } = analysis;
  const amdahlLine = amdahl.ok
    ? `Amdahl: s=${formatParameter(amdahl.serialFraction)} (R² ${
      amdahl.rSquared.toFixed(3)
    }), speed-up limit ${
      amdahl.speedupLimit === null ? "none" : speedupText(amdahl.speedupLimit)
    }, predicted ${speedupText(amdahl.predicted.speedup)} at ${amdahl.predicted.workers} workers`
    : `Amdahl: not fitted (${amdahl.reason})`;
  const uslLine = usl.ok
    ? `USL: σ=${formatParameter(usl.sigma)} κ=${formatParameter(usl.kappa)} (R² ${
      usl.rSquared.toFixed(3)
    }), ${
      usl.peakWorkers === null
        ? "no peak"
        : `peak near ${
          usl.peakWorkers < 100 ? usl.peakWorkers.toFixed(1) : Math.round(usl.peakWorkers)
        } workers`
    }, predicted ${speedupText(usl.predicted.speedup)} at ${usl.predicted.workers} workers`
    : `USL: not fitted (${usl.reason})`;
  const recommendationLine = `Recommendation: ${recommendation.workers} ${
    recommendation.workers === 1 ? "worker" : "workers"
  } (${recommendation.reason})`;
  return [amdahlLine, uslLine, recommendationLine];
}
