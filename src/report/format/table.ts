/**
 * Pure renderers for the ASCII summary tables: data in, string out.
 *
 * @module
 */

/** How a column's cells line up. */
export type Align = "left" | "right";

/**
 * Renders rows as an ASCII table with `+---+` borders.
 *
 * @param headers Column titles.
 * @param rows Cell texts, one array per row.
 * @param align Alignment per column; default right for every column.
 * @returns The table, one line per row plus borders, ending in a newline.
 *
 * @example A two-column table
 * ```ts
 * import { renderAsciiTable } from "./table.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   renderAsciiTable(["A", "BB"], [["1", "x"]], ["right", "left"]),
 *   "+---+----+\n| A | BB |\n+---+----+\n| 1 | x  |\n+---+----+\n",
 * );
 * ```
 */
export function renderAsciiTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? "").length))
  );
  const border = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  const line = (cells: readonly string[], alignOf: (i: number) => Align) =>
    `| ${
      widths.map((w, i) => {
        const cell = cells[i] ?? "";
        return alignOf(i) === "left" ? cell.padEnd(w) : cell.padStart(w);
      }).join(" | ")
    } |`;
  return [
    border,
    line(headers, () => "left"),
    border,
    ...rows.map((row) => line(row, (i) => align[i] ?? "right")),
    border,
    "",
  ].join("\n");
}

/**
 * Formats a speed-up: `+1.99x` when faster, `-1.25x` when
 * slower (the slowdown factor), trailing zeros dropped (`+16x`).
 *
 * @param speedup Baseline time divided by this time.
 * @returns The signed factor with an `x`.
 *
 * @example Faster and slower
 * ```ts
 * import { formatSpeedup } from "./table.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatSpeedup(1.994), "+1.99x");
 * assert.equal(formatSpeedup(16), "+16x");
 * assert.equal(formatSpeedup(0.8), "-1.25x");
 * assert.equal(formatSpeedup(0.997), "1x");
 * ```
 */
export function formatSpeedup(speedup: number): string {
  if (!Number.isFinite(speedup) || speedup <= 0) return "n/a";
  const trim = (x: number) => String(Number(x.toFixed(2)));
  // Within ±0.5% of 1 there is no direction to show: 0.997 would read "-1x".
  if (Math.abs(speedup - 1) <= 0.005 + 1e-12) return "1x";
  return speedup >= 1 ? `+${trim(speedup)}x` : `-${trim(1 / speedup)}x`;
}

/**
 * Formats seconds with six decimals.
 *
 * @param seconds A duration in seconds.
 * @returns The fixed-point text.
 *
 * @example Six decimals
 * ```ts
 * import { formatSeconds } from "./table.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatSeconds(2.0030991), "2.003099");
 * ```
 */
export function formatSeconds(seconds: number): string {
  return seconds.toFixed(6);
}

/**
 * A job's time as the summary tables show it: six decimals of seconds, or µs
 * or ns under a millisecond (where six decimals would print `0.000000`).
 *
 * @param seconds A duration in seconds.
 * @returns The text.
 *
 * @example A Pi job and a no-op job
 * ```ts
 * import { formatJobSeconds } from "./table.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatJobSeconds(0.7512), "0.751200");
 * assert.equal(formatJobSeconds(0.000118), "118.0 µs");
 * assert.equal(formatJobSeconds(1.1e-7), "110 ns");
 * ```
 */
export function formatJobSeconds(seconds: number): string {
  if (seconds === 0 || seconds >= 1e-3) return formatSeconds(seconds);
  if (seconds < 1e-6) return `${(seconds * 1e9).toFixed(0)} ns`;
  return `${(seconds * 1e6).toFixed(1)} µs`;
}

/** The figures one row of a summary table needs. */
export interface SummaryRow {
  /** Workers in the step. */
  workers: number;
  /** Jobs in the batch. */
  jobCount: number;
  /** The step's wall time, in seconds. */
  seconds: number;
  /** Baseline seconds over this step's. */
  speedup: number;
  /** Mean in-worker job time, in seconds. */
  averageJobSeconds: number;
  /** Highest process RSS during the step, in bytes. */
  peakRssBytes: number;
  /** Jobs that failed. */
  failed: number;
  /** Jobs that were cancelled. */
  cancelled: number;
}

function speedCell(row: SummaryRow, index: number, rows: readonly SummaryRow[]): string {
  if (row.workers === 0) return "(inline)";
  return row === rows.find((other) => other.workers > 0) || index === 0
    ? "(baseline)"
    : formatSpeedup(row.speedup);
}

function notDoneColumns(rows: readonly SummaryRow[]) {
  const show = rows.some((row) => row.failed > 0 || row.cancelled > 0);
  return {
    headers: show ? ["FAILED", "CANCELLED"] : [],
    cells: (row: SummaryRow) => show ? [String(row.failed), String(row.cancelled)] : [],
  };
}

/**
 * The sleep summary: NUMBER OF WORKERS | NUMBER OF JOBS | EXECUTION
 * TIME | SPEED INCREASE (the Go original's four columns), plus FAILED and
 * CANCELLED columns when any job did not finish.
 *
 * @param rows One row per step; the first is the baseline.
 * @returns The table text.
 *
 * @example Two steps
 * ```ts
 * import { renderSummaryTable } from "./table.ts";
 * import assert from "node:assert/strict";
 *
 * const base = { jobCount: 4, averageJobSeconds: 1, peakRssBytes: 0, failed: 0, cancelled: 0 };
 * const table = renderSummaryTable([
 *   { ...base, workers: 1, seconds: 4.004, speedup: 1 },
 *   { ...base, workers: 2, seconds: 2.002, speedup: 2 },
 * ]);
 * assert.ok(table.includes("|                 2 |              4 |       2.002000 | +2x            |"));
 * ```
 */
export function renderSummaryTable(rows: readonly SummaryRow[]): string {
  const extra = notDoneColumns(rows);
  return renderAsciiTable(
    ["NUMBER OF WORKERS", "NUMBER OF JOBS", "EXECUTION TIME", "SPEED INCREASE", ...extra.headers],
    rows.map((row, i) => [
      String(row.workers),
      String(row.jobCount),
      formatSeconds(row.seconds),
      speedCell(row, i, rows),
      ...extra.cells(row),
    ]),
    ["right", "right", "right", "left", "right", "right"],
  );
}

/**
 * The Pi summary: NUMBER OF WORKERS | NUMBER OF JOBS | AVERAGE JOB
 * EXECUTION TIME | TOTAL WORKER EXECUTION TIME | SPEED INCREASE, plus the
 * peak RSS of the process during the step (the memory column measured
 * something else under a misleading name).
 *
 * @param rows One row per step; the first is the baseline.
 * @returns The table text.
 *
 * @example One step
 * ```ts
 * import { renderPiTable } from "./table.ts";
 * import assert from "node:assert/strict";
 *
 * const table = renderPiTable([{
 *   workers: 1, jobCount: 8, seconds: 1.6, speedup: 1, averageJobSeconds: 0.2,
 *   peakRssBytes: 64 * 1024 * 1024, failed: 0, cancelled: 0,
 * }]);
 * assert.match(table, /AVERAGE JOB EXECUTION TIME/);
 * assert.match(table, /\| +64\.0 \|$/m);
 * ```
 */
export function renderPiTable(rows: readonly SummaryRow[]): string {
  const extra = notDoneColumns(rows);
  return renderAsciiTable(
    [
      "NUMBER OF WORKERS",
      "NUMBER OF JOBS",
      "AVERAGE JOB EXECUTION TIME",
      "TOTAL WORKER EXECUTION TIME",
      "SPEED INCREASE",
      "PEAK PROCESS RSS (MIB)",
      ...extra.headers,
    ],
    rows.map((row, i) => [
      String(row.workers),
      String(row.jobCount),
      formatJobSeconds(row.averageJobSeconds),
      formatSeconds(row.seconds),
      speedCell(row, i, rows),
      (row.peakRssBytes / (1024 * 1024)).toFixed(1),
      ...extra.cells(row),
    ]),
    ["right", "right", "right", "right", "left", "right", "right", "right"],
  );
}
