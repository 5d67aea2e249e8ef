/**
 * Runs the CLI as a user meets it: a new `deno` process on mod.ts.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type TempDir, tempDir } from "./_temp.ts";

/** The absolute path of mod.ts. */
export const MOD_PATH: string = fileURLToPath(new URL("../mod.ts", import.meta.url));

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@linkcode cliCommand}. */
export interface CliOptions {
  /** Extra environment variables (the settings' keys are otherwise unset). */
  env?: Record<string, string>;
  /** Working directory; default a new empty temp dir (so no .env is found). */
  cwd?: string;
  /** Text for the CLI's stdin (default: none, stdin is closed). */
  stdin?: string;
}

/** Builds the command; the environment holds only what deno needs plus `env`. */
export function cliCommand(args: string[], options: CliOptions & { cwd: string }): Deno.Command {
  const keep = ["PATH", "HOME", "DENO_DIR", "TMPDIR", "XDG_CACHE_HOME", "NPM_CONFIG_REGISTRY"];
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const key of keep) {
    const value = Deno.env.get(key);
    if (value !== undefined) env[key] = value;
  }
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MOD_PATH, ...args],
    cwd: options.cwd,
    env: { ...env, ...options.env },
    clearEnv: true,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Runs the CLI to the end. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  await using cwd = options.cwd ? undefined : await tempDir("deno-channels-cli-");
  const command = cliCommand(args, { ...options, cwd: options.cwd ?? cwd!.path });
  let output: Deno.CommandOutput;
  if (options.stdin === undefined) output = await command.output();
  else {
    const child = command.spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
    output = await child.output();
  }
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Makes a temp dir holding a `.env` with `text`; removed at the end of `await using`. */
export async function dirWithDotenv(text: string): Promise<TempDir> {
  const dir = await tempDir("deno-channels-env-");
  await Deno.writeTextFile(`${dir.path}/.env`, text);
  return dir;
}

/** A CLI run stopped by a signal, with how long it took to exit after the signal. */
export interface InterruptedRun extends CliRun {
  /** Milliseconds from sending the signal to the process's exit. */
  exitMs: number;
}

/**
 * Starts the CLI, waits until its stdout matches `marker`, sends `signal`, and
 * collects the rest of its output.
 */
export async function interruptCliWhen(
  args: string[],
  marker: RegExp,
  signal: Deno.Signal,
  options: CliOptions = {},
  onMarker?: () => void | Promise<void>,
): Promise<InterruptedRun> {
  await using cwd = options.cwd ? undefined : await tempDir("deno-channels-cli-");
  const child = cliCommand(args, { ...options, cwd: options.cwd ?? cwd!.path }).spawn();
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let stdout = "";
  while (!marker.test(stdout)) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += decoder.decode(value);
  }
  await onMarker?.();
  const signalledAt = performance.now();
  child.kill(signal);
  const drain = async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      stdout += decoder.decode(r.value);
    }
  };
  const [status, stderr] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
    drain(),
  ]);
  return { code: status.code, stdout, stderr, exitMs: performance.now() - signalledAt };
}
