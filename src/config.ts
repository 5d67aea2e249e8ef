/**
 * Settings: every key, flag, default, bound and error message lives here.
 *
 * The same keys come from flags, the environment and a `.env` file, in that
 * order of precedence; a blank value counts as not set.
 *
 * @module
 */
import { parseEnv } from "node:util";
import { DEFAULT_IO_LINES } from "./jobs/io.ts";
import type { JobPermissions } from "./jobs/job.ts";
import { isJobModuleReference } from "./jobs/module.ts";
import { findJobKind, JOB_KINDS } from "./jobs/registry.ts";
import { DEFAULT_PI_DIGITS, PI_DIGITS_MAX, PI_DIGITS_MIN } from "./pi/kernel.ts";

/**
 * The most workers one step may start (each Deno worker is a V8 isolate of ~10 MiB and more).
 *
 * @example The worker bound
 * ```ts
 * import { MAX_WORKERS } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_WORKERS, 1024);
 * ```
 */
export const MAX_WORKERS = 1024;
/**
 * The most jobs one step may run.
 *
 * @example The job bound
 * ```ts
 * import { MAX_JOBS } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_JOBS, 10_000_000);
 * ```
 */
export const MAX_JOBS = 10_000_000;
/**
 * The longest sleep job, in milliseconds (one hour).
 *
 * @example One hour
 * ```ts
 * import { MAX_SLEEP_MS } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_SLEEP_MS, 60 * 60 * 1000);
 * ```
 */
export const MAX_SLEEP_MS = 3_600_000;
/**
 * The most lines one IO job writes per file.
 *
 * @example The line bound
 * ```ts
 * import { MAX_IO_LINES } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_IO_LINES, 10_000_000);
 * ```
 */
export const MAX_IO_LINES = 10_000_000;
/** The longest per-job timeout, in milliseconds (one day). */
export const MAX_JOB_TIMEOUT_MS = 86_400_000;

/**
 * Defaults for every setting; counts that depend on the machine are functions.
 *
 * @example Read the defaults
 * ```ts
 * import { DEFAULTS } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULTS.sleepMs, 1000);
 * assert.equal(DEFAULTS.jobCount(), 2 * navigator.hardwareConcurrency);
 * ```
 */
export const DEFAULTS = {
  debug: false,
  job: "sleep",
  startWorkers: 1,
  maxWorkers: (): number => navigator.hardwareConcurrency,
  jobCount: (): number => 2 * navigator.hardwareConcurrency,
  sleepMs: 1000,
  digits: DEFAULT_PI_DIGITS,
} as const;

/** The resolved settings of one run. */
export interface Config {
  /** Print the seed's verbose log. */
  debug: boolean;
  /** The job kind's canonical name. */
  job: string;
  /** The first worker count. */
  startWorkers: number;
  /** The last worker count. */
  maxWorkers: number;
  /** How many jobs each step runs. */
  jobCount: number;
  /** How long each sleep job sleeps, in milliseconds. */
  sleepMs: number;
  /** How many decimals each Pi job computes. */
  digits: number;
  /** Lines per file each IO job writes. */
  ioLines: number;
  /** Cancel and fail a job that runs longer than this, in milliseconds; none when undefined. */
  jobTimeoutMs?: number;
  /** Input for a custom job module, from `--job-arg key=value`. */
  jobArgs: Record<string, string>;
  /** What a custom job module's workers may touch, from `--job-allow-*`. */
  jobPermissions: JobPermissions;
  /** Explicit worker counts (`--workers 1,2,4`); when set, start/max are not used. */
  workerCounts?: number[];
  /** How many times each step runs; tables report the median with min–max. */
  repeat: number;
  /** How the results are written: the seed's tables, Markdown, JSON or CSV. */
  format: OutputFormat;
  /** Write the results to this file instead of stdout. */
  out?: string;
  /** Write a speed-up chart (SVG) to this file. */
  chart?: string;
  /** No progress line. */
  quiet: boolean;
  /** Write per-step CPU profiles here (`--profile DIR`, or `PPROF=true` for ./profiles). */
  profileDir?: string;
  /** The seed's PPROFIP: the host in the printed `--inspect` command. */
  pprofIp: string;
  /** The seed's PPROFPORT: the port in the printed `--inspect` command. */
  pprofPort: number;
  /** `--help` was given: print usage and run nothing. */
  help: boolean;
}

/**
 * The output formats of `--format`.
 *
 * @example The formats
 * ```ts
 * import { OUTPUT_FORMATS } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...OUTPUT_FORMATS], ["table", "markdown", "json", "csv"]);
 * ```
 */
export const OUTPUT_FORMATS = ["table", "markdown", "json", "csv"] as const;
/** One of {@linkcode OUTPUT_FORMATS}. */
export type OutputFormat = typeof OUTPUT_FORMATS[number];
/**
 * The most repetitions of each step.
 *
 * @example The repeat bound
 * ```ts
 * import { MAX_REPEAT } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_REPEAT, 100);
 * ```
 */
export const MAX_REPEAT = 100;

/** Where the settings come from; the CLI reads them, `parseConfig` only parses. */
export interface ConfigSources {
  /** Command-line arguments (`Deno.args`). */
  args: readonly string[];
  /** Environment variables, by key. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The text of the `.env` file, when there is one. */
  dotenv?: string;
  /** CPU count for the machine-dependent defaults. Default `navigator.hardwareConcurrency`. */
  hardwareConcurrency?: number;
}

/**
 * A setting was missing its value, malformed or out of range. The CLI prints
 * its message as one line and exits with code 2.
 *
 * @example Catch a bad setting
 * ```ts
 * import { ConfigError, parseConfig } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => parseConfig({ args: ["--jobs", "0"] }), ConfigError);
 * ```
 */
export class ConfigError extends Error {
  /**
   * Creates a settings error.
   *
   * @param message One line naming the setting, the value and what is accepted.
   * @param options Standard error options; `cause` is kept.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}

type SettingName =
  | Exclude<keyof Config, "help" | "jobArgs" | "jobPermissions">
  | "pprof";

interface Setting {
  name: SettingName;
  key: string;
  flag: string;
  kind: "boolean" | "integer" | "job" | "integers" | "format" | "path" | "host";
  min?: number;
  max?: number;
  /** The default as `--help` shows it. */
  defaultText: string;
  description: string;
}

/**
 * Every setting, in `--help` order.
 */
export const SETTINGS: readonly Setting[] = [
  {
    name: "debug",
    key: "DEBUG",
    flag: "--debug",
    kind: "boolean",
    defaultText: "false",
    description: "print the seed's verbose log (workers, jobs, timings)",
  },
  {
    name: "job",
    key: "JOBNAME",
    flag: "--job",
    kind: "job",
    defaultText: "sleep",
    description: "the job kind (names below, any case)",
  },
  {
    name: "startWorkers",
    key: "STARTINGWORKERCOUNT",
    flag: "--start-workers",
    kind: "integer",
    min: 1,
    max: MAX_WORKERS,
    defaultText: "1",
    description: "the first worker count",
  },
  {
    name: "maxWorkers",
    key: "MAXWORKERCOUNT",
    flag: "--max-workers",
    kind: "integer",
    min: 1,
    max: MAX_WORKERS,
    defaultText: "CPU count",
    description: "the last worker count",
  },
  {
    name: "jobCount",
    key: "TOTALJOBCOUNT",
    flag: "--jobs",
    kind: "integer",
    min: 1,
    max: MAX_JOBS,
    defaultText: "2 x CPU count",
    description: "jobs per step (the same batch every step)",
  },
  {
    name: "sleepMs",
    key: "SLEEPMS",
    flag: "--sleep-ms",
    kind: "integer",
    min: 1,
    max: MAX_SLEEP_MS,
    defaultText: String(DEFAULTS.sleepMs),
    description: "milliseconds each sleep job sleeps",
  },
  {
    name: "digits",
    key: "PIDIGITS",
    flag: "--digits",
    kind: "integer",
    min: PI_DIGITS_MIN,
    max: PI_DIGITS_MAX,
    defaultText: String(DEFAULT_PI_DIGITS),
    description: "decimals of pi each pi / pi-bigint job computes",
  },
  {
    name: "ioLines",
    key: "IOLINES",
    flag: "--io-lines",
    kind: "integer",
    min: 1,
    max: MAX_IO_LINES,
    defaultText: String(DEFAULT_IO_LINES),
    description: "lines per file each io job writes (11 files per job)",
  },
  {
    name: "workerCounts",
    key: "WORKERCOUNTS",
    flag: "--workers",
    kind: "integers",
    min: 1,
    max: MAX_WORKERS,
    defaultText: "start..max",
    description: "explicit worker counts, e.g. 1,2,4,8,16,64 (overrides start/max)",
  },
  {
    name: "repeat",
    key: "REPEAT",
    flag: "--repeat",
    kind: "integer",
    min: 1,
    max: MAX_REPEAT,
    defaultText: "1",
    description: "run each step K times; report the median and min-max",
  },
  {
    name: "format",
    key: "FORMAT",
    flag: "--format",
    kind: "format",
    defaultText: "table",
    description: "output: table (the seed's tables and the analysis), markdown, json or csv",
  },
  {
    name: "out",
    key: "OUTFILE",
    flag: "--out",
    kind: "path",
    defaultText: "stdout",
    description: "write the results to this file",
  },
  {
    name: "chart",
    key: "CHART",
    flag: "--chart",
    kind: "path",
    defaultText: "none",
    description: "write a speed-up chart (SVG) to this file",
  },
  {
    name: "quiet",
    key: "QUIET",
    flag: "--quiet",
    kind: "boolean",
    defaultText: "false",
    description: "no live progress line",
  },
  {
    name: "pprof",
    key: "PPROF",
    flag: "--pprof",
    kind: "boolean",
    defaultText: "false",
    description: "write CPU profiles per worker count to ./profiles (as --profile ./profiles)",
  },
  {
    name: "profileDir",
    key: "PROFILEDIR",
    flag: "--profile",
    kind: "path",
    defaultText: "none",
    description: "write CPU profiles per worker count to DIR and print top tables",
  },
  {
    name: "pprofIp",
    key: "PPROFIP",
    flag: "--pprof-ip",
    kind: "host",
    defaultText: "127.0.0.1",
    description: "host for the printed `deno run --inspect=HOST:PORT` command (live DevTools)",
  },
  {
    name: "pprofPort",
    key: "PPROFPORT",
    flag: "--pprof-port",
    kind: "integer",
    min: 1,
    max: 65_535,
    defaultText: "6060",
    description: "port for that command",
  },
  {
    name: "jobTimeoutMs",
    key: "JOBTIMEOUTMS",
    flag: "--job-timeout-ms",
    kind: "integer",
    min: 1,
    max: MAX_JOB_TIMEOUT_MS,
    defaultText: "none",
    description: "cancel a job running longer than this and count it failed",
  },
];

/** Flags that may repeat and have no key: input and permissions for custom job modules. */
const LIST_FLAGS = {
  "--job-arg": "key=value passed to a custom job module's default export (repeatable)",
  "--job-allow-read": "a path a custom job may read (repeatable; default none)",
  "--job-allow-write": "a path a custom job may write (repeatable; default none)",
  "--job-allow-net": "a host a custom job may reach (repeatable; default none)",
  "--job-allow-env": "an environment variable a custom job may read (repeatable; default none)",
} as const;
type ListFlag = keyof typeof LIST_FLAGS;

const BOOLEAN_VALUES: Record<string, boolean> = { true: true, "1": true, false: false, "0": false };

function accepted(setting: Setting): string {
  switch (setting.kind) {
    case "boolean":
      return "true, false, 1 or 0";
    case "integer":
      return `an integer from ${setting.min} to ${setting.max}`;
    case "job":
      return `one of ${JOB_KINDS.map((kind) => kind.name).join(", ")} or a job module path`;
    case "integers":
      return `a comma-separated list of integers from ${setting.min} to ${setting.max}`;
    case "format":
      return `one of ${OUTPUT_FORMATS.join(", ")}`;
    case "path":
      return "a file path";
    case "host":
      return "a host name or IP address";
  }
}

function parseValue(setting: Setting, raw: string, where: string): boolean | number | string {
  const text = raw.trim();
  const fail = () =>
    new ConfigError(
      `Cannot read settings: ${where} must be ${accepted(setting)}, received "${raw}"`,
    );
  switch (setting.kind) {
    case "boolean": {
      const value = BOOLEAN_VALUES[text.toLowerCase()];
      if (value === undefined) throw fail();
      return value;
    }
    case "integer": {
      if (!/^[+-]?\d+$/.test(text)) throw fail();
      const value = Number(text);
      if (value < setting.min! || value > setting.max!) throw fail();
      return value;
    }
    case "job": {
      if (isJobModuleReference(text)) return text;
      const kind = findJobKind(text);
      if (!kind || kind.name === "module") throw fail();
      return kind.name;
    }
    case "integers": {
      const parts = text.split(",").map((part) => part.trim());
      if (parts.some((part) => !/^\d+$/.test(part))) throw fail();
      const values = parts.map(Number);
      if (values.some((value) => value < setting.min! || value > setting.max!)) throw fail();
      return values.join(",");
    }
    case "format": {
      const value = text.toLowerCase();
      if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) throw fail();
      return value;
    }
    case "path":
      return text;
    case "host":
      if (!/^[A-Za-z0-9.:\[\]-]+$/.test(text)) throw fail();
      return text;
  }
}

/** Splits `args` into flag values; `--debug` alone means true. */
function parseArgs(
  args: readonly string[],
): { values: Map<Setting, string>; lists: Map<ListFlag, string[]>; help: boolean } {
  const values = new Map<Setting, string>();
  const lists = new Map<ListFlag, string[]>();
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    const match = /^(--[a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (match && match[1] in LIST_FLAGS) {
      const flag = match[1] as ListFlag;
      const value = match[2] ?? args[++i];
      if (value === undefined || value.startsWith("--")) {
        throw new ConfigError(`Cannot read settings: ${flag} needs a value, ${LIST_FLAGS[flag]}`);
      }
      lists.set(flag, [...(lists.get(flag) ?? []), value]);
      continue;
    }
    const setting = match && SETTINGS.find((s) => s.flag === match[1]);
    if (!match || !setting) {
      const flags = [...SETTINGS.map((s) => s.flag), ...Object.keys(LIST_FLAGS)].join(", ");
      const what = arg.startsWith("-") ? "unknown flag" : "unexpected argument";
      throw new ConfigError(
        `Cannot read settings: ${what} "${arg}", accepted flags are ${flags}, --help`,
      );
    }
    let value = match[2];
    if (value === undefined) {
      if (setting.kind === "boolean") {
        value = "true";
      } else {
        value = args[++i];
        if (value === undefined || value.startsWith("--")) {
          throw new ConfigError(
            `Cannot read settings: ${setting.flag} needs a value, ${accepted(setting)}`,
          );
        }
      }
    }
    values.set(setting, value);
  }
  return { values, lists, help };
}

function parseJobArgs(pairs: readonly string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    if (equals < 1) {
      throw new ConfigError(
        `Cannot read settings: --job-arg must be key=value, received "${pair}"`,
      );
    }
    args[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return args;
}

function parseJobPermissions(lists: Map<ListFlag, string[]>): JobPermissions {
  const split = (flag: ListFlag) =>
    (lists.get(flag) ?? []).flatMap((value) => value.split(",")).map((v) => v.trim()).filter(
      Boolean,
    );
  const permissions: JobPermissions = {};
  const read = split("--job-allow-read");
  const write = split("--job-allow-write");
  const net = split("--job-allow-net");
  const env = split("--job-allow-env");
  if (read.length) permissions.read = read;
  if (write.length) permissions.write = write;
  if (net.length) permissions.net = net;
  if (env.length) permissions.env = env;
  return permissions;
}

/**
 * Resolves the settings from flags, environment and `.env` text, in that order
 * of precedence. A blank value counts as not set, so the next source (or the
 * default) applies.
 *
 * @param sources Arguments, environment and `.env` text.
 * @returns The resolved configuration.
 * @throws {ConfigError} For an unknown flag, a flag without its value, a value
 *   that is malformed or out of range, or a start count above the max count.
 *
 * @example Flags beat the environment, which beats `.env`
 * ```ts
 * import { parseConfig } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * const config = parseConfig({
 *   args: ["--jobs", "8"],
 *   env: { TOTALJOBCOUNT: "6", SLEEPMS: "250" },
 *   dotenv: "TOTALJOBCOUNT=4\nSLEEPMS=100\nMAXWORKERCOUNT=2\n",
 *   hardwareConcurrency: 4,
 * });
 * assert.equal(config.jobCount, 8);
 * assert.equal(config.sleepMs, 250);
 * assert.equal(config.maxWorkers, 2);
 * assert.equal(config.startWorkers, 1);
 * ```
 */
export function parseConfig(sources: ConfigSources): Config {
  const cpus = sources.hardwareConcurrency ?? navigator.hardwareConcurrency;
  const { values: flags, lists, help } = parseArgs(sources.args);
  const dotenv = sources.dotenv === undefined ? {} : parseEnv(sources.dotenv);
  const env = sources.env ?? {};

  const resolved: Record<string, boolean | number | string | undefined> = {};
  for (const setting of SETTINGS) {
    const layers: [string | undefined, string][] = [
      [flags.get(setting), setting.flag],
      [env[setting.key], `${setting.key} in the environment`],
      [dotenv[setting.key], `${setting.key} in .env`],
    ];
    const layer = layers.find(([raw]) => raw !== undefined && raw.trim() !== "");
    if (layer) resolved[setting.name] = parseValue(setting, layer[0]!, layer[1]);
  }

  const config: Config = {
    debug: (resolved.debug as boolean | undefined) ?? DEFAULTS.debug,
    job: (resolved.job as string | undefined) ?? DEFAULTS.job,
    startWorkers: (resolved.startWorkers as number | undefined) ?? DEFAULTS.startWorkers,
    maxWorkers: (resolved.maxWorkers as number | undefined) ?? cpus,
    jobCount: (resolved.jobCount as number | undefined) ?? 2 * cpus,
    sleepMs: (resolved.sleepMs as number | undefined) ?? DEFAULTS.sleepMs,
    digits: (resolved.digits as number | undefined) ?? DEFAULTS.digits,
    ioLines: (resolved.ioLines as number | undefined) ?? DEFAULT_IO_LINES,
    jobTimeoutMs: resolved.jobTimeoutMs as number | undefined,
    workerCounts: resolved.workerCounts === undefined
      ? undefined
      : String(resolved.workerCounts).split(",").map(Number),
    repeat: (resolved.repeat as number | undefined) ?? 1,
    format: (resolved.format as OutputFormat | undefined) ?? "table",
    out: resolved.out as string | undefined,
    chart: resolved.chart as string | undefined,
    quiet: (resolved.quiet as boolean | undefined) ?? false,
    profileDir: (resolved.profileDir as string | undefined) ??
      (resolved.pprof === true ? "./profiles" : undefined),
    pprofIp: (resolved.pprofIp as string | undefined) ?? "127.0.0.1",
    pprofPort: (resolved.pprofPort as number | undefined) ?? 6060,
    jobArgs: parseJobArgs(lists.get("--job-arg") ?? []),
    jobPermissions: parseJobPermissions(lists),
    help,
  };
  if (!config.workerCounts && config.startWorkers > config.maxWorkers) {
    throw new ConfigError(
      `Cannot read settings: MAXWORKERCOUNT (--max-workers) must be >= STARTINGWORKERCOUNT (${config.startWorkers}), received ${config.maxWorkers}`,
    );
  }
  return config;
}

/**
 * The `--help` text: usage, every flag with its key and default, and the job kinds.
 *
 * @returns The help text, ending in a newline.
 *
 * @example Help names every key
 * ```ts
 * import { helpText } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(helpText(), /MAXWORKERCOUNT/);
 * ```
 */
export function helpText(): string {
  const rows = SETTINGS.map((s) => {
    const placeholder = { job: "NAME", integers: "N,N,…", format: "FMT", path: "FILE" } as const;
    const flag = s.kind === "boolean"
      ? s.flag
      : `${s.flag} ${
        s.kind in placeholder ? placeholder[s.kind as keyof typeof placeholder] : "N"
      }`;
    return `  ${flag.padEnd(22)} ${s.key.padEnd(20)} ${s.description} (default: ${s.defaultText})`;
  });
  const jobs = JOB_KINDS.map((kind) => {
    const names = [kind.name, ...kind.aliases].join(", ");
    return `  ${names.padEnd(30)} ${kind.description}`;
  });
  return [
    "deno-channels: run the same batch of jobs with 1, 2, … N workers and show the speed-up",
    "",
    "Usage: deno run -A mod.ts [flags]",
    "",
    "Flags (each also read from the environment and from ./.env by its key;",
    "precedence: flag > environment > .env > default; a blank value means the default):",
    ...rows,
    `  ${"--help, -h".padEnd(22)} ${"".padEnd(20)} print this help`,
    "",
    "Custom job modules (--job ./my_job.ts; flags only, no keys):",
    ...Object.entries(LIST_FLAGS).map(([flag, text]) => `  ${`${flag} X`.padEnd(22)} ${text}`),
    "",
    "Job kinds:",
    ...jobs,
    "",
    "Exit codes: 0 all jobs done, 1 a job failed, 2 bad settings or a job module that cannot",
    "start, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).",
    "",
  ].join("\n");
}
