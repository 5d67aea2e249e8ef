/**
 * Rewrites Deno's advice in a denied job's error ("run again with the
 * --allow-read flag") into the flag that grants it to a custom job
 * (`--job-allow-read PATH`): the job's workers get only what those flags name,
 * so `--allow-read` on the command line would not help; and Deno's refusal of an
 * `npm:` import (`--no-npm is specified`, a flag the user never passed) into why.
 *
 * @module
 */

const GRANTABLE = new Set(["read", "write", "net", "env"]);
const DENIED = /Requires (\w+) access to ("[^"]*"|\S+?), run again with the --allow-\w+ flag/g;
/** Deno's refusal of an `npm:` import in a process started with `--no-npm`, a flag no user passed. */
const NO_NPM = /npm specifiers were requested; but --no-npm is specified/g;

/**
 * Why a custom job's `npm:` import fails: the sweep process runs with npm off, whatever the job
 * was granted, and downloads nothing while jobs run (see `superviseSweep`). One place, for when a
 * setting to allow it comes.
 */
export const NPM_GRANT_HINT =
  "npm packages are off for custom jobs, whatever they are granted: nothing is downloaded while jobs run";

/**
 * Replaces Deno's permission advice in `message` with the CLI's own flag.
 *
 * @param message A job's error message.
 * @returns The message, with every "run again with the --allow-X flag" replaced.
 *
 * @example A denied read names --job-allow-read
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
 *   /npm packages are off for custom jobs/,
 * );
 * ```
 */
export function withPermissionHint(message: string): string {
  return message.replace(NO_NPM, `npm specifiers were requested, but ${NPM_GRANT_HINT}`).replace(
    DENIED,
    (_match, kind: string, target: string) =>
      GRANTABLE.has(kind)
        ? `Requires ${kind} access to ${target}: grant it with --job-allow-${kind} ${target}`
        : `Requires ${kind} access to ${target}: custom jobs cannot be granted ${kind} access`,
  );
}
