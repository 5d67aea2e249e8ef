import assert from "node:assert/strict";
import { jobRecords } from "../src/step/job_records.ts";
import type { JobResult, SweepStep } from "../src/types.ts";
import { analyzeSweep, combineRepeats } from "../src/report/analysis/stats.ts";
import { renderAnalysisTable } from "../src/report/format/analysis_table.ts";
import { renderCsv } from "../src/report/format/csv.ts";
import { describeFits } from "../src/report/analysis/explain.ts";
import {
  buildJsonReport,
  JSON_SCHEMA_VERSION,
  type MachineInfo,
  renderJson,
} from "../src/report/format/json.ts";
import { renderMarkdown } from "../src/report/format/markdown.ts";

const MIB = 1024 * 1024;

function step(
  workers: number,
  seconds: number,
  runSeconds: number,
  waits: number[],
  rssMiB: number,
): SweepStep {
  const jobs: JobResult[] = waits.map((waitSeconds, i) => ({
    jobId: `job-${i + 1}`,
    jobNumber: i + 1,
    workerId: `worker-${i % workers}`,
    status: "done",
    elapsedSeconds: runSeconds,
    waitSeconds,
  }));
  return {
    workers,
    jobCount: jobs.length,
    seconds,
    repeat: 1,
    startupSeconds: 0.05,
    completed: jobs.length,
    failed: 0,
    cancelled: 0,
    averageJobSeconds: runSeconds,
    peakRssBytes: rssMiB * MIB,
    speedup: 1,
    jobs: jobRecords(jobs),
  };
}

/**
 * Amdahl with s = 0.2 exactly: 10 s, 6 s, 4 s on 1, 2, 4 workers. Speed-ups
 * 1, 5/3, 2.5; Karp–Flatt 0.2 at both; 4 jobs each, all busy but the last step.
 */
function fixedAnalysis() {
  return analyzeSweep({
    steps: [
      step(1, 10, 2.5, [0, 2.5, 5, 7.5], 50),
      step(2, 6, 3, [0, 0, 3, 3], 60),
      step(4, 4, 3.5, [0, 0, 0, 0], 80),
    ],
  });
}

const MACHINE: MachineInfo = {
  cpuModel: "Test CPU @ 3.0GHz",
  cpuCount: 8,
  denoVersion: "2.9.6",
  v8Version: "15.0.245.2-rusty",
  wasmBuildHash: "ab".repeat(32),
  os: "linux",
  arch: "x86_64",
};

const FIT_LINES = [
  // 14 s of jobs at 4 workers against 10 s at 1 (computation 71%); the busiest worker ran 3.5 s
  // of the 4 s step (dispatch 88%); no worker idled while another ran (balance 100%).
  "Why: at 4 workers, efficiency 63% = balance 100% × dispatch 88% × computation 71%: jobs ran " +
  "1.40× longer than on 1 worker",
  "Bound at 4 workers: best possible for this batch: 3.50 s; measured 4.000 s",
  "Amdahl: s=0.2 (R² 1.000), speed-up limit +5x, predicted +3.33x at 8 workers",
  "USL: σ=0.2 κ=0 (R² 1.000), no peak, predicted +3.33x at 8 workers",
  "Recommendation: 4 workers (speed-up was still rising at 4 workers, the most measured)",
];

const SENTENCE =
  "Speed-up keeps rising up to 4 workers but at 63% efficiency: about 20% of the work behaves " +
  "as serial.";

const HEADER_ROW =
  "workers,jobCount,repeats,seconds,secondsMin,secondsMax,secondsMean,secondsStdDev," +
  "workerRatio,speedup,efficiency,karpFlatt,waitSecondsMin,waitSecondsP50,waitSecondsP95," +
  "waitSecondsP99,waitSecondsMax,runSecondsMin,runSecondsP50,runSecondsP95,runSecondsP99," +
  "runSecondsMax,utilization,overheadSeconds,breakdownBalance,breakdownDispatch," +
  "breakdownComputation,breakdownProduct,breakdownMeasured,breakdownRawDispatch," +
  "breakdownCounted,breakdownLostMost,breakdownSentence,breakdownRepeat,boundBest," +
  "boundClaimOrder,boundLongestFirst,boundLowerBound,boundOrderCostSeconds," +
  "speedupIntervalLow,speedupIntervalHigh,peakRssMiB,completed,failed,cancelled,concurrency,warnings";

Deno.test("renderCsv() writes a header of JSON key names and one fixed-precision row per step", () => {
  // Without the sweep's own steps, the min and p99 cells are empty; without repeats, the
  // speed-up interval's; no warnings given, the last cell is empty.
  assert.equal(
    renderCsv(fixedAnalysis()),
    [
      HEADER_ROW,
      "1,4,1,10.000000,10.000000,10.000000,10.000000,0.000000,1.000000,1.000000,1.000000,,,3.7500" +
      "00000,7.125000000,,7.500000000,,2.500000000,2.500000000,,2.500000000,1.000000,0.000000000," +
      '1.000000,1.000000,1.000000,1.000000,1.000000,1.000000,run time,balance,"at 1 worker, effic' +
      'iency 100% = balance 100% × dispatch 100% × computation 100%: no factor lost more than 1%"' +
      ",1,10.000000000,10.000000000,10.000000000,10.000000000,0.000000000,,,50.000,4,0,0,1,",
      "2,4,1,6.000000,6.000000,6.000000,6.000000,0.000000,2.000000,1.666667,0.833333,0.200000,,1." +
      "500000000,3.000000000,,3.000000000,,3.000000000,3.000000000,,3.000000000,1.000000,0.000000" +
      '000,1.000000,1.000000,0.833333,0.833333,0.833333,1.000000,run time,computation,"at 2 worke' +
      "rs, efficiency 83% = balance 100% × dispatch 100% × computation 83%: jobs ran 1.20× longer" +
      ' than on 1 worker",1,6.000000000,6.000000000,6.000000000,6.000000000,0.000000000,,,60.000,' +
      "4,0,0,1,",
      "4,4,1,4.000000,4.000000,4.000000,4.000000,0.000000,4.000000,2.500000,0.625000,0.200000,,0." +
      "000000000,0.000000000,,0.000000000,,3.500000000,3.500000000,,3.500000000,0.875000,0.500000" +
      '000,1.000000,0.875000,0.714286,0.625000,0.625000,0.875000,run time,computation,"at 4 worke' +
      "rs, efficiency 63% = balance 100% × dispatch 88% × computation 71%: jobs ran 1.40× longer " +
      'than on 1 worker",1,3.500000000,3.500000000,3.500000000,3.500000000,0.000000000,,,80.000,4' +
      ",0,0,1,",
      "",
    ].join("\n"),
  );
});

Deno.test("renderMarkdown() writes the table, the fits as bullets and the explanation", () => {
  assert.equal(
    renderMarkdown(fixedAnalysis()),
    [
      "| Workers | Seconds | Speed-up | Efficiency | = Balance | × Dispatch | × Computation " +
      "| Best possible (s) | Karp–Flatt | Utilisation | Wait p50/p95 (s) " +
      "| Run p50/p95 (s) | Peak RSS (MiB) |",
      "| ---: | ---: | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      "| 1 | 10.000000 | (baseline) | 100.0% | 100.0% | 100.0% | 100.0% | 10.000 | - | 100.0% " +
      "| 3.750/7.125 | 2.500/2.500 | 50.0 |",
      "| 2 | 6.000000 | +1.67x | 83.3% | 100.0% | 100.0% | 83.3% | 6.000 | 0.200 | 100.0% " +
      "| 1.500/3.000 | 3.000/3.000 | 60.0 |",
      "| 4 | 4.000000 | +2.5x | 62.5% | 100.0% | 87.5% | 71.4% | 3.500 | 0.200 | 87.5% " +
      "| 0.000/0.000 | 3.500/3.500 | 80.0 |",
      "",
      ...FIT_LINES.map((line) => `- ${line}`),
      "",
      SENTENCE,
      "",
    ].join("\n"),
  );
});

Deno.test("renderAnalysisTable() prints the ASCII table, the fit lines and the sentence", () => {
  const border =
    "+---------+-----------+------------+------------+-----------+------------+-----------" +
    "+-----------------+------------+-------------+--------------+-------------+--------------+";
  assert.equal(
    renderAnalysisTable(fixedAnalysis(), { cpuCount: 8 }),
    [
      border,
      "| WORKERS | SECONDS   | SPEED-UP   | EFFICIENCY | = BALANCE | × DISPATCH | × COMPUTE " +
      "| BEST POSSIBLE S | KARP-FLATT | UTILISATION | WAIT P50/P95 | RUN P50/P95 | PEAK RSS MIB |",
      border,
      "|       1 | 10.000000 | (baseline) |     100.0% |    100.0% |     100.0% |    100.0% " +
      "|          10.000 |          - |      100.0% |  3.750/7.125 | 2.500/2.500 |         50.0 |",
      "|       2 |  6.000000 | +1.67x     |      83.3% |    100.0% |     100.0% |     83.3% " +
      "|           6.000 |      0.200 |      100.0% |  1.500/3.000 | 3.000/3.000 |         60.0 |",
      "|       4 |  4.000000 | +2.5x      |      62.5% |    100.0% |      87.5% |     71.4% " +
      "|           3.500 |      0.200 |       87.5% |  0.000/0.000 | 3.500/3.500 |         80.0 |",
      border,
      ...FIT_LINES,
      SENTENCE,
      "",
    ].join("\n"),
  );
});

Deno.test("renderAnalysisTable() blames the core count when the machine has fewer CPUs", () => {
  const text = renderAnalysisTable(fixedAnalysis(), { cpuCount: 2 });
  assert.match(text, /at 63% efficiency: this machine has 2 logical CPUs\.\n$/);
});

Deno.test("renderAnalysisTable() adds min–max and run columns when steps were repeated", () => {
  const runs = [
    [step(1, 10, 2.5, [0, 0], 50), step(2, 6, 3, [0, 0], 60)],
    [step(1, 11, 2.5, [0, 0], 50), step(2, 5, 3, [0, 0], 60)],
    [step(1, 12, 2.5, [0, 0], 50), step(2, 5.5, 3, [0, 0], 60)],
  ];
  const text = renderAnalysisTable(analyzeSweep({ steps: combineRepeats(runs) }));
  assert.match(
    text,
    /^\| WORKERS \| SECONDS +\| SECONDS MIN-MAX +\| MEAN ± σ +\| RUNS \| SPEED-UP /m,
  );
  assert.match(
    text,
    /^\| +2 \| +5\.500000 \| +5\.000000-6\.000000 \| +5\.500000 ± 0\.500000 \| +3 \| \+2x /m,
  );
  assert.doesNotMatch(renderAnalysisTable(fixedAnalysis()), /MIN-MAX|RUNS/);
});

Deno.test("renderAnalysisTable() adds FAILED and CANCELLED columns when a job did not finish", () => {
  const failing = step(2, 6, 3, [0, 0, 3, 3], 60);
  const failingJobs = [...failing.jobs];
  failingJobs[3] = { ...failingJobs[3], status: "failed" };
  failing.jobs = jobRecords(failingJobs);
  failing.completed = 3;
  failing.failed = 1;
  const analysis = analyzeSweep({ steps: [step(1, 10, 2.5, [0, 2.5, 5, 7.5], 50), failing] });
  const text = renderAnalysisTable(analysis);
  assert.match(text, /\| PEAK RSS MIB \| FAILED \| CANCELLED \|/);
  assert.match(text, /\| +60\.0 \| +1 \| +0 \|/);
});

Deno.test("describeFits() says why a fit is missing", () => {
  const analysis = analyzeSweep({ steps: [step(1, 10, 2.5, [0], 50), step(2, 6, 3, [0], 60)] });
  const [amdahl, usl] = describeFits(analysis);
  assert.equal(
    amdahl,
    "Amdahl: not fitted (needs speed-ups at 3 or more worker counts, received 2)",
  );
  assert.equal(usl, "USL: not fitted (needs speed-ups at 3 or more worker counts, received 2)");
});

/** Every key the JSON report documents, as paths; `steps[]` stands for each step. */
const DOCUMENTED_PATHS = [
  "schemaVersion",
  "generatedAt",
  "config",
  "machine.cpuModel",
  "machine.cpuCount",
  "machine.denoVersion",
  "machine.v8Version",
  "machine.wasmBuildHash",
  "baselineWorkers",
  "steps[].workers",
  "steps[].concurrency",
  "steps[].jobCount",
  "steps[].repeats",
  "steps[].seconds",
  "steps[].secondsMin",
  "steps[].secondsMax",
  "steps[].workerRatio",
  "steps[].speedup",
  "steps[].efficiency",
  "steps[].karpFlatt",
  "steps[].repeatSeconds",
  "steps[].waitSeconds.min",
  "steps[].waitSeconds.p50",
  "steps[].waitSeconds.p95",
  "steps[].waitSeconds.p99",
  "steps[].waitSeconds.max",
  "steps[].runSeconds.min",
  "steps[].runSeconds.p50",
  "steps[].runSeconds.p95",
  "steps[].runSeconds.p99",
  "steps[].runSeconds.max",
  "steps[].overheadSeconds",
  "steps[].breakdown",
  "steps[].bound",
  "steps[].speedupInterval",
  "why.lines",
  "why.intervalMethod",
  "steps[].utilization",
  "steps[].peakRssMiB",
  "steps[].completed",
  "steps[].failed",
  "steps[].cancelled",
  "amdahl.ok",
  "amdahl.model",
  "amdahl.baselineWorkers",
  "amdahl.serialFraction",
  "amdahl.rSquared",
  "amdahl.pointCount",
  "amdahl.speedupLimit",
  "amdahl.predicted.workers",
  "amdahl.predicted.speedup",
  "usl.ok",
  "usl.model",
  "usl.baselineWorkers",
  "usl.sigma",
  "usl.kappa",
  "usl.rSquared",
  "usl.pointCount",
  "usl.peakWorkers",
  "usl.bestWorkers",
  "usl.predicted.workers",
  "usl.predicted.speedup",
  "recommendation.workers",
  "recommendation.fastestWorkers",
  "recommendation.fastestSpeedup",
  "recommendation.reason",
  "concurrency",
  "explanation",
];

function has(value: unknown, path: string[]): boolean {
  if (path.length === 0) return true;
  const [head, ...rest] = path;
  if (head.endsWith("[]")) {
    const list = (value as Record<string, unknown>)[head.slice(0, -2)];
    return Array.isArray(list) && list.length > 0 && list.every((item) => has(item, rest));
  }
  return value !== null && typeof value === "object" && head in value &&
    has((value as Record<string, unknown>)[head], rest);
}

Deno.test("renderJson() parses back with every documented key", () => {
  const text = renderJson({
    config: { job: "sleep", jobCount: 4 },
    machine: MACHINE,
    analysis: fixedAnalysis(),
    generatedAt: "2025-01-02T03:04:05.000Z",
  });
  assert.ok(text.endsWith("}\n"));
  const parsed = JSON.parse(text);
  for (const path of DOCUMENTED_PATHS) {
    assert.ok(has(parsed, path.split(".")), `missing ${path}`);
  }
  assert.equal(parsed.schemaVersion, JSON_SCHEMA_VERSION);
  assert.equal(parsed.schemaVersion, 3);
  assert.equal(parsed.steps[2].breakdown.lostMost, "computation");
  assert.ok(Math.abs(parsed.steps[2].breakdown.product - parsed.steps[2].efficiency) < 1e-12);
  assert.equal(parsed.steps[2].bound.best, 3.5);
  assert.equal(parsed.steps[2].speedupInterval, null);
  assert.equal(parsed.why.lines.length, 2);
  assert.equal(parsed.generatedAt, "2025-01-02T03:04:05.000Z");
  assert.deepEqual(parsed.config, { job: "sleep", jobCount: 4 });
  assert.deepEqual(parsed.machine, MACHINE);
  assert.deepEqual(parsed.steps[2].waitSeconds, { min: null, p50: 0, p95: 0, p99: null, max: 0 });
  assert.deepEqual(parsed.steps[2].repeatSeconds, [4]);
  assert.equal(parsed.steps[1].karpFlatt.toFixed(9), "0.200000000");
  assert.equal(parsed.steps[0].karpFlatt, null);
  assert.equal(parsed.steps[2].utilization, 0.875);
  // 4 workers × 4 s − 14 s of jobs, over 4 jobs.
  assert.equal(parsed.steps[2].overheadSeconds, 0.5);
  assert.equal(parsed.steps[0].overheadSeconds, 0);
  assert.equal(parsed.amdahl.serialFraction.toFixed(9), "0.200000000");
  assert.equal(parsed.usl.kappa, 0);
  assert.equal(parsed.recommendation.workers, 4);
  assert.equal(parsed.explanation, SENTENCE);
});

Deno.test("renderJson() writes failed fits as ok false with a reason, and null for missing times", () => {
  const noTime = step(1, 0, 0, [], 10);
  const parsed = JSON.parse(renderJson({
    config: {},
    machine: MACHINE,
    analysis: analyzeSweep({ steps: [noTime] }),
  }));
  assert.equal(parsed.generatedAt, null);
  assert.deepEqual(parsed.amdahl, {
    ok: false,
    model: "amdahl",
    reason: "needs speed-ups at 3 or more worker counts, received 0",
  });
  assert.equal(parsed.usl.ok, false);
  assert.equal(parsed.steps[0].speedup, null);
  assert.equal(parsed.steps[0].waitSeconds, null);
  assert.equal(parsed.steps[0].runSeconds, null);
  assert.equal(parsed.steps[0].utilization, null);
  assert.equal(parsed.steps[0].overheadSeconds, null);
});

Deno.test("buildJsonReport() replaces non-finite numbers with null", () => {
  const analysis = fixedAnalysis();
  analysis.steps[1].speedup = Number.POSITIVE_INFINITY;
  const json = buildJsonReport({ config: {}, machine: MACHINE, analysis });
  assert.equal(json.steps[1].speedup, null);
  assert.doesNotMatch(JSON.stringify(json), /NaN|Infinity/);
});

Deno.test("renderAnalysisTable() prints run and wait times under 1 ms in µs or ns, not as 0.000", () => {
  const analysis = analyzeSweep({
    steps: [
      step(1, 0.001, 0.000005, [0.0004, 0.0000002], 10),
      step(2, 0.0005, 0.000005, [0, 0], 10),
    ],
  });
  const text = renderAnalysisTable(analysis);
  assert.match(text, /\| +1 \|.*\| +\d+(\.\d)?µs\/\d+(\.\d)?µs \| +5\.0µs\/5\.0µs \|/);
  assert.match(text, /\| +2 \|.*\| +0\.000\/0\.000 \| +5\.0µs\/5\.0µs \|/);
});
