/**
 * Baselines: a sweep kept as JSON (machine, version, job and params, every
 * repeat's step times) and a later sweep of the same batch compared with it
 * step by step, so a CI job can guard a program's scaling (criterion's
 * `--save-baseline`/`--baseline`, Go's benchstat). Data in, values and
 * sentences out; reading and writing the file is the CLI's.
 *
 * @module
 */
import { duration, plural } from "../../text.ts";
import {
  type BootstrapOptions,
  bootstrapRatioInterval,
  median,
  MIN_REPEATS,
} from "./confidence.ts";
import type { SweepStep } from "../../types.ts";

/** The version of the saved-baseline JSON shape this module reads and writes. */
export const BASELINE_VERSION = 1;

/** How much slower (in percent) a step may get before the comparison fails; default. */
export const DEFAULT_THRESHOLD_PERCENT = 10;

/** The machine a baseline was measured on, as the machine block reports it. */
export interface BaselineMachine {
  /** `navigator.hardwareConcurrency`. */
  cpus: number;
  /** The CPUs this process could really use (affinity, quota), when known. */
  usableCpus?: number;
  /** `Deno.build.os`. */
  os?: string;
  /** `Deno.build.arch`. */
  arch?: string;
  /** `Deno.version.deno`. */
  deno?: string;
  /** Anything else the machine block reports (CPU model, hash). */
  [key: string]: unknown;
}

/** The batch a baseline ran: comparisons refuse a different one. */
export interface BaselineJob {
  /** The job kind's name (`sleep`, `pi`, a module's URL). */
  kind: string;
  /** The job's parameters, as the job kind resolved them. */
  params: Record<string, unknown>;
  /** Jobs per step. */
  jobCount: number;
}

/** One configuration of a saved sweep: its step time in every repeat. */
export interface BaselineStep {
  /** Workers (0 = inline). */
  workers: number;
  /** Jobs in flight per worker. */
  concurrency: number;
  /** The step's time in seconds, one per repeat, in repeat order. */
  seconds: number[];
}

/** A saved sweep: what `--save-baseline NAME` writes as JSON and `--baseline NAME` reads. */
export interface SavedBaseline {
  /** {@linkcode BASELINE_VERSION}. */
  version: typeof BASELINE_VERSION;
  /** The tool's version (`deno.json`'s). */
  toolVersion: string;
  /** When it was saved, as an ISO 8601 string. */
  savedAt: string;
  /** The machine it ran on. */
  machine: BaselineMachine;
  /** The batch. */
  job: BaselineJob;
  /** One entry per configuration, in sweep order. */
  steps: BaselineStep[];
}

/** What {@linkcode toBaseline} needs beyond the steps. */
export interface BaselineInfo {
  /** The tool's version (`deno.json`'s). */
  toolVersion: string;
  /** When it was saved, as an ISO 8601 string. */
  savedAt: string;
  /** The machine it ran on. */
  machine: BaselineMachine;
  /** The job kind and its params; `jobCount` comes from the steps. */
  job: Omit<BaselineJob, "jobCount">;
}

/** What {@linkcode toBaseline} reads from each step (a `SweepStep` has all of it). */
export interface BaselineSourceStep
  extends Pick<SweepStep, "workers" | "seconds" | "repeat" | "jobCount"> {
  /** Jobs in flight per worker; absent means 1. */
  concurrency?: number;
}

function configKey(workers: number, concurrency: number): string {
  return `${workers}×${concurrency}`;
}

function configLabel(workers: number, concurrency: number): string {
  const base = workers === 0 ? "inline" : plural(workers, "worker");
  return concurrency > 1 ? `${base} × ${concurrency} in flight` : base;
}

/**
 * A sweep's steps as a {@linkcode SavedBaseline}: each configuration's times
 * by repeat, in the order the configurations first ran.
 *
 * @param steps Every step of the sweep, every repeat.
 * @param info The tool's version, the time, the machine and the job.
 * @returns The baseline, ready for `JSON.stringify`.
 * @throws {RangeError} When there are no steps, or steps of different job counts.
 *
 * @example Two repeats of 1 and 2 workers
 * ```ts
 * import assert from "node:assert/strict";
 * import { toBaseline } from "./baseline.ts";
 *
 * const steps = [1, 2].flatMap((repeat) => [
 *   { workers: 1, repeat, seconds: 2 + repeat / 100, jobCount: 8 },
 *   { workers: 2, repeat, seconds: 1 + repeat / 100, jobCount: 8 },
 * ]);
 * const baseline = toBaseline(steps, {
 *   toolVersion: "0.3.0", savedAt: "2026-12-05T16:00:00Z", machine: { cpus: 2 },
 *   job: { kind: "sleep", params: { sleepMs: 250 } },
 * });
 * assert.deepEqual(baseline.steps[1], { workers: 2, concurrency: 1, seconds: [1.01, 1.02] });
 * assert.equal(baseline.job.jobCount, 8);
 * ```
 */
export function toBaseline(
  steps: readonly BaselineSourceStep[],
  info: BaselineInfo,
): SavedBaseline {
  if (steps.length === 0) {
    throw new RangeError("Cannot save a baseline: the sweep has no steps, received 0");
  }
  const jobCount = steps[0].jobCount;
  const byConfig = new Map<string, BaselineStep>();
  for (const step of [...steps].sort((a, b) => a.repeat - b.repeat)) {
    if (step.jobCount !== jobCount) {
      throw new RangeError(
        `Cannot save a baseline: every step must run the same batch: ${jobCount} jobs, received ${step.jobCount}`,
      );
    }
    const concurrency = step.concurrency ?? 1;
    const key = configKey(step.workers, concurrency);
    const entry = byConfig.get(key);
    if (entry) entry.seconds.push(step.seconds);
    else byConfig.set(key, { workers: step.workers, concurrency, seconds: [step.seconds] });
  }
  // Sweep order: the order configurations first appear in the steps as given.
  const order = [...new Set(steps.map((step) => configKey(step.workers, step.concurrency ?? 1)))];
  return {
    version: BASELINE_VERSION,
    toolVersion: info.toolVersion,
    savedAt: info.savedAt,
    machine: info.machine,
    job: { ...info.job, jobCount },
    steps: order.map((key) => byConfig.get(key)!),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shapeError(detail: string): TypeError {
  return new TypeError(`Cannot read baseline: ${detail}`);
}

/**
 * Reads a saved baseline from its JSON text and checks its shape.
 *
 * @param text The file's text.
 * @returns The baseline.
 * @throws {SyntaxError} When the text is not JSON.
 * @throws {TypeError} When the JSON is not a baseline of {@linkcode BASELINE_VERSION}.
 *
 * @example A round trip
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBaseline } from "./baseline.ts";
 *
 * const saved = {
 *   version: 1, toolVersion: "0.3.0", savedAt: "2026-12-05T16:00:00Z", machine: { cpus: 2 },
 *   job: { kind: "sleep", params: {}, jobCount: 4 },
 *   steps: [{ workers: 1, concurrency: 1, seconds: [1, 1.01, 0.99] }],
 * };
 * assert.deepEqual(parseBaseline(JSON.stringify(saved)), saved);
 * assert.throws(() => parseBaseline('{"version": 2}'), TypeError);
 * ```
 */
export function parseBaseline(text: string): SavedBaseline {
  const value: unknown = JSON.parse(text);
  if (!isRecord(value)) throw shapeError("expected a JSON object");
  if (value.version !== BASELINE_VERSION) {
    throw shapeError(
      `version must be ${BASELINE_VERSION}, received ${JSON.stringify(value.version)}`,
    );
  }
  if (typeof value.toolVersion !== "string" || typeof value.savedAt !== "string") {
    throw shapeError("toolVersion and savedAt must be strings");
  }
  if (!isRecord(value.machine) || typeof value.machine.cpus !== "number") {
    throw shapeError("machine must be an object with a number of cpus");
  }
  const job = value.job;
  if (
    !isRecord(job) || typeof job.kind !== "string" || !isRecord(job.params) ||
    typeof job.jobCount !== "number"
  ) {
    throw shapeError("job must have a kind, params and a jobCount");
  }
  if (!Array.isArray(value.steps) || value.steps.length === 0) {
    throw shapeError("steps must be a non-empty array");
  }
  for (const step of value.steps as unknown[]) {
    if (
      !isRecord(step) || typeof step.workers !== "number" ||
      typeof step.concurrency !== "number" || !Array.isArray(step.seconds) ||
      step.seconds.length === 0 || !step.seconds.every((s) => typeof s === "number" && s > 0)
    ) {
      throw shapeError(
        `each step needs workers, concurrency and seconds above 0, received ${
          JSON.stringify(step)
        }`,
      );
    }
  }
  return value as unknown as SavedBaseline;
}

/** Options for {@linkcode compareToBaseline}. */
export interface CompareOptions extends Omit<BootstrapOptions, "statistic"> {
  /** A step slower than this (in percent) fails the comparison; default 10. */
  thresholdPercent?: number;
}

/** How one step changed against the baseline. */
export interface StepChange {
  /** Workers (0 = inline). */
  workers: number;
  /** Jobs in flight per worker. */
  concurrency: number;
  /** The baseline's median step time, in seconds. */
  savedSeconds: number;
  /** The new median step time, in seconds. */
  currentSeconds: number;
  /** `(current ÷ saved − 1) × 100`. */
  changePercent: number;
  /** The change's bootstrap interval in percent, when both sides have at least 3 repeats. */
  intervalPercent?: { low: number; high: number };
  /** "no change" when within noise (or, without repeats, within the threshold). */
  verdict: "no change" | "slower" | "faster";
  /** Slower beyond the threshold: the comparison fails. */
  regressed: boolean;
  /** One sentence for the step. */
  sentence: string;
}

/** What {@linkcode compareToBaseline} found. */
export interface BaselineComparison {
  /** One entry per configuration, in the baseline's order. */
  steps: StepChange[];
  /** Whether any step got slower beyond the threshold (the CLI exits non-zero). */
  regressed: boolean;
  /** The threshold used, in percent. */
  thresholdPercent: number;
}

/** Keys sorted at every level, so that params compare by content, not by key order. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, inner) =>
      isRecord(inner)
        ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : inner,
  );
}

function refuse(detail: string): never {
  throw new RangeError(`Cannot compare with the baseline: the batches differ: ${detail}`);
}

function checkSameBatch(saved: SavedBaseline, current: SavedBaseline): void {
  if (saved.job.kind !== current.job.kind) {
    refuse(`job kind "${saved.job.kind}" in the baseline, "${current.job.kind}" now`);
  }
  const savedParams = canonical(saved.job.params);
  const currentParams = canonical(current.job.params);
  if (savedParams !== currentParams) {
    refuse(`params ${savedParams} in the baseline, ${currentParams} now`);
  }
  if (saved.job.jobCount !== current.job.jobCount) {
    refuse(`${saved.job.jobCount} jobs per step in the baseline, ${current.job.jobCount} now`);
  }
  const configs = (baseline: SavedBaseline) =>
    baseline.steps.map((step) => configKey(step.workers, step.concurrency)).join(", ");
  if (configs(saved) !== configs(current)) {
    refuse(`workers × in flight ${configs(saved)} in the baseline, ${configs(current)} now`);
  }
}

function signedPercent(value: number): string {
  const rounded = Math.round(value);
  return `${rounded > 0 ? "+" : rounded < 0 ? "−" : "±"}${Math.abs(rounded)}%`;
}

function compareStep(
  saved: BaselineStep,
  current: BaselineStep,
  thresholdPercent: number,
  options: CompareOptions,
): StepChange {
  const savedSeconds = median(saved.seconds);
  const currentSeconds = median(current.seconds);
  const changePercent = (currentSeconds / savedSeconds - 1) * 100;
  const repeats = Math.min(saved.seconds.length, current.seconds.length) >= MIN_REPEATS;
  let intervalPercent: StepChange["intervalPercent"];
  let verdict: StepChange["verdict"];
  if (repeats) {
    const ratio = bootstrapRatioInterval(saved.seconds, current.seconds, options);
    intervalPercent = { low: (ratio.low - 1) * 100, high: (ratio.high - 1) * 100 };
    verdict = ratio.low > 1 ? "slower" : ratio.high < 1 ? "faster" : "no change";
  } else {
    // No repeats, no noise estimate: the threshold is all there is to judge by.
    verdict = Math.abs(changePercent) <= thresholdPercent
      ? "no change"
      : changePercent > 0
      ? "slower"
      : "faster";
  }
  const regressed = verdict === "slower" && changePercent > thresholdPercent;
  const interval = intervalPercent
    ? ` (${signedPercent(intervalPercent.low)} to ${signedPercent(intervalPercent.high)})`
    : "";
  const threshold = `the ${thresholdPercent}% threshold`;
  const judged = verdict === "no change"
    ? repeats ? "no change: within noise" : `no change: within ${threshold} (no repeats)`
    : verdict === "faster"
    ? "faster"
    : regressed
    ? `slower beyond ${threshold}`
    : `slower, within ${threshold}`;
  const sentence = `${configLabel(saved.workers, saved.concurrency)}: ${duration(savedSeconds)} → ${
    duration(currentSeconds)
  }, ${signedPercent(changePercent)}${interval}: ${judged}`;
  return {
    workers: saved.workers,
    concurrency: saved.concurrency,
    savedSeconds,
    currentSeconds,
    changePercent,
    intervalPercent,
    verdict,
    regressed,
    sentence,
  };
}

/**
 * Compares a sweep with a saved baseline step by step (matched by workers and
 * jobs in flight): each step's change in median time, with a bootstrap
 * interval ({@linkcode bootstrapRatioInterval}) when both have at least three
 * repeats, "no change" when that interval holds 0, and whether any step got
 * slower beyond the threshold. Without repeats, a change within the threshold
 * is "no change".
 *
 * @param saved The baseline.
 * @param current The new sweep, as {@linkcode toBaseline} builds it.
 * @param options The threshold in percent (default 10), and the bootstrap's coverage and seed.
 * @returns Each step's change and whether the comparison fails.
 * @throws {RangeError} With one line when the batches differ (job kind, params, job count,
 *   workers × in flight), or the threshold is negative.
 *
 * @example An unchanged rerun
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareToBaseline, type SavedBaseline } from "./baseline.ts";
 *
 * const sweep = (seconds: number[]): SavedBaseline => ({
 *   version: 1, toolVersion: "0.3.0", savedAt: "2026-12-05T16:00:00Z", machine: { cpus: 2 },
 *   job: { kind: "sleep", params: { sleepMs: 250 }, jobCount: 8 },
 *   steps: [{ workers: 2, concurrency: 1, seconds }],
 * });
 * const comparison = compareToBaseline(sweep([1, 1.01, 0.99]), sweep([1.005, 0.995, 1.0]));
 * assert.equal(comparison.regressed, false);
 * assert.equal(comparison.steps[0].verdict, "no change");
 * ```
 */
export function compareToBaseline(
  saved: SavedBaseline,
  current: SavedBaseline,
  options: CompareOptions = {},
): BaselineComparison {
  const thresholdPercent = options.thresholdPercent ?? DEFAULT_THRESHOLD_PERCENT;
  if (!(thresholdPercent >= 0)) {
    throw new RangeError(
      `Cannot compare with the baseline: the threshold must be at least 0%, received ${thresholdPercent}`,
    );
  }
  checkSameBatch(saved, current);
  const steps = saved.steps.map((step, i) =>
    compareStep(step, current.steps[i], thresholdPercent, options)
  );
  return { steps, regressed: steps.some((step) => step.regressed), thresholdPercent };
}
