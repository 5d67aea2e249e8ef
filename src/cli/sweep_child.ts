// deno-lint-ignore-file no-console
/**
 * The sweep child's run: reads the jobs' inputs, runs the library's sweep once
 * per value of the scan with the progress line, the DEBUG log and the step log
 * listening, writes the results and warnings, and reports failed jobs. On an
 * interrupt or an error it prints the summary of the steps that completed.
 *
 * @module
 */
import { checkNoise } from "../report/analysis/noise.ts";
import { compareOutputs, describeOutputCheck } from "../report/analysis/outputs.ts";
import { runSweep } from "../sweep/sweep.ts";
import { errorMessage, plural, workersInFlight } from "../text.ts";
import type { SweepEvent, SweepStep } from "../types.ts";
import { applyBaselines, loadBaseline } from "./baseline.ts";
import { debugLogger } from "./debug_log.ts";
import { EXIT_BAD_SETTINGS, EXIT_JOB_FAILED, EXIT_OK, SIGNAL_EXIT_CODES } from "./exit_codes.ts";
import { ConfigError } from "../errors.ts";
import type { SavedBaseline } from "../report/analysis/baseline.ts";
import { checkInputCount, readInputs } from "./inputs.ts";
import { withPermissionHint } from "./permission_hint.ts";
import { reportProfiles } from "./profiles.ts";
import { progressLine } from "./progress.ts";
import type { RunJob } from "./render.ts";
import { WriteFailures, writeResults, writeStdout } from "./write_results.ts";
import { runSweepOptions, sweepRuns } from "./runs.ts";
import { renderCompleted, scanHeading, type SweepRun } from "./scan_render.ts";
import { type Config, settingLabel } from "./settings.ts";
import { listenForSignals } from "./signals.ts";
import { openStepLog } from "./step_log.ts";
import { INSPECT_VARIABLE, sweepChildLogPath } from "./supervise.ts";
import { terminalSafe } from "./terminal_text.ts";

const MAX_FAILURES_SHOWN = 5;

function printProfilingHint(config: Config): void {
  const args = Deno.args.map((arg) => /^[\w.,=\/:-]+$/.test(arg) ? arg : `'${arg}'`).join(" ");
  console.error(
    `deno-channels: profiling into ${
      terminalSafe(config.profileDir!)
    }. To watch live in Chrome DevTools instead, run\n` +
      `  ${INSPECT_VARIABLE}=${config.pprofIp}:${config.pprofPort} deno run -A mod.ts ${
        terminalSafe(args)
      }\n` +
      `and open chrome://inspect (Configure: ${config.pprofIp}:${config.pprofPort}); the variable\n` +
      "puts --inspect on the sweep process, where the jobs run.",
  );
}

/**
 * The warnings about a run: outputs that differ between steps, a busy machine (or the
 * contention note), each naming the scan value it belongs to; a line said twice is said once.
 */
function runWarnings(
  config: Config,
  runs: readonly { job: RunJob; sweepSteps: SweepStep[]; value?: number | string }[],
): string[] {
  const lines = new Set<string>();
  for (const { job, sweepSteps, value } of runs) {
    const outputs = describeOutputCheck(compareOutputs(sweepSteps));
    if (outputs) lines.add(outputs);
    const noise = checkNoise(sweepSteps, {
      cpuCount: navigator.hardwareConcurrency,
      jobBound: job.kind.bound,
      scanValue: config.scan ? `${config.scan.name} = ${value}` : undefined,
    });
    for (const line of noise.lines) lines.add(line);
  }
  return [...lines];
}

/** The warnings after the results: under the table, or on stderr for the other formats. */
async function printWarnings(config: Config, warnings: readonly string[]): Promise<void> {
  const text = warnings.map(terminalSafe).join("\n");
  if (!text) return;
  if (config.format === "table" && !config.out) await writeStdout(text);
  else console.error(text);
}

/** Saves and compares baselines; a refusal or a write error is one line, not a stack trace. */
async function baselineExit(
  config: Config,
  runs: readonly SweepRun[],
  saved: SavedBaseline | undefined,
  toStdout: boolean,
): Promise<number> {
  try {
    return await applyBaselines(config, runs[0], saved, toStdout ? console.log : console.error);
  } catch (error) {
    console.error(`deno-channels: ${terminalSafe(errorMessage(error))}`);
    return error instanceof ConfigError ? EXIT_BAD_SETTINGS : EXIT_JOB_FAILED;
  }
}

/** Prints the first failed jobs' errors on stderr; returns whether any job failed. */
function reportFailures(steps: readonly SweepStep[]): boolean {
  const shown: string[] = [];
  let failed = 0;
  for (const step of steps) {
    failed += step.failed;
    for (let index = 0; index < step.jobs.length && shown.length < MAX_FAILURES_SHOWN; index++) {
      if (step.jobs.status(index) !== "failed") continue;
      shown.push(
        `${workersInFlight(step)}: ${
          terminalSafe(withPermissionHint(step.jobs.get(index).error?.message ?? ""))
        }`,
      );
    }
  }
  if (failed === 0) return false;
  const more = failed - shown.length;
  console.error(
    `deno-channels: ${plural(failed, "job")} failed:\n${
      shown.map((line) => `  ${line}`).join("\n")
    }${more > 0 ? `\n  … and ${more} more (run with --debug to see every job)` : ""}`,
  );
  return true;
}

/**
 * Runs the sweep in this process (the child the parent CLI started), prints
 * the results, and returns the exit code.
 *
 * @param config The run's settings.
 * @returns 0 all done, 1 a job failed or the results could not be written, 130/143 interrupted.
 * @throws {ConfigError} For `--inputs` that cannot be read or do not match the job count.
 * @throws {WorkerStartError} When a step's workers cannot start (after printing the summary so far).
 * @throws {Error} Whatever else stopped the sweep, after printing the summary so far.
 */
export async function runSweepChild(config: Config): Promise<number> {
  let inputs: unknown[] | undefined;
  if (config.inputs !== undefined) {
    inputs = await readInputs(config.inputs, { label: settingLabel(config, "inputs") });
    checkInputCount(inputs, config.inputs, config.jobCountGiven ? config.jobCount : undefined);
  }
  if (config.profileDir !== undefined && !config.quiet) printProfilingHint(config);

  const controller = new AbortController();
  const signals = listenForSignals(controller, config.workerCounts?.includes(0) === true);
  const toStdout = config.format === "table" && !config.out;
  const debug = config.debug
    ? debugLogger(config.job, toStdout ? console.log : console.error)
    : undefined;
  const live = !config.quiet && Deno.stderr.isTerminal() && !Deno.env.get("NO_COLOR")
    ? progressLine(config.repeat)
    : undefined;
  let interrupted: SweepStep | undefined;
  const logPath = sweepChildLogPath();
  const stepLog = logPath ? openStepLog(logPath) : undefined;
  const onEvent = (event: SweepEvent) => {
    stepLog?.onEvent(event);
    debug?.(event);
    live?.onEvent(event);
    if (event.type === "step-end" && controller.signal.aborted && event.result.cancelled > 0) {
      interrupted = event.result;
    }
  };

  // One sweep per value of the scan (one without): every step each yields, in order (all
  // repeats), is the partial result if the run stops early.
  const runs = sweepRuns(config);
  const savedBaseline = await loadBaseline(config, runs, inputs?.length ?? config.jobCount);
  const steps = () => runs.flatMap((run) => run.sweepSteps);
  let scanValue = "";
  let exitCode = EXIT_OK;
  try {
    // Every sweep checks its options at the call, so a bad value stops the run before any starts.
    const sweeps = runs.map((run) => ({
      run,
      sweep: runSweep({
        ...runSweepOptions(config, run, inputs),
        signal: controller.signal,
        onEvent,
        // Per-job events only for the DEBUG log: the progress line reads step-progress.
        jobEvents: debug !== undefined,
      }),
    }));
    for (const [index, { run, sweep }] of sweeps.entries()) {
      scanValue = config.scan ? ` at ${config.scan.name} = ${run.value}` : "";
      if (config.scan) {
        live?.setScan(scanHeading(config.scan, index));
        stepLog?.scanValue(index);
      }
      for await (const step of sweep) {
        stepLog?.step(step);
        run.sweepSteps.push(step);
      }
    }
    live?.clear();
    // The destinations were checked before the run; a disk that fills up or a reader that
    // went away fails here: one line per destination, each written whatever the others did,
    // and the failed jobs are still reported after them.
    const warnings = runWarnings(config, runs);
    const shown = new Set<string>();
    for (
      const write of [
        () => writeResults(config, runs, warnings),
        () => printWarnings(config, warnings),
        async () => {
          if (config.profileDir !== undefined) await reportProfiles(config, steps());
        },
      ]
    ) {
      try {
        await write();
      } catch (error) {
        const lines = error instanceof WriteFailures ? error.lines : [
          `${terminalSafe(errorMessage(error))}${
            error instanceof Deno.errors.BrokenPipe ? " (stdout)" : ""
          }`,
        ];
        for (const line of lines) {
          if (!shown.has(line)) console.error(`deno-channels: Cannot write results: ${line}`);
          shown.add(line);
        }
        exitCode = EXIT_JOB_FAILED;
      }
    }
    exitCode = Math.max(exitCode, await baselineExit(config, runs, savedBaseline, toStdout));
    if (reportFailures(steps())) exitCode = EXIT_JOB_FAILED;
    return exitCode;
  } catch (error) {
    live?.clear();
    const signalled = signals.signalled();
    // Whatever stopped the sweep (workers that cannot start, the io job's setup): the summary
    // so far, then the error's line from the CLI.
    if (!signalled) {
      if (steps().length > 0) console.log(renderCompleted(config, runs));
      throw error;
    }
    console.log(renderCompleted(config, runs));
    const partial = interrupted
      ? `; the step with ${
        workersInFlight(interrupted)
      }${scanValue} stopped with ${interrupted.completed} done, ${interrupted.failed} failed, ${interrupted.cancelled} cancelled of ${interrupted.jobCount}`
      : "";
    console.error(`deno-channels: interrupted by ${signalled}${partial}`);
    // Why jobs failed, the completed steps' and the interrupted one's (an inline job that did not
    // stop in time: the results before it went with its process).
    reportFailures(interrupted ? [...steps(), interrupted] : steps());
    return SIGNAL_EXIT_CODES[signalled];
  } finally {
    stepLog?.close();
    signals.remove();
  }
}
