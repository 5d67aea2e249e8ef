/**
 * Runs the CLI as a user meets it: a new `deno` process on mod.ts.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

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
}

/** Builds the command; the environment holds only what deno needs plus `env`. */
export async function cliCommand(args: string[], options: CliOptions = {}): Promise<Deno.Command> {
  const keep = ["PATH", "HOME", "DENO_DIR", "TMPDIR", "XDG_CACHE_HOME", "NPM_CONFIG_REGISTRY"];
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const key of keep) {
    const value = Deno.env.get(key);
    if (value !== undefined) env[key] = value;
  }
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MOD_PATH, ...args],
    cwd: options.cwd ?? await Deno.makeTempDir({ prefix: "deno-channels-cli-" }),
    env: { ...env, ...options.env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Runs the CLI to the end. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const output = await (await cliCommand(args, options)).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Makes a temp dir holding a `.env` with `text`. */
export async function dirWithDotenv(text: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "deno-channels-env-" });
  await Deno.writeTextFile(`${dir}/.env`, text);
  return dir;
}
