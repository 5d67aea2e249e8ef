/**
 * The shapes of the CLI's settings: what one entry of the settings table holds,
 * and builders for the common kinds (boolean, bounded integer, path).
 *
 * @module
 */
import type { JobParams } from "../jobs/job.ts";
import type { SweepOptions } from "../sweep/sweep.ts";

/** The keys of `Options` whose type takes a value of type `T`. */
type KeysTaking<Options, T> = {
  [K in keyof Options]-?: [T] extends [Options[K]] ? K : never;
}[keyof Options];

/** One setting: where it is read from, how it parses, its default and its help line. */
export interface Setting<T> {
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
  /** The library's sweep option that takes this setting's value as it is, if one does. */
  sweepOption?: KeysTaking<SweepOptions, T>;
  /** The job parameter this setting gives (one a parameter scan may change), if it is one. */
  jobParam?: KeysTaking<JobParams, T>;
}

const BOOLEAN_VALUES: Record<string, boolean> = { true: true, "1": true, false: false, "0": false };

/** A setting that is on or off; its flag alone means on. */
export function booleanSetting(key: string, flag: string, description: string): Setting<boolean> {
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

/** An integer setting within `min` … `max`. */
export function integerSetting<T extends number | undefined>(
  spec:
    & Pick<
      Setting<T>,
      "key" | "flag" | "fallback" | "defaultText" | "description" | "sweepOption" | "jobParam"
    >
    & {
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

/** A file or directory path (`placeholder` DIR for a directory). */
export function pathSetting(
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
