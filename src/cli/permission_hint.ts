/**
 * Rewrites Deno's advice in a denied job's error ("run again with the
 * --allow-read flag") into the flag that grants it to a custom job
 * (`--job-allow-read PATH`): the job's workers get only what those flags name,
 * so `--allow-read` on the command line would not help; and Deno's refusal of an
 * `npm:` import (`--no-npm is specified`, a flag the user never passed) into the grant that
 * allows it.
 *
 * @module
 */

const GRANTABLE = new Set(["read", "write", "net", "env"]);
const DENIED = /Requires (\w+) access to ("[^"]*"|\S+?), run again with the --allow-\w+ flag/g;
/** Deno's refusal of an `npm:` import in a process started with `--no-npm`, a flag no user passed. */
const NO_NPM = /npm specifiers were requested; but --no-npm is specified/g;

/**
 * What grants a custom job `npm:` imports: the sweep process runs with npm off unless a job may
 * reach the network (see `superviseSweep`). One place, for when that grant changes.
 */
export const NPM_GRANT_HINT =
  "npm packages are off for custom jobs unless they may reach the network: grant it with --job-allow-net registry.npmjs.org";

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
 *   /grant it with --job-allow-net/,
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
