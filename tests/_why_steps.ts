import { jobRecords } from "../src/step/job_records.ts";
import type { JobResult } from "../src/types.ts";

/** One job of a hand-made step: its worker, run time and start offset. */
export interface HandJob {
  worker: number;
  elapsedSeconds: number;
  waitSeconds?: number;
}

/** A hand-made step from its jobs (job numbers in the order given). */
export function handStep(
  workers: number,
  seconds: number,
  jobs: readonly HandJob[],
  concurrency?: number,
) {
  const results: JobResult[] = jobs.map((job, i) => ({
    jobId: `job-${i + 1}`,
    jobNumber: i + 1,
    workerId: `worker-${job.worker}`,
    status: "done",
    elapsedSeconds: job.elapsedSeconds,
    waitSeconds: job.waitSeconds ?? 0,
  }));
  return { workers, seconds, concurrency, jobs: jobRecords(results) };
}

/** `count` equal jobs dealt to `workers` workers round-robin. */
export function evenJobs(count: number, workers: number, elapsedSeconds: number): HandJob[] {
  return Array.from({ length: count }, (_, i) => ({ worker: i % workers, elapsedSeconds }));
}
