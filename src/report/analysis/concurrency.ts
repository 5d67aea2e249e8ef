/**
 * Threads or jobs in flight: what a job does with its time (computes, waits
 * or mixes, from the process's CPU seconds against the jobs' run time), the
 * cheapest workers × concurrency configuration within
 * {@linkcode CHEAPEST_SHARE} of the best measured throughput, and why, in
 * measured numbers and Little's law (jobs in flight L = throughput λ × time
 * a job takes W). Pure: steps in, a verdict out.
 *
 * @module
 */
import {
  blocking,
  cheaper,
  type ConcurrencyFigures,
  type ConcurrencyStep,
  configuration,
  fastestOf,
  interleaved,
  mib,
  rate,
  stepFigures,
  threads,
  timing,
} from "./_concurrency_figures.ts";
import { duration, percent, plural } from "../../text.ts";

export type { ConcurrencyFigures, ConcurrencyStep };

/**
 * At or above this CPU share (0.8) a job computes: it holds its thread, so
 * jobs in flight cannot help it. Not 1: the share of a computing job falls
 * short by its start-up, GC pauses and the odd await.
 *
 * @example The boundary computes
 * ```ts
 * import { COMPUTES_SHARE, jobShape } from "./concurrency.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(jobShape(COMPUTES_SHARE), "computes");
 * assert.equal(jobShape(COMPUTES_SHARE - 0.01), "mixes");
 * ```
 */
export const COMPUTES_SHARE = 0.8;
/**
 * At or below this CPU share (0.2) a job waits: jobs in flight on one thread
 * overlap its waits. Not 0: the process's CPU includes the dispatcher's own.
 *
 * @example The boundary waits
 * ```ts
 * import { jobShape, WAITS_SHARE } from "./concurrency.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(jobShape(WAITS_SHARE), "waits");
 * assert.equal(jobShape(WAITS_SHARE + 0.01), "mixes");
 * ```
 */
export const WAITS_SHARE = 0.2;
/**
 * The share of the best measured throughput a cheaper configuration must
 * reach to be picked instead: 0.95, so 5% slower buys fewer threads or fewer
 * jobs in flight.
 *
 * @example Exactly at the share, the cheaper configuration wins
 * ```ts
 * import { analyzeConcurrency, CHEAPEST_SHARE } from "./concurrency.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, seconds: number) => ({
 *   workers, concurrency: 16, seconds, jobCount: 100, completed: 100, failed: 0, cancelled: 0,
 *   startupSeconds: 0.04 * workers, peakRssBytes: 0, averageJobSeconds: 0.01,
 * });
 * const verdict = analyzeConcurrency([step(1, 1 / CHEAPEST_SHARE), step(2, 1)]);
 * assert.equal(verdict?.pick.workers, 1);
 * assert.equal(verdict?.fastest.workers, 2);
 * ```
 */
export const CHEAPEST_SHARE = 0.95;

/** What a job does with its run time; `"unknown"` without the process's CPU seconds. */
export type JobShape = "computes" | "waits" | "mixes" | "unknown";

/** Options for {@linkcode analyzeConcurrency}. */
export interface ConcurrencyOptions {
  /** Logical CPUs the run could use (`navigator.hardwareConcurrency`). */
  cpuCount?: number;
}

/** The configuration the shape suggests, before the measurements decide. */
export interface ConcurrencySuggestion {
  /** Threads: the measured thread count nearest the CPU count; `undefined` without it. */
  threads: number | undefined;
  /** Jobs in flight per thread: 1 for a job that computes, ≈ 1 + wait ÷ compute for one that mixes. */
  inFlight: number;
}

/** The verdict on a workers × concurrency sweep. */
export interface ConcurrencyVerdict {
  /** What the job does with its time, from {@linkcode ConcurrencyVerdict.shareFrom}. */
  shape: JobShape;
  /** CPU seconds ÷ the jobs' run seconds in that step, in [0, 1]; `null` when unknown. */
  cpuShare: number | null;
  /** The step the shape comes from; `undefined` when no step has CPU seconds. */
  shareFrom: ConcurrencyFigures | undefined;
  /** Every step's figures, in the order given. */
  steps: ConcurrencyFigures[];
  /** The eligible step with the highest throughput. */
  fastest: ConcurrencyFigures;
  /** The cheapest eligible step within {@linkcode CHEAPEST_SHARE} of the fastest: the verdict. */
  pick: ConcurrencyFigures;
  /** What the shape suggests, for a job that computes or mixes. */
  suggested: ConcurrencySuggestion | undefined;
  /** Whether the pick matches {@linkcode ConcurrencyVerdict.suggested}; `undefined` without one. */
  agrees: boolean | undefined;
  /**
   * Whether Amdahl and USL fits along the thread axis mean anything: only
   * when the job computes (or nobody knows, today's behaviour). For a job
   * that waits or mixes, more threads also overlap waits, which the fits
   * would misread as parallel work; hide them as a reason.
   */
  showFits: boolean;
  /** Why the fits are hidden, as a sentence; `undefined` when `showFits`. */
  fitsNote: string | undefined;
  /** The verdict and why, in measured numbers: sentences ending in a period. */
  reason: string;
}

/**
 * Names the shape of a CPU share: `"computes"` at {@linkcode COMPUTES_SHARE}
 * or more, `"waits"` at {@linkcode WAITS_SHARE} or less, `"mixes"` between,
 * and `"unknown"` for no share.
 *
 * @param cpuShare CPU seconds ÷ run seconds, or `null` when not measured.
 * @returns The shape.
 *
 * @example The three shapes and the unknown one
 * ```ts
 * import { jobShape } from "./concurrency.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([0.97, 0.5, 0.03, null].map(jobShape), ["computes", "mixes", "waits", "unknown"]);
 * ```
 */
export function jobShape(cpuShare: number | null): JobShape {
  if (cpuShare === null) return "unknown";
  if (cpuShare >= COMPUTES_SHARE) return "computes";
  return cpuShare <= WAITS_SHARE ? "waits" : "mixes";
}

/** The order steps are trusted to tell the shape in: C = 1 first, then 1 worker, inline, more. */
function shareRank(step: ConcurrencyFigures): [number, number] {
  return [step.concurrency, step.workers === 1 ? 0 : step.workers === 0 ? 1 : step.workers];
}

/** Of the measured values, the one nearest `target` (the smaller of two as near). */
function nearest(values: readonly number[], target: number): number {
  return values.reduce((near, value) =>
    Math.abs(value - target) < Math.abs(near - target) ||
      (Math.abs(value - target) === Math.abs(near - target) && value < near)
      ? value
      : near
  );
}

/**
 * The verdict on a workers × concurrency sweep: what the job does with its
 * time, the cheapest configuration within {@linkcode CHEAPEST_SHARE} of the
 * best measured throughput, and why.
 *
 * - **CPU share** per step: the process's CPU seconds ÷ the jobs' summed run
 *   seconds, clamped to [0, 1]. The process's CPU includes the dispatcher's
 *   own, GC and compiler threads (so it can pass 1 for tiny jobs), and with
 *   more in flight than a thread can run, or more threads than CPUs, a job's
 *   run time also counts its wait for the thread (so the share drops). The
 *   shape therefore comes from the most trustworthy step with CPU seconds:
 *   the lowest concurrency, then 1 worker, inline, then the fewest workers.
 *   Without CPU seconds the shape is `"unknown"`, never guessed.
 * - **Throughput** = completed jobs ÷ the step's seconds (start-up excluded), the rate in
 *   Little's law; the verdict ranks by the **batch throughput**, completed jobs ÷ (the step's
 *   seconds + its workers' start-up), so a thread's start-up counts against it.
 * - **Eligible**: steps where no job failed or was cancelled; every measured
 *   step when none is clean (the reason says so).
 * - **Cheapest**: fewest workers (0, inline on the calling thread, is the
 *   cheapest of all), then fewest in flight, then less start-up and memory:
 *   a thread costs an isolate's start-up and memory, a job in flight almost
 *   nothing.
 *
 * @param steps The sweep's steps, one per workers × concurrency (medians for repeats).
 * @param options The CPUs the run could use.
 * @returns The verdict, or `undefined` when every step has concurrency 1 (a
 *   plain sweep: today's outputs stay as they are) or no step took a
 *   measurable time with a completed job.
 *
 * @example Timer jobs: one thread with many in flight beats 8 workers
 * ```ts
 * import { analyzeConcurrency } from "./concurrency.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, concurrency: number, seconds: number, cpuSeconds: number) => ({
 *   workers, concurrency, seconds, cpuSeconds, jobCount: 200, completed: 200, failed: 0,
 *   cancelled: 0, startupSeconds: workers * 0.03, peakRssBytes: 0, averageJobSeconds: 0.005,
 * });
 * const verdict = analyzeConcurrency([step(1, 1, 1.02, 0.03), step(1, 64, 0.021, 0.02),
 *   step(8, 1, 0.164, 0.05)]);
 * assert.equal(verdict?.shape, "waits");
 * assert.deepEqual([verdict?.pick.workers, verdict?.pick.concurrency], [1, 64]);
 * assert.equal(verdict?.showFits, false);
 * ```
 *
 * @example A plain sweep (concurrency 1 throughout) has no verdict
 * ```ts
 * import { analyzeConcurrency } from "./concurrency.ts";
 * import assert from "node:assert/strict";
 *
 * const step = { workers: 1, concurrency: 1, seconds: 1, jobCount: 4, completed: 4, failed: 0,
 *   cancelled: 0, startupSeconds: 0.03, peakRssBytes: 0, averageJobSeconds: 0.25 };
 * assert.equal(analyzeConcurrency([step, { ...step, workers: 2, seconds: 0.5 }]), undefined);
 * ```
 */
export function analyzeConcurrency(
  steps: readonly ConcurrencyStep[],
  options: ConcurrencyOptions = {},
): ConcurrencyVerdict | undefined {
  if (steps.every((step) => (step.concurrency ?? 1) === 1)) return undefined;
  const figures = steps.map(stepFigures);
  const measured = figures.filter((step) => step.batchThroughput !== null);
  if (measured.length === 0) return undefined;
  const clean = measured.filter((step) => step.clean);
  const eligible = clean.length > 0 ? clean : measured;
  const fastest = fastestOf(eligible)!;
  const pick = eligible
    // The relative 1e-12 keeps a step exactly at the share in, whatever the float rounding.
    .filter((step) =>
      step.batchThroughput! >= CHEAPEST_SHARE * fastest.batchThroughput! * (1 - 1e-12)
    )
    .sort(cheaper)[0];

  const shareFrom = figures
    .filter((step) => step.cpuShare !== null)
    .sort((a, b) => {
      const [ra, rb] = [shareRank(a), shareRank(b)];
      return ra[0] - rb[0] || ra[1] - rb[1];
    })[0];
  const cpuShare = shareFrom?.cpuShare ?? null;
  const shape = jobShape(cpuShare);

  const cpuCount = options.cpuCount !== undefined && options.cpuCount > 0
    ? options.cpuCount
    : undefined;
  const measuredThreads = [...new Set(eligible.map(threads))];
  const suggestedThreads = cpuCount === undefined ? undefined : nearest(measuredThreads, cpuCount);
  let suggested: ConcurrencySuggestion | undefined;
  if (shape === "computes") {
    suggested = { threads: suggestedThreads, inFlight: 1 };
  } else if (shape === "mixes") {
    // Little's law per thread: a thread busy computing finishes 1 job per compute time and each
    // job takes compute + wait, so it needs (compute + wait) ÷ compute = 1 + wait ÷ compute in flight.
    // toPrecision first: a float just above a whole number should not round up a whole job.
    const inFlight = Math.ceil(Number((1 + (1 - cpuShare!) / cpuShare!).toPrecision(12)));
    suggested = { threads: suggestedThreads, inFlight };
  }
  let agrees: boolean | undefined;
  if (suggested) {
    const inFlights = [...new Set(eligible.map((step) => step.concurrency))].sort((a, b) => a - b);
    const enough = inFlights.find((c) => c >= suggested.inFlight) ?? inFlights.at(-1)!;
    agrees = (suggested.threads === undefined || threads(pick) === suggested.threads) &&
      pick.concurrency === enough;
  }

  const showFits = shape === "computes" || shape === "unknown";
  const verdict: ConcurrencyVerdict = {
    shape,
    cpuShare,
    shareFrom,
    steps: figures,
    fastest,
    pick,
    suggested,
    agrees,
    showFits,
    fitsNote: showFits ? undefined : fitsNote(shape, cpuShare!),
    reason: "",
  };
  verdict.reason = [
    shapeReason(verdict, eligible, cpuCount),
    eligibility(figures, clean.length > 0),
  ].filter((part) => part !== undefined).join(" ");
  return verdict;
}

function fitsNote(shape: JobShape, cpuShare: number): string {
  return shape === "waits"
    ? "Amdahl and USL fits are not a reason here: these jobs wait, so more threads only " +
      "overlap waits that jobs in flight overlap on one thread for free."
    : `Amdahl and USL fits are not a reason here: these jobs wait ${percent(1 - cpuShare)} ` +
      "of their run time, so speed-up over threads mixes overlapped waits with computing.";
}

/** Which steps the verdict left out, or that it had to use partial ones. */
function eligibility(
  figures: readonly ConcurrencyFigures[],
  anyClean: boolean,
): string | undefined {
  const partial = figures.filter((step) => !step.clean && step.throughput !== null);
  if (partial.length === 0) return undefined;
  if (!anyClean) {
    return "Every step had failed or cancelled jobs, so the verdict rests on partial work.";
  }
  const which = partial.map(configuration);
  return `Not considered, for failed or cancelled jobs: ${which.join("; ")}.`;
}

function shapeReason(
  verdict: ConcurrencyVerdict,
  eligible: readonly ConcurrencyFigures[],
  cpuCount: number | undefined,
): string {
  const { pick, fastest, cpuShare, shareFrom } = verdict;
  const within = `the cheapest within ${
    percent(1 - CHEAPEST_SHARE)
  } of the best measured throughput (start-up counted)`;
  const cpus = cpuCount === undefined ? "" : ` (${cpuCount})`;
  const fastestClause = fastest === pick
    ? ""
    : `; the fastest, ${configuration(fastest)}, ${timing(fastest, "took")}`;
  switch (verdict.shape) {
    case "unknown":
      return "Without the process's CPU seconds, whether these jobs compute or wait is unknown: " +
        `${configuration(pick)} is ${within}; it ${timing(pick, "did")}${fastestClause}.`;
    case "waits": {
      const blocked = blocking(eligible);
      if (blocked) {
        const [most, one] = blocked;
        return `These jobs wait ${percent(1 - cpuShare!)} of their run time but hold their ` +
          `thread while they wait (a blocking wait, like Atomics.wait or a sync read): ` +
          `${configuration(most)} ${timing(most, "took", false)} against ` +
          `${configuration(one)} ${timing(one, "took", false)}, so jobs in flight do not help ` +
          `and only threads overlap the waits: ${configuration(pick)} is ${within}; it ` +
          `${timing(pick, "did")}${fastestClause}.`;
      }
      // The threads-only answer: the fastest configuration with one job in flight per worker.
      const byThreads = fastestOf(
        eligible.filter((step) => step.concurrency === 1 && step.workers > 0 && step !== pick),
      );
      const memory =
        byThreads && byThreads.peakRssBytes > pick.peakRssBytes && pick.peakRssBytes > 0
          ? ` and peaked at ${mib(byThreads.peakRssBytes)} against ${mib(pick.peakRssBytes)}`
          : "";
      const against = byThreads
        ? `; ${configuration(byThreads)} ${timing(byThreads, "took")}${memory}`
        : "";
      const jobSeconds = shareFrom!.jobSeconds!;
      const inFlight = Math.max(1, Math.round(pick.throughput! * jobSeconds));
      return `These jobs wait ${percent(1 - cpuShare!)} of their run time: ` +
        `${configuration(pick)} ${timing(pick, "did")}${against}. By Little's law (jobs in ` +
        `flight = throughput × time a job takes), ${rate(pick.throughput!)} × ` +
        `${duration(jobSeconds)} a job is about ${plural(inFlight, "job")} in flight: on one ` +
        "event loop they cost almost nothing while they wait, where each thread costs its " +
        "start-up and memory.";
    }
    case "computes": {
      const pair = interleaved(eligible, pick);
      const measured = pair
        ? ` (${configuration(pair[0])} ${timing(pair[0], "took", false)}, ` +
          `${configuration(pair[1])} ${timing(pair[1], "took", false)})`
        : "";
      const threadsClause = verdict.suggested?.threads === undefined
        ? "Use about as many threads as the CPUs the run could use"
        : `Use threads ≈ the CPUs the run could use${cpus}`;
      return `These jobs compute ${percent(cpuShare!)} of their run time, so jobs in flight ` +
        "do not help: a job that computes holds its thread until it returns, so more in " +
        `flight have nothing to overlap${measured}. ${threadsClause}, one job in flight each: ` +
        `${configuration(pick)} is ${within}${agreement(verdict)}; it ` +
        `${timing(pick, "did")}${fastestClause}.`;
    }
    case "mixes": {
      const jobSeconds = shareFrom!.jobSeconds!;
      const computeSeconds = cpuShare! * jobSeconds;
      const ratio = Number(((1 - cpuShare!) / cpuShare!).toFixed(1));
      const { inFlight } = verdict.suggested!;
      const threadsText = cpuCount === undefined
        ? "Threads ≈ the CPUs the run could use"
        : `Threads ≈ the CPUs the run could use${cpus}`;
      return `These jobs compute ${percent(cpuShare!)} of their run time and wait the rest ` +
        `(about ${duration(computeSeconds)} of ${duration(jobSeconds)} a job). ${threadsText}, ` +
        `each with about 1 + wait ÷ compute = 1 + ${ratio} ≈ ${inFlight} in flight, cover the ` +
        `wait (Little's law: a thread busy computing finishes a job every ` +
        `${duration(computeSeconds)}, and each takes ${duration(jobSeconds)}); the measured ` +
        `best ${verdict.agrees ? "agrees" : "differs"}: ${configuration(pick)} is ${within}; ` +
        `it ${timing(pick, "did")}${fastestClause}.`;
    }
  }
}

/** `, as expected`, or what the CPU count suggested instead, for a job that computes. */
function agreement({ agrees, suggested }: ConcurrencyVerdict): string {
  if (agrees) return ", as expected";
  return suggested?.threads === undefined
    ? ""
    : `, not the ${plural(suggested.threads, "thread")} × 1 in flight the CPU count suggests`;
}

/**
 * The lines the analysis prints under its table for a workers × concurrency
 * sweep: the thread-axis fits when they are a reason (else why not), then the
 * recommended configuration. The verdict's `reason` is the explanation under them.
 *
 * @param verdict The sweep's verdict.
 * @param fits The fit lines and the worker recommendation along the thread axis
 *   (`describeFits`); the last line, the worker recommendation, is replaced.
 * @param axisInFlight The jobs in flight of the thread axis the fits were made along.
 * @returns The lines (no bullets, no newline).
 *
 * @example Timer jobs: no fits, one thread with 64 in flight
 * ```ts
 * import { analyzeConcurrency, describeVerdict } from "./concurrency.ts";
 * import assert from "node:assert/strict";
 *
 * const step = (workers: number, concurrency: number, seconds: number) => ({
 *   workers, concurrency, seconds, cpuSeconds: 0.01, jobCount: 200, completed: 200, failed: 0,
 *   cancelled: 0, startupSeconds: workers * 0.03, peakRssBytes: 0, averageJobSeconds: 0.005,
 * });
 * const verdict = analyzeConcurrency([step(1, 1, 1.02), step(1, 64, 0.021), step(2, 1, 0.51)])!;
 * const lines = describeVerdict(verdict, ["Amdahl: …", "USL: …", "Recommendation: 2 workers"]);
 * assert.match(lines[0], /^Amdahl and USL fits are not a reason here/);
 * assert.match(lines[1], /^Recommendation: 1 worker × 64 in flight \(the cheapest within 5%/);
 * ```
 */
export function describeVerdict(
  verdict: ConcurrencyVerdict,
  fits: readonly string[],
  axisInFlight = 1,
): string[] {
  const axis = `threads at ${axisInFlight} in flight`;
  const fitLines = verdict.showFits
    ? fits.slice(0, -1).map((line) => line.replace(/^([^:]+):/, `$1 (${axis}):`))
    : [verdict.fitsNote!];
  return [
    ...fitLines,
    `Recommendation: ${configuration(verdict.pick)} (the cheapest within ${
      percent(1 - CHEAPEST_SHARE)
    } of the best measured throughput counting start-up, ${
      rate(verdict.pick.batchThroughput!)
    } with it)`,
  ];
}
