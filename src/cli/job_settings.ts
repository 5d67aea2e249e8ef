/**
 * The settings that give job parameters (`--sleep-ms`, `--digits`, `--io-lines`), and the job
 * kinds' own limits on them: a setting allows what some kind accepts (`--digits` up to
 * 10,000,000 for `pi`), a kind may accept less (`pi-machin`: 1,000,000), and a value past it
 * stops the run before it starts, naming the key the user set, instead of failing every job.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { DEFAULT_IO_LINES } from "../jobs/io.ts";
import { DEFAULT_BIGINT_DIGITS } from "../jobs/pi_bigint.ts";
import { DEFAULT_MACHIN_DIGITS } from "../jobs/pi_machin.ts";
import { findJobKind } from "../jobs/registry.ts";
import { DEFAULT_SLEEP_MS } from "../jobs/sleep.ts";
import { DEFAULT_PI_DIGITS, PI_DIGITS_MAX, PI_DIGITS_MIN } from "../pi/kernel.ts";
import type { ParameterScan } from "./scan.ts";
import { scanName } from "./scan.ts";
import { integerSetting } from "./setting_kinds.ts";

/** The longest sleep job, in milliseconds (one hour). */
export const MAX_SLEEP_MS = 3_600_000;
/** The most lines one IO job writes per file. */
export const MAX_IO_LINES = 10_000_000;

/**
 * The job parameters the settings give, in `--help` order: each names its `JobParams` key, and a
 * parameter scan names it by its flag without the dashes (`sleep-ms`).
 */
export const JOB_PARAMETERS = {
  sleepMs: integerSetting<number>({
    key: "SLEEPMS",
    jobParam: "sleepMs",
    flag: "--sleep-ms",
    min: 1,
    max: MAX_SLEEP_MS,
    fallback: () => DEFAULT_SLEEP_MS,
    defaultText: String(DEFAULT_SLEEP_MS),
    description: "milliseconds each sleep job sleeps",
  }),
  digits: integerSetting<number | undefined>({
    key: "PIDIGITS",
    jobParam: "digits",
    flag: "--digits",
    min: PI_DIGITS_MIN,
    max: PI_DIGITS_MAX,
    // Unset, each Pi kind takes its own default (Machin is O(n²)).
    fallback: () => undefined,
    defaultText:
      `${DEFAULT_PI_DIGITS} for pi, ${DEFAULT_BIGINT_DIGITS} for pi-bigint, ${DEFAULT_MACHIN_DIGITS} for pi-machin`,
    description: "decimals of pi each pi job computes (pi-bigint, pi-machin: at most 1000000)",
  }),
  ioLines: integerSetting<number>({
    key: "IOLINES",
    jobParam: "ioLines",
    flag: "--io-lines",
    min: 1,
    max: MAX_IO_LINES,
    fallback: () => DEFAULT_IO_LINES,
    defaultText: String(DEFAULT_IO_LINES),
    description: "lines per file each io job writes (11 files per job)",
  }),
} as const;

/** The names a parameter scan takes for the job parameters: `sleep-ms, digits, io-lines`. */
export const SCAN_NAMES = Object.values(JOB_PARAMETERS).map((setting) => scanName(setting)).join(
  ", ",
);

/** What {@linkcode checkJobLimits} reads of the run's settings. */
export type JobLimitsConfig =
  & { job: string; scan: ParameterScan | undefined }
  & { [K in keyof typeof JOB_PARAMETERS]: number | undefined };

/**
 * Refuses a job parameter, or a value of a scan of it, above what the run's job kind accepts.
 *
 * @param config The run's job, job parameters and scan.
 * @param given Where each setting that was set came from (`--digits`, `PIDIGITS in .env`).
 * @throws {ConfigError} Naming where the value was set, the kind's range and the value.
 *
 * @example 2,000,000 digits is fine for pi, not for pi-machin
 * ```ts
 * import { checkJobLimits } from "./job_settings.ts";
 * import assert from "node:assert/strict";
 *
 * const given = new Map([["digits", "--digits"]]);
 * const config = { scan: undefined, sleepMs: 1, ioLines: 1, digits: 2_000_000 };
 * checkJobLimits({ ...config, job: "pi" }, given);
 * assert.throws(
 *   () => checkJobLimits({ ...config, job: "pi-machin" }, given),
 *   /--digits must be an integer from 1 to 1000000 for pi-machin jobs, received 2000000/,
 * );
 * ```
 */
export function checkJobLimits(
  config: JobLimitsConfig,
  given: ReadonlyMap<string, string>,
): void {
  const kind = findJobKind(config.job);
  const maxParams: Record<string, number | undefined> = kind?.maxParams ?? {};
  for (const [name, setting] of Object.entries(JOB_PARAMETERS)) {
    const max = maxParams[setting.jobParam!];
    if (max === undefined) continue;
    const refuse = (from: string, received: number | string) =>
      new ConfigError(
        `Cannot read settings: ${from} must be an integer from 1 to ${max} for ${
          kind!.name
        } jobs, received ${received}`,
      );
    const value = config[name as keyof typeof JOB_PARAMETERS];
    const where = given.get(name);
    if (where !== undefined && value !== undefined && value > max) throw refuse(where, value);
    const scan = config.scan;
    if (scan?.param !== setting.jobParam) continue;
    const over = scan!.values.find((v) => typeof v === "number" && v > max);
    if (over !== undefined) throw refuse(`${given.get("parameterList")} value`, over);
  }
}
