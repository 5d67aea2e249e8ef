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
import { renderChartSvg } from "./report/chart.ts";
import { renderAnalysisTable } from "./report/analysis_table.ts";
import { renderCsv } from "./report/csv.ts";
import { type MachineInfo, renderJson } from "./report/json.ts";
import { renderMarkdown } from "./report/markdown.ts";
import { renderProfileTop } from "./report/profile_render.ts";
import { analyzeProfiles } from "./report/profile_top.ts";
import { validateCpuProfile } from "./report/profile_validate.ts";
import { analyzeSweep, combineRepeats, type SweepAnalysis } from "./report/stats.ts";
import {
  renderAsciiTable,
  renderPiTable,
  renderSummaryTable,
  type SummaryRow,
} from "./report/table.ts";
import { nameWasmFunction, wasmExportNames } from "./report/wasm_names.ts";
import { runSweep, type SweepStep } from "./sweep.ts";

const EXIT_JOB_FAILED = 1;
const MAX_FAILURES_SHOWN = 5;
const PROFILE_TOP_LIMIT = 15;
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
function debugLogger(
  config: Config,
  print: (line: string) => void,
): (event: SweepEvent) => void {
  return (event) => {
    switch (event.type) {
      case "step-start": {
        const title = `|  Spawning workers for test ${event.step} of ${event.stepCount}  |`;
        const rule = "-".repeat(title.length);
        const cpus = navigator.hardwareConcurrency;
        print(`${rule}\n${title}\n${rule}\n`);
        print(`${label(`Workers: ${event.workers}`)}Job Name: ${config.job}`);
        print("-".repeat(60));
        print(`${label("  Workers In Use:")}${event.workers}`);
        print(`${label("  Workers Available:")}${cpus}`);
        print(`${label("  Workers Idle:")}${Math.max(0, cpus - event.workers)}`);
        print(`${label("  Number of Jobs:")}${event.jobCount}`);
        print(`${"-".repeat(60)}\n`);
        break;
      }
      case "worker-allocated":
        print(`${label(`Allocating Worker #${event.workerNumber}:`)}${event.workerId}`);
        break;
      case "workers-ready":
        print(
          `${label("Workers ready:")}${event.workers} in ${
            event.startupSeconds.toFixed(6)
          } Seconds (not counted in the step time)`,
        );
        break;
      case "worker-replaced":
        print(`${label("Replacing Worker:")}${event.oldWorkerId} with ${event.workerId}`);
        break;
      case "worker-lost":
        print(`${label("Lost Worker:")}${event.workerId} (${event.reason})`);
        break;
      case "job-allocated":
        print(`${label(`  Allocating Job #${event.jobNumber}:`)}${event.jobId}`);
        break;
      case "job-started":
        print(
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
        print(
          `${
            label(`    -> JOB ${job.jobNumber}/${event.jobCount} ${verb}:`)
          }${job.jobId} with Worker: ${job.workerId || "(none)"} (${detail})`,
        );
        break;
      }
      case "step-end":
        print(`\n${"-".repeat(71)}`);
        print(`${label("Total time taken:")}${event.result.seconds.toFixed(6)} Seconds\n`);
        break;
    }
  };
}

/**
 * A live progress line on stderr (step, jobs done, elapsed, ETA), redrawn in
 * place; only on a terminal, without NO_COLOR and without --quiet.
 */
function progressLine(run: () => string): {
  onEvent: (event: SweepEvent) => void;
  clear: () => void;
} {
  const encoder = new TextEncoder();
  let step = "";
  let done = 0;
  let total = 0;
  let stepStart = 0;
  let lastDraw = 0;
  const sweepStart = performance.now();
  const draw = (force = false) => {
    const now = performance.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const stepSeconds = (now - stepStart) / 1000;
    const eta = done > 0
      ? `, step ETA ${((stepSeconds / done) * (total - done)).toFixed(1)} s`
      : "";
    const text = `${run()}${step}: ${done}/${total} jobs, elapsed ${
      ((now - sweepStart) / 1000).toFixed(1)
    } s${eta}`;
    Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${text}`));
  };
  return {
    onEvent: (event) => {
      if (event.type === "step-start") {
        step = `step ${event.step}/${event.stepCount} (${event.workers} workers)`;
        done = 0;
        total = event.jobCount;
        stepStart = performance.now();
        draw(true);
      } else if (event.type === "job-finished") {
        done++;
        draw(done === total);
      }
    },
    clear: () => Deno.stderr.writeSync(encoder.encode("\r\x1b[2K")),
  };
}

function renderSummary(config: Config, steps: readonly SweepStep[]): string {
  const rows: readonly SummaryRow[] = steps;
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

async function piWasmBytes(): Promise<Uint8Array<ArrayBuffer>> {
  return await (await fetch(new URL("../wasm/build/pi.wasm", import.meta.url))).bytes();
}

async function piWasmExportNames(): Promise<Map<number, string>> {
  try {
    return wasmExportNames(await piWasmBytes());
  } catch {
    return new Map();
  }
}

async function machineInfo(): Promise<MachineInfo> {
  let cpuModel: string | null = null;
  try {
    const cpuinfo = await Deno.readTextFile("/proc/cpuinfo");
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? null;
  } catch {
    // Not Linux, or not allowed: the model stays unknown.
  }
  let wasmBuildHash: string | null = null;
  try {
    const bytes = await piWasmBytes();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    wasmBuildHash = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  } catch {
    // Unreadable build: the hash stays unknown.
  }
  return {
    cpuModel,
    cpuCount: navigator.hardwareConcurrency,
    denoVersion: Deno.version.deno,
    v8Version: Deno.version.v8,
    typescriptVersion: Deno.version.typescript,
    os: Deno.build.os,
    arch: Deno.build.arch,
    wasmBuildHash,
  };
}

/** Renders the results in the chosen format. */
async function renderResults(
  config: Config,
  steps: readonly SweepStep[],
  analysis: SweepAnalysis,
): Promise<string> {
  const cpuCount = navigator.hardwareConcurrency;
  switch (config.format) {
    case "table":
      return `${renderSummary(config, steps)}\n\nScaling analysis:\n${
        renderAnalysisTable(analysis, { cpuCount }).trimEnd()
      }\n`;
    case "markdown":
      return renderMarkdown(analysis, { cpuCount });
    case "csv":
      return renderCsv(analysis);
    case "json": {
      const { help: _help, ...settings } = config;
      return renderJson({
        config: settings,
        machine: await machineInfo(),
        analysis,
        generatedAt: new Date().toISOString(),
      });
    }
  }
}

/** Writes each step's CPU profiles as `.cpuprofile` files; returns the paths written. */
async function writeProfiles(dir: string, steps: readonly SweepStep[]): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const written: string[] = [];
  const write = async (name: string, profile: unknown) => {
    if (profile === undefined) return;
    const path = `${dir}/${name}`;
    await Deno.writeTextFile(path, JSON.stringify(profile));
    written.push(path);
  };
  for (const step of steps) {
    if (!step.profiles) continue;
    await write(`cpuprofile-${step.workers}-workers-main.cpuprofile`, step.profiles.main);
    for (const [index, profile] of step.profiles.workers.entries()) {
      await write(`cpuprofile-${step.workers}-workers-worker-${index + 1}.cpuprofile`, profile);
    }
  }
  return written;
}

/** Writes the profiles and prints the top table per worker count and the workers' memory. */
async function reportProfiles(config: Config, steps: readonly SweepStep[]): Promise<void> {
  const dir = config.profileDir!;
  const written = await writeProfiles(dir, steps);
  const print = config.format === "table" && !config.out ? console.log : console.error;
  const wasmNames = await piWasmExportNames();
  for (const step of steps) {
    if (!step.profiles) continue;
    const profiles = step.profiles.workers.filter((p) => p !== undefined).map(validateCpuProfile);
    const top = analyzeProfiles(profiles, { limit: PROFILE_TOP_LIMIT });
    const entries = top.entries.map((entry) => ({
      ...entry,
      label: nameWasmFunction(entry.label, wasmNames),
    }));
    const title = `CPU profile top, ${step.workers} worker${
      step.workers === 1 ? "" : "s"
    } (summed across workers; ${dir}/cpuprofile-${step.workers}-workers-*.cpuprofile)`;
    print("");
    print(renderProfileTop(entries, { ...top, title }).trimEnd());
  }
  print(`\nWorker memory at the end of each step:\n${renderWorkerMemory(steps).trimEnd()}`);
  if (!config.quiet) console.error(`deno-channels: wrote ${written.length} CPU profiles to ${dir}`);
}

/** Heap, external and WebAssembly memory of every worker at the end of each step. */
function renderWorkerMemory(steps: readonly SweepStep[]): string {
  const mib = (bytes: number | undefined) =>
    bytes === undefined ? "-" : (bytes / (1024 * 1024)).toFixed(2);
  const rows = steps.flatMap((step) =>
    (step.workerMemory ?? []).map((memory, index) => [
      String(step.workers),
      String(index + 1),
      mib(memory?.heapUsed),
      mib(memory?.heapTotal),
      mib(memory?.external),
      mib(memory?.wasmMemoryBytes),
    ])
  );
  return renderAsciiTable(
    ["WORKERS", "WORKER", "HEAP USED MIB", "HEAP TOTAL MIB", "EXTERNAL MIB", "WASM MEMORY MIB"],
    rows,
  );
}

/** Writes the results (stdout or --out) and the chart (--chart). */
async function writeResults(config: Config, steps: readonly SweepStep[]): Promise<void> {
  const analysis = analyzeSweep({ steps });
  const text = await renderResults(config, steps, analysis);
  if (config.out) {
    await Deno.writeTextFile(config.out, text.endsWith("\n") ? text : `${text}\n`);
    if (!config.quiet) console.error(`deno-channels: wrote ${config.format} to ${config.out}`);
  } else {
    console.log(text.trimEnd());
  }
  if (config.chart && steps.length > 0) {
    const title = `deno-channels: ${config.job} on ${navigator.hardwareConcurrency} CPUs`;
    await Deno.writeTextFile(
      config.chart,
      renderChartSvg(analysis, { cpuCount: navigator.hardwareConcurrency, title }),
    );
    if (!config.quiet) console.error(`deno-channels: wrote chart to ${config.chart}`);
  }
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

  if (config.profileDir !== undefined && !config.quiet) {
    const args = Deno.args.map((arg) => /^[\w.,=\/:-]+$/.test(arg) ? arg : `'${arg}'`).join(" ");
    console.error(
      `deno-channels: profiling into ${config.profileDir}. To watch live in Chrome DevTools instead, run\n` +
        `  deno run --inspect=${config.pprofIp}:${config.pprofPort} -A mod.ts ${args}\n` +
        `and open chrome://inspect (Configure: ${config.pprofIp}:${config.pprofPort}).`,
    );
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

  // Each repetition's completed steps; the steps of a repeated sweep are combined by worker count.
  const runs: SweepStep[][] = [];
  let interrupted: StepResult | undefined;
  let repetition = 0;
  const toStdout = config.format === "table" && !config.out;
  const debug = config.debug
    ? debugLogger(config, toStdout ? console.log : console.error)
    : undefined;
  const live = !config.quiet && Deno.stderr.isTerminal() && !Deno.env.get("NO_COLOR")
    ? progressLine(() => config.repeat > 1 ? `run ${repetition}/${config.repeat}, ` : "")
    : undefined;
  const onEvent = (event: SweepEvent) => {
    debug?.(event);
    live?.onEvent(event);
    if (event.type === "step-end") {
      if (controller.signal.aborted) interrupted = event.result;
      else runs[repetition - 1].push(event.result as SweepStep);
    }
  };
  const combined = () =>
    config.repeat > 1 ? combineRepeats(runs.filter((run) => run.length > 0)) : runs[0] ?? [];

  try {
    for (repetition = 1; repetition <= config.repeat; repetition++) {
      runs.push([]);
      await runSweep({
        job: config.job,
        params: {
          sleepMs: config.sleepMs,
          digits: config.digits,
          ioLines: config.ioLines,
          jobArgs: config.jobArgs,
          permissions: config.jobPermissions,
        },
        jobTimeoutMs: config.jobTimeoutMs,
        profile: config.profileDir !== undefined,
        startWorkers: config.startWorkers,
        maxWorkers: config.maxWorkers,
        workerCounts: config.workerCounts,
        jobCount: config.jobCount,
        signal: controller.signal,
        onEvent,
      });
    }
    live?.clear();
    const steps = combined();
    await writeResults(config, steps);
    if (config.profileDir !== undefined) await reportProfiles(config, runs.flat());
    const failures = runs.flat().flatMap((step) =>
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
    live?.clear();
    if (!signalled && error instanceof WorkerStartError) {
      const steps = combined();
      if (steps.length > 0) console.log(renderSummary(config, steps));
      console.error(`deno-channels: ${error.message}`);
      Deno.exitCode = EXIT_BAD_SETTINGS;
      return;
    }
    if (!signalled) throw error;
    console.log(renderSummary(config, combined()));
    const partial = interrupted
      ? `; the step with ${interrupted.workers} workers stopped with ${interrupted.completed} done, ${interrupted.failed} failed, ${interrupted.cancelled} cancelled of ${interrupted.jobCount}`
      : "";
    console.error(`deno-channels: interrupted by ${signalled}${partial}`);
    Deno.exit(SIGNAL_EXIT_CODES[signalled]);
  } finally {
    for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
  }
}
