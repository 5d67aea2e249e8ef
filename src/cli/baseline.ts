// deno-lint-ignore-file no-console
/**
 * Baselines on disk: `--save-baseline NAME` keeps a sweep as
 * `BASELINEDIR/NAME.json` (default `./.deno-channels/baselines/`), with the
 * machine and the tool's version; `--baseline NAME` compares a new sweep with
 * it step by step and fails the run (exit 3) when a step got slower beyond
 * `--baseline-threshold` percent. A baseline of another batch (job kind, its
 * parameters, job count, worker counts) is refused with one line. `--job-arg`
 * values are not part of the batch: they are how a job under test is tuned.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { isJobModuleReference, moduleUrlOf } from "../jobs/module.ts";
import {
  type BaselineComparison,
  compareToBaseline,
  parseBaseline,
  type SavedBaseline,
  toBaseline,
} from "../report/analysis/baseline.ts";
import { errorMessage } from "../text.ts";
import { DEFAULT_BASELINE_DIR } from "./baseline_names.ts";
import { EXIT_OK, EXIT_SLOWER } from "./exit_codes.ts";
import { VERSION } from "./help.ts";
import { machineCeiling } from "./machine.ts";
import type { SweepRun } from "./scan_render.ts";
import type { Config } from "./settings.ts";
import { terminalSafe } from "./terminal_text.ts";

/**
 * The file a baseline name stands for.
 *
 * @param config The run's settings (`baselineDir`).
 * @param name The baseline's name.
 * @returns `DIR/NAME.json`.
 *
 * @example
 * ```ts
 * import { baselinePath } from "./baseline.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(baselinePath({ baselineDir: undefined }, "main"), ".deno-channels/baselines/main.json");
 * ```
 */
export function baselinePath(config: Pick<Config, "baselineDir">, name: string): string {
  return `${(config.baselineDir ?? DEFAULT_BASELINE_DIR).replace(/\/$/, "")}/${name}.json`;
}

/** The job as a baseline names it: the kind (a module by URL) and the kind's own parameters. */
function baselineJob(config: Config, run: SweepRun): SavedBaseline["job"] {
  const own = Object.keys(run.job.kind.defaultParams ?? {});
  const params = Object.fromEntries(
    own.map((key) => [key, (run.job.params as Record<string, unknown>)[key]]),
  );
  const kind = isJobModuleReference(config.job)
    ? `module ${moduleUrlOf(config.job).href}`
    : run.job.kind.name;
  return { kind, params, jobCount: 0 };
}

/**
 * Reads the baseline `--baseline` names and checks, before anything runs, that
 * it is of the same batch (job kind, parameters, job count).
 *
 * @param config The run's settings.
 * @param runs The run's sweeps (one; a scan is refused).
 * @param jobCount The jobs per step (the inputs' count with `--inputs`).
 * @returns The saved baseline, or `undefined` without `--baseline`.
 * @throws {ConfigError} With one line when it cannot be read or is of another batch.
 */
export async function loadBaseline(
  config: Config,
  runs: readonly SweepRun[],
  jobCount: number,
): Promise<SavedBaseline | undefined> {
  if (config.baseline === undefined) return undefined;
  const path = baselinePath(config, config.baseline);
  let saved: SavedBaseline;
  try {
    saved = parseBaseline(await Deno.readTextFile(path));
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "no such file (save one with --save-baseline NAME)"
      : errorMessage(error);
    throw new ConfigError(
      `Cannot read settings: BASELINE (--baseline) names ${path}, which is not a readable baseline: ${why}`,
    );
  }
  const job = baselineJob(config, runs[0]);
  try {
    // Compared as one-step sweeps, so that only the job and the job count are checked here.
    const probe = (source: SavedBaseline["job"], count: number): SavedBaseline => ({
      ...saved,
      job: { ...source, jobCount: count },
      steps: [],
    });
    compareToBaseline(probe(saved.job, saved.job.jobCount), probe(job, jobCount));
  } catch (error) {
    throw new ConfigError(`${errorMessage(error)} (baseline ${path})`);
  }
  return saved;
}

/** The sweep as a baseline: its steps by workers and jobs in flight, with the machine. */
function currentBaseline(config: Config, run: SweepRun): SavedBaseline {
  const ceiling = machineCeiling();
  const job = baselineJob(config, run);
  return toBaseline(run.sweepSteps, {
    toolVersion: VERSION,
    savedAt: new Date().toISOString(),
    machine: {
      cpus: navigator.hardwareConcurrency,
      usableCpus: ceiling.cpus,
      os: Deno.build.os,
      arch: Deno.build.arch,
      deno: Deno.version.deno,
    },
    job: { kind: job.kind, params: job.params },
  });
}

/** The comparison's lines: a heading, then one line per step. */
function comparisonLines(
  name: string,
  saved: SavedBaseline,
  comparison: BaselineComparison,
): string[] {
  const slower = comparison.steps.filter((step) => step.regressed).length;
  return [
    `Against baseline ${name} (saved ${saved.savedAt}, deno-channels ${saved.toolVersion}, ` +
    `${saved.machine.cpus} CPUs; threshold ${comparison.thresholdPercent}%):`,
    ...comparison.steps.map((step) => `  ${step.sentence}`),
    slower === 0
      ? "No step got slower beyond the threshold."
      : `${slower} step${
        slower === 1 ? "" : "s"
      } got slower beyond the threshold: exit ${EXIT_SLOWER}.`,
  ];
}

/**
 * After the sweep: saves it (`--save-baseline`), and compares it with the
 * baseline read before the run (`--baseline`), printing the comparison with
 * `print`.
 *
 * @param config The run's settings.
 * @param run The sweep, with its steps.
 * @param saved The baseline {@linkcode loadBaseline} read, if any.
 * @param print Writes one line (stdout under the table, else stderr).
 * @returns {@linkcode EXIT_SLOWER} when a step got slower beyond the threshold, else 0.
 * @throws {ConfigError} With one line when the worker counts differ from the baseline's.
 * @throws {Error} When the baseline cannot be written.
 */
export async function applyBaselines(
  config: Config,
  run: SweepRun,
  saved: SavedBaseline | undefined,
  print: (line: string) => void,
): Promise<number> {
  if (run.sweepSteps.length === 0) return EXIT_OK;
  const current = currentBaseline(config, run);
  if (config.saveBaseline !== undefined) {
    const path = baselinePath(config, config.saveBaseline);
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")) || ".", { recursive: true });
    await Deno.writeTextFile(path, `${JSON.stringify(current, null, 2)}\n`);
    if (!config.quiet) {
      console.error(`deno-channels: saved baseline ${config.saveBaseline} to ${path}`);
    }
  }
  if (!saved) return EXIT_OK;
  let comparison: BaselineComparison;
  try {
    comparison = compareToBaseline(saved, current, {
      thresholdPercent: config.baselineThreshold,
    });
  } catch (error) {
    throw new ConfigError(errorMessage(error));
  }
  for (const line of comparisonLines(config.baseline!, saved, comparison)) {
    print(terminalSafe(line));
  }
  return comparison.regressed ? EXIT_SLOWER : EXIT_OK;
}
