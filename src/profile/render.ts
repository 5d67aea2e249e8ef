/**
 * Renders the top entries of CPU profiles as pprof's `flat flat% sum% cum
 * cum%` table. Data in, string out; the CLI prints it.
 *
 * @module
 */
import { plural } from "../text.ts";
import type { TopEntry } from "./top.ts";
import { renderAsciiTable } from "../report/format/table.ts";

/** Options for {@linkcode renderProfileTop}. */
export interface RenderProfileTopOptions {
  /** A line printed above the header, e.g. `CPU profile, 4 workers`; none when omitted. */
  title?: string;
  /**
   * The total sampled time the percentages are relative to, in microseconds;
   * when omitted, worked back from an entry's `cumMicros` and `cumPercent`.
   */
  totalMicros?: number;
  /** How many functions there were before `limit`; default `entries.length`. */
  functionCount?: number;
  /** How many profiles were summed; the header names it when given. */
  profileCount?: number;
}

const MICROS_PER_MS = 1000;

function formatMs(micros: number): string {
  return `${(micros / MICROS_PER_MS).toFixed(2)}ms`;
}

function formatPercent(percent: number): string {
  return `${percent.toFixed(2)}%`;
}

/** The total an entry's percentages imply: cum is > 0 for every entry of a non-empty total. */
function totalFromEntries(entries: readonly TopEntry[]): number {
  const entry = entries.find((e) => e.cumPercent > 0);
  return entry === undefined ? 0 : (100 * entry.cumMicros) / entry.cumPercent;
}

/**
 * Renders top entries as pprof's `flat flat% sum% cum cum%` table: FLAT |
 * FLAT% | SUM% | CUM | CUM% | FUNCTION, times in milliseconds with two
 * decimals, after a line `Showing top N of M functions, total sampled T ms
 * across K profiles` (and the title, when given, above it).
 *
 * @param entries Entries from {@linkcode profileTop} or {@linkcode analyzeProfiles}.
 * @param options The title, the total, and the counts for the header line;
 * an {@linkcode analyzeProfiles} result can be spread in. Options may be
 * `{}` (the total is then worked back from the entries' percentages), but
 * only {@linkcode analyzeProfiles} knows M, the functions before the limit.
 * @returns The lines, ending in a newline.
 *
 * @example One function
 * ```ts
 * import { renderProfileTop } from "./render.ts";
 * import assert from "node:assert/strict";
 *
 * const entry = {
 *   functionName: "piStep", url: "wasm://wasm/ab12", lineNumber: 0, columnNumber: 40,
 *   label: "piStep wasm://wasm/ab12:1:41",
 *   flatMicros: 600, flatPercent: 75, sumPercent: 75, cumMicros: 600, cumPercent: 75,
 * };
 * assert.equal(
 *   renderProfileTop([entry], { title: "2 workers", totalMicros: 800, functionCount: 2, profileCount: 2 }),
 *   [
 *     "2 workers",
 *     "Showing top 1 of 2 functions, total sampled 0.80 ms across 2 profiles",
 *     "+--------+--------+--------+--------+--------+------------------------------+",
 *     "| FLAT   | FLAT%  | SUM%   | CUM    | CUM%   | FUNCTION                     |",
 *     "+--------+--------+--------+--------+--------+------------------------------+",
 *     "| 0.60ms | 75.00% | 75.00% | 0.60ms | 75.00% | piStep wasm://wasm/ab12:1:41 |",
 *     "+--------+--------+--------+--------+--------+------------------------------+",
 *     "",
 *   ].join("\n"),
 * );
 * ```
 */
export function renderProfileTop(
  entries: readonly TopEntry[],
  options: RenderProfileTopOptions = {},
): string {
  const { title, functionCount = entries.length, profileCount } = options;
  const totalMicros = options.totalMicros ?? totalFromEntries(entries);
  const across = profileCount === undefined ? "" : ` across ${plural(profileCount, "profile")}`;
  const header = `Showing top ${entries.length} of ${functionCount} functions, total sampled ${
    (totalMicros / MICROS_PER_MS).toFixed(2)
  } ms${across}`;
  const table = renderAsciiTable(
    ["FLAT", "FLAT%", "SUM%", "CUM", "CUM%", "FUNCTION"],
    entries.map((entry) => [
      formatMs(entry.flatMicros),
      formatPercent(entry.flatPercent),
      formatPercent(entry.sumPercent),
      formatMs(entry.cumMicros),
      formatPercent(entry.cumPercent),
      entry.label,
    ]),
    ["right", "right", "right", "right", "right", "left"],
  );
  return `${title === undefined ? "" : `${title}\n`}${header}\n${table}`;
}
