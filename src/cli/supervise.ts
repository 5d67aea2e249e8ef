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
import { readStepLog, STEP_LOG_VARIABLE } from "./step_log.ts";

/** Set by the parent to its own pid; a child whose `Deno.ppid` matches runs the sweep itself. */
const SUPERVISOR_PID = "DENO_CHANNELS_SUPERVISOR_PID";

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

/**
 * Whether this process is the sweep child its parent CLI launched.
 *
 * @returns `true` in the child, `false` in a CLI started by a user.
 */
export function isSweepChild(): boolean {
  return Deno.env.get(SUPERVISOR_PID) === String(Deno.ppid);
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
 * @param env Extra environment variables for the child.
 * @param flags Extra Deno flags for the child (e.g. `--no-npm`).
 * @returns How the child ended.
 * @throws {Error} When this process may not start subprocesses (`--allow-run`).
 */
async function spawnSweepChild(
  args: readonly string[],
  env: Record<string, string> = {},
  flags: readonly string[] = [],
): Promise<ChildExit> {
  const entry = new URL("../../mod.ts", import.meta.url).href;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--unstable-worker-options", ...grantedFlags(), ...flags, entry, ...args],
    env: { ...env, [SUPERVISOR_PID]: String(Deno.pid) },
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
  const forward = (signal: HandledSignal) => () => {
    if (forwarded) return;
    forwarded = signal;
    kill(signal);
    const timer = setTimeout(() => kill("SIGKILL"), CHILD_EXIT_DEADLINE_MS);
    Deno.unrefTimer(timer);
    deadline = timer;
  };
  // SIGHUP (the terminal closed) too: left to its default, it ends this process alone, leaving
  // the child running and the step log in the temp dir.
  const listeners = (Object.keys(SIGNAL_EXIT_CODES) as HandledSignal[]).map((signal) =>
    [signal, forward(signal)] as const
  );
  for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);
  try {
    const status = await child.status;
    exited = true;
    clearTimeout(deadline);
    const code = status.signal ? 128 + (SIGNAL_NUMBERS[status.signal] ?? 0) : status.code;
    return { code, signal: status.signal ?? undefined, forwarded };
  } finally {
    for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
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
    const exit = await spawnSweepChild(
      Deno.args,
      logPath ? { [STEP_LOG_VARIABLE]: logPath } : {},
      flags,
    );
    if (CHILD_REPORTED.has(exit.code)) return exit.code;
    const reading = readStepLog(logPath ? await Deno.readTextFile(logPath) : "");
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
    if (logPath) await Deno.remove(logPath).catch(() => {});
  }
}
