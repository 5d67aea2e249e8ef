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
import type { JobPermissions } from "../jobs/job.ts";
import { booleanSetting, integerSetting, pathSetting, type Setting } from "./setting_kinds.ts";
import { checkJobLimits, JOB_PARAMETERS, SCAN_NAMES } from "./job_settings.ts";
import {
  checkDotenvLines,
  checkPrefixedKeys,
  debugNamesUs,
  ENV_PREFIX,
  GENERIC_KEYS,
  INSPECT_VARIABLE,
  isSet,
  parseInspect,
} from "./environment.ts";
import { LIST_FLAGS, type ListFlag, parseJobArgs, parseJobPermissions } from "./job_flags.ts";
import { splitArgs } from "./split_args.ts";
import { BASELINE_SETTINGS } from "./baseline_names.ts";
import { isJobModuleReference } from "../jobs/module.ts";
import { findJobKind, JOB_KINDS } from "../jobs/registry.ts";
import { type ParameterScan, parseScanText, resolveScan } from "./scan.ts";
import { terminalSafe } from "./terminal_text.ts";
import {
  DEFAULT_STARTUP_TIMEOUT_MS,
  MAX_CONCURRENCY,
  MAX_JOB_TIMEOUT_MS,
  MAX_JOBS,
  MAX_REPEAT,
  MAX_WORKERS,
} from "../sweep/sweep.ts";

/** The output formats of `--format`. */
export const OUTPUT_FORMATS = ["table", "markdown", "json", "csv"] as const;
/** One of {@linkcode OUTPUT_FORMATS}. */
export type OutputFormat = typeof OUTPUT_FORMATS[number];

/** Every setting, in `--help` order. */
export const SETTINGS = {
  debug: booleanSetting(
    "DEBUG",
    "--debug",
    "print the verbose log of every worker and job, as Golang-Channels does",
  ),
  job: {
    key: "JOBNAME",
    sweepOption: "job",
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
    sweepOption: "startWorkers",
    flag: "--start-workers",
    min: 1,
    max: MAX_WORKERS,
    fallback: () => 1,
    defaultText: "1",
    description: "the first worker count",
  }),
  maxWorkers: integerSetting<number>({
    key: "MAXWORKERCOUNT",
    sweepOption: "maxWorkers",
    flag: "--max-workers",
    min: 1,
    max: MAX_WORKERS,
    fallback: (cpus) => cpus,
    defaultText: "CPUs available (affinity mask, cgroup quota)",
    description: "the last worker count",
  }),
  jobCount: integerSetting<number>({
    key: "TOTALJOBCOUNT",
    sweepOption: "jobCount",
    flag: "--jobs",
    min: 1,
    max: MAX_JOBS,
    fallback: (cpus) => 2 * cpus,
    defaultText: "2 x CPUs available",
    description: "jobs per step (the same batch every step)",
  }),
  ...JOB_PARAMETERS,
  workerCounts: {
    key: "WORKERCOUNTS",
    sweepOption: "workerCounts",
    flag: "--workers",
    placeholder: "N,N,…",
    accepted:
      `a comma-separated list of integers from 0 (inline) to ${MAX_WORKERS}, one of them 1 or more`,
    parse: (text: string): number[] | undefined => {
      const parts = text.split(",").map((part) => part.trim());
      if (parts.some((part) => !/^\d+$/.test(part))) return undefined;
      const values = parts.map(Number);
      if (values.some((value) => value < 0 || value > MAX_WORKERS)) return undefined;
      return values.some((value) => value > 0) ? values : undefined;
    },
    fallback: (): number[] | undefined => undefined,
    defaultText: "start..max",
    description:
      "explicit worker counts, e.g. 1,2,4,8,16,64 (overrides start/max); 0 runs the batch inline",
  },
  concurrency: {
    key: "CONCURRENCY",
    sweepOption: "concurrency",
    flag: "--concurrency",
    placeholder: "N,N,…",
    accepted: `a comma-separated list of integers from 1 to ${MAX_CONCURRENCY}`,
    parse: (text: string): number[] | undefined => {
      const parts = text.split(",").map((part) => part.trim());
      if (parts.some((part) => !/^\d+$/.test(part))) return undefined;
      const values = parts.map(Number);
      return values.some((value) => value < 1 || value > MAX_CONCURRENCY) ? undefined : values;
    },
    fallback: (): number[] => [1],
    defaultText: "1",
    description:
      "jobs in flight per worker (per the main thread with 0 workers), e.g. 1,4,16,64; a step for each with every worker count",
  },
  parameterList: {
    key: "PARAMETERLIST",
    flag: "--parameter-list",
    placeholder: "NAME V,…",
    accepted:
      `NAME V1,V2,… (a job parameter: ${SCAN_NAMES} or a --job-arg key; then its values, comma-separated)`,
    // Its name and values are echoed in headings and tables: no control characters.
    parse: (text: string) => terminalSafe(text) === text ? parseScanText(text) : undefined,
    fallback: () => undefined,
    defaultText: "none",
    description:
      `run the whole sweep once per value of a job parameter (${SCAN_NAMES} or a --job-arg key), as hyperfine's -L: --parameter-list sleep-ms 1,10,50`,
  },
  repeat: integerSetting<number>({
    key: "REPEAT",
    sweepOption: "repeat",
    flag: "--repeat",
    min: 1,
    max: MAX_REPEAT,
    fallback: () => 1,
    defaultText: "1",
    description: "run each step N times; report the median, mean ± σ and min-max",
  }),
  warmup: integerSetting<number>({
    key: "WARMUP",
    sweepOption: "warmup",
    flag: "--warmup",
    min: 0,
    max: MAX_REPEAT,
    fallback: () => 0,
    defaultText: "0",
    description: "untimed runs of the batch on each step's workers before the timed one",
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
  inputs: pathSetting(
    "INPUTS",
    "--inputs",
    "FILE",
    "none",
    "one job per line of this JSON Lines file (- for stdin): job k gets line k as its input",
  ),
  exportJson: pathSetting(
    "EXPORTJSON",
    "--export-json",
    "FILE",
    "none",
    "also write the JSON report to FILE (the table still prints)",
  ),
  exportCsv: pathSetting(
    "EXPORTCSV",
    "--export-csv",
    "FILE",
    "none",
    "also write the CSV report to FILE",
  ),
  exportMarkdown: pathSetting(
    "EXPORTMARKDOWN",
    "--export-markdown",
    "FILE",
    "none",
    "also write the Markdown report to FILE",
  ),
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
    "write CPU profiles per worker count to a new run-<time> folder in ./profiles (as --profile ./profiles)",
  ),
  profileDir: pathSetting(
    "PROFILEDIR",
    "--profile",
    "DIR",
    "none",
    "write CPU profiles per worker count to a new run-<time> folder in DIR and print top tables",
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
    description:
      "host in the printed DENO_CHANNELS_INSPECT=HOST:PORT command (live DevTools on the sweep process)",
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
  startupTimeoutMs: integerSetting<number>({
    key: "STARTUPTIMEOUTMS",
    sweepOption: "startupTimeoutMs",
    flag: "--startup-timeout-ms",
    min: 1,
    max: MAX_JOB_TIMEOUT_MS,
    fallback: () => DEFAULT_STARTUP_TIMEOUT_MS,
    defaultText: String(DEFAULT_STARTUP_TIMEOUT_MS),
    description: "fail the run (exit 2) when a step's workers are not ready in time",
  }),
  jobTimeoutMs: integerSetting<number | undefined>({
    key: "JOBTIMEOUTMS",
    sweepOption: "jobTimeoutMs",
    flag: "--job-timeout-ms",
    min: 1,
    max: MAX_JOB_TIMEOUT_MS,
    fallback: () => undefined,
    defaultText: "none",
    description: "cancel a job running longer than this and count it failed",
  }),
  jobAllowNpm: booleanSetting(
    "JOBALLOWNPM",
    "--job-allow-npm",
    "let a custom job module's own static npm: imports load (fetched before the run; nothing is downloaded while jobs run)",
  ),
  // Baselines (issue 23): keep a sweep, compare a later one with it.
  ...BASELINE_SETTINGS,
  // deno-lint-ignore no-explicit-any
} as const satisfies Record<string, Setting<any>>;

type Settings = typeof SETTINGS;
type SettingName = keyof Settings;
type SettingValues = { -readonly [K in SettingName]: ReturnType<Settings[K]["fallback"]> };

/** The resolved settings of one run. */
export interface Config extends Omit<SettingValues, "pprof" | "parameterList"> {
  /** The parameter scan (`--parameter-list`), checked against the job; `undefined` for none. */
  scan: ParameterScan | undefined;
  /** Input for a custom job module, from `--job-arg key=value`. */
  jobArgs: Record<string, string>;
  /** What a custom job module's workers may touch, from `--job-allow-*` and `--job-allow-npm`. */
  jobPermissions: JobPermissions;
  /** Whether the job count was set (`--jobs`, `TOTALJOBCOUNT`) rather than defaulted. */
  jobCountGiven: boolean;
  /** Where each setting that was set came from, as messages name it: see {@linkcode settingLabel}. */
  sources: { readonly [K in SettingName]?: string };
  /** `--help` was given: print usage and run nothing. */
  help: boolean;
  /** `--version` was given: print the version and run nothing. */
  version: boolean;
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
  const { values: flags, lists, help, version } = splitArgs(sources.args, SETTINGS);
  if (sources.dotenv !== undefined) checkDotenvLines(sources.dotenv);
  const dotenv = sources.dotenv === undefined ? {} : parseEnv(sources.dotenv);
  const env = sources.env ?? {};
  const keys = SETTING_NAMES.map((name) => SETTINGS[name].key);
  checkPrefixedKeys(Object.keys(env), keys, "in the environment");
  checkPrefixedKeys(Object.keys(dotenv), keys, "in .env");
  parseInspect(env[INSPECT_VARIABLE]);

  const given = new Map<SettingName, string>();
  const resolve = <K extends SettingName>(name: K): SettingValues[K] => {
    const setting: Setting<SettingValues[K]> = SETTINGS[name] as Setting<SettingValues[K]>;
    const prefixed = `${ENV_PREFIX}${setting.key}`;
    const bareEnv = env[setting.key];
    if (name === "debug" && !isSet(flags.get(name)) && !isSet(env[prefixed]) && isSet(bareEnv)) {
      // An ambient DEBUG follows the npm `debug` convention and never stops a run.
      return debugNamesUs(bareEnv!) as SettingValues[K];
    }
    const layers: [string | undefined, string][] = [
      [flags.get(name), setting.flag],
      [env[prefixed], `${prefixed} in the environment`],
      [GENERIC_KEYS.has(setting.key) ? undefined : bareEnv, `${setting.key} in the environment`],
      [dotenv[prefixed], `${prefixed} in .env`],
      [dotenv[setting.key], `${setting.key} in .env`],
    ];
    const layer = layers.find(([raw]) => isSet(raw));
    if (!layer) return setting.fallback(cpus);
    const [raw, where] = layer as [string, string];
    given.set(name, where);
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

  const { pprof, parameterList, ...settings } = values;
  const config: Config = {
    ...settings,
    scan: parameterList &&
      resolveScan(settings.job, parameterList, Object.values(JOB_PARAMETERS)),
    profileDir: settings.profileDir ?? (pprof ? "./profiles" : undefined),
    jobArgs: parseJobArgs(lists.get("--job-arg") ?? []),
    // npm is a grant of its own (issue 24): a net grant never opens it.
    jobPermissions: {
      ...parseJobPermissions(lists),
      ...(settings.jobAllowNpm ? { npm: true } : {}),
    },
    jobCountGiven: given.has("jobCount"),
    sources: Object.fromEntries(given),
    help,
    version,
  };
  if (config.scan && config.profileDir !== undefined) {
    // Profiles are named by worker count and run: a scan's values would overwrite each other's.
    throw new ConfigError(
      "Cannot read settings: --parameter-list cannot be combined with --profile or --pprof (profile one value at a time)",
    );
  }
  checkJobLimits(config, given);
  if (!isJobModuleReference(config.job)) {
    // What only a custom module reads would be silently ignored by a built-in job.
    const custom: string[] = (Object.keys(LIST_FLAGS) as ListFlag[])
      .filter((flag) => (lists.get(flag) ?? []).length > 0);
    if (config.jobAllowNpm) custom.push(settingLabel(config, "jobAllowNpm"));
    if (custom.length > 0) {
      throw new ConfigError(
        `Cannot read settings: ${
          custom[0]
        } is for a custom job module (--job ./job.ts); the ${config.job} job does not read it`,
      );
    }
  }
  if (config.scan && (config.baseline !== undefined || config.saveBaseline !== undefined)) {
    throw new ConfigError(
      "Cannot read settings: --parameter-list cannot be combined with --baseline or --save-baseline (keep one value's sweep at a time)",
    );
  }
  if (!config.workerCounts && config.startWorkers > config.maxWorkers) {
    throw new ConfigError(
      `Cannot read settings: MAXWORKERCOUNT (--max-workers) must be >= STARTINGWORKERCOUNT (${config.startWorkers}), received ${config.maxWorkers}`,
    );
  }
  return config;
}

/**
 * How messages name a setting: where the run's value came from (`--out`,
 * `DENO_CHANNELS_OUTFILE in the environment`, `OUTFILE in .env`), or its flag when it was not set.
 *
 * @param config The run's settings.
 * @param name The setting's name in {@linkcode SETTINGS}.
 * @returns The label.
 */
export function settingLabel(config: Pick<Config, "sources">, name: SettingName): string {
  return config.sources[name] ?? SETTINGS[name].flag;
}
