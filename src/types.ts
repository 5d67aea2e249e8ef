/**
 * The data records a sweep produces: one job, one step, the events while it
 * runs. This file imports nothing, so every layer (dispatcher, sweep, report,
 * CLI) can share these shapes without an import cycle.
 *
 * @module
 */

/** How a job ended. */
export type JobStatus = "done" | "failed" | "cancelled";

/** How one job went. */
export interface JobResult {
  /** The job's UUID. */
  jobId: string;
  /** 1-based position of the job in the batch. */
  jobNumber: number;
  /** The UUID of the worker that ran it (empty when it never started). */
  workerId: string;
  /** `done`, `failed` or `cancelled`. */
  status: JobStatus;
  /** How long the job ran inside its worker, in seconds. */
  elapsedSeconds: number;
  /** How long the job waited in the channel before a worker took it, in seconds. */
  waitSeconds: number;
  /** What the job returned, when done. */
  output?: unknown;
  /** A short phrase about the output ("slept 1000 ms"). */
  summary?: string;
  /** Why it failed or was cancelled. */
  error?: { name: string; message: string };
}

/**
 * Every job of a step, in job-number order (index 0 is job 1). The columns are
 * read by index without making objects, so that millions of jobs stay cheap;
 * `get`, iteration and `toJSON` make {@linkcode JobResult}s on demand.
 */
export interface JobRecords extends Iterable<JobResult> {
  /** How many jobs. */
  readonly length: number;
  /** The job at a 0-based index, as an object made now. */
  get(index: number): JobResult;
  /** How the job at `index` ended. */
  status(index: number): JobStatus;
  /** How long the job at `index` ran inside its worker, in seconds. */
  elapsedSeconds(index: number): number;
  /** How long the job at `index` waited in the channel, in seconds. */
  waitSeconds(index: number): number;
  /** Whether a worker took the job at `index` (false for jobs settled before any started them). */
  started(index: number): boolean;
  /**
   * What the job at `index` returned (`null` for none, for a job that did not finish, and for
   * every job of a step run with `keepOutputs: false`).
   */
  output(index: number): unknown;
  /**
   * The digest of the job at `index`'s output, made as it arrived (`undefined` for no output):
   * what the cross-step output check compares. Records built by hand may leave it out.
   */
  outputDigest?(index: number): OutputDigest | undefined;
  /** Every job as an object (what `JSON.stringify` writes). */
  toJSON(): JobResult[];
}

/** What the cross-step output check keeps of one output (see `digestOutput`). */
export interface OutputDigest {
  /** A 64-bit hash of the output's canonical form, as 16 hex digits. */
  readonly hash: string;
  /** The output's start as text, at most 41 characters (41: it was cut). */
  readonly preview: string;
}

/** How one step (a fixed worker count and jobs in flight, running the whole batch) went. */
export interface StepResult {
  /** How many workers ran the batch. */
  workers: number;
  /**
   * Jobs in flight per worker (per the calling thread when `workers` is 0): 1 runs one job at a
   * time; more keeps that many promises pending on each thread. Every step the library makes
   * sets it; a step made by hand may leave it out, which means 1.
   */
  concurrency?: number;
  /** How many jobs were submitted. */
  jobCount: number;
  /** From the first job handed out to the last result, in seconds. */
  seconds: number;
  /** Jobs that finished. */
  completed: number;
  /** Jobs that threw, timed out or lost their worker. */
  failed: number;
  /** Jobs stopped by a cancel before they finished, or never started. */
  cancelled: number;
  /** Mean of the jobs' in-worker run times, in seconds (finished jobs only). */
  averageJobSeconds: number;
  /** Highest resident set size of the whole process seen during the step, in bytes. */
  peakRssBytes: number;
  /** Every job, in job-number order, as columns ({@linkcode JobRecords}). */
  jobs: JobRecords;
}

/** One worker's memory at the end of a step, in bytes. */
export interface WorkerMemory {
  /** V8 heap in use inside the worker. */
  heapUsed: number;
  /** V8 heap reserved by the worker. */
  heapTotal: number;
  /** Memory held outside the V8 heap (buffers) by the worker. */
  external: number;
  /** The worker's WebAssembly memory, for job kinds that have one. */
  wasmMemoryBytes?: number;
}

/** The CPU profiles of one step: V8 `Profiler.Profile` objects, as `.cpuprofile` files hold. */
export interface StepProfiles {
  /** The main thread's profile. */
  main: unknown;
  /** One profile per worker, in allocation order (`undefined` for a worker that died). */
  workers: unknown[];
}

/** One step of a sweep: a step's result, its start-up time and its speed-up over the first step. */
export interface SweepStep extends StepResult {
  /** Which run of the sweep this step belongs to, 1-based (see `repeat` in the sweep options). */
  repeat: number;
  /** From spawning the workers until all were ready, in seconds; not part of `seconds`. */
  startupSeconds: number;
  /** The first step's `seconds` (of the same repeat) divided by this step's (1 for the first). */
  speedup: number;
  /** Each worker's memory at the end of the step, in allocation order (`undefined` if it died). */
  workerMemory?: (WorkerMemory | undefined)[];
  /** The CPU profiles, when profiling was asked for. */
  profiles?: StepProfiles;
  /** The machine's 1-minute load average as the step began, before its workers were spawned. */
  loadAverage?: number;
  /**
   * CPU time the whole process (every thread) used during the timed step,
   * user + system, in seconds: next to the jobs' summed run time it tells
   * whether CPU-bound jobs had their CPUs or waited for one.
   */
  cpuSeconds?: number;
  /** How many untimed runs of the batch came before the timed one (see `warmup`). */
  warmupRuns?: number;
}

/** One thing that happened during a sweep. */
export type SweepEvent =
  | {
    type: "step-start";
    /** 1-based index of the step within its run. */
    step: number;
    /** How many steps one run of the sweep has. */
    stepCount: number;
    /** 1-based index of the run (see `repeat`). */
    repeat: number;
    workers: number;
    /** Jobs in flight per worker (or on the calling thread for 0 workers). */
    concurrency: number;
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
  /**
   * While a step runs, at most every 100 ms and once at its end: how many of
   * its jobs are final, and the highest-numbered job seen running.
   */
  | { type: "step-progress"; settled: number; jobCount: number; lastStartedJobNumber?: number }
  /** A step ended; when the sweep was aborted during it, `step` holds what it had done. */
  | { type: "step-end"; step: number; stepCount: number; result: SweepStep };

/** Receives sweep events; must not throw. */
export type SweepEventHandler = (event: SweepEvent) => void;
