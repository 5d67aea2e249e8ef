// Every output names both axes of a workers × concurrency sweep, repeats are combined per
// configuration, and the thread-axis figures (fits, Karp–Flatt) stay on the thread axis.
import assert from "node:assert/strict";
import { jobRecords } from "../src/step/job_records.ts";
import { analyzeSweep, combineRepeats } from "../src/report/analysis/stats.ts";
import { analyzeConcurrency } from "../src/report/analysis/concurrency.ts";
import { renderAnalysisTable } from "../src/report/format/analysis_table.ts";
import { renderSummaryTable } from "../src/report/format/table.ts";
import { renderCsv } from "../src/report/format/csv.ts";
import { buildJsonReport } from "../src/report/format/json.ts";
import { renderChartSvg } from "../src/report/format/chart.ts";
import { checkNoise } from "../src/report/analysis/noise.ts";
import type { SweepStep } from "../src/types.ts";
import { runCli } from "./_cli.ts";

const MACHINE = {
  cpuModel: "test",
  cpuCount: 2,
  denoVersion: "2.9.6",
  v8Version: "x",
  wasmBuildHash: "y",
};

function done(elapsedSeconds: number) {
  return {
    jobId: "",
    jobNumber: 1,
    workerId: "w",
    status: "done" as const,
    elapsedSeconds,
    waitSeconds: 0,
  };
}

/** A step of 8 timer jobs of 10 ms: `seconds` as measured, CPU barely used. */
function timerStep(workers: number, concurrency: number, seconds: number, repeat = 1): SweepStep {
  return {
    workers,
    concurrency,
    jobCount: 8,
    seconds,
    repeat,
    speedup: 1,
    startupSeconds: workers * 0.04,
    completed: 8,
    failed: 0,
    cancelled: 0,
    averageJobSeconds: 0.01,
    peakRssBytes: 64 * 1024 * 1024,
    cpuSeconds: 0.002,
    jobs: jobRecords(Array.from({ length: 8 }, () => done(0.01))),
  };
}

Deno.test("combineRepeats() keeps one step per workers × concurrency, with the median CPU seconds", () => {
  const run = (repeat: number, cpu: number) =>
    [timerStep(1, 1, 0.08, repeat), timerStep(1, 8, 0.01 + repeat / 1000, repeat)].map((
      step,
    ) => ({ ...step, cpuSeconds: cpu }));
  const combined = combineRepeats([run(1, 0.003), run(2, 0.001), run(3, 0.002)]);
  assert.deepEqual(combined.map((step) => [step.workers, step.concurrency]), [[1, 1], [1, 8]]);
  assert.equal(combined[1].repeats, 3);
  assert.equal(combined[1].seconds, 0.012);
  assert.equal(combined[1].cpuSeconds, 0.002);
});

Deno.test("analyzeSweep() counts in-flight slots and fits only the thread axis", () => {
  const steps = [
    timerStep(1, 1, 0.08),
    timerStep(1, 8, 0.01),
    timerStep(2, 1, 0.04),
    timerStep(4, 1, 0.02),
  ];
  const analysis = analyzeSweep({ steps });
  const oneByEight = analysis.steps[1];
  assert.equal(oneByEight.concurrency, 8);
  // 8x faster with 8 slots: every slot busy, not an efficiency of 800%.
  assert.equal(oneByEight.efficiency, 1);
  assert.equal(oneByEight.utilization, 1);
  assert.equal(oneByEight.karpFlatt, null);
  // Amdahl sees the 1, 2 and 4 worker steps only (3 points), not the 8-in-flight one.
  assert.ok(analysis.amdahl.ok);
  assert.equal(analysis.amdahl.pointCount, 3);
});

Deno.test("the tables, CSV, JSON and chart name the jobs in flight, and the verdict replaces the worker recommendation", () => {
  const steps = [timerStep(1, 1, 0.08), timerStep(1, 8, 0.01), timerStep(2, 1, 0.04)];
  const verdict = analyzeConcurrency(steps, { cpuCount: 2 });
  const analysis = analyzeSweep({ steps }, { concurrency: verdict });

  const summary = renderSummaryTable(steps);
  assert.match(summary, /^\| NUMBER OF WORKERS \| JOBS IN FLIGHT \| NUMBER OF JOBS \|/m);
  assert.match(summary, /^\| +1 \| +8 \| +8 \| +0\.010000 \|/m);
  assert.doesNotMatch(renderSummaryTable([timerStep(1, 1, 0.08)]), /IN FLIGHT/);

  const table = renderAnalysisTable(analysis, { cpuCount: 2 });
  assert.match(table, /^\| WORKERS \| IN FLIGHT \| SECONDS/m);
  assert.match(table, /^Amdahl and USL fits are not a reason here: these jobs wait/m);
  assert.match(table, /^Recommendation: 1 worker × 8 in flight \(the cheapest within 5%/m);
  assert.doesNotMatch(table, /^Recommendation: 2 workers/m);
  assert.match(table, /These jobs wait 98% of their run time: 1 worker × 8 in flight did 8 jobs/);

  const [header, , row] = renderCsv(analysis).split("\n");
  assert.ok(header.endsWith(",cancelled,concurrency,warnings"));
  assert.ok(row.startsWith("1,8,") && row.endsWith(",8,"), row);

  const json = buildJsonReport({ config: {}, machine: MACHINE, analysis, sweepSteps: steps });
  assert.equal(json.schemaVersion, 3);
  assert.deepEqual(json.steps.map((step) => step.concurrency), [1, 8, 1]);
  assert.equal(json.concurrency?.shape, "waits");
  assert.deepEqual([json.concurrency?.pick.workers, json.concurrency?.pick.concurrency], [1, 8]);
  assert.equal(json.concurrency?.configurations.length, 3);
  assert.equal(json.explanation, verdict?.reason);

  const svg = renderChartSvg(analysis, { cpuCount: 2 });
  assert.match(svg, /class="in-flight-point" data-workers="1" data-concurrency="8"/);
  assert.equal(svg.match(/class="point"/g)?.length, 2);
});

Deno.test("a sweep at concurrency 1 keeps the seed's outputs and has no verdict", () => {
  const steps = [timerStep(1, 1, 0.08), timerStep(2, 1, 0.04)];
  assert.equal(analyzeConcurrency(steps), undefined);
  const analysis = analyzeSweep({ steps });
  assert.doesNotMatch(renderAnalysisTable(analysis), /IN FLIGHT|in flight/);
  const json = buildJsonReport({ config: {}, machine: MACHINE, analysis });
  assert.equal(json.concurrency, null);
});

Deno.test("the CLI's JSON, DEBUG log and summary name both axes for timer jobs", async () => {
  const run = await runCli([
    ...["--job", "sleep-async", "--sleep-ms", "20", "--jobs", "16"],
    ...["--workers", "0,1", "--concurrency", "1,8", "--format", "json", "--debug"],
  ]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(report.config.concurrency, [1, 8]);
  assert.deepEqual(
    report.steps.map((step: { workers: number; concurrency: number }) => [
      step.workers,
      step.concurrency,
    ]),
    [[1, 1], [1, 8]],
  );
  assert.equal(report.inline.concurrency, 1);
  // 16 jobs of 20 ms: 8 in flight take 2 rounds, 1 in flight 16: the verdict is 8 in flight.
  assert.equal(report.concurrency.pick.concurrency, 8);
  assert.equal(report.concurrency.configurations.length, 4);
  assert.match(run.stderr, /Jobs In Flight per Worker: +8/);
});

Deno.test("checkNoise() does not read interleaved jobs in flight as CPU taken by other work", () => {
  // 8 compute jobs of 10 ms each: 80 ms of CPU. One at a time each runs 10 ms; 8 in flight on one
  // thread interleave, so each job's run time spans the others' turns too.
  const step = (concurrency: number, cpuSeconds: number) => ({
    ...timerStep(1, concurrency, 0.08),
    cpuSeconds,
    jobs: jobRecords(Array.from({ length: 8 }, () => done(concurrency === 1 ? 0.01 : 0.08))),
  });
  const options = { cpuCount: 2, jobBound: "cpu" as const };
  assert.deepEqual(checkNoise([step(8, 0.08)], options).lines, []);
  // The same CPU at 1 in flight for twice the run time: the jobs did wait for a CPU.
  const starved = { ...step(1, 0.04) };
  assert.match(checkNoise([starved], options).lines[0], /^Warning: at 1 worker the CPU-bound jobs/);
});
