/**
 * Noise you can see: whether the machine was busy while a sweep ran, from
 * what each step recorded (the 1-minute load average as it began, and the
 * process's CPU time against the jobs' run time), and whether jobs that had
 * their CPUs still slowed each other down. Data in, sentences out.
 *
 * @module
 */
import { jobColumn, quantileInPlace } from "./_samples.ts";
import { duration, plural } from "../../text.ts";
import type { JobBound } from "./stats.ts";
import type { StepResult } from "../../types.ts";

/** What {@linkcode checkNoise} reads from each step (a `SweepStep` has all of it). */
export interface NoiseStep
  extends Pick<StepResult, "workers" | "concurrency" | "jobs" | "seconds"> {
  /** Which run of the sweep (1-based); default 1. */
  repeat?: number;
  /** The 1-minute load average as the step began. */
  loadAverage?: number;
  /** The process's CPU time during the timed step, in seconds. */
  cpuSeconds?: number;
}

/** Options for {@linkcode checkNoise}. */
export interface NoiseOptions {
  /** The machine's logical CPU count. */
  cpuCount: number;
  /**
   * What limits one job: the CPU-time checks apply to `"cpu"` jobs only, and jobs that wait
   * (`"wait"`: sleep, IO) get no busy-machine warning, since they need no CPU to wait.
   */
  jobBound?: JobBound;
  /** The scan value these steps belong to ("sleep-ms = 5"), named in every line. */
  scanValue?: string;
}

/** What {@linkcode checkNoise} found. */
export interface NoiseReport {
  /** Whether the machine was busy with other work: the verdict is then unreliable. */
  busy: boolean;
  /** The warnings and notes, one sentence each (empty when all looked quiet). */
  lines: string[];
}

/** CPU-bound jobs that got less than this share of their run time as CPU time waited for a CPU. */
const CPU_SHARE_BUSY = 0.85;
/** A per-job run time this much above the first step's, with CPUs to spare, is contention. */
const CONTENTION_RISE = 1.15;

/**
 * The load above which the machine was busy before the sweep began: half its
 * CPUs, and at least one (a 1-minute average decays slowly, so a little left
 * from a run a minute ago is not other work; the CPU-time check sees the rest).
 */
function busyLoad(cpuCount: number): number {
  return Math.max(1, 0.5 * cpuCount);
}

function medianRun(step: NoiseStep): number | undefined {
  const { jobs } = step;
  const runs = jobColumn(jobs, "elapsedSeconds", (index) => jobs.status(index) === "done");
  return runs.length === 0 ? undefined : quantileInPlace(runs, 0.5);
}

function runSum(step: NoiseStep): number {
  let sum = 0;
  for (let index = 0; index < step.jobs.length; index++) sum += step.jobs.elapsedSeconds(index);
  return sum;
}

/**
 * Checks a sweep for noise. The machine counts as busy when the load before
 * the first step was already high, or when CPU-bound jobs on no more workers
 * than CPUs got clearly less CPU time than their run time (they were
 * runnable and waited for a CPU someone else had). Per-job run time that
 * rises while the jobs had their CPUs is not "busy": it is contention between
 * the jobs themselves, named as such.
 *
 * @param steps The sweep's steps, as measured (every repeat).
 * @param options The CPU count and what limits the jobs.
 * @returns Whether it was busy, and the sentences to print.
 *
 * @example CPU-bound jobs that waited for a CPU
 * ```ts
 * import { jobRecords } from "../../step/job_records.ts";
 * import { checkNoise } from "./noise.ts";
 * import assert from "node:assert/strict";
 *
 * const job = { jobId: "a", jobNumber: 1, workerId: "w", status: "done" as const, waitSeconds: 0 };
 * const jobs = jobRecords([{ ...job, elapsedSeconds: 1 }, { ...job, elapsedSeconds: 1 }]);
 * const report = checkNoise(
 *   [{ workers: 2, seconds: 1, jobs, loadAverage: 0.1, cpuSeconds: 1.2 }],
 *   { cpuCount: 2, jobBound: "cpu" },
 * );
 * assert.equal(report.busy, true);
 * assert.match(report.lines[0], /got 1\.20 s of CPU for 2\.00 s of run time/);
 * ```
 */
export function checkNoise(steps: readonly NoiseStep[], options: NoiseOptions): NoiseReport {
  const lines: string[] = [];
  const first = steps[0];
  const load = busyLoad(options.cpuCount);
  const at = options.scanValue === undefined ? "" : ` (at ${options.scanValue})`;
  if (
    options.jobBound !== "wait" && first?.loadAverage !== undefined && first.loadAverage >= load
  ) {
    lines.push(
      `Warning${at}: the machine was busy before the sweep began (1-minute load average ` +
        `${first.loadAverage.toFixed(2)} with ${options.cpuCount} CPUs).`,
    );
  }
  if (options.jobBound === "cpu") {
    // With more than 1 job in flight a job's run time also counts its turns waiting for the
    // thread's other jobs, so CPU against run time says nothing about other work there.
    const starved = steps.filter((step) =>
      step.workers <= options.cpuCount && (step.concurrency ?? 1) === 1 &&
      step.cpuSeconds !== undefined &&
      step.cpuSeconds < CPU_SHARE_BUSY * runSum(step)
    );
    for (const step of starved) {
      const run = runSum(step);
      lines.push(
        `Warning${at}: at ${plural(step.workers, "worker")}` +
          `${(step.repeat ?? 1) > 1 ? ` (run ${step.repeat})` : ""} the CPU-bound jobs got ` +
          `${step.cpuSeconds!.toFixed(2)} s of CPU for ${run.toFixed(2)} s of run time: ` +
          `they waited ${Math.round((1 - step.cpuSeconds! / run) * 100)}% of it for a CPU that ` +
          `other work held.`,
      );
    }
  }
  const busy = lines.length > 0;
  if (busy) {
    lines.push(
      `The verdict above${at} is unreliable: rerun on an idle machine, or with --repeat 5 ` +
        "(and --warmup 1) to see the spread.",
    );
  } else if (options.jobBound === "cpu" && first) {
    const base = medianRun(first);
    const rising = steps.filter((step) => step.workers <= options.cpuCount).map((step) => ({
      step,
      run: medianRun(step),
    })).filter(({ run }) =>
      base !== undefined && run !== undefined && run > CONTENTION_RISE * base
    );
    const worst = rising.sort((a, b) => b.run! - a.run!)[0];
    if (worst && base !== undefined) {
      lines.push(
        `Jobs slow each other down${at}: the median job ran ${duration(base)} at ` +
          `${plural(first.workers, "worker")} and ${duration(worst.run!)} ` +
          `at ${worst.step.workers}, with a CPU each and the CPU time to show for it, so ` +
          `they contend for something shared (memory bandwidth, caches, the allocator, GC), ` +
          `which more workers cannot remove.`,
      );
    }
  }
  return { busy, lines };
}
