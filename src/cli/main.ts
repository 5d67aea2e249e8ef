// deno-lint-ignore-file no-console
/**
 * The command-line entry: the only place that reads `Deno.args`, `Deno.env`
 * and `.env`, and the one place that turns an error into an exit code. It
 * parses the settings, then either supervises the sweep child (the process a
 * user started) or runs the sweep (that child), and sets the exit code.
 *
 * @module
 */
import { ConfigError, WorkerStartError } from "../errors.ts";
import { errorMessage } from "../text.ts";
import { checkDestinations } from "./destinations.ts";
import { ENV_PREFIX, INSPECT_VARIABLE } from "./environment.ts";
import { EXIT_BAD_SETTINGS, EXIT_JOB_FAILED, EXIT_OK } from "./exit_codes.ts";
import { helpText, VERSION } from "./help.ts";
import { machineCeiling } from "./machine.ts";
import { withPermissionHint } from "./permission_hint.ts";
import { type Config, parseConfig, SETTINGS } from "./settings.ts";
import { isSweepChild, superviseSweep } from "./supervise.ts";
import { runSweepChild } from "./sweep_child.ts";
import { terminalSafe } from "./terminal_text.ts";

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
    throw new ConfigError(`Cannot read settings: .env is not readable: ${errorMessage(error)}`);
  }
}

function readEnv(): Record<string, string | undefined> {
  const keys = Object.values(SETTINGS).flatMap((s) => [s.key, `${ENV_PREFIX}${s.key}`]);
  // Every DENO_CHANNELS_* variable too, so that a misspelt one is refused, not ignored (when the
  // whole environment may be read).
  const ours = Deno.permissions.querySync({ name: "env" }).state === "granted"
    ? Object.keys(Deno.env.toObject()).filter((key) => key.startsWith(ENV_PREFIX))
    : [INSPECT_VARIABLE];
  return Object.fromEntries([...keys, ...ours].map((key) => [key, Deno.env.get(key)]));
}

/** The process a user started: checks what it can before the sweep child starts, then waits. */
async function runParent(config: Config): Promise<number> {
  // Checked once, in the parent (the inputs in the child, which reads stdin for `--inputs -`).
  await checkDestinations(config);
  if (Deno.permissions.querySync({ name: "run" }).state !== "granted") {
    throw new ConfigError(
      "Cannot start the sweep: it runs in a child Deno process, which needs --allow-run (run with -A)",
    );
  }
  return await superviseSweep(config);
}

/** Parses the settings and runs what they ask for; returns the exit code. */
async function run(): Promise<number> {
  let config: Config | undefined;
  let refusal: unknown;
  try {
    config = parseConfig({
      args: Deno.args,
      env: readEnv(),
      dotenv: await readDotenv(),
      // The defaults follow the CPUs this process can use (affinity mask, cgroup quota).
      hardwareConcurrency: machineCeiling().wholeCpus,
    });
  } catch (error) {
    refusal = error;
  }
  // `--help` and `--version` answer whatever else is wrong (`--help --jobs 0`, a bad `.env`).
  if (config?.help ?? (Deno.args.includes("--help") || Deno.args.includes("-h"))) {
    console.log(helpText());
    return EXIT_OK;
  }
  if (config?.version ?? Deno.args.includes("--version")) {
    console.log(`deno-channels ${VERSION} (Deno ${Deno.version.deno})`);
    return EXIT_OK;
  }
  if (!config) throw refusal;
  return isSweepChild() ? await runSweepChild(config) : await runParent(config);
}

/**
 * The one place an error becomes an exit code: one line on stderr, then 2 for
 * bad settings and workers that cannot start, 1 for anything else.
 */
function exitCodeOf(error: unknown): number {
  // A job module that cannot start is told the grant it lacks, as a failed job is.
  const message = error instanceof WorkerStartError
    ? withPermissionHint(errorMessage(error))
    : errorMessage(error);
  console.error(`deno-channels: ${terminalSafe(message)}`);
  return error instanceof ConfigError || error instanceof WorkerStartError
    ? EXIT_BAD_SETTINGS
    : EXIT_JOB_FAILED;
}

/**
 * Runs the CLI: reads settings, runs the sweep, prints the results, and sets
 * `Deno.exitCode` (0 all done, 1 a job failed, 2 bad settings, 130 SIGINT,
 * 143 SIGTERM, 129 SIGHUP).
 *
 * @example Run the CLI from a script
 * ```ts ignore
 * import { runCli } from "./main.ts";
 *
 * await runCli();
 * ```
 */
export async function runCli(): Promise<void> {
  Deno.exitCode = await run().catch(exitCodeOf);
  // A job that ignores its cancel flag, or a module stuck at load, keeps its worker thread busy
  // and terminate() cannot stop it: the sweep child ends the process itself once it has reported.
  if (isSweepChild()) Deno.exit(Deno.exitCode);
}
