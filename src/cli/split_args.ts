/**
 * The command line split into raw setting values (by `node:util` `parseArgs`),
 * list flags, `--help` and `--version`; `settings.ts` parses the values.
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionDescriptor, type ParseArgsOptionsConfig } from "node:util";
import { ConfigError } from "../errors.ts";
import { LIST_FLAGS, type ListFlag } from "./job_flags.ts";
import type { Setting } from "./setting_kinds.ts";

/** What the command line asked for: setting values by name, list flags, help, version. */
export interface SplitArgs<Name extends string> {
  /** Each setting's raw value, by the setting's name. */
  values: Map<Name, string>;
  /** The list flags' values, in order. */
  lists: Map<ListFlag, string[]>;
  /** `--help` or `-h` was given. */
  help: boolean;
  /** `--version` was given. */
  version: boolean;
}

/** `parseArgs` options: every setting's flag, the list flags, `--help`/`-h` and `--version`. */
const parseOptions = (settings: readonly Setting<unknown>[]): ParseArgsOptionsConfig =>
  Object.fromEntries([
    ...settings.map((setting): [string, ParseArgsOptionDescriptor] => {
      return [setting.flag.slice(2), { type: setting.placeholder ? "string" : "boolean" }];
    }),
    ...Object.keys(LIST_FLAGS).map((flag): [string, ParseArgsOptionDescriptor] => [
      flag.slice(2),
      { type: "string", multiple: true },
    ]),
    ["help", { type: "boolean", short: "h" }],
    ["version", { type: "boolean" }],
  ]);

/**
 * Splits `args` with `node:util` `parseArgs` (non-strict, so our own one-line
 * messages name the flag and what it accepts). A leading `--`, as `deno task
 * start -- --help` passes it, is dropped; a boolean flag alone means true, and
 * `--debug=false` sets it explicitly. `--parameter-list NAME V1,V2` takes two
 * arguments, as hyperfine's `-L` does, and may be given once.
 *
 * @param args The command-line arguments.
 * @param settings The settings table, by name.
 * @returns The raw values by setting name, the list flags, help and version.
 * @throws {ConfigError} For an unknown flag, a stray argument or a flag without its value.
 */
export function splitArgs<Name extends string>(
  args: readonly string[],
  settings: Readonly<Record<Name, Omit<Setting<unknown>, "sweepOption" | "jobParam">>>,
): SplitArgs<Name> {
  const names = Object.keys(settings) as Name[];
  const { tokens } = parseArgs({
    args: args[0] === "--" ? args.slice(1) : [...args],
    options: parseOptions(names.map((name) => settings[name])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const split: SplitArgs<Name> = {
    values: new Map(),
    lists: new Map(),
    help: false,
    version: false,
  };
  const flags = [
    ...names.map((n) => settings[n].flag),
    ...Object.keys(LIST_FLAGS),
    "--help",
    "--version",
  ].join(", ");
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token.kind !== "option") {
      const arg = token.kind === "positional" ? token.value : "--";
      throw new ConfigError(
        `Cannot read settings: unexpected argument "${arg}", accepted flags are ${flags}`,
      );
    }
    if (token.name === "help" || token.name === "version") {
      split[token.name] = true;
      continue;
    }
    const flag = `--${token.name}`;
    const name = names.find((n) => settings[n].flag === flag);
    const isList = flag in LIST_FLAGS;
    if (token.rawName !== flag || (!name && !isList)) {
      throw new ConfigError(
        `Cannot read settings: unknown flag "${token.rawName}", accepted flags are ${flags}`,
      );
    }
    const takesValue = isList || settings[name!].placeholder !== undefined;
    let value = token.value;
    if (takesValue && (value === undefined || (!token.inlineValue && value.startsWith("--")))) {
      const accepted = isList ? LIST_FLAGS[flag as ListFlag] : settings[name!].accepted;
      throw new ConfigError(`Cannot read settings: ${flag} needs a value, ${accepted}`);
    }
    if (flag === "--parameter-list") {
      // hyperfine's form: the name and the values are two arguments.
      const next = tokens[index + 1];
      if (!/\s/.test(value!.trim()) && next?.kind === "positional") {
        value = `${value} ${next.value}`;
        index++;
      }
      if (split.values.has(name!)) {
        throw new ConfigError(
          "Cannot read settings: --parameter-list may be given once (a scan changes one parameter)",
        );
      }
    }
    if (isList) {
      split.lists.set(flag as ListFlag, [...(split.lists.get(flag as ListFlag) ?? []), value!]);
    } else {
      value ??= "true";
      split.values.set(name!, value);
    }
  }
  return split;
}
