/**
 * Fetches, before the sweep child starts, the modules it will import that may
 * not be in Deno's cache yet: the job module's static graph (a remote module,
 * or a local one with remote or `jsr:` imports; its npm packages only with
 * `--job-allow-npm`), the worker and inline entries when the CLI itself was
 * loaded from a URL, and the profile writer's npm package with `--profile`.
 * The child runs with `--cached-only`, so nothing a job does at run time can
 * make it download (and carry data out in a URL).
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { isJobModuleReference, moduleUrlOf } from "../jobs/module.ts";
import { NPM_GRANT_HINT } from "./permission_hint.ts";
import type { Config } from "./settings.ts";

/** How `deno cache --no-npm` refuses a graph with an `npm:` import. */
const NO_NPM_REFUSAL = "npm specifiers were requested; but --no-npm is specified";

/** What to cache: with npm packages, and without (`--no-npm`). */
interface CacheGroups {
  npm: string[];
  noNpm: string[];
}

/** The modules the sweep child may load by URL rather than through its static graph. */
function cacheGroups(config: Config): CacheGroups {
  const groups: CacheGroups = { npm: [], noNpm: [] };
  // Local files are read as they are: only a CLI loaded from a URL needs them cached.
  if (!import.meta.url.startsWith("file:")) {
    groups.noNpm.push(
      new URL("../pool/worker_entry.ts", import.meta.url).href,
      new URL("../step/_inline_entry.ts", import.meta.url).href,
    );
  }
  if (config.profileDir !== undefined) {
    groups.npm.push(new URL("./pprof.ts", import.meta.url).href);
  }
  // A job's npm packages are the job's to be granted: --profile alone does not fetch them.
  if (isJobModuleReference(config.job)) {
    (config.jobAllowNpm ? groups.npm : groups.noNpm).push(moduleUrlOf(config.job).href);
  }
  return groups;
}

/**
 * Caches what the sweep child will import (`deno cache`), so that it can run with
 * `--cached-only`. A module that cannot be fetched is left to the child, which reports it as
 * a job module that fails to load. The lock file is never written: a job module is not the
 * program's dependency.
 *
 * @param config The run's settings.
 * @param signal Kills the fetch and rejects with its reason (Ctrl-C before the sweep began).
 * @returns When the cache is filled (at once when there is nothing to fetch).
 * @throws {ConfigError} When the job module imports an npm package statically without
 *   `--job-allow-npm`.
 */
export async function precacheModules(config: Config, signal?: AbortSignal): Promise<void> {
  const { npm, noNpm } = cacheGroups(config);
  const calls = [[npm, []], [noNpm, ["--no-npm"]]] as const;
  for (const [urls, flags] of calls) {
    if (urls.length === 0) continue;
    signal?.throwIfAborted();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["cache", "--no-lock", ...flags, ...urls],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // Ctrl-C while it fetches ends it too: it must not outlive the CLI.
    const stop = () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // It has exited.
      }
    };
    signal?.addEventListener("abort", stop, { once: true });
    const output = await child.output().finally(() => signal?.removeEventListener("abort", stop));
    signal?.throwIfAborted();
    // The job module imports an npm package and npm is not granted: refused before the run,
    // whatever the worker list (and with --profile too, where the sweep process has npm on).
    const job = isJobModuleReference(config.job) ? moduleUrlOf(config.job).href : undefined;
    if (
      !output.success && job !== undefined && urls.includes(job) &&
      new TextDecoder().decode(output.stderr).includes(NO_NPM_REFUSAL)
    ) {
      throw new ConfigError(
        `Cannot load job module ${job}: npm specifiers were requested, but ${NPM_GRANT_HINT}`,
      );
    }
  }
}
