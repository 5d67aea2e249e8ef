/**
 * When a sweep measures its dispatcher rather than its jobs, shared by the
 * explanation and the recommendation so both reach the same verdict from the
 * same figures.
 *
 * @module
 */

/** Below this utilisation at the first step, a sweep measures its dispatcher, not its jobs. */
export const DISPATCH_BOUND_UTILIZATION = 0.5;
/** A job this many times the per-job dispatch cost keeps a worker busy over ~90% of the time. */
export const DISPATCH_PAYS_FACTOR = 10;

/** The figures behind a dispatch-bound verdict. */
export interface DispatchBound {
  /** Workers in the step the verdict comes from (the first). */
  workers: number;
  /** Share of worker time spent running jobs there. */
  utilization: number;
  /** The median job's run time, in seconds. */
  runSeconds: number;
  /** Worker time not spent running jobs, per job, in seconds. */
  overheadSeconds: number;
  /** How long a job should run for more workers to pay: {@linkcode DISPATCH_PAYS_FACTOR} × overhead. */
  enoughSeconds: number;
  /** How many of these jobs to batch into one for that, when more than 1. */
  batch: number | undefined;
}

/** What a step needs for the verdict (the fields of a `StepAnalysis`). */
export interface DispatchStep {
  /** Workers in the step. */
  workers: number;
  /** Run time percentiles of its finished jobs. */
  runSeconds?: { p50: number } | null;
  /** Share of worker time spent running jobs. */
  utilization?: number | null;
  /** Worker time not spent running jobs, per job, in seconds. */
  overheadSeconds?: number | null;
}

/**
 * The dispatch-bound verdict for a sweep from its first step: its workers
 * were busy less than {@linkcode DISPATCH_BOUND_UTILIZATION} of the time.
 *
 * @param base The sweep's first step.
 * @returns The figures, or `undefined` when the step is not dispatch-bound or lacks them.
 */
export function dispatchBound(base: DispatchStep | undefined): DispatchBound | undefined {
  const runSeconds = base?.runSeconds?.p50;
  if (
    base?.utilization == null || base.overheadSeconds == null || runSeconds === undefined ||
    base.utilization >= DISPATCH_BOUND_UTILIZATION
  ) {
    return undefined;
  }
  const enoughSeconds = DISPATCH_PAYS_FACTOR * base.overheadSeconds;
  // toPrecision first: 10 × 9e-6 / 1e-6 is 90.00000000000001 in floating point.
  const batch = runSeconds > 0
    ? Math.ceil(Number((enoughSeconds / runSeconds).toPrecision(12)))
    : undefined;
  return {
    workers: base.workers,
    utilization: base.utilization,
    runSeconds,
    overheadSeconds: base.overheadSeconds,
    enoughSeconds,
    batch: batch !== undefined && batch > 1 ? batch : undefined,
  };
}
