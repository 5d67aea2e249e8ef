/**
 * Pure renderers for the ASCII summary tables: data in, string out.
 *
 * @module
 */

import { formatSpeedup } from "../analysis/models.ts";

// Here for the tables' callers; it lives with the models so the analysis's words can use it.
export { formatSpeedup };

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

/**
 * A step in a list of figures: `2 w`, or `2 w ×16` with more than 1 job in flight per worker.
 *
 * @param step The step's workers and jobs in flight.
 * @returns The short name.
 *
 * @example
 * ```ts
 * import { stepName } from "./table.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(stepName({ workers: 2 }), "2 w");
 * assert.equal(stepName({ workers: 1, concurrency: 64 }), "1 w ×64");
 * ```
 */
export function stepName(step: { workers: number; concurrency?: number }): string {
  const inFlight = step.concurrency ?? 1;
  return inFlight > 1 ? `${step.workers} w ×${inFlight}` : `${step.workers} w`;
}

/** The figures one row of a summary table needs. */
export interface SummaryRow {
  /** Workers in the step. */
  workers: number;
  /** Jobs in flight per worker; absent means 1. */
  concurrency?: number;
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
 * A summary table's column beyond the Go original's four, as a job kind declares it
 * (`JobKind.summaryColumns`): `averageJobSeconds` adds AVERAGE JOB EXECUTION TIME (and the step's
 * time becomes TOTAL WORKER EXECUTION TIME), `peakRssBytes` adds PEAK PROCESS RSS (MIB).
 */
export type SummaryColumn = "averageJobSeconds" | "peakRssBytes";

interface Column {
  header: string;
  align: Align;
  cell: (row: SummaryRow, index: number, rows: readonly SummaryRow[]) => string;
}

/**
 * The summary: NUMBER OF WORKERS | NUMBER OF JOBS | EXECUTION TIME | SPEED
 * INCREASE (the Go original's four columns), with the kind's extra columns
 * (the Pi kinds: the average job time and the peak RSS of the process during
 * the step), plus FAILED and CANCELLED columns when any job did not finish, and JOBS IN
 * FLIGHT after the workers when a step kept more than 1 job in flight per worker.
 *
 * @param rows One row per step; the first is the baseline.
 * @param options `columns`: the extra columns, as the job kind declares them.
 * @returns The table text.
 *
 * @example Two steps, then the Pi kinds' columns
 * ```ts
 * import { renderSummaryTable } from "./table.ts";
 * import assert from "node:assert/strict";
 *
 * const base = { jobCount: 4, averageJobSeconds: 1, peakRssBytes: 0, failed: 0, cancelled: 0 };
 * const rows = [
 *   { ...base, workers: 1, seconds: 4.004, speedup: 1 },
 *   { ...base, workers: 2, seconds: 2.002, speedup: 2, peakRssBytes: 64 * 1024 * 1024 },
 * ];
 * assert.ok(
 *   renderSummaryTable(rows).includes("|                 2 |              4 |       2.002000 | +2x            |"),
 * );
 * const pi = renderSummaryTable(rows, { columns: ["averageJobSeconds", "peakRssBytes"] });
 * assert.match(pi, /AVERAGE JOB EXECUTION TIME \| TOTAL WORKER EXECUTION TIME/);
 * assert.match(pi, /\| +64\.0 \|$/m);
 * ```
 */
export function renderSummaryTable(
  rows: readonly SummaryRow[],
  options: { columns?: readonly SummaryColumn[] } = {},
): string {
  const extra = new Set(options.columns);
  const average = extra.has("averageJobSeconds");
  const columns: Column[] = [
    { header: "NUMBER OF WORKERS", align: "right", cell: (row) => String(row.workers) },
    ...(rows.some((row) => (row.concurrency ?? 1) > 1)
      ? [{
        header: "JOBS IN FLIGHT",
        align: "right" as const,
        cell: (row: SummaryRow) => String(row.concurrency ?? 1),
      }]
      : []),
    { header: "NUMBER OF JOBS", align: "right", cell: (row) => String(row.jobCount) },
    ...(average
      ? [{
        header: "AVERAGE JOB EXECUTION TIME",
        align: "right" as const,
        cell: (row: SummaryRow) => formatJobSeconds(row.averageJobSeconds),
      }]
      : []),
    {
      header: average ? "TOTAL WORKER EXECUTION TIME" : "EXECUTION TIME",
      align: "right",
      cell: (row) => formatSeconds(row.seconds),
    },
    { header: "SPEED INCREASE", align: "left", cell: speedCell },
    ...(extra.has("peakRssBytes")
      ? [{
        header: "PEAK PROCESS RSS (MIB)",
        align: "right" as const,
        cell: (row: SummaryRow) => (row.peakRssBytes / (1024 * 1024)).toFixed(1),
      }]
      : []),
  ];
  const notDone = notDoneColumns(rows);
  return renderAsciiTable(
    [...columns.map((column) => column.header), ...notDone.headers],
    rows.map((
      row,
      i,
    ) => [...columns.map((column) => column.cell(row, i, rows)), ...notDone.cells(row)]),
    [...columns.map((column) => column.align), "right", "right"],
  );
}
