import assert from "node:assert/strict";
import { formatSpeedup, renderSummaryTable, type SummaryRow } from "../src/report/format/table.ts";
import { piJob } from "../src/jobs/pi.ts";

const row = (workers: number, seconds: number, speedup: number): SummaryRow => ({
  workers,
  jobCount: 16,
  seconds,
  speedup,
  averageJobSeconds: 1.0012,
  peakRssBytes: 50.25 * 1024 * 1024,
  failed: 0,
  cancelled: 0,
});

Deno.test("renderSummaryTable() prints the seed's table, baseline first", () => {
  const table = renderSummaryTable([
    row(1, 16.048032, 1),
    row(2, 8.046808, 16.048032 / 8.046808),
    row(8, 2.003099, 16.048032 / 2.003099),
  ]);
  assert.equal(
    table,
    [
      "+-------------------+----------------+----------------+----------------+",
      "| NUMBER OF WORKERS | NUMBER OF JOBS | EXECUTION TIME | SPEED INCREASE |",
      "+-------------------+----------------+----------------+----------------+",
      "|                 1 |             16 |      16.048032 | (baseline)     |",
      "|                 2 |             16 |       8.046808 | +1.99x         |",
      "|                 8 |             16 |       2.003099 | +8.01x         |",
      "+-------------------+----------------+----------------+----------------+",
      "",
    ].join("\n"),
  );
});

Deno.test("renderSummaryTable() adds FAILED and CANCELLED columns only when a job did not finish", () => {
  const table = renderSummaryTable([row(1, 2, 1), {
    ...row(2, 2.5, 0.8),
    failed: 1,
    cancelled: 2,
  }]);
  assert.equal(
    table,
    [
      "+-------------------+----------------+----------------+----------------+--------+-----------+",
      "| NUMBER OF WORKERS | NUMBER OF JOBS | EXECUTION TIME | SPEED INCREASE | FAILED | CANCELLED |",
      "+-------------------+----------------+----------------+----------------+--------+-----------+",
      "|                 1 |             16 |       2.000000 | (baseline)     |      0 |         0 |",
      "|                 2 |             16 |       2.500000 | -1.25x         |      1 |         2 |",
      "+-------------------+----------------+----------------+----------------+--------+-----------+",
      "",
    ].join("\n"),
  );
});

Deno.test("renderSummaryTable() prints the seed's Pi columns and the peak RSS from the Pi kind's columns", () => {
  const table = renderSummaryTable([row(1, 16.5, 1), row(2, 8.25, 2)], {
    columns: piJob.summaryColumns,
  });
  assert.equal(
    table,
    [
      "+-------------------+----------------+----------------------------+-----------------------------+----------------+------------------------+",
      "| NUMBER OF WORKERS | NUMBER OF JOBS | AVERAGE JOB EXECUTION TIME | TOTAL WORKER EXECUTION TIME | SPEED INCREASE | PEAK PROCESS RSS (MIB) |",
      "+-------------------+----------------+----------------------------+-----------------------------+----------------+------------------------+",
      "|                 1 |             16 |                   1.001200 |                   16.500000 | (baseline)     |                   50.3 |",
      "|                 2 |             16 |                   1.001200 |                    8.250000 | +2x            |                   50.3 |",
      "+-------------------+----------------+----------------------------+-----------------------------+----------------+------------------------+",
      "",
    ].join("\n"),
  );
});

Deno.test("formatSpeedup() signs slowdowns and trims zeros like the seed", () => {
  assert.equal(formatSpeedup(2.66), "+2.66x");
  assert.equal(formatSpeedup(15.9), "+15.9x");
  assert.equal(formatSpeedup(1), "1x");
  assert.equal(formatSpeedup(0.5), "-2x");
  assert.equal(formatSpeedup(Number.NaN), "n/a");
});
