/**
 * How the CLI reads its keys from an environment it shares with other tools:
 * a `DENO_CHANNELS_` prefix that always works, generic keys only with it, and
 * a bare `DEBUG` read as the npm `debug` convention.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

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

/**
 * Set by a user to put `--inspect=HOST:PORT` on the sweep process (the profiling hint prints it):
 * Deno cannot report the flags it was started with, so a variable carries it.
 */
export const INSPECT_VARIABLE = "DENO_CHANNELS_INSPECT";

/**
 * Our variables that are no setting: those the CLI sets for its own sweep child, and the benches'
 * smoke switch (`bench/_params.ts`). The check for unknown `DENO_CHANNELS_*` keys passes them.
 */
export const INTERNAL_ENV_KEYS: readonly string[] = [
  "DENO_CHANNELS_SUPERVISOR",
  "DENO_CHANNELS_BENCH_SMOKE",
];

/** Edit distance, for suggesting the key a misspelt one meant. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j] + 1,
        row[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length];
}

/** The keys a misspelt `name` most likely meant: a few edits away, or sharing most of a prefix. */
function closeKeys(name: string, keys: readonly string[]): string[] {
  const bare = name.slice(ENV_PREFIX.length);
  const scored = keys.map((key) => {
    const other = key.slice(ENV_PREFIX.length);
    let shared = 0;
    while (shared < bare.length && bare[shared] === other[shared]) shared++;
    const near = distance(bare, other) <= 3 ||
      (shared >= 4 && shared >= 0.6 * Math.min(bare.length, other.length));
    return { key, near, score: distance(bare, other) };
  });
  return scored.filter((entry) => entry.near).sort((a, b) => a.score - b.score).slice(0, 3)
    .map((entry) => entry.key);
}

/**
 * Refuses a `DENO_CHANNELS_*` variable that is no setting: the prefix says it is meant for us, so a
 * misspelt one (`DENO_CHANNELS_JOBS`) must not be ignored in silence.
 *
 * @param names The variables' names (of the environment, or the keys of `.env`).
 * @param settingKeys The settings' keys, without the prefix.
 * @param where Where the names come from, for the message ("in the environment", "in .env").
 * @throws {ConfigError} Naming the first unknown key, the closest accepted ones and the rest.
 *
 * @example A misspelt key is refused with the key it probably meant
 * ```ts
 * import { checkPrefixedKeys } from "./environment.ts";
 * import assert from "node:assert/strict";
 *
 * checkPrefixedKeys(["PATH", "DENO_CHANNELS_JOBNAME"], ["JOBNAME"], "in the environment");
 * assert.throws(
 *   () => checkPrefixedKeys(["DENO_CHANNELS_JOBNAM"], ["JOBNAME"], "in the environment"),
 *   /DENO_CHANNELS_JOBNAM in the environment is not a setting \(did you mean DENO_CHANNELS_JOBNAME\?\)/,
 * );
 * ```
 */
export function checkPrefixedKeys(
  names: Iterable<string>,
  settingKeys: readonly string[],
  where: string,
): void {
  const accepted = settingKeys.map((key) => `${ENV_PREFIX}${key}`);
  const known = new Set([...accepted, INSPECT_VARIABLE, ...INTERNAL_ENV_KEYS]);
  for (const name of names) {
    if (!name.startsWith(ENV_PREFIX) || known.has(name)) continue;
    const close = closeKeys(name, [...accepted, INSPECT_VARIABLE]);
    throw new ConfigError(
      `Cannot read settings: ${name} ${where} is not a setting${
        close.length ? ` (did you mean ${close.join(" or ")}?)` : ""
      }; accepted: ${ENV_PREFIX}<KEY> for ${settingKeys.join(", ")}, and ${INSPECT_VARIABLE}`,
    );
  }
}

/**
 * Checks `DENO_CHANNELS_INSPECT`: `HOST:PORT` (a host name or an IP address, a port from 1 to
 * 65535), or blank for none.
 *
 * @param raw The variable's value.
 * @returns The value to pass to `--inspect=`, or `undefined` when blank.
 * @throws {ConfigError} Naming the variable, what it accepts and the value.
 *
 * @example
 * ```ts
 * import { parseInspect } from "./environment.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseInspect("127.0.0.1:9229"), "127.0.0.1:9229");
 * assert.equal(parseInspect(" "), undefined);
 * assert.throws(() => parseInspect("9229"), /DENO_CHANNELS_INSPECT in the environment must be HOST:PORT/);
 * ```
 */
export function parseInspect(raw: string | undefined): string | undefined {
  if (!isSet(raw)) return undefined;
  const text = raw!.trim();
  const match = /^[A-Za-z0-9.:\[\]-]+:(\d{1,5})$/.exec(text);
  if (!match || Number(match[1]) < 1 || Number(match[1]) > 65_535) {
    throw new ConfigError(
      `Cannot read settings: ${INSPECT_VARIABLE} in the environment must be HOST:PORT (a host name or IP address, a port from 1 to 65535), received "${raw}"`,
    );
  }
  return text;
}

/**
 * Refuses a `.env` line that is not `KEY=VALUE`, a `# comment` or blank: `node:util`'s `parseEnv`
 * drops such a line in silence, and with it the setting the user meant. Quoted values may span
 * lines, as `parseEnv` reads them.
 *
 * @param text The `.env` text.
 * @throws {ConfigError} Naming `.env`, the line's number and the line.
 *
 * @example
 * ```ts
 * import { checkDotenvLines } from "./environment.ts";
 * import assert from "node:assert/strict";
 *
 * checkDotenvLines('# settings\nJOBNAME=noop\nexport QUIET=1\nNOTE="two\nlines"\n');
 * assert.throws(() => checkDotenvLines("JOBNAME=noop\nTOTALJOBCOUNT 4\n"), /\.env line 2 must be KEY=VALUE/);
 * ```
 */
export function checkDotenvLines(text: string): void {
  let quote: string | undefined;
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (quote !== undefined) {
      if (line.includes(quote)) quote = undefined;
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = /^(?:export\s+)?[^=\s]+\s*=(.*)$/.exec(trimmed);
    if (!match) {
      throw new ConfigError(
        `Cannot read settings: .env line ${
          index + 1
        } must be KEY=VALUE (or blank, or a # comment), received "${line}"`,
      );
    }
    const value = match[1].trimStart();
    const opening = value[0];
    if (opening === '"' || opening === "'" || opening === "`") {
      if (!value.slice(1).includes(opening)) quote = opening;
    }
  }
}
