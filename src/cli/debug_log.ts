/**
 * The verbose DEBUG log (Golang-Channels' format): one line per worker and job event.
 *
 * @module
 */
import type { SweepEvent } from "../types.ts";
import { withPermissionHint } from "./permission_hint.ts";
import { terminalSafe } from "./terminal_text.ts";

const LABEL_WIDTH = 37;
const label = (text: string) => text.padEnd(LABEL_WIDTH);

/**
 * Prints the verbose DEBUG log, line by line as events arrive.
 *
 * @param jobName The job kind's name as the log shows it.
 * @param print Writes one line.
 * @returns The event handler.
 */
export function debugLogger(
  jobName: string,
  print: (line: string) => void,
): (event: SweepEvent) => void {
  return (event) => {
    switch (event.type) {
      case "step-start": {
        const title = `|  Spawning workers for test ${event.step} of ${event.stepCount}  |`;
        const rule = "-".repeat(title.length);
        const cpus = navigator.hardwareConcurrency;
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
      case "job-started":
        print(
          `${
            label(`  JOB ${event.jobNumber}/${event.jobCount} STARTED:`)
          }${event.jobId} with Worker: ${event.workerId}`,
        );
        break;
      case "job-finished": {
        const job = event.job;
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
        break;
      }
      case "step-end":
        print(`\n${"-".repeat(71)}`);
        print(`${label("Total time taken:")}${event.result.seconds.toFixed(6)} Seconds\n`);
        break;
    }
  };
}
