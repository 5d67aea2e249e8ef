/**
 * Checks, before the first job runs, that what the run will write can be
 * written: the `--out`, `--export-*` and `--chart` files (each its own), the
 * `--profile` directory, and the io
 * job's temp directory under TMPDIR (a sweep that cannot save its results
 * should not run at all); and that a `--job-allow-read`/`--job-allow-write`
 * directory holds no symlink that leads out of what was granted.
 *
 * @module
 */
import { dirname, join, resolve, sep as SEP } from "node:path";
import { ConfigError } from "../errors.ts";
import { type Config, settingLabel } from "./settings.ts";
import { errorMessage } from "../text.ts";

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

const reason = errorMessage;

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

/** The most entries a granted directory is scanned for symlinks. */
const MAX_SCANNED_ENTRIES = 100_000;

const inside = (path: string, dir: string) => path === dir || path.startsWith(`${dir}${SEP}`);

/**
 * Finds a symlink under `dir` that leads outside every path in `granted`:
 * Deno checks a link's own path against a grant, so such a link would let a
 * job read or write outside what was granted.
 */
async function escapingLink(
  dir: string,
  granted: readonly string[],
): Promise<{ link: string; target: string } | undefined> {
  const pending = [dir];
  let scanned = 0;
  while (pending.length > 0 && scanned < MAX_SCANNED_ENTRIES) {
    const current = pending.pop()!;
    for await (const entry of Deno.readDir(current)) {
      if (++scanned > MAX_SCANNED_ENTRIES) break;
      const path = join(current, entry.name);
      if (entry.isSymlink) {
        const target = await Deno.realPath(path).catch(() =>
          resolve(current, Deno.readLinkSync(path))
        );
        if (!granted.some((root) => inside(target, root))) return { link: path, target };
      } else if (entry.isDirectory) {
        pending.push(path);
      }
    }
  }
  return undefined;
}

async function checkGrants(flag: string, paths: readonly string[] | undefined): Promise<void> {
  if (!paths?.length) return;
  const roots = await Promise.all(
    paths.map((path) => Deno.realPath(path).catch(() => resolve(path))),
  );
  for (const root of roots) {
    const info = await statOrUndefined(root);
    if (!info?.isDirectory) continue;
    const escape = await escapingLink(root, roots);
    if (escape) {
      throw new ConfigError(
        `Cannot grant ${flag} "${root}": the symlink "${escape.link}" inside it leads out of it, to "${escape.target}"; grant the target too, or remove the link`,
      );
    }
  }
}

/**
 * Checks every destination the run will write to.
 *
 * @param config The run's settings.
 * @throws {ConfigError} Naming the setting and why it cannot be written or granted.
 */
export async function checkDestinations(config: Config): Promise<void> {
  await checkGrants("--job-allow-read", config.jobPermissions.read);
  await checkGrants("--job-allow-write", config.jobPermissions.write);
  // The chart is always SVG: a .png name would get SVG bytes it does not expect.
  if (config.chart && !/\.svg$/i.test(config.chart)) {
    throw new ConfigError(
      `Cannot write results: --chart "${config.chart}" must end in .svg (the chart is an SVG image)`,
    );
  }
  // Named as the user set them: DENO_CHANNELS_OUTFILE is not --out.
  const files: [string, string | undefined][] = [
    [settingLabel(config, "out"), config.out],
    [settingLabel(config, "exportJson"), config.exportJson],
    [settingLabel(config, "exportCsv"), config.exportCsv],
    [settingLabel(config, "exportMarkdown"), config.exportMarkdown],
    [settingLabel(config, "chart"), config.chart],
  ];
  const seen = new Map<string, string>();
  for (const [flag, path] of files) {
    if (!path) continue;
    const earlier = seen.get(resolve(path));
    if (earlier) {
      throw new ConfigError(
        `Cannot write results: ${flag} "${path}" is the file ${earlier} writes too; give each output its own file`,
      );
    }
    seen.set(resolve(path), flag);
    await checkFile(flag, path);
  }
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
