/**
 * The verbose DEBUG log (Golang-Channels' format): one line per worker and job event.
 *
 * @module
 */
import type { SweepEvent } from "../types.ts";
import { machineCeiling } from "./machine.ts";
import { withPermissionHint } from "./permission_hint.ts";
import { terminalSafe } from "./terminal_text.ts";

const LABEL_WIDTH = 37;
const label = (text: string) => text.padEnd(LABEL_WIDTH);

/**
 * Prints the verbose DEBUG log, line by line as events arrive. A job's
 * STARTED line waits until its worker has a free place (the previous job's
 * COMPLETED line with one job in flight): the main thread may see a worker's
 * next job running before the report of the one before arrives, and the log
 * must not show a job started before the worker finished the last.
 *
 * @param jobName The job kind's name as the log shows it.
 * @param print Writes one line.
 * @returns The event handler.
 */
export function debugLogger(
  jobName: string,
  print: (line: string) => void,
): (event: SweepEvent) => void {
  let concurrency = 1;
  // Per worker: how many of its jobs the log shows running, and the STARTED lines held back.
  const running = new Map<string, number>();
  const held = new Map<string, { jobNumber: number; line: string }[]>();
  // `upTo`: a job that finished (its line and those before it go now), or "all" at the step's end.
  const release = (workerId: string, upTo?: number | "all") => {
    const queue = held.get(workerId) ?? [];
    while (queue.length > 0) {
      const due = upTo === "all" || queue.some((entry) => entry.jobNumber === upTo);
      if (!due && (running.get(workerId) ?? 0) >= concurrency) break;
      print(queue.shift()!.line);
      running.set(workerId, (running.get(workerId) ?? 0) + 1);
    }
  };
  return (event) => {
    switch (event.type) {
      case "step-start": {
        concurrency = event.concurrency;
        running.clear();
        held.clear();
        const title = `|  Spawning workers for test ${event.step} of ${event.stepCount}  |`;
        const rule = "-".repeat(title.length);
        // The CPUs this process can use (affinity mask, cgroup quota), not the host's count.
        const cpus = machineCeiling().wholeCpus;
        print(`${rule}\n${title}\n${rule}\n`);
        print(`${label(`Workers: ${event.workers}`)}Job Name: ${jobName}`);
        print("-".repeat(60));
        print(`${label("  Workers In Use:")}${event.workers}`);
        print(`${label("  Workers Available:")}${cpus}`);
        print(`${label("  Workers Idle:")}${Math.max(0, cpus - event.workers)}`);
        if (event.concurrency > 1) {
          print(`${label("  Jobs In Flight per Worker:")}${event.concurrency}`);
        }
        print(`${label("  Number of Jobs:")}${event.jobCount}`);
        print(`${"-".repeat(60)}\n`);
        break;
      }
      case "worker-allocated":
        print(`${label(`Allocating Worker #${event.workerNumber}:`)}${event.workerId}`);
        break;
      case "workers-ready":
        print(
          `${label("Workers ready:")}${event.workers} in ${
            event.startupSeconds.toFixed(6)
          } Seconds (not counted in the step time)`,
        );
        break;
      case "worker-replaced":
        print(`${label("Replacing Worker:")}${event.oldWorkerId} with ${event.workerId}`);
        break;
      case "worker-lost":
        print(`${label("Lost Worker:")}${event.workerId} (${event.reason})`);
        break;
      case "job-allocated":
        print(`${label(`  Allocating Job #${event.jobNumber}:`)}${event.jobId}`);
        break;
      case "job-started": {
        const line = `${
          label(`  JOB ${event.jobNumber}/${event.jobCount} STARTED:`)
        }${event.jobId} with Worker: ${event.workerId}`;
        const queue = held.get(event.workerId) ?? [];
        queue.push({ jobNumber: event.jobNumber, line });
        held.set(event.workerId, queue);
        release(event.workerId);
        break;
      }
      case "job-finished": {
        const job = event.job;
        // Its own STARTED line first, if it was still held back.
        if (job.workerId) release(job.workerId, job.jobNumber);
        const verb = job.status === "done" ? "COMPLETED" : job.status.toUpperCase();
        const detail = job.status === "done"
          ? `Ran ${jobName} in ${job.elapsedSeconds.toFixed(9)} Seconds${
            job.summary ? `: ${terminalSafe(job.summary)}` : ""
          }`
          : terminalSafe(`${job.error?.name}: ${withPermissionHint(job.error?.message ?? "")}`);
        print(
          `${
            label(`    -> JOB ${job.jobNumber}/${event.jobCount} ${verb}:`)
          }${job.jobId} with Worker: ${job.workerId || "(none)"} (${detail})`,
        );
        if (job.workerId && running.has(job.workerId)) {
          running.set(job.workerId, Math.max(0, running.get(job.workerId)! - 1));
          release(job.workerId);
        }
        break;
      }
      case "step-end":
        for (const workerId of held.keys()) release(workerId, "all");
        print(`\n${"-".repeat(71)}`);
        print(`${label("Total time taken:")}${event.result.seconds.toFixed(6)} Seconds\n`);
        break;
    }
  };
}
