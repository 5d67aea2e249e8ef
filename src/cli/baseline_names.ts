/**
 * The baseline settings (`--save-baseline`, `--baseline`, `--baseline-threshold`,
 * `--baseline-dir`), where baselines live and what names they take: the
 * settings table spreads {@linkcode BASELINE_SETTINGS}; `baseline.ts` reads
 * and writes the files.
 *
 * @module
 */
import { DEFAULT_THRESHOLD_PERCENT } from "../report/analysis/baseline.ts";
import { integerSetting, pathSetting, type Setting } from "./setting_kinds.ts";

/** Where baselines are kept when `BASELINEDIR` is not set, relative to the working directory. */
export const DEFAULT_BASELINE_DIR = ".deno-channels/baselines";

/** A baseline's name: what may stand before `.json` in its file name. */
export const BASELINE_NAME: RegExp = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A baseline's name: letters, digits, `.`, `_` and `-`, as a file name. */
function baselineNameSetting(
  key: string,
  flag: string,
  description: string,
): Setting<string | undefined> {
  return {
    key,
    flag,
    placeholder: "NAME",
    accepted: "a name of letters, digits, '.', '_' or '-' (at most 64, not starting with '.')",
    parse: (text) => BASELINE_NAME.test(text) ? text : undefined,
    fallback: () => undefined,
    defaultText: "none",
    description,
  };
}

/** The baseline settings, in `--help` order (one block of the settings table). */
export const BASELINE_SETTINGS = {
  saveBaseline: baselineNameSetting(
    "SAVEBASELINE",
    "--save-baseline",
    "keep this sweep as baseline NAME (BASELINEDIR/NAME.json: machine, version, every run's times)",
  ),
  baseline: baselineNameSetting(
    "BASELINE",
    "--baseline",
    "compare this sweep with baseline NAME step by step; exit 3 when a step got slower beyond the threshold",
  ),
  baselineThreshold: integerSetting<number>({
    key: "BASELINETHRESHOLD",
    flag: "--baseline-threshold",
    min: 0,
    max: 1000,
    fallback: () => DEFAULT_THRESHOLD_PERCENT,
    defaultText: String(DEFAULT_THRESHOLD_PERCENT),
    description: "percent a step may get slower than the baseline (and beyond noise) before exit 3",
  }),
  baselineDir: pathSetting(
    "BASELINEDIR",
    "--baseline-dir",
    "DIR",
    DEFAULT_BASELINE_DIR,
    "where baselines are kept",
  ),
} as const;
