/**
 * The per-step figures behind the concurrency verdict: what a step is fed
 * ({@linkcode ConcurrencyStep}), its throughput, its CPU share, and how a
 * configuration is written in words. Private to `concurrency.ts`.
 *
 * @module
 */
import { duration, plural } from "../../text.ts";

/**
 * One step of a workers × concurrency sweep, as the verdict reads it: plain
 * figures for one run. For a step combined from repeats, pass the medians of
 * `seconds`, `startupSeconds` and `cpuSeconds`, and either per-run counts or
 * the counts and jobs summed over the runs with `repeats` set (as
 * `combineRepeats` sums them); the verdict divides by `repeats`.
 */
export interface ConcurrencyStep {
  /** Worker threads; 0 runs the jobs inline on the calling thread. */
  workers: number;
  /** Jobs in flight per worker (on the calling thread for `workers` 0); absent means 1. */
  concurrency?: number;
  /** Jobs per run of the step. */
  jobCount: number;
  /** Jobs that finished. */
  completed: number;
  /** Jobs that threw, timed out or lost their worker. */
  failed: number;
  /** Jobs cancelled or never started. */
  cancelled: number;
  /** The step's wall time in seconds, start-up excluded. */
  seconds: number;
  /** Seconds to start the step's workers; 0 inline. */
  startupSeconds: number;
  /** Highest resident set size of the process during the step, in bytes. */
  peakRssBytes: number;
  /** CPU seconds the whole process used during the step (every thread), when measured. */
  cpuSeconds?: number;
  /** Mean run time of the finished jobs, in seconds: the fallback without `jobs`. */
  averageJobSeconds: number;
  /** Per-job records: each job's run time and how it ended. */
  jobs?: {
    readonly length: number;
    elapsedSeconds(index: number): number;
    status(index: number): string;
  };
  /** Runs the counts and `jobs` are summed over (1 when absent). */
  repeats?: number;
}

/** What the verdict found for one step. */
export interface ConcurrencyFigures {
  /** Worker threads; 0 is inline on the calling thread. */
  workers: number;
  /** Jobs in flight per thread. */
  concurrency: number;
  /** Jobs per run. */
  jobCount: number;
  /** Completed jobs per second of the step's wall time; `null` when not measurable. */
  throughput: number | null;
  /**
   * Completed jobs per second of the step's wall time plus its workers' start-up: what a batch
   * run once costs, and what the verdict ranks by (a thread costs its start-up, a job in flight
   * nothing); `null` when not measurable.
   */
  batchThroughput: number | null;
  /** The step's wall time in seconds. */
  seconds: number;
  /** Seconds to start the workers. */
  startupSeconds: number;
  /** Peak process RSS, in bytes. */
  peakRssBytes: number;
  /**
   * CPU seconds ÷ the jobs' summed run seconds, clamped to [0, 1]; `null`
   * without `cpuSeconds` or without run time.
   */
  cpuShare: number | null;
  /** The jobs' mean run time in seconds (per job that ran), `null` without run time. */
  jobSeconds: number | null;
  /** No job failed or was cancelled. */
  clean: boolean;
}

/** Threads a configuration occupies: the calling thread for `workers` 0. */
export function threads(step: { workers: number }): number {
  return Math.max(step.workers, 1);
}

/** The summed run seconds of a step's jobs per run, and how many jobs ran. */
function runTime(step: ConcurrencyStep): { seconds: number; count: number } {
  const repeats = step.repeats ?? 1;
  const jobs = step.jobs;
  if (jobs === undefined || jobs.length === 0) {
    return { seconds: step.averageJobSeconds * step.completed / repeats, count: step.completed };
  }
  let seconds = 0;
  let count = 0;
  // Failed jobs ran too, and the process's CPU counted them: their time belongs in the sum.
  for (let index = 0; index < jobs.length; index++) {
    const elapsed = jobs.elapsedSeconds(index);
    if (jobs.status(index) === "cancelled" || !(elapsed > 0)) continue;
    seconds += elapsed;
    count++;
  }
  return { seconds: seconds / repeats, count: count / repeats };
}

/** The figures for one step. */
export function stepFigures(step: ConcurrencyStep): ConcurrencyFigures {
  const repeats = step.repeats ?? 1;
  const completed = step.completed / repeats;
  const run = runTime(step);
  const measurable = step.seconds > 0 && Number.isFinite(step.seconds) && completed > 0;
  const cpu = step.cpuSeconds;
  // The calling thread starts nothing: a job module's inline step runs in a process of its own
  // only as its sandbox, and that process's start-up is not the configuration's.
  const startupSeconds = step.workers === 0 ? 0 : step.startupSeconds;
  return {
    workers: step.workers,
    concurrency: step.concurrency ?? 1,
    jobCount: step.jobCount,
    throughput: measurable ? completed / step.seconds : null,
    batchThroughput: measurable && Number.isFinite(startupSeconds)
      ? completed / (step.seconds + Math.max(0, startupSeconds))
      : null,
    seconds: step.seconds,
    startupSeconds,
    peakRssBytes: step.peakRssBytes,
    cpuShare: cpu === undefined || !Number.isFinite(cpu) || !(run.seconds > 0)
      ? null
      : Math.min(1, Math.max(0, cpu / run.seconds)),
    jobSeconds: run.count > 0 && run.seconds > 0 ? run.seconds / run.count : null,
    clean: step.failed === 0 && step.cancelled === 0,
  };
}

/** `the calling thread × 64 in flight`, `8 workers × 1 in flight`. */
export function configuration(step: { workers: number; concurrency: number }): string {
  const where = step.workers === 0 ? "the calling thread" : plural(step.workers, "worker");
  return `${where} × ${step.concurrency} in flight`;
}

/** `did 200 jobs in 21.0 ms`, or `took 164.0 ms plus 240.0 ms to start` (start-up when asked). */
export function timing(
  step: ConcurrencyFigures,
  verb: "did" | "took",
  startup = true,
): string {
  const start = startup && step.startupSeconds > 0
    ? ` plus ${duration(step.startupSeconds)} to start`
    : "";
  return verb === "did"
    ? `did ${plural(step.jobCount, "job")} in ${duration(step.seconds)}${start}`
    : `took ${duration(step.seconds)}${start}`;
}

/** Jobs per second, whole, with thousands separated: `9,524 jobs/s`. */
export function rate(throughput: number): string {
  return `${Math.round(throughput).toLocaleString("en-US")} jobs/s`;
}

/** Bytes as whole MiB. */
export function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

/** Cheaper first: fewer threads, fewer in flight, less start-up, less memory. */
export function cheaper(a: ConcurrencyFigures, b: ConcurrencyFigures): number {
  return a.workers - b.workers || a.concurrency - b.concurrency ||
    a.startupSeconds - b.startupSeconds || a.peakRssBytes - b.peakRssBytes;
}

/** The fastest of some steps with a throughput (the first of equals, cheapest first). */
export function fastestOf(steps: readonly ConcurrencyFigures[]): ConcurrencyFigures | undefined {
  return steps.slice().sort(cheaper).reduce<ConcurrencyFigures | undefined>(
    (best, step) =>
      best === undefined || step.batchThroughput! > best.batchThroughput! ? step : best,
    undefined,
  );
}

/** At one worker count, the most in flight against 1: the pick's count when it has both. */
export function interleaved(
  eligible: readonly ConcurrencyFigures[],
  pick: ConcurrencyFigures,
): [ConcurrencyFigures, ConcurrencyFigures] | undefined {
  const counts = [pick.workers, ...new Set(eligible.map((step) => step.workers))];
  for (const workers of counts) {
    const at = eligible.filter((step) => step.workers === workers).sort(cheaper);
    const one = at.find((step) => step.concurrency === 1);
    const most = at.at(-1);
    if (one && most && most.concurrency > 1) return [most, one];
  }
  return undefined;
}

/**
 * A wait that blocks its thread: at some worker count, the most in flight got
 * less than half again the throughput of 1 in flight (an event-loop wait gets
 * about as many times more as there are jobs in flight). The pair, or `undefined`.
 */
export function blocking(
  eligible: readonly ConcurrencyFigures[],
): [ConcurrencyFigures, ConcurrencyFigures] | undefined {
  for (const workers of new Set(eligible.map((step) => step.workers))) {
    const at = eligible.filter((step) => step.workers === workers).sort(cheaper);
    const one = at.find((step) => step.concurrency === 1);
    const most = at.at(-1);
    if (one && most && most.concurrency > 1 && most.throughput! < 1.5 * one.throughput!) {
      return [most, one];
    }
  }
  return undefined;
}
