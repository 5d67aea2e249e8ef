/**
 * One source of truth: the settings table in the code (`SETTINGS`), `--help` and the README's
 * settings table name the same settings, in the same order, with the same flag, key and default.
 */
import assert from "node:assert/strict";
import { GENERIC_KEYS } from "../src/cli/environment.ts";
import { helpText } from "../src/cli/help.ts";
import { LIST_FLAGS } from "../src/cli/job_flags.ts";
import { SETTINGS } from "../src/cli/settings.ts";

interface Listed {
  flag: string;
  key: string;
  defaultText: string;
}

const README = await Deno.readTextFile(new URL("../README.md", import.meta.url));

/** The settings as the code has them: the flag with its placeholder, as `--help` shows it. */
const expected: Listed[] = Object.values(SETTINGS).map((setting) => ({
  flag: "placeholder" in setting && setting.placeholder
    ? `${setting.flag} ${setting.placeholder}`
    : setting.flag,
  key: setting.key,
  defaultText: setting.defaultText,
}));

/** The rows of the first table under `## Settings`, as `key | flag | default | accepted`. */
function readmeSettings(): Listed[] {
  const section = README.slice(README.indexOf("\n## Settings\n"));
  const lines = section.split("\n");
  const header = lines.findIndex((line) => /^\| key +\| flag +\| default +\|/.test(line));
  assert.ok(header >= 0, "README: no `| key | flag | default |` table under ## Settings");
  const rows: Listed[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line.split("|").slice(1, -1).map((cell) => cell.trim().replaceAll("`", ""));
    rows.push({ key: cells[0], flag: cells[1], defaultText: cells[2] });
  }
  return rows;
}

/** `--help`'s rows: settings (flag, key, default) and the rows that are no setting. */
function helpRows(): { settings: Listed[]; others: string[] } {
  const settings: Listed[] = [];
  const others: string[] = [];
  for (const line of helpText().split("\n")) {
    if (!line.startsWith("  --")) continue;
    const match = /^ {2}(--[a-z-]+(?: [A-Z][A-Z,.…]*)*) +([A-Z]+) +.* \(default: (.*)\)$/.exec(
      line,
    );
    if (match) settings.push({ flag: match[1], key: match[2], defaultText: match[3] });
    else others.push(line.trim().split(/ {2,}/)[0]);
  }
  return { settings, others };
}

Deno.test("--help lists every setting with its flag, key and default, in the table's order", () => {
  assert.deepEqual(helpRows().settings, expected);
});

Deno.test("--help lists nothing else but --help, --version and the custom job module's flags", () => {
  assert.deepEqual(helpRows().others, [
    "--help, -h",
    "--version",
    ...Object.keys(LIST_FLAGS).map((flag) => `${flag} X`),
  ]);
});

Deno.test("the README's settings table lists every setting with its flag, key and default, and no other", () => {
  assert.deepEqual(readmeSettings(), expected);
});

Deno.test("every `--flag` (`KEY`) pair the README mentions is a setting's own", () => {
  const byFlag = new Map(Object.values(SETTINGS).map((setting) => [setting.flag, setting.key]));
  const pairs = [...README.matchAll(/`(--[a-z-]+)[^`]*` \(`([A-Z]+)`/g)];
  assert.ok(pairs.length > 0);
  for (const [text, flag, key] of pairs) assert.equal(byFlag.get(flag), key, text);
});

Deno.test("the README names the same keys as read only with the prefix as the code", () => {
  const sentence = /the generic\s+keys (.*?)\s+are read only with the\s+prefix/s.exec(README);
  assert.ok(sentence, "README: no sentence on the generic keys");
  const keys = [...sentence[1].matchAll(/`([A-Z]+)`/g)].map((match) => match[1]);
  assert.deepEqual(keys.sort(), [...GENERIC_KEYS].sort());
});
