/**
 * How the CLI reads its keys from an environment it shares with other tools:
 * a `DENO_CHANNELS_` prefix that always works, generic keys only with it, and
 * a bare `DEBUG` read as the npm `debug` convention.
 *
 * @module
 */

/**
 * Every key is also read as `DENO_CHANNELS_<KEY>` (from the environment and
 * `.env`), which wins over the bare key, so a shell's unrelated variables
 * never have to be unset.
 */
export const ENV_PREFIX = "DENO_CHANNELS_";

/**
 * Keys other tools use too: from the environment they are read only with the
 * prefix; bare, only from `.env` (and as flags).
 */
export const GENERIC_KEYS: ReadonlySet<string> = new Set([
  "FORMAT",
  "QUIET",
  "REPEAT",
  "CHART",
  "OUTFILE",
  "WARMUP",
  "INPUTS",
]);

/** Whether a raw value counts as set: present and not blank. */
export const isSet = (raw: string | undefined): boolean => raw !== undefined && raw.trim() !== "";

/**
 * A bare `DEBUG` from the environment, read as the npm `debug` package does:
 * on for `true`, `1`, `*` or a namespace list (commas or spaces) naming
 * `deno-channels` (`deno-channels`, `deno-channels:*`, `deno-*`) and not
 * excluding it (`-deno-channels`); off for anything else.
 *
 * @param raw The variable's value.
 * @returns Whether the verbose log is on.
 */
export function debugNamesUs(raw: string): boolean {
  const text = raw.trim();
  if (/^(true|1)$/i.test(text)) return true;
  let on = false;
  for (const pattern of text.split(/[\s,]+/).filter(Boolean)) {
    const excluded = pattern.startsWith("-");
    const glob = excluded ? pattern.slice(1) : pattern;
    const regex = new RegExp(
      `^${glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`,
    );
    // `deno-channels:*` names our namespace as well as `deno-channels` itself.
    if (regex.test("deno-channels") || regex.test("deno-channels:sweep")) {
      if (excluded) return false;
      on = true;
    }
  }
  return on;
}
