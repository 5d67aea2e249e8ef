// deno-lint-ignore-file no-console
/**
 * The command-line entry: the only place that reads `Deno.args`, `Deno.env`
 * and `.env`, prints, handles signals or sets the exit code. It parses the
 * settings, runs the library's sweep, renders what the sweep returned, and
 * turns the outcome into an exit code.
 *
 * @module
 */
import { ConfigError, WorkerStartError } from "../errors.ts";
import { checkInputCount, readInputs } from "./inputs.ts";
import { checkNoise } from "../report/analysis/noise.ts";
import { compareOutputs, describeOutputCheck } from "../report/analysis/outputs.ts";
import { type JobParams, resolveJobParams } from "../jobs/job.ts";
import { isJobModuleReference, moduleJob } from "../jobs/module.ts";
import { findJobKind } from "../jobs/registry.ts";
import { runSweep } from "../sweep/sweep.ts";
import type { SweepEvent, SweepStep } from "../types.ts";
import { debugLogger } from "./debug_log.ts";
import { checkDestinations } from "./destinations.ts";
import { helpText, VERSION } from "./help.ts";
import { reportProfiles } from "./profiles.ts";
import { withPermissionHint } from "./permission_hint.ts";
import { progressLine } from "./progress.ts";
import { terminalSafe } from "./terminal_text.ts";
import { type RunJob, writeResults } from "./render.ts";
import { openStepLog, readStepLog, STEP_LOG_VARIABLE } from "./step_log.ts";
import { scanJobParams } from "./scan.ts";
import { renderCompleted, scanHeading, type SweepRun, writeScanResults } from "./scan_render.ts";
import { isSweepChild, runSweepChild } from "./supervise.ts";
import { ENV_PREFIX } from "./environment.ts";
import { type Config, parseConfig, SETTINGS } from "./settings.ts";

const EXIT_JOB_FAILED = 1;
const EXIT_BAD_SETTINGS = 2;
const MAX_FAILURES_SHOWN = 5;
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;
/** After a signal, the most time the CLI takes before it exits regardless. */
const SIGNAL_EXIT_DEADLINE_MS = 800;
/** A second signal within this time of the first is the same interrupt, delivered twice. */
const REPEATED_SIGNAL_MS = 300;

async function readDotenv(): Promise<string | undefined> {
  try {
    // A FIFO or device would block the read (or never end): only a regular file is read.
    if (!(await Deno.stat(".env")).isFile) {
      throw new ConfigError("Cannot read settings: .env is not readable: it is not a regular file");
    }
    // An editor's UTF-8 byte order mark would otherwise become part of the first key.
    return (await Deno.readTextFile(".env")).replace(/^\uFEFF/, "");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    if (error instanceof ConfigError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Cannot read settings: .env is not readable: ${message}`);
  }
}

function readEnv(): Record<string, string | undefined> {
  const keys = Object.values(SETTINGS).flatMap((s) => [s.key, `${ENV_PREFIX}${s.key}`]);
  return Object.fromEntries(keys.map((key) => [key, Deno.env.get(key)]));
}

/** The job parameters the settings name, for whichever kind runs. */
function jobParams(config: Config): JobParams {
  return {
    sleepMs: config.sleepMs,
    digits: config.digits,
    ioLines: config.ioLines,
    jobArgs: config.jobArgs,
    permissions: config.jobPermissions,
  };
}

/** The job parameters of one value of the scan (the settings' own without a scan). */
function valueParams(config: Config, value: number | string | undefined): JobParams {
  return config.scan && value !== undefined
    ? scanJobParams(jobParams(config), config.scan, value)
    : jobParams(config);
}

function runJob(config: Config, value?: number | string): RunJob {
  const kind = isJobModuleReference(config.job) ? moduleJob : findJobKind(config.job)!;
  return { kind, params: resolveJobParams(kind, { ...valueParams(config, value) }) };
}

function printProfilingHint(config: Config): void {
  const args = Deno.args.map((arg) => /^[\w.,=\/:-]+$/.test(arg) ? arg : `'${arg}'`).join(" ");
  console.error(
    `deno-channels: profiling into ${config.profileDir}. To watch live in Chrome DevTools instead, run\n` +
      `  ${INSPECT_VARIABLE}=${config.pprofIp}:${config.pprofPort} deno run -A mod.ts ${args}\n` +
      `and open chrome://inspect (Configure: ${config.pprofIp}:${config.pprofPort}); the variable\n` +
      "puts --inspect on the sweep process, where the jobs run.",
  );
}

/** `HOST:PORT` for `--inspect` on the sweep process (the profiling hint prints it). */
const INSPECT_VARIABLE = "DENO_CHANNELS_INSPECT";

/** The exit codes the sweep child gives on its own; anything else means it died. */
const CHILD_REPORTED = new Set([0, EXIT_JOB_FAILED, EXIT_BAD_SETTINGS, 130, 143]);

/**
 * Runs the sweep in a child process and returns the exit code. When the child
 * dies without reporting (out of memory, a crash in native code, killed after
 * ignoring a signal), prints the steps it had completed, from its step log,
 * and where it stopped.
 */
async function superviseSweep(config: Config, job: RunJob): Promise<number> {
  let logPath: string | undefined;
  try {
    logPath = await Deno.makeTempFile({ prefix: "deno-channels-steps-" });
  } catch {
    // No temp dir: the sweep still runs; a crash is then reported without its summary.
  }
  try {
    // npm packages are fetched by the runtime, not under the worker's import permission: turn npm
    // off for the whole sweep process unless a job may reach the network (or profiles need it).
    const noNpm = !config.jobPermissions.net?.length && config.profileDir === undefined;
    const flags = noNpm ? ["--no-npm"] : [];
    // Deno cannot report the flags it was started with: --inspect for the sweep process comes
    // from a variable of ours (the profiling hint prints it).
    const inspect = Deno.env.get(INSPECT_VARIABLE);
    if (inspect && /^[A-Za-z0-9.:\[\]-]+:\d{1,5}$/.test(inspect)) {
      flags.push(`--inspect=${inspect}`);
    }
    const exit = await runSweepChild(
      Deno.args,
      logPath ? { [STEP_LOG_VARIABLE]: logPath } : {},
      flags,
    );
    if (CHILD_REPORTED.has(exit.code)) return exit.code;
    const reading = readStepLog(logPath ? await Deno.readTextFile(logPath) : "");
    if (reading.steps.length > 0) {
      const runs: SweepRun[] = (config.scan?.values ?? [undefined]).map((value, index) => ({
        value,
        job: config.scan ? runJob(config, value) : job,
        sweepSteps: reading.steps.filter((_, i) => reading.scanIndexes[i] === index),
      }));
      console.log(renderCompleted(config, runs));
    }
    const completed = reading.steps.length > 0
      ? "the steps above had completed"
      : "no step had completed";
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const where = reading.running
      ? ` during the step with ${reading.running.workers} worker${
        reading.running.workers === 1 ? "" : "s"
      }${config.repeat > 1 ? ` (run ${reading.running.repeat})` : ""}${
        reading.running.lastJobStarted === undefined
          ? ""
          : `; the last job seen starting was ${reading.running.lastJobStarted} of ${reading.running.jobCount}`
      }`
      : "";
    if (exit.forwarded) {
      console.error(
        `deno-channels: interrupted by ${exit.forwarded}; the sweep process ${how}${where}`,
      );
      return SIGNAL_EXIT_CODES[exit.forwarded];
    }
    console.error(
      `deno-channels: the sweep process ${how}${where} (out of memory, or a crash outside JavaScript); ${completed}`,
    );
    return EXIT_JOB_FAILED;
  } finally {
    if (logPath) await Deno.remove(logPath).catch(() => {});
  }
}

function errorText(error: unknown): string {
  return terminalSafe(error instanceof Error ? error.message : String(error));
}

/**
 * The warnings about a run: outputs that differ between steps, a busy machine (or the
 * contention note). A scan's values share the machine: a warning said for one is said once.
 */
function runWarnings(runs: readonly { job: RunJob; sweepSteps: SweepStep[] }[]): string[] {
  const lines = new Set<string>();
  for (const { job, sweepSteps } of runs) {
    const outputs = describeOutputCheck(compareOutputs(sweepSteps));
    if (outputs) lines.add(outputs);
    const noise = checkNoise(sweepSteps, {
      cpuCount: navigator.hardwareConcurrency,
      jobBound: job.kind.bound,
    });
    for (const line of noise.lines) lines.add(line);
  }
  return [...lines];
}

/** The warnings after the results: under the table, or on stderr for the other formats. */
function printWarnings(config: Config, warnings: readonly string[]): void {
  const print = config.format === "table" && !config.out ? console.log : console.error;
  for (const line of warnings) print(terminalSafe(line));
}

function reportFailures(steps: readonly SweepStep[]): boolean {
  const shown: string[] = [];
  let failed = 0;
  for (const step of steps) {
    failed += step.failed;
    for (let index = 0; index < step.jobs.length && shown.length < MAX_FAILURES_SHOWN; index++) {
      if (step.jobs.status(index) !== "failed") continue;
      shown.push(
        `${step.workers} worker${step.workers === 1 ? "" : "s"}: ${
          terminalSafe(withPermissionHint(step.jobs.get(index).error?.message ?? ""))
        }`,
      );
    }
  }
  if (failed === 0) return false;
  const more = failed - shown.length;
  console.error(
    `deno-channels: ${failed} job${failed === 1 ? "" : "s"} failed:\n${
      shown.map((line) => `  ${line}`).join("\n")
    }${more > 0 ? `\n  … and ${more} more (run with --debug to see every job)` : ""}`,
  );
  return true;
}

/** Ctrl-C and SIGTERM abort the sweep; a second signal, or the deadline, exits at once. */
function listenForSignals(controller: AbortController): {
  signalled: () => HandledSignal | undefined;
  remove: () => void;
} {
  let signalled: HandledSignal | undefined;
  let signalledAt = 0;
  const onSignal = (signal: HandledSignal) => () => {
    if (signalled) {
      // Ctrl-C reaches this child from the terminal and again from the parent, which forwards
      // it: only a signal well after the first means "exit now".
      if (performance.now() - signalledAt < REPEATED_SIGNAL_MS) return;
      Deno.exit(SIGNAL_EXIT_CODES[signalled]);
    }
    signalled = signal;
    signalledAt = performance.now();
    controller.abort(new Error(`Interrupted by ${signal}`));
    // A job that ignores its cancel flag keeps its worker busy, and terminate()
    // cannot stop it: exit on time regardless.
    const deadline = setTimeout(
      () => Deno.exit(SIGNAL_EXIT_CODES[signal]),
      SIGNAL_EXIT_DEADLINE_MS,
    );
    Deno.unrefTimer(deadline);
  };
  const listeners = (Object.keys(SIGNAL_EXIT_CODES) as HandledSignal[]).map((signal) =>
    [signal, onSignal(signal)] as const
  );
  for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);
  return {
    signalled: () => signalled,
    remove: () => {
      for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
    },
  };
}

/**
 * Runs the CLI: reads settings, runs the sweep, prints the results, and sets
 * `Deno.exitCode` (0 all done, 1 a job failed, 2 bad settings, 130 SIGINT,
 * 143 SIGTERM).
 *
 * @example Run the CLI from a script
 * ```ts ignore
 * import { runCli } from "./main.ts";
 *
 * await runCli();
 * ```
 */
export async function runCli(): Promise<void> {
  await parseRunRender();
  // A job that ignores its cancel flag, or a module stuck at load, keeps its worker thread busy
  // and terminate() cannot stop it: the sweep child ends the process itself once it has reported.
  if (isSweepChild()) Deno.exit(Deno.exitCode);
}

async function parseRunRender(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig({ args: Deno.args, env: readEnv(), dotenv: await readDotenv() });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`deno-channels: ${error.message}`);
    Deno.exitCode = EXIT_BAD_SETTINGS;
    return;
  }
  if (config.help) {
    console.log(helpText());
    return;
  }
  if (config.version) {
    console.log(`deno-channels ${VERSION} (Deno ${Deno.version.deno})`);
    return;
  }
  if (!isSweepChild()) {
    // Checked once, in the parent, before the sweep process starts (the inputs in the child,
    // which reads stdin for `--inputs -`).
    try {
      await checkDestinations(config);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`deno-channels: ${error.message}`);
      Deno.exitCode = EXIT_BAD_SETTINGS;
      return;
    }
    if (Deno.permissions.querySync({ name: "run" }).state !== "granted") {
      console.error(
        "deno-channels: Cannot start the sweep: it runs in a child Deno process, which needs --allow-run (run with -A)",
      );
      Deno.exitCode = EXIT_BAD_SETTINGS;
      return;
    }
    Deno.exitCode = await superviseSweep(config, runJob(config));
    return;
  }
  let inputs: unknown[] | undefined;
  if (config.inputs !== undefined) {
    try {
      inputs = await readInputs(config.inputs);
      checkInputCount(inputs, config.inputs, config.jobCountGiven ? config.jobCount : undefined);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`deno-channels: ${terminalSafe(error.message)}`);
      Deno.exitCode = EXIT_BAD_SETTINGS;
      return;
    }
  }
  if (config.profileDir !== undefined && !config.quiet) printProfilingHint(config);

  const controller = new AbortController();
  const signals = listenForSignals(controller);
  const toStdout = config.format === "table" && !config.out;
  const debug = config.debug
    ? debugLogger(config.job, toStdout ? console.log : console.error)
    : undefined;
  const live = !config.quiet && Deno.stderr.isTerminal() && !Deno.env.get("NO_COLOR")
    ? progressLine(config.repeat)
    : undefined;
  let interrupted: SweepStep | undefined;
  const logPath = Deno.env.get(STEP_LOG_VARIABLE);
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
  const runs: SweepRun[] = (config.scan?.values ?? [undefined]).map((value) => ({
    value,
    job: runJob(config, value),
    sweepSteps: [],
  }));
  const steps = () => runs.flatMap((run) => run.sweepSteps);
  let scanValue = "";
  try {
    // Every sweep checks its options at the call, so a bad value stops the run before any starts.
    const sweeps = runs.map((run) => ({
      run,
      sweep: runSweep({
        job: config.job,
        params: valueParams(config, run.value),
        jobTimeoutMs: config.jobTimeoutMs,
        startupTimeoutMs: config.startupTimeoutMs,
        profile: config.profileDir !== undefined,
        startWorkers: config.startWorkers,
        maxWorkers: config.maxWorkers,
        workerCounts: config.workerCounts,
        concurrency: config.concurrency,
        jobCount: inputs ? undefined : config.jobCount,
        inputs,
        repeat: config.repeat,
        warmup: config.warmup,
        sandbox: true,
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
    try {
      const warnings = runWarnings(runs);
      if (config.scan) await writeScanResults(config, runs);
      else await writeResults(config, runs[0].job, runs[0].sweepSteps, warnings);
      printWarnings(config, warnings);
      if (config.profileDir !== undefined) await reportProfiles(config, steps());
    } catch (error) {
      // The destinations were checked before the run; a disk that fills up fails here.
      console.error(`deno-channels: Cannot write results: ${errorText(error)}`);
      Deno.exitCode = EXIT_JOB_FAILED;
    }
    if (reportFailures(steps())) Deno.exitCode = EXIT_JOB_FAILED;
  } catch (error) {
    live?.clear();
    const signalled = signals.signalled();
    if (!signalled && error instanceof WorkerStartError) {
      if (steps().length > 0) console.log(renderCompleted(config, runs));
      console.error(`deno-channels: ${error.message}`);
      Deno.exitCode = EXIT_BAD_SETTINGS;
      return;
    }
    if (!signalled) {
      // Whatever else stopped the sweep (e.g. the io job's setup): one line, the summary so far.
      if (steps().length > 0) console.log(renderCompleted(config, runs));
      console.error(`deno-channels: ${errorText(error)}`);
      Deno.exitCode = EXIT_JOB_FAILED;
      return;
    }
    console.log(renderCompleted(config, runs));
    const partial = interrupted
      ? `; the step with ${interrupted.workers} worker${
        interrupted.workers === 1 ? "" : "s"
      }${scanValue} stopped with ${interrupted.completed} done, ${interrupted.failed} failed, ${interrupted.cancelled} cancelled of ${interrupted.jobCount}`
      : "";
    console.error(`deno-channels: interrupted by ${signalled}${partial}`);
    Deno.exit(SIGNAL_EXIT_CODES[signalled]);
  } finally {
    stepLog?.close();
    signals.remove();
  }
}
