/**
 * Rewrites Deno's advice in a denied job's error ("run again with the
 * --allow-read flag") into the flag that grants it to a custom job
 * (`--job-allow-read PATH`): the job's workers get only what those flags name,
 * so `--allow-read` on the command line would not help; and Deno's refusals of
 * an import by flags the user never passed into the setting that grants it:
 * `--no-npm is specified` (npm off: `--job-allow-npm`) and `--cached-only is
 * specified` (nothing is downloaded while jobs run: only static imports are).
 *
 * @module
 */

const GRANTABLE = new Set(["read", "write", "net", "env"]);
const DENIED = /Requires (\w+) access to ("[^"]*"|\S+?), run again with the --allow-\w+ flag/g;
/** Deno's refusal of an `npm:` import in a process started with `--no-npm`, a flag no user passed. */
const NO_NPM = /npm specifiers were requested; but --no-npm is specified/g;
/** Deno's refusal of an import that is not in its cache, in a process started `--cached-only`. */
const CACHED_ONLY = /, --cached-only is specified\.?/g;

/**
 * Why a custom job's `npm:` import fails without `--job-allow-npm`, and what grants it: the
 * sweep process runs with npm off unless that setting is on, whatever else the job was granted.
 */
export const NPM_GRANT_HINT =
  "npm packages are off for custom jobs; --job-allow-npm (JOBALLOWNPM) lets the job module's own npm imports load (fetched before the run)";

/** Why an import that was not cached before the run fails, and how a job gets one. */
const CACHED_ONLY_HINT =
  ": nothing is downloaded while jobs run; import it statically in the job module, whose imports are fetched before the run (npm packages with --job-allow-npm, JOBALLOWNPM)";

/**
 * Replaces Deno's permission advice in `message` with the CLI's own flag.
 *
 * @param message A job's error message.
 * @returns The message, with every "run again with the --allow-X flag" replaced, and Deno's
 *   `--no-npm`/`--cached-only` refusals said with the setting that grants the import.
 *
 * @example A denied read names --job-allow-read; an npm import names --job-allow-npm
 * ```ts
 * import { withPermissionHint } from "./permission_hint.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   withPermissionHint('Requires read access to "/data/a.csv", run again with the --allow-read flag'),
 *   'Requires read access to "/data/a.csv": grant it with --job-allow-read "/data/a.csv"',
 * );
 * assert.equal(withPermissionHint("boom"), "boom");
 * assert.match(
 *   withPermissionHint("npm specifiers were requested; but --no-npm is specified"),
 *   /npm packages are off for custom jobs; --job-allow-npm \(JOBALLOWNPM\)/,
 * );
 * assert.match(
 *   withPermissionHint('npm package not found in cache: "left-pad", --cached-only is specified.'),
 *   /"left-pad": nothing is downloaded while jobs run; import it statically/,
 * );
 * ```
 */
export function withPermissionHint(message: string): string {
  return message.replace(NO_NPM, `npm specifiers were requested, but ${NPM_GRANT_HINT}`)
    .replace(CACHED_ONLY, CACHED_ONLY_HINT)
    .replace(
      DENIED,
      (_match, kind: string, target: string) =>
        GRANTABLE.has(kind)
          ? `Requires ${kind} access to ${target}: grant it with --job-allow-${kind} ${target}`
          : `Requires ${kind} access to ${target}: custom jobs cannot be granted ${kind} access`,
    );
}
