/**
 * The JSON report's `concurrency` block: the threads-or-jobs-in-flight verdict
 * and every configuration it measured. Private to `src/report/format/`.
 *
 * @module
 */
import { finite } from "../_common.ts";
import type { ConcurrencyFigures, ConcurrencyVerdict } from "../analysis/concurrency.ts";

/** One configuration in the JSON report's `concurrency` block. */
export interface JsonConfiguration {
  /** Workers; 0 is the calling thread. */
  workers: number;
  /** Jobs in flight per thread. */
  concurrency: number;
  /** Wall time, in seconds. */
  seconds: number | null;
  /** Worker start-up, in seconds. */
  startupSeconds: number | null;
  /** Peak process RSS, in MiB. */
  peakRssMiB: number | null;
  /** Completed jobs per second. */
  throughput: number | null;
  /** CPU seconds over the jobs' run seconds. */
  cpuShare: number | null;
}

/** The JSON report's `concurrency` block (see the module doc). */
export interface JsonConcurrency {
  /** What the job does with its time. */
  shape: string;
  /** CPU seconds over run seconds, in the step the shape comes from. */
  cpuShare: number | null;
  /** The recommended configuration. */
  pick: JsonConfiguration;
  /** The configuration with the highest throughput. */
  fastest: JsonConfiguration;
  /** What the shape suggests, for a job that computes or mixes. */
  suggested: { threads: number | null; inFlight: number } | null;
  /** Whether Amdahl and USL fits along the thread axis are a reason. */
  showFits: boolean;
  /** The verdict and why. */
  reason: string;
  /** Every configuration measured, inline ones included. */
  configurations: JsonConfiguration[];
}

function jsonConfiguration(step: ConcurrencyFigures): JsonConfiguration {
  return {
    workers: step.workers,
    concurrency: step.concurrency,
    seconds: finite(step.seconds),
    startupSeconds: finite(step.startupSeconds),
    peakRssMiB: finite(step.peakRssBytes / (1024 * 1024)),
    throughput: finite(step.throughput),
    cpuShare: finite(step.cpuShare),
  };
}

/** The verdict as the JSON report's `concurrency` block. */
export function jsonConcurrency(verdict: ConcurrencyVerdict): JsonConcurrency {
  return {
    shape: verdict.shape,
    cpuShare: finite(verdict.cpuShare),
    pick: jsonConfiguration(verdict.pick),
    fastest: jsonConfiguration(verdict.fastest),
    suggested: verdict.suggested
      ? { threads: verdict.suggested.threads ?? null, inFlight: verdict.suggested.inFlight }
      : null,
    showFits: verdict.showFits,
    reason: verdict.reason,
    configurations: verdict.steps.map(jsonConfiguration),
  };
}
