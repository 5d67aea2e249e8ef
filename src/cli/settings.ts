/**
 * The CLI's settings: one typed table, each setting with its key, flag, one
 * parse function, one default and one help text. The same keys come from
 * flags, the environment and a `.env` file, in that order of precedence; a
 * blank value counts as not set.
 *
 * @module
 */
import { parseEnv } from "node:util";
import { ConfigError } from "../errors.ts";
import { DEFAULT_IO_LINES } from "../jobs/io.ts";
import type { JobPermissions } from "../jobs/job.ts";
import { LIST_FLAGS, type ListFlag, parseJobArgs, parseJobPermissions } from "./job_flags.ts";
import { isJobModuleReference } from "../jobs/module.ts";
import { findJobKind, JOB_KINDS } from "../jobs/registry.ts";
import { DEFAULT_SLEEP_MS } from "../jobs/sleep.ts";
import { DEFAULT_PI_DIGITS, PI_DIGITS_MAX, PI_DIGITS_MIN } from "../pi/kernel.ts";
import { MAX_JOBS, MAX_REPEAT, MAX_WORKERS } from "../sweep.ts";

/** The longest sleep job, in milliseconds (one hour). */
export const MAX_SLEEP_MS = 3_600_000;
/** The most lines one IO job writes per file. */
export const MAX_IO_LINES = 10_000_000;
/** The longest per-job timeout, in milliseconds (one day). */
export const MAX_JOB_TIMEOUT_MS = 86_400_000;

/** The output formats of `--format`. */
export const OUTPUT_FORMATS = ["table", "markdown", "json", "csv"] as const;
/** One of {@linkcode OUTPUT_FORMATS}. */
export type OutputFormat = typeof OUTPUT_FORMATS[number];

/** One setting: where it is read from, how it parses, its default and its help line. */
interface Setting<T> {
  /** The key in the environment and `.env`. */
  key: string;
  /** The command-line flag. */
  flag: string;
  /** The flag's value in `--help` ("N", "FILE"); none for a boolean flag, which stands alone. */
  placeholder?: string;
  /** What is accepted, for error messages ("an integer from 1 to 1024"). */
  accepted: string;
  /** Parses a trimmed, non-blank value; `undefined` means it is not accepted. */
  parse(text: string): T | undefined;
  /** The value when no source sets it; `cpus` is the machine's CPU count. */
  fallback(cpus: number): T;
  /** The default as `--help` shows it. */
  defaultText: string;
  /** The `--help` line. */
  description: string;
}

const BOOLEAN_VALUES: Record<string, boolean> = { true: true, "1": true, false: false, "0": false };

function booleanSetting(key: string, flag: string, description: string): Setting<boolean> {
  return {
    key,
    flag,
    accepted: "true, false, 1 or 0",
    parse: (text) => BOOLEAN_VALUES[text.toLowerCase()],
    fallback: () => false,
    defaultText: "false",
    description,
  };
}

function integerSetting<T extends number | undefined>(
  spec: Pick<Setting<T>, "key" | "flag" | "fallback" | "defaultText" | "description"> & {
    min: number;
    max: number;
  },
): Setting<T> {
  return {
    ...spec,
    placeholder: "N",
    accepted: `an integer from ${spec.min} to ${spec.max}`,
    parse: (text) => {
      if (!/^[+-]?\d+$/.test(text)) return undefined;
      const value = Number(text);
      return value < spec.min || value > spec.max ? undefined : value as T;
    },
  };
}

function pathSetting(
  key: string,
  flag: string,
  placeholder: string,
  defaultText: string,
  description: string,
): Setting<string | undefined> {
  return {
    key,
    flag,
    placeholder,
    accepted: placeholder === "DIR" ? "a directory path" : "a file path",
    parse: (text) => text,
    fallback: () => undefined,
    defaultText,
    description,
  };
}

/** Every setting, in `--help` order. */
export const SETTINGS = {
  debug: booleanSetting(
    "DEBUG",
    "--debug",
    "print the verbose log of every worker and job, as Golang-Channels does",
  ),
  job: {
    key: "JOBNAME",
    flag: "--job",
    placeholder: "NAME",
    accepted: `one of ${JOB_KINDS.map((kind) => kind.name).join(", ")} or a job module path`,
    parse: (text: string): string | undefined => {
      if (isJobModuleReference(text)) return text;
      const kind = findJobKind(text);
      return !kind || kind.name === "module" ? undefined : kind.name;
    },
    fallback: (): string => "sleep",
    defaultText: "sleep",
    description: "the job kind (names below, any case)",
  },
  startWorkers: integerSetting<number>({
    key: "STARTINGWORKERCOUNT",
    flag: "--start-workers",
    min: 1,
    max: MAX_WORKERS,
    fallback: () => 1,
    defaultText: "1",
    description: "the first worker count",
  }),
  maxWorkers: integerSetting<number>({
    key: "MAXWORKERCOUNT",
    flag: "--max-workers",
    min: 1,
    max: MAX_WORKERS,
    fallback: (cpus) => cpus,
    defaultText: "CPU count",
    description: "the last worker count",
  }),
  jobCount: integerSetting<number>({
    key: "TOTALJOBCOUNT",
    flag: "--jobs",
    min: 1,
    max: MAX_JOBS,
    fallback: (cpus) => 2 * cpus,
    defaultText: "2 x CPU count",
    description: "jobs per step (the same batch every step)",
  }),
  sleepMs: integerSetting<number>({
    key: "SLEEPMS",
    flag: "--sleep-ms",
    min: 1,
    max: MAX_SLEEP_MS,
    fallback: () => DEFAULT_SLEEP_MS,
    defaultText: String(DEFAULT_SLEEP_MS),
    description: "milliseconds each sleep job sleeps",
  }),
  digits: integerSetting<number>({
    key: "PIDIGITS",
    flag: "--digits",
    min: PI_DIGITS_MIN,
    max: PI_DIGITS_MAX,
    fallback: () => DEFAULT_PI_DIGITS,
    defaultText: String(DEFAULT_PI_DIGITS),
    description: "decimals of pi each pi / pi-bigint job computes",
  }),
  ioLines: integerSetting<number>({
    key: "IOLINES",
    flag: "--io-lines",
    min: 1,
    max: MAX_IO_LINES,
    fallback: () => DEFAULT_IO_LINES,
    defaultText: String(DEFAULT_IO_LINES),
    description: "lines per file each io job writes (11 files per job)",
  }),
  workerCounts: {
    key: "WORKERCOUNTS",
    flag: "--workers",
    placeholder: "N,N,…",
    accepted: `a comma-separated list of integers from 1 to ${MAX_WORKERS}`,
    parse: (text: string): number[] | undefined => {
      const parts = text.split(",").map((part) => part.trim());
      if (parts.some((part) => !/^\d+$/.test(part))) return undefined;
      const values = parts.map(Number);
      return values.some((value) => value < 1 || value > MAX_WORKERS) ? undefined : values;
    },
    fallback: (): number[] | undefined => undefined,
    defaultText: "start..max",
    description: "explicit worker counts, e.g. 1,2,4,8,16,64 (overrides start/max)",
  },
  repeat: integerSetting<number>({
    key: "REPEAT",
    flag: "--repeat",
    min: 1,
    max: MAX_REPEAT,
    fallback: () => 1,
    defaultText: "1",
    description: "run each step K times; report the median and min-max",
  }),
  format: {
    key: "FORMAT",
    flag: "--format",
    placeholder: "FMT",
    accepted: `one of ${OUTPUT_FORMATS.join(", ")}`,
    parse: (text: string): OutputFormat | undefined =>
      OUTPUT_FORMATS.find((format) => format === text.toLowerCase()),
    fallback: (): OutputFormat => "table",
    defaultText: "table",
    description: "output: table (summary and analysis tables), markdown, json or csv",
  },
  out: pathSetting("OUTFILE", "--out", "FILE", "stdout", "write the results to this file"),
  chart: pathSetting(
    "CHART",
    "--chart",
    "FILE",
    "none",
    "write a speed-up chart (SVG) to this file",
  ),
  quiet: booleanSetting("QUIET", "--quiet", "no live progress line"),
  pprof: booleanSetting(
    "PPROF",
    "--pprof",
    "write CPU profiles per worker count to ./profiles (as --profile ./profiles)",
  ),
  profileDir: pathSetting(
    "PROFILEDIR",
    "--profile",
    "DIR",
    "none",
    "write CPU profiles per worker count to DIR and print top tables",
  ),
  pprofIp: {
    key: "PPROFIP",
    flag: "--pprof-ip",
    placeholder: "HOST",
    accepted: "a host name or IP address",
    parse: (text: string): string | undefined =>
      /^[A-Za-z0-9.:\[\]-]+$/.test(text) ? text : undefined,
    fallback: (): string => "127.0.0.1",
    defaultText: "127.0.0.1",
    description: "host for the printed `deno run --inspect=HOST:PORT` command (live DevTools)",
  },
  pprofPort: integerSetting<number>({
    key: "PPROFPORT",
    flag: "--pprof-port",
    min: 1,
    max: 65_535,
    fallback: () => 6060,
    defaultText: "6060",
    description: "port for that command",
  }),
  jobTimeoutMs: integerSetting<number | undefined>({
    key: "JOBTIMEOUTMS",
    flag: "--job-timeout-ms",
    min: 1,
    max: MAX_JOB_TIMEOUT_MS,
    fallback: () => undefined,
    defaultText: "none",
    description: "cancel a job running longer than this and count it failed",
  }),
} as const;

type Settings = typeof SETTINGS;
type SettingName = keyof Settings;
type SettingValues = { -readonly [K in SettingName]: ReturnType<Settings[K]["fallback"]> };

/** The resolved settings of one run. */
export interface Config extends Omit<SettingValues, "pprof"> {
  /** Input for a custom job module, from `--job-arg key=value`. */
  jobArgs: Record<string, string>;
  /** What a custom job module's workers may touch, from `--job-allow-*`. */
  jobPermissions: JobPermissions;
  /** `--help` was given: print usage and run nothing. */
  help: boolean;
}

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

const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** Splits `args` into flag values; a boolean flag alone means true. */
function splitArgs(
  args: readonly string[],
): { values: Map<SettingName, string>; lists: Map<ListFlag, string[]>; help: boolean } {
  const values = new Map<SettingName, string>();
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
    const name = match && SETTING_NAMES.find((n) => SETTINGS[n].flag === match[1]);
    if (!match || !name) {
      const flags = [...SETTING_NAMES.map((n) => SETTINGS[n].flag), ...Object.keys(LIST_FLAGS)]
        .join(", ");
      const what = arg.startsWith("-") ? "unknown flag" : "unexpected argument";
      throw new ConfigError(
        `Cannot read settings: ${what} "${arg}", accepted flags are ${flags}, --help`,
      );
    }
    const setting: Setting<unknown> = SETTINGS[name];
    let value = match[2];
    if (value === undefined) {
      if (setting.placeholder === undefined) {
        value = "true";
      } else {
        value = args[++i];
        if (value === undefined || value.startsWith("--")) {
          throw new ConfigError(
            `Cannot read settings: ${setting.flag} needs a value, ${setting.accepted}`,
          );
        }
      }
    }
    values.set(name, value);
  }
  return { values, lists, help };
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
 * import { parseConfig } from "./settings.ts";
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
  const { values: flags, lists, help } = splitArgs(sources.args);
  const dotenv = sources.dotenv === undefined ? {} : parseEnv(sources.dotenv);
  const env = sources.env ?? {};

  const resolve = <K extends SettingName>(name: K): SettingValues[K] => {
    const setting: Setting<SettingValues[K]> = SETTINGS[name] as Setting<SettingValues[K]>;
    const layers: [string | undefined, string][] = [
      [flags.get(name), setting.flag],
      [env[setting.key], `${setting.key} in the environment`],
      [dotenv[setting.key], `${setting.key} in .env`],
    ];
    const layer = layers.find(([raw]) => raw !== undefined && raw.trim() !== "");
    if (!layer) return setting.fallback(cpus);
    const [raw, where] = layer as [string, string];
    const value = setting.parse(raw.trim());
    if (value === undefined) {
      throw new ConfigError(
        `Cannot read settings: ${where} must be ${setting.accepted}, received "${raw}"`,
      );
    }
    return value;
  };
  const values = Object.fromEntries(
    SETTING_NAMES.map((name) => [name, resolve(name)]),
  ) as SettingValues;

  const { pprof, ...settings } = values;
  const config: Config = {
    ...settings,
    profileDir: settings.profileDir ?? (pprof ? "./profiles" : undefined),
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
