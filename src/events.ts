/**
 * What a sweep reports while it runs, for DEBUG logs and progress displays.
 *
 * @module
 */
import type { JobResult, StepResult } from "./dispatcher.ts";

/** One thing that happened during a sweep. */
export type SweepEvent =
  | {
    type: "step-start";
    /** 1-based index of the step. */
    step: number;
    /** How many steps the sweep has. */
    stepCount: number;
    workers: number;
    jobCount: number;
  }
  | { type: "worker-allocated"; workerNumber: number; workerId: string }
  | { type: "workers-ready"; workers: number; startupSeconds: number }
  | { type: "job-allocated"; jobNumber: number; jobId: string }
  | { type: "job-started"; jobNumber: number; jobCount: number; jobId: string; workerId: string }
  | { type: "job-finished"; jobCount: number; job: JobResult }
  | { type: "step-end"; step: number; stepCount: number; result: StepResult };

/** Receives sweep events; must not throw. */
export type SweepEventHandler = (event: SweepEvent) => void;
