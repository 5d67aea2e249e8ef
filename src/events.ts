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
  /** A worker died (crash, trap, `self.close()`) and a new one took its place. */
  | { type: "worker-replaced"; oldWorkerId: string; workerId: string }
  /** A worker died and its replacement failed to start: its loop ends. */
  | { type: "worker-lost"; workerId: string; reason: string }
  | { type: "job-started"; jobNumber: number; jobCount: number; jobId: string; workerId: string }
  | { type: "job-finished"; jobCount: number; job: JobResult }
  | { type: "step-end"; step: number; stepCount: number; result: StepResult };

/** Receives sweep events; must not throw. */
export type SweepEventHandler = (event: SweepEvent) => void;
