/**
 * Rewrites Deno's advice in a denied job's error ("run again with the
 * --allow-read flag") into the flag that grants it to a custom job
 * (`--job-allow-read PATH`): the job's workers get only what those flags name,
 * so `--allow-read` on the command line would not help.
 *
 * @module
 */

const GRANTABLE = new Set(["read", "write", "net", "env"]);
const DENIED = /Requires (\w+) access to ("[^"]*"|\S+?), run again with the --allow-\w+ flag/g;

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
 * ```
 */
export function withPermissionHint(message: string): string {
  return message.replace(
    DENIED,
    (_match, kind: string, target: string) =>
      GRANTABLE.has(kind)
        ? `Requires ${kind} access to ${target}: grant it with --job-allow-${kind} ${target}`
        : `Requires ${kind} access to ${target}: custom jobs cannot be granted ${kind} access`,
  );
}
