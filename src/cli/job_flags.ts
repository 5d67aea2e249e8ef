/**
 * The custom job module's flags: repeatable, with no keys in the environment or
 * `.env`: its input (`--job-arg`) and what its workers may touch (`--job-allow-*`).
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { JobPermissions } from "../jobs/job.ts";

/** Flags that may repeat and have no key: input and permissions for custom job modules. */
export const LIST_FLAGS = {
  "--job-arg":
    "key=value for a custom job module: in context.args, and its input unless --inputs gives one (repeatable)",
  "--job-allow-read": "a path a custom job may read (repeatable, or comma-separated; default none)",
  "--job-allow-write":
    "a path a custom job may write (repeatable, or comma-separated; default none)",
  "--job-allow-net": "a host a custom job may reach (repeatable, or comma-separated; default none)",
  "--job-allow-env":
    "an environment variable a custom job may read (repeatable, or comma-separated; default none)",
} as const;
/** `host`, `host:port`, `[v6]` or `[v6]:port`. */
const NET_VALUE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
/** A variable name as shells write them. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type ListFlag = keyof typeof LIST_FLAGS;

/**
 * Parses the `--job-arg key=value` pairs into a custom module's input.
 *
 * @param pairs The flag values, in order; a later key wins.
 * @returns The input object.
 * @throws {ConfigError} For a pair without a key or `=`.
 */
export function parseJobArgs(pairs: readonly string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    if (equals < 1) {
      throw new ConfigError(
        `Cannot read settings: --job-arg must be key=value, received "${pair}"`,
      );
    }
    const key = pair.slice(0, equals);
    if (Object.hasOwn(args, key)) {
      throw new ConfigError(
        `Cannot read settings: --job-arg ${key} is given twice ("${key}=${
          args[key]
        }" and "${pair}"): give each key once`,
      );
    }
    args[key] = pair.slice(equals + 1);
  }
  return args;
}

/**
 * Collects the `--job-allow-*` values (repeatable, comma-separated) into permissions.
 * Net values are `host` or `host:port` (IPv6 in brackets); env values are plain
 * names: Deno would read a `*` as a wildcard, which the flag's help does not promise.
 *
 * @param lists The values of each flag.
 * @returns Only the kinds of access that were granted.
 * @throws {ConfigError} For a net value that is not host[:port], or an env value that is not a name.
 */
export function parseJobPermissions(lists: Map<ListFlag, string[]>): JobPermissions {
  const split = (flag: ListFlag) =>
    (lists.get(flag) ?? []).flatMap((value) => value.split(",")).map((v) => v.trim())
      .filter(Boolean);
  const permissions: JobPermissions = {};
  const read = split("--job-allow-read");
  const write = split("--job-allow-write");
  const net = split("--job-allow-net");
  const env = split("--job-allow-env");
  for (const host of net) {
    if (!NET_VALUE.test(host)) {
      throw new ConfigError(
        `Cannot read settings: --job-allow-net must be a host or host:port, received "${host}"`,
      );
    }
  }
  for (const name of env) {
    if (!ENV_NAME.test(name)) {
      throw new ConfigError(
        `Cannot read settings: --job-allow-env must be an environment variable's name (no wildcards), received "${name}"`,
      );
    }
  }
  if (read.length) permissions.read = read;
  if (write.length) permissions.write = write;
  if (net.length) permissions.net = net;
  if (env.length) permissions.env = env;
  return permissions;
}
