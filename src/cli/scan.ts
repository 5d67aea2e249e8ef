/**
 * Parameter scans (`--parameter-list NAME V1,V2,…`, hyperfine's `-L`): which
 * job parameter a scan may change, the checks on its name and values, and the
 * job parameters of each value. The whole worker sweep runs once per value.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { JobParams } from "../jobs/job.ts";
import { isJobModuleReference } from "../jobs/module.ts";
import { findJobKind } from "../jobs/registry.ts";
import type { Setting } from "./setting_kinds.ts";

/** The most values one scan runs (each value is a whole sweep). */
export const MAX_SCAN_VALUES = 100;

/** A scan as written: the parameter's name and its values, unchecked. */
export interface ScanText {
  /** The name as given (`sleep-ms`, or a `--job-arg` key). */
  name: string;
  /** The values, trimmed, in the order given. */
  values: string[];
}

/** A checked scan: which parameter it changes, and its values in run order. */
export interface ParameterScan {
  /** The parameter's name as the CLI spells it: `sleep-ms`, `digits`, `io-lines` or a job-arg key. */
  name: string;
  /** The `JobParams` key a built-in kind reads, or `jobArgs` for a custom module's key. */
  param: keyof JobParams;
  /** The values, in the order given; numbers for the built-in parameters. */
  values: (number | string)[];
}

/**
 * The name a scan gives a job parameter: its setting's flag without the dashes (`sleep-ms`).
 *
 * @param setting The job parameter's setting.
 * @returns The name, lower case.
 */
export function scanName(setting: Pick<Setting<unknown>, "flag">): string {
  return setting.flag.replace(/^--/, "");
}

/**
 * Splits `NAME V1,V2,…` (one space or more between) into the name and values.
 *
 * @param text The setting's value.
 * @returns The name and values, or `undefined` when it is not of that shape.
 */
export function parseScanText(text: string): ScanText | undefined {
  const match = /^(\S+)\s+(\S(?:.*\S)?)$/.exec(text.trim());
  if (!match) return undefined;
  const values = match[2].split(",").map((value) => value.trim());
  return { name: match[1].replace(/^--/, ""), values };
}

/**
 * Checks a scan against the job it runs: a built-in kind scans one of its own
 * parameters (the sleep job `sleep-ms`, the Pi jobs `digits`, the io job
 * `io-lines`), with each value checked as that flag checks it; a custom module
 * scans a `--job-arg` key, with any non-blank values. Values must differ.
 *
 * @param job The job setting (`sleep`, a module path).
 * @param scan The scan as written.
 * @param settings The settings of the job parameters (each with its `jobParam`), for their
 *   names and checks.
 * @returns The checked scan.
 * @throws {ConfigError} Naming the setting, what it accepts and what was received.
 */
export function resolveScan(
  job: string,
  scan: ScanText,
  settings: readonly Setting<number | undefined>[],
): ParameterScan {
  const fail = (why: string) =>
    new ConfigError(`Cannot read settings: --parameter-list (PARAMETERLIST) ${why}`);
  const isModule = isJobModuleReference(job);
  const kind = isModule ? undefined : findJobKind(job);
  if (scan.values.length > MAX_SCAN_VALUES) {
    throw fail(`takes at most ${MAX_SCAN_VALUES} values, received ${scan.values.length}`);
  }
  const blank = scan.values.findIndex((value) => value === "");
  if (blank >= 0) throw fail(`values must not be blank, received "${scan.values.join(",")}"`);
  const twice = scan.values.find((value, i) => scan.values.indexOf(value) !== i);
  if (twice !== undefined) throw fail(`values must differ, received "${twice}" twice`);
  if (isModule) {
    if (!/^[^=\s,]+$/.test(scan.name)) {
      throw fail(`NAME must be a --job-arg key (no "=", "," or spaces), received "${scan.name}"`);
    }
    return { name: scan.name, param: "jobArgs", values: [...scan.values] };
  }
  const own = settings.filter((setting) =>
    kind?.defaultParams !== undefined && setting.jobParam !== undefined &&
    setting.jobParam in kind.defaultParams
  );
  const name = scan.name.toLowerCase();
  const setting = own.find((setting) => scanName(setting) === name);
  if (!setting) {
    const accepted = own.length > 0
      ? `a parameter ${job} jobs read (${own.map(scanName).join(", ")})`
      : `a parameter of the job, and ${job} jobs have none (scan sleep, pi, pi-machin, pi-bigint, io or a job module)`;
    throw fail(`NAME must be ${accepted}, received "${scan.name}"`);
  }
  const values = scan.values.map((text) => {
    const value = setting.parse(text);
    if (value === undefined) {
      throw fail(`${name} values must each be ${setting.accepted}, received "${text}"`);
    }
    return value;
  });
  return { name, param: setting.jobParam!, values };
}

/**
 * The job parameters for one value of a scan: `base` with the scanned parameter set.
 *
 * @param base The run's job parameters.
 * @param scan The scan.
 * @param value One of its values.
 * @returns New parameters; `base` is not changed.
 */
export function scanJobParams(
  base: JobParams,
  scan: ParameterScan,
  value: number | string,
): JobParams {
  if (scan.param === "jobArgs") {
    return { ...base, jobArgs: { ...base.jobArgs, [scan.name]: String(value) } };
  }
  return { ...base, [scan.param]: Number(value) };
}
