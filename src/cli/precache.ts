/**
 * Fetches, before the sweep child starts, the modules it will import that may
 * not be in Deno's cache yet: the job module's static graph (a remote module,
 * or a local one with remote or `jsr:` imports; no npm package), the worker and inline
 * entries when the CLI itself was loaded from a URL, and the profile writer's
 * npm package with `--profile`. The child runs with `--cached-only`, so nothing
 * a job does at run time can make it download (and carry data out in a URL).
 *
 * @module
 */
import { isJobModuleReference, moduleUrlOf } from "../jobs/module.ts";
import type { Config } from "./settings.ts";

/** The modules the sweep child may load by URL rather than through its static graph. */
function lazyEntries(config: Config): string[] {
  const entries: string[] = [];
  // Local files are read as they are: only a CLI loaded from a URL needs them cached.
  if (!import.meta.url.startsWith("file:")) {
    entries.push(
      new URL("../pool/worker_entry.ts", import.meta.url).href,
      new URL("../step/_inline_entry.ts", import.meta.url).href,
    );
  }
  if (config.profileDir !== undefined) entries.push(new URL("./pprof.ts", import.meta.url).href);
  return entries;
}

/**
 * Caches what the sweep child will import (`deno cache`), so that it can run with
 * `--cached-only`. A module that cannot be fetched is left to the child, which reports it as
 * a job module that fails to load.
 *
 * @param config The run's settings.
 * @returns When the cache is filled (at once when there is nothing to fetch).
 */
export async function precacheModules(config: Config): Promise<void> {
  const urls = lazyEntries(config);
  if (isJobModuleReference(config.job)) urls.push(moduleUrlOf(config.job).href);
  if (urls.length === 0) return;
  await new Deno.Command(Deno.execPath(), {
    // A job's npm packages are not fetched (the sweep runs with --no-npm); pprof-format is.
    args: ["cache", "--no-lock", ...(config.profileDir === undefined ? ["--no-npm"] : []), ...urls],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
}
