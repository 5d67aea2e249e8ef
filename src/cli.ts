// deno-lint-ignore-file no-console
/**
 * The command-line entry: the only place that reads `Deno.args`, `Deno.env`
 * and `.env`, prints, handles signals or sets the exit code.
 *
 * @module
 */
import { type Config, ConfigError, helpText, parseConfig, SETTINGS } from "./config.ts";
import type { StepResult } from "./dispatcher.ts";
import { WorkerStartError } from "./errors.ts";
import type { SweepEvent } from "./events.ts";
import { renderPiTable, renderSummaryTable, type SummaryRow } from "./report/table.ts";
import { runSweep, type SweepStep } from "./sweep.ts";

const EXIT_JOB_FAILED = 1;
const MAX_FAILURES_SHOWN = 5;
const EXIT_BAD_SETTINGS = 2;
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;
/** After a signal, the most time the CLI takes before it exits regardless. */
const SIGNAL_EXIT_DEADLINE_MS = 800;

const LABEL_WIDTH = 37;
const label = (text: string) => text.padEnd(LABEL_WIDTH);

async function readDotenv(): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(".env");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Cannot read settings: .env is not readable: ${message}`);
  }
}

function readEnv(): Record<string, string | undefined> {
  return Object.fromEntries(SETTINGS.map((setting) => [setting.key, Deno.env.get(setting.key)]));
}

/** Prints the seed's verbose DEBUG log, line by line as events arrive. */
function debugLogger(config: Config): (event: SweepEvent) => void {
  return (event) => {
    switch (event.type) {
      case "step-start": {
        const title = `|  Spawning workers for test ${event.step} of ${event.stepCount}  |`;
        const rule = "-".repeat(title.length);
        const cpus = navigator.hardwareConcurrency;
        console.log(`${rule}\n${title}\n${rule}\n`);
        console.log(`${label(`Workers: ${event.workers}`)}Job Name: ${config.job}`);
        console.log("-".repeat(60));
        console.log(`${label("  Workers In Use:")}${event.workers}`);
        console.log(`${label("  Workers Available:")}${cpus}`);
        console.log(`${label("  Workers Idle:")}${Math.max(0, cpus - event.workers)}`);
        console.log(`${label("  Number of Jobs:")}${event.jobCount}`);
        console.log(`${"-".repeat(60)}\n`);
        break;
      }
      case "worker-allocated":
        console.log(`${label(`Allocating Worker #${event.workerNumber}:`)}${event.workerId}`);
        break;
      case "workers-ready":
        console.log(
          `${label("Workers ready:")}${event.workers} in ${
            event.startupSeconds.toFixed(6)
          } Seconds (not counted in the step time)`,
        );
        break;
      case "worker-replaced":
        console.log(`${label("Replacing Worker:")}${event.oldWorkerId} with ${event.workerId}`);
        break;
      case "worker-lost":
        console.log(`${label("Lost Worker:")}${event.workerId} (${event.reason})`);
        break;
      case "job-allocated":
        console.log(`${label(`  Allocating Job #${event.jobNumber}:`)}${event.jobId}`);
        break;
      case "job-started":
        console.log(
          `${
            label(`  JOB ${event.jobNumber}/${event.jobCount} STARTED:`)
          }${event.jobId} with Worker: ${event.workerId}`,
        );
        break;
      case "job-finished": {
        const job = event.job;
        const verb = job.status === "done" ? "COMPLETED" : job.status.toUpperCase();
        const detail = job.status === "done"
          ? `Ran ${config.job} in ${job.elapsedSeconds.toFixed(9)} Seconds${
            job.summary ? `: ${job.summary}` : ""
          }`
          : `${job.error?.name}: ${job.error?.message}`;
        console.log(
          `${
            label(`    -> JOB ${job.jobNumber}/${event.jobCount} ${verb}:`)
          }${job.jobId} with Worker: ${job.workerId || "(none)"} (${detail})`,
        );
        break;
      }
      case "step-end":
        console.log(`\n${"-".repeat(71)}`);
        console.log(`${label("Total time taken:")}${event.result.seconds.toFixed(6)} Seconds\n`);
        break;
    }
  };
}

/** Prints one line per step on stderr so long runs show progress. */
function progressLogger(): (event: SweepEvent) => void {
  let current = "";
  return (event) => {
    if (event.type === "step-start") {
      const workers = `${event.workers} worker${event.workers === 1 ? "" : "s"}`;
      current = `Step ${event.step}/${event.stepCount}: ${workers}, ${event.jobCount} jobs`;
    } else if (event.type === "step-end") {
      const r = event.result;
      console.error(
        `${current}: ${r.seconds.toFixed(3)} s (workers started in ${
          r.startupSeconds.toFixed(3)
        } s)`,
      );
    }
  };
}

function summaryRows(steps: readonly SweepStep[]): SummaryRow[] {
  return steps.map((step) => ({ ...step }));
}

function renderSummary(config: Config, steps: readonly SweepStep[]): string {
  const rows = summaryRows(steps);
  const isPi = config.job === "pi" || config.job === "pi-bigint";
  const table = isPi ? renderPiTable(rows) : renderSummaryTable(rows);
  const lines = ["Summary:", table.trimEnd()];
  if (steps.length > 0) {
    lines.push(
      `Worker start-up (spawn until ready; not in EXECUTION TIME): ${
        steps.map((s) => `${s.workers} w ${s.startupSeconds.toFixed(3)} s`).join(", ")
      }`,
    );
  }
  if (config.job === "sleep" && steps.length > 0) {
    lines.push(
      `Overhead over the ideal ceil(jobs / workers) x SLEEPMS: ${
        steps.map((s) => `${s.workers} w ${overheadMs(s, config.sleepMs).toFixed(1)} ms`).join(
          ", ",
        )
      }`,
    );
  }
  return lines.join("\n");
}

function overheadMs(step: StepResult, sleepMs: number): number {
  return step.seconds * 1000 - Math.ceil(step.jobCount / step.workers) * sleepMs;
}

/**
 * Runs the CLI: reads settings, runs the sweep, prints the summary, and sets
 * `Deno.exitCode` (0 all done, 1 a job failed, 2 bad settings, 130 SIGINT,
 * 143 SIGTERM).
 *
 * @example Run the CLI from a script
 * ```ts ignore
 * import { runCli } from "./cli.ts";
 *
 * await runCli();
 * ```
 */
export async function runCli(): Promise<void> {
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

  const controller = new AbortController();
  let signalled: HandledSignal | undefined;
  const onSignal = (signal: HandledSignal) => () => {
    if (signalled) Deno.exit(SIGNAL_EXIT_CODES[signalled]);
    signalled = signal;
    controller.abort(new Error(`Interrupted by ${signal}`));
    // A job that ignores its cancel flag keeps its worker busy, and terminate()
    // cannot stop it: exit on time regardless.
    const deadline = setTimeout(
      () => Deno.exit(SIGNAL_EXIT_CODES[signal]),
      SIGNAL_EXIT_DEADLINE_MS,
    );
    Deno.unrefTimer(deadline);
  };
  const listeners = (Object.keys(SIGNAL_EXIT_CODES) as HandledSignal[]).map((
    signal,
  ) => [signal, onSignal(signal)] as const);
  for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);

  const finished: SweepStep[] = [];
  let interrupted: StepResult | undefined;
  const debug = config.debug ? debugLogger(config) : undefined;
  const progress = progressLogger();
  const onEvent = (event: SweepEvent) => {
    debug?.(event);
    progress(event);
    if (event.type === "step-end") {
      if (controller.signal.aborted) interrupted = event.result;
      else finished.push(event.result as SweepStep);
    }
  };

  try {
    const sweep = await runSweep({
      job: config.job,
      params: {
        sleepMs: config.sleepMs,
        digits: config.digits,
        jobArgs: config.jobArgs,
        permissions: config.jobPermissions,
      },
      jobTimeoutMs: config.jobTimeoutMs,
      startWorkers: config.startWorkers,
      maxWorkers: config.maxWorkers,
      jobCount: config.jobCount,
      signal: controller.signal,
      onEvent,
    });
    console.log(renderSummary(config, sweep.steps));
    const failures = sweep.steps.flatMap((step) =>
      step.jobs.filter((job) => job.status === "failed").map((job) =>
        `${step.workers} worker${step.workers === 1 ? "" : "s"}: ${job.error?.message}`
      )
    );
    if (failures.length > 0) {
      const shown = failures.slice(0, MAX_FAILURES_SHOWN);
      const more = failures.length - shown.length;
      console.error(
        `deno-channels: ${failures.length} job${failures.length === 1 ? "" : "s"} failed:\n${
          shown.map((line) => `  ${line}`).join("\n")
        }${more > 0 ? `\n  … and ${more} more (run with --debug to see every job)` : ""}`,
      );
      Deno.exitCode = EXIT_JOB_FAILED;
    }
  } catch (error) {
    if (!signalled && error instanceof WorkerStartError) {
      if (finished.length > 0) console.log(renderSummary(config, finished));
      console.error(`deno-channels: ${error.message}`);
      Deno.exitCode = EXIT_BAD_SETTINGS;
      return;
    }
    if (!signalled) throw error;
    console.log(renderSummary(config, finished));
    const partial = interrupted
      ? `; the step with ${interrupted.workers} workers stopped with ${interrupted.completed} done, ${interrupted.failed} failed, ${interrupted.cancelled} cancelled of ${interrupted.jobCount}`
      : "";
    console.error(`deno-channels: interrupted by ${signalled}${partial}`);
    Deno.exit(SIGNAL_EXIT_CODES[signalled]);
  } finally {
    for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
  }
}
