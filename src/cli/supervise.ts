// deno-lint-ignore-file no-console
/**
 * The CLI runs its measured sweep in a child Deno process that it launches
 * itself with `--unstable-worker-options`, so the job sandbox works however
 * the CLI was started (from a checkout, by URL, from JSR, installed with
 * `deno install -g`): Deno exits with code 70 when a worker asks for
 * permissions without that flag, and a program cannot probe for it. The child
 * gets the permissions the parent was granted, no more; the parent forwards
 * SIGINT/SIGTERM/SIGHUP and exits with the child's code. When the child dies without
 * reporting, the parent prints the steps it had completed, from its step log.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { plural } from "../text.ts";
import {
  EXIT_BAD_SETTINGS,
  EXIT_JOB_FAILED,
  EXIT_OK,
  EXIT_SLOWER,
  SIGNAL_EXIT_CODES,
} from "./exit_codes.ts";
import type { HandledSignal } from "./exit_codes.ts";
import { sweepRuns } from "./runs.ts";
import { renderCompleted } from "./scan_render.ts";
import type { Config } from "./settings.ts";
import { killLeftovers } from "./leftovers.ts";
import { precacheModules } from "./precache.ts";
import { onHandledSignals } from "./signals.ts";
import { readStepLog, stepLogNonce, supervisorLine } from "./step_log.ts";

/**
 * Set by the parent for its child: `PID NONCE PATH`, its own pid, a new random nonce and the step
 * log it made, whose first line holds the same nonce. A child whose `Deno.ppid` is PID and whose
 * log holds NONCE runs the sweep itself; a value a user sets by hand never skips the parent's
 * checks (the nonce is new each run and the log is the parent's own temp file).
 */
const SUPERVISOR_VARIABLE = "DENO_CHANNELS_SUPERVISOR";

/**
 * Deno flags the sweep child always gets: a job that touches what it was not granted is denied,
 * never prompted (`Deno.permissions.request()` too); and nothing is downloaded while jobs run, so
 * neither a net grant nor a remote module's own host can carry data out through `import()`
 * (`npm:`, `jsr:`, a URL with a query): what the run imports was cached before it started
 * (a job's npm packages only with `--job-allow-npm`, and only its static imports'). A job
 * module is not the program's dependency: it is not written into a lock file.
 */
const CHILD_FLAGS = ["--no-prompt", "--cached-only", "--no-lock"] as const;

/** Permissions passed on to the child when the parent holds them in full. */
const PERMISSIONS = ["read", "write", "net", "env", "run", "sys", "ffi", "import"] as const;

/**
 * How long the child may take to exit after a forwarded signal before it is killed, so that
 * Ctrl-C ends the run within about a second whatever the child is doing (a child busy in a
 * long synchronous loop cannot run its own 800 ms deadline).
 */
const CHILD_EXIT_DEADLINE_MS = 750;

const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGTERM: 15,
};

/** `HOST:PORT` for `--inspect` on the sweep process (the profiling hint prints it). */
export const INSPECT_VARIABLE = "DENO_CHANNELS_INSPECT";

/** The exit codes the sweep child gives on its own; anything else means it died. */
const CHILD_REPORTED = new Set<number>([
  EXIT_OK,
  EXIT_JOB_FAILED,
  EXIT_BAD_SETTINGS,
  EXIT_SLOWER,
  ...Object.values(SIGNAL_EXIT_CODES),
]);

/** How the sweep child ended. */
interface ChildExit {
  /** Its exit code (128 + the signal number when a signal ended it). */
  code: number;
  /** The signal that ended it, if one did. */
  signal?: string;
  /** The signal the parent forwarded to it, if any (Ctrl-C, SIGTERM, SIGHUP). */
  forwarded?: HandledSignal;
}

/** This process's step log when it is the sweep child (`null`: it is not); read once. */
let childLogPath: string | null | undefined;

/**
 * Whether this process is the sweep child its parent CLI launched: the supervisor variable names
 * this process's parent, and the parent's step log holds the variable's nonce.
 *
 * @returns `true` in the child, `false` in a CLI started by a user.
 * @throws {ConfigError} When the variable names this process's parent but its nonce does not
 *   match (set by hand): the run is refused rather than run without the parent's checks.
 */
export function isSweepChild(): boolean {
  if (childLogPath === undefined) {
    childLogPath = null;
    const value = Deno.env.get(SUPERVISOR_VARIABLE);
    const match = value === undefined ? null : /^(\d+) ([0-9a-f-]{36}) (.+)$/s.exec(value);
    if (!match || Number(match[1]) !== Deno.ppid) return false;
    let nonce: string | undefined;
    try {
      nonce = stepLogNonce(Deno.readTextFileSync(match[3]));
    } catch {
      // Unreadable: refused below.
    }
    if (nonce !== match[2]) {
      throw new ConfigError(
        `Cannot run the sweep: ${SUPERVISOR_VARIABLE} is set by deno-channels for its own sweep process only; unset it`,
      );
    }
    childLogPath = match[3];
  }
  return childLogPath !== null;
}

/**
 * The sweep child's step log, which its parent made.
 *
 * @returns The log's path in the sweep child; `undefined` elsewhere.
 */
export function sweepChildLogPath(): string | undefined {
  return isSweepChild() ? childLogPath! : undefined;
}

function grantedFlags(): string[] {
  return PERMISSIONS.filter((name) =>
    Deno.permissions.querySync({ name } as Deno.PermissionDescriptor).state === "granted"
  ).map((name) => `--allow-${name}`);
}

/**
 * Runs the same command line in a child Deno process with worker options on,
 * forwarding SIGINT, SIGTERM and SIGHUP to it.
 *
 * @param args The CLI's arguments, passed on unchanged.
 * @param supervisor The supervisor variable's value for the child.
 * @param flags Extra Deno flags for the child (e.g. `--inspect`).
 * @returns How the child ended.
 * @throws {Error} When this process may not start subprocesses (`--allow-run`).
 */
async function spawnSweepChild(
  args: readonly string[],
  supervisor: string,
  flags: readonly string[] = [],
): Promise<ChildExit> {
  const entry = new URL("../../mod.ts", import.meta.url).href;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--unstable-worker-options",
      ...grantedFlags(),
      ...CHILD_FLAGS,
      ...flags,
      entry,
      ...args,
    ],
    env: { [SUPERVISOR_VARIABLE]: supervisor },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  let forwarded: HandledSignal | undefined;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  let exited = false;
  // The child may have ended already (the same signal reached its whole process group).
  const kill = (signal: Deno.Signal) => {
    if (exited) return;
    try {
      child.kill(signal);
    } catch {
      // It ended between the check and the kill.
    }
  };
  const forward = (signal: HandledSignal) => {
    if (forwarded) return;
    forwarded = signal;
    kill(signal);
    const timer = setTimeout(() => kill("SIGKILL"), CHILD_EXIT_DEADLINE_MS);
    Deno.unrefTimer(timer);
    deadline = timer;
  };
  // SIGHUP (the terminal closed) too: left to its default, it ends this process alone, leaving
  // the child running and the step log in the temp dir.
  const stopListening = onHandledSignals(forward);
  try {
    const status = await child.status;
    exited = true;
    clearTimeout(deadline);
    const code = status.signal ? 128 + (SIGNAL_NUMBERS[status.signal] ?? 0) : status.code;
    return { code, signal: status.signal ?? undefined, forwarded };
  } finally {
    stopListening();
  }
}

/**
 * Runs the sweep in a child process and returns the exit code. When the child
 * dies without reporting (out of memory, a crash in native code, killed after
 * ignoring a signal), prints the steps it had completed, from its step log,
 * and where it stopped.
 *
 * @param config The run's settings.
 * @returns The exit code: the child's own, or what its death means.
 */
export async function superviseSweep(config: Config): Promise<number> {
  let logPath: string;
  const nonce = crypto.randomUUID();
  try {
    logPath = await Deno.makeTempFile({ prefix: "deno-channels-steps-" });
  } catch (error) {
    throw new ConfigError(
      `Cannot start the sweep: no temp file can be made for its step log (TMPDIR="${
        Deno.env.get("TMPDIR") ?? ""
      }"): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    await Deno.writeTextFile(logPath, supervisorLine(nonce));
    // The child runs with --cached-only: what it will import is fetched now, before any job runs.
    // A signal meanwhile ends the fetch, and this process through the `finally` below (left to
    // its default action, it left the fetch running and the step log behind).
    const interrupt = new AbortController();
    const stopListening = onHandledSignals((signal) => interrupt.abort(signal));
    try {
      await precacheModules(config, interrupt.signal);
    } catch (error) {
      if (!interrupt.signal.aborted) throw error;
      const signal = interrupt.signal.reason as HandledSignal;
      console.error(`deno-channels: interrupted by ${signal} before the sweep began`);
      return SIGNAL_EXIT_CODES[signal];
    } finally {
      stopListening();
    }
    // npm stays off unless the profile writer needs its package or --job-allow-npm grants the
    // job its own (both cached above; --cached-only still holds): otherwise a job's `npm:` import
    // fails at once rather than looking in the cache.
    const flags = config.profileDir === undefined && !config.jobAllowNpm ? ["--no-npm"] : [];
    // Deno cannot report the flags it was started with: --inspect for the sweep process comes
    // from a variable of ours (the profiling hint prints it).
    const inspect = Deno.env.get(INSPECT_VARIABLE);
    if (inspect && /^[A-Za-z0-9.:\[\]-]+:\d{1,5}$/.test(inspect)) {
      flags.push(`--inspect=${inspect}`);
    }
    const supervisor = `${Deno.pid} ${nonce} ${logPath}`;
    const exit = await spawnSweepChild(Deno.args, supervisor, flags);
    // A sweep process that did not end by itself may have left its inline step's process running.
    if (exit.forwarded || !CHILD_REPORTED.has(exit.code)) {
      await killLeftovers(`${SUPERVISOR_VARIABLE}=${supervisor}`);
    }
    if (CHILD_REPORTED.has(exit.code)) return exit.code;
    const reading = readStepLog(await Deno.readTextFile(logPath));
    if (reading.steps.length > 0) {
      const runs = sweepRuns(config).map((run, index) => ({
        ...run,
        sweepSteps: reading.steps.filter((_, i) => reading.scanIndexes[i] === index),
      }));
      console.log(renderCompleted(config, runs));
    }
    const completed = reading.steps.length > 0
      ? "the steps above had completed"
      : "no step had completed";
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const running = reading.running;
    const where = running
      ? ` during the step with ${plural(running.workers, "worker")}${
        config.repeat > 1 ? ` (run ${running.repeat})` : ""
      }${
        running.lastJobStarted === undefined
          ? ""
          : `; the last job seen starting was ${running.lastJobStarted} of ${running.jobCount}`
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
    await Deno.remove(logPath).catch(() => {});
  }
}
