/**
 * Checks, before the first job runs, that what the run will write can be
 * written and overwrites nothing it reads: the `--out`, `--export-*` and
 * `--chart` files (each its own, none of them the `--inputs` file, `.env` or
 * the job's module, compared where their links land; no directory, FIFO or
 * socket), the `--profile` directory, and the io job's temp directory under
 * TMPDIR (a sweep that cannot save its results should not run at all); and
 * that a `--job-allow-read`/`--job-allow-write` directory holds no symlink
 * that leads out of what was granted. Nothing is opened, created or deleted
 * to check a destination.
 *
 * @module
 */
import { basename, dirname, join, resolve, sep as SEP } from "node:path";
import { fileURLToPath } from "node:url";
import { isJobModuleReference, moduleUrlOf } from "../jobs/module.ts";
import { ConfigError } from "../errors.ts";
import { type Config, settingLabel } from "./settings.ts";
import { errorMessage } from "../text.ts";
import { DEFAULT_BASELINE_DIR } from "./baseline_names.ts";

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

const reason = errorMessage;

/** An existing file's own information, or `undefined` (missing, or not readable). */
function existing(path: string): Promise<Deno.FileInfo | undefined> {
  return statOrUndefined(path).catch(() => undefined);
}

/** `dev:ino` of an existing file (a hard link shares it), or `undefined`. */
function identityOf(info: Deno.FileInfo | undefined): string | undefined {
  return info?.ino == null ? undefined : `inode ${info.dev}:${info.ino}`;
}

/** The directory of this program's own files, when it runs from them (not from a URL). */
const PROGRAM_ROOT = import.meta.url.startsWith("file:")
  ? resolve(dirname(fileURLToPath(import.meta.url)), "../..")
  : undefined;

/**
 * Whether an output at `landing` would overwrite or add to this program: its entry, its
 * configuration or lock file, or its source, WebAssembly, bench, test or example folders (by
 * path, and by inode when the file has other links).
 */
async function isProgramFile(landing: string, info: Deno.FileInfo | undefined): Promise<boolean> {
  if (!PROGRAM_ROOT) return false;
  const root = await Deno.realPath(PROGRAM_ROOT).catch(() => PROGRAM_ROOT);
  const files = ["mod.ts", "deno.json", "deno.lock"].map((name) => join(root, name));
  if (
    files.includes(landing) ||
    ["src", "wasm", "examples", "bench", "tests"].some((dir) => inside(landing, join(root, dir)))
  ) return true;
  const id = identityOf(info);
  if (!id || (info!.nlink ?? 1) < 2) return false;
  for (const file of files) {
    if (identityOf(await existing(file)) === id) return true;
  }
  return false;
}

/** The most links followed to find where a dangling or chained symlink leads (as Linux's ELOOP). */
const MAX_LINK_HOPS = 40;

/**
 * Where writing `path` would land, with every link resolved and nothing
 * created: the real path of an existing file, or of the nearest existing
 * directory joined with the rest (a dangling link is followed to its target).
 */
async function landingPath(path: string): Promise<string> {
  let current = resolve(path);
  for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
    const info = await Deno.lstat(current).catch(() => undefined);
    if (info?.isSymlink) {
      current = resolve(dirname(current), await Deno.readLink(current));
      continue;
    }
    if (info) return await Deno.realPath(current);
    const parent = await Deno.realPath(dirname(current)).catch(() => dirname(current));
    return join(parent, basename(current));
  }
  return current;
}

/** Whether this user may write a file with `info`'s mode (an estimate: groups beyond the first count). */
function writable(info: Deno.FileInfo): boolean {
  const uid = Deno.uid();
  if (uid === 0 || info.mode === null || uid === null) return true;
  if (info.uid === uid) return (info.mode & 0o200) !== 0;
  return (info.mode & 0o022) !== 0;
}

/**
 * Checks one file destination without opening, creating or deleting anything:
 * not a directory or FIFO (a FIFO would block the write until a reader comes),
 * in a directory that exists, writable by its mode bits.
 */
async function checkFile(flag: string, path: string, landing: string): Promise<void> {
  const fail = (why: string) => new ConfigError(`Cannot write results: ${flag} "${path}" ${why}`);
  const info = await statOrUndefined(landing);
  if (info?.isDirectory) throw fail("is a directory, expected a file path");
  if (info?.isFifo) throw fail("is a FIFO (named pipe), expected a file path");
  if (info?.isSocket) throw fail("is a socket, expected a file path");
  if (info) {
    if (!writable(info)) throw fail("cannot be written: permission denied");
    return;
  }
  const parent = await statOrUndefined(dirname(landing));
  if (!parent?.isDirectory) throw fail("is in a directory that does not exist");
  if (!writable(parent)) throw fail("cannot be written: its directory is not writable");
}

/**
 * Checks the `--profile` directory without creating it: an existing one must be
 * a writable directory; a new one is made after the run, inside the nearest
 * existing directory, which must be writable.
 */
async function checkDirectory(flag: string, path: string): Promise<void> {
  const fail = (why: string) => new ConfigError(`Cannot write results: ${flag} "${path}" ${why}`);
  let current = resolve(path);
  let info = await statOrUndefined(current);
  if (info && !info.isDirectory) throw fail("is a file, expected a directory");
  while (!info && dirname(current) !== current) {
    current = dirname(current);
    info = await statOrUndefined(current);
    if (info && !info.isDirectory) throw fail(`cannot be created: "${current}" is a file`);
  }
  if (info && !writable(info)) throw fail(`cannot be written: "${current}" is not writable`);
}

/**
 * The most entries a granted directory may hold: it is scanned completely for symlinks, and one
 * with more is refused rather than half-checked.
 */
const MAX_SCANNED_ENTRIES = 1_000_000;

const inside = (path: string, dir: string) => path === dir || path.startsWith(`${dir}${SEP}`);

/**
 * Finds a symlink under `dir` that leads outside every path in `granted`:
 * Deno checks a link's own path against a grant, so such a link would let a
 * job read or write outside what was granted.
 */
async function escapingLink(
  dir: string,
  granted: readonly string[],
): Promise<{ link: string; target: string } | { tooLarge: true } | undefined> {
  // Nothing leads out of the root directory.
  if (granted.includes(SEP)) return undefined;
  const pending = [dir];
  let scanned = 0;
  while (pending.length > 0) {
    const current = pending.pop()!;
    for await (const entry of Deno.readDir(current)) {
      if (++scanned > MAX_SCANNED_ENTRIES) return { tooLarge: true };
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
    if (escape && "tooLarge" in escape) {
      throw new ConfigError(
        `Cannot grant ${flag} "${root}": it holds more than ${
          MAX_SCANNED_ENTRIES.toLocaleString("en-US")
        } entries, too many to check for symlinks that lead out of it; grant a smaller directory`,
      );
    }
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
  // What the run reads must not be what it writes: compared where each path lands, and by
  // device and inode for files that exist (a hard link has a path of its own).
  const seen = new Map<string, string>();
  const remember = async (landing: string, what: string, info?: Deno.FileInfo) => {
    seen.set(landing, what);
    const id = identityOf(info ?? await existing(landing));
    if (id) seen.set(id, what);
  };
  if (config.inputs !== undefined && config.inputs !== "-") {
    await remember(await landingPath(config.inputs), `${settingLabel(config, "inputs")} reads`);
  }
  await remember(await landingPath(".env"), "the settings are read from (.env)");
  const module = isJobModuleReference(config.job) ? moduleUrlOf(config.job) : undefined;
  if (module?.protocol === "file:") {
    const label = settingLabel(config, "job");
    const info = await statOrUndefined(fileURLToPath(module));
    // A FIFO or device would be read without end by the fetch before the run (`/dev/zero`).
    if (info && !info.isFile) {
      throw new ConfigError(
        `Cannot load job module: ${label} "${config.job}" ${
          info.isDirectory ? "is a directory" : "is not a regular file (a FIFO or a device)"
        }, expected a module file`,
      );
    }
    await remember(await landingPath(fileURLToPath(module)), `${label} loads as its module`);
  }
  for (const [flag, path] of files) {
    if (!path) continue;
    const landing = await landingPath(path);
    const info = await existing(landing);
    const id = identityOf(info);
    const earlier = seen.get(landing) ?? (id && seen.get(id));
    if (!earlier && await isProgramFile(landing, info)) {
      throw new ConfigError(
        `Cannot write results: ${flag} "${path}" is among deno-channels' own files (${PROGRAM_ROOT}); write results elsewhere`,
      );
    }
    if (earlier) {
      throw new ConfigError(
        `Cannot write results: ${flag} "${path}" is the file ${earlier}; give each output its own file`,
      );
    }
    if (/[\\/]$/.test(path)) {
      throw new ConfigError(
        `Cannot write results: ${flag} "${path}" ends in a path separator, expected a file path`,
      );
    }
    await remember(landing, `${flag} writes too`, info);
    await checkFile(flag, path, landing);
  }
  if (config.profileDir !== undefined) {
    const flag = settingLabel(config, "profileDir");
    const earlier = seen.get(await landingPath(config.profileDir));
    if (earlier) {
      throw new ConfigError(
        `Cannot write results: ${flag} "${config.profileDir}" is the file ${earlier}; give the profiles a directory of their own`,
      );
    }
    await checkDirectory(flag, config.profileDir);
  }
  if (config.saveBaseline !== undefined) {
    // Made after the run: a path that cannot be a directory (`/dev/null`) is refused now.
    await checkDirectory(
      settingLabel(config, "baselineDir"),
      config.baselineDir ?? DEFAULT_BASELINE_DIR,
    );
  }
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
