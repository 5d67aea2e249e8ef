/**
 * Checks, before the first job runs, that what the run will write can be
 * written: `--out` and `--chart` files, the `--profile` directory, and the io
 * job's temp directory under TMPDIR. A sweep that cannot save its results
 * should not run at all.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import type { Config } from "./settings.ts";

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

const reason = (error: unknown) => error instanceof Error ? error.message : String(error);

async function checkFile(flag: string, path: string): Promise<void> {
  const fail = (why: string) => new ConfigError(`Cannot write results: ${flag} "${path}" ${why}`);
  const info = await statOrUndefined(path);
  if (info?.isDirectory) throw fail("is a directory, expected a file path");
  if (!info) {
    const parent = await statOrUndefined(dirname(resolve(path)));
    if (!parent?.isDirectory) throw fail("is in a directory that does not exist");
  }
  try {
    // Opened for appending, so an existing file keeps its contents until the run writes it.
    (await Deno.open(path, { write: true, create: true, append: true })).close();
  } catch (error) {
    throw fail(`cannot be written: ${reason(error)}`);
  }
  if (!info) await Deno.remove(path);
}

async function checkDirectory(flag: string, path: string): Promise<void> {
  try {
    await Deno.mkdir(path, { recursive: true });
  } catch (error) {
    const why = error instanceof Deno.errors.AlreadyExists
      ? "is a file, expected a directory"
      : `cannot be created: ${reason(error)}`;
    throw new ConfigError(`Cannot write results: ${flag} "${path}" ${why}`);
  }
}

/**
 * Checks every destination the run will write to.
 *
 * @param config The run's settings.
 * @throws {ConfigError} Naming the setting and why it cannot be written.
 */
export async function checkDestinations(config: Config): Promise<void> {
  if (config.out) await checkFile("--out", config.out);
  if (config.chart) await checkFile("--chart", config.chart);
  if (config.profileDir !== undefined) await checkDirectory("--profile", config.profileDir);
  if (config.job === "io") {
    try {
      await Deno.remove(await Deno.makeTempDir({ prefix: "deno-channels-io-check-" }));
    } catch (error) {
      throw new ConfigError(
        `Cannot run io jobs: no temp directory can be made (TMPDIR="${
          Deno.env.get("TMPDIR") ?? ""
        }"): ${reason(error)}`,
      );
    }
  }
}
