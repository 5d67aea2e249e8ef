/**
 * The sweep child's record of its progress, for the parent CLI: an NDJSON file
 * in which the child appends each step as it starts and as it completes, and
 * the highest-numbered job seen running (from the sweep's `step-progress`
 * events: the first at once, then at most every {@linkcode JOB_MARK_MS}). A child
 * that dies (out of memory, a crash in native code) cannot report; its parent
 * reads this file to print the completed summary and say where it stopped.
 * A file rather than stdout: job code may print.
 *
 * @module
 */
import { jobRecords } from "../step/job_records.ts";
import type { SweepEvent, SweepStep } from "../types.ts";

/**
 * The log's first line, written by the parent: the run's nonce, which the child checks before it
 * runs the sweep (see `supervise.ts`).
 *
 * @param nonce The parent's random nonce for this run.
 * @returns The line, with its newline.
 */
export function supervisorLine(nonce: string): string {
  return `${JSON.stringify({ type: "supervisor", nonce })}\n`;
}

/**
 * The nonce in a step log's first line.
 *
 * @param text The log's text.
 * @returns The nonce, or `undefined` when the first line is not the parent's.
 */
export function stepLogNonce(text: string): string | undefined {
  try {
    const line = JSON.parse(text.slice(0, text.indexOf("\n") >>> 0));
    return line?.type === "supervisor" && typeof line.nonce === "string" ? line.nonce : undefined;
  } catch {
    return undefined;
  }
}

/** The least time between two "job started" marks, in milliseconds. */
export const JOB_MARK_MS = 50;

type LogLine =
  | { type: "supervisor"; nonce: string }
  | { type: "step-start"; workers: number; repeat: number; jobCount: number }
  | { type: "job"; jobNumber: number; jobCount: number }
  | { type: "step"; step: Omit<SweepStep, "jobs"> }
  | { type: "scan-value"; index: number };

const count = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
const time = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value >= 0;
const optional = (value: unknown, check: (value: unknown) => boolean) =>
  value === undefined || value === null || check(value);

/** Whether `entry` has the shape and ranges of a line the sweep child writes. */
function isLogLine(entry: unknown): entry is LogLine {
  const line = entry as Record<string, unknown> | null;
  if (typeof line !== "object" || line === null) return false;
  switch (line.type) {
    case "supervisor":
      return typeof line.nonce === "string";
    case "step-start":
      return count(line.workers) && count(line.repeat) && count(line.jobCount);
    case "job":
      return count(line.jobNumber) && count(line.jobCount);
    case "scan-value":
      return count(line.index);
    case "step": {
      const step = line.step as Record<string, unknown> | null;
      return typeof step === "object" && step !== null &&
        ["workers", "jobCount", "completed", "failed", "cancelled", "repeat"].every((key) =>
          count(step[key])
        ) &&
        ["seconds", "averageJobSeconds", "peakRssBytes", "startupSeconds", "speedup"].every((
          key,
        ) => time(step[key])) &&
        optional(step.concurrency, count) && optional(step.cpuSeconds, time) &&
        optional(step.loadAverage, time) && optional(step.warmupRuns, count) &&
        (step.completed as number) + (step.failed as number) + (step.cancelled as number) ===
          step.jobCount;
    }
    default:
      return false;
  }
}

/** Where the sweep was when its process stopped. */
export interface StepLogReading {
  /** The steps that completed, without their per-job records. */
  steps: SweepStep[];
  /** For a parameter scan, the index of the value each of `steps` belongs to. */
  scanIndexes: number[];
  /** The step that had started and not completed, if any, with the last job seen starting. */
  running?: { workers: number; repeat: number; jobCount: number; lastJobStarted?: number };
}

/**
 * Appends the sweep's progress to the log at `path`, synchronously, so that
 * what was written survives the process dying on the next instruction.
 *
 * @param path The log file (made by the parent).
 * @returns An event handler, a function that records a completed step, one that records the
 *   scan's value (by index) before its sweep, and `close`.
 */
export function openStepLog(path: string): {
  onEvent: (event: SweepEvent) => void;
  step: (step: SweepStep) => void;
  scanValue: (index: number) => void;
  close: () => void;
} {
  const file = Deno.openSync(path, { append: true });
  const encoder = new TextEncoder();
  const write = (line: LogLine) => file.writeSync(encoder.encode(`${JSON.stringify(line)}\n`));
  let lastMark = -Infinity;
  let lastJob = 0;
  return {
    onEvent: (event) => {
      if (event.type === "step-start") {
        const { workers, repeat, jobCount } = event;
        write({ type: "step-start", workers, repeat, jobCount });
        lastMark = -Infinity; // A step's first job is always marked.
        lastJob = 0;
      } else if (event.type === "step-progress" && event.lastStartedJobNumber !== undefined) {
        const now = performance.now();
        if (now - lastMark < JOB_MARK_MS || event.lastStartedJobNumber === lastJob) return;
        lastMark = now;
        lastJob = event.lastStartedJobNumber;
        write({ type: "job", jobNumber: lastJob, jobCount: event.jobCount });
      }
    },
    // Per-job records and profiles stay out: outputs need not be JSON, and the summary needs neither.
    step: (step) => {
      const { jobs: _jobs, profiles: _profiles, ...kept } = step;
      write({ type: "step", step: { ...kept, workerMemory: [] } });
    },
    scanValue: (index) => write({ type: "scan-value", index }),
    close: () => file.close(),
  };
}

/**
 * Reads what a sweep child logged.
 *
 * @param text The log file's text.
 * @returns The completed steps and the step that was running.
 */
export function readStepLog(text: string): StepLogReading {
  const reading: StepLogReading = { steps: [], scanIndexes: [] };
  let scanIndex = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let entry: LogLine;
    try {
      entry = JSON.parse(line);
    } catch {
      break; // The child died mid-line: what came before is all there is.
    }
    // A job granted write access to the temp dir can write here too: what is not a line this
    // process's child wrote ends the reading, as a torn line does.
    if (!isLogLine(entry)) break;
    if (entry.type === "step-start") {
      const { workers, repeat, jobCount } = entry;
      reading.running = { workers, repeat, jobCount };
    } else if (entry.type === "job" && reading.running) {
      reading.running.lastJobStarted = entry.jobNumber;
    } else if (entry.type === "scan-value") {
      scanIndex = entry.index;
    } else if (entry.type === "step") {
      reading.steps.push({ ...entry.step, jobs: jobRecords([]) });
      reading.scanIndexes.push(scanIndex);
      reading.running = undefined;
    }
  }
  return reading;
}
