import assert from "node:assert/strict";
import { debugLogger } from "../src/cli/debug_log.ts";
import { renderSummary } from "../src/cli/render.ts";
import { findJobKind } from "../src/jobs/registry.ts";
import { checkNoise } from "../src/report/analysis/noise.ts";
import { analyzeSweep } from "../src/report/analysis/stats.ts";
import { analyzeScan, renderGranularityTable } from "../src/report/scan/granularity.ts";
import { runSweep } from "../src/sweep/sweep.ts";
import type { JobResult, SweepEvent, SweepStep } from "../src/types.ts";
import { handStep } from "./_why_steps.ts";

function sweepStep(workers: number, seconds: number, runs: readonly number[]): SweepStep {
  const step = handStep(
    workers,
    seconds,
    runs.map((elapsedSeconds, i) => ({
      worker: i % workers,
      elapsedSeconds,
    })),
  );
  return {
    ...step,
    concurrency: 1,
    repeat: 1,
    jobCount: runs.length,
    completed: runs.length,
    failed: 0,
    cancelled: 0,
    averageJobSeconds: runs.reduce((sum, run) => sum + run, 0) / runs.length,
    peakRssBytes: 0,
    startupSeconds: 0,
    speedup: 1,
  };
}

Deno.test("the DEBUG log shows a job STARTED only once its worker finished the one before", () => {
  const lines: string[] = [];
  const log = debugLogger("sleep", (line) => lines.push(line));
  const job = (jobNumber: number): JobResult => ({
    jobId: `job-${jobNumber}`,
    jobNumber,
    workerId: "w1",
    status: "done",
    elapsedSeconds: 0.5,
    waitSeconds: 0,
  });
  const events: SweepEvent[] = [
    {
      type: "step-start",
      step: 1,
      stepCount: 1,
      repeat: 1,
      workers: 1,
      concurrency: 1,
      jobCount: 2,
    },
    // The main thread saw job 2 running before job 1's report arrived.
    { type: "job-started", jobNumber: 1, jobCount: 2, jobId: "job-1", workerId: "w1" },
    { type: "job-started", jobNumber: 2, jobCount: 2, jobId: "job-2", workerId: "w1" },
    { type: "job-finished", jobCount: 2, job: job(1) },
    { type: "job-finished", jobCount: 2, job: job(2) },
  ];
  for (const event of events) log(event);
  const jobLines = lines.filter((line) => /JOB \d\/2/.test(line)).map((line) =>
    /JOB (\d)\/2 (\w+)/.exec(line)!.slice(1).join(" ")
  );
  assert.deepEqual(jobLines, ["1 STARTED", "1 COMPLETED", "2 STARTED", "2 COMPLETED"]);
});

Deno.test("progress counts a job done before its worker's next job ends", async () => {
  const seen: string[] = [];
  const onEvent = (event: SweepEvent) => {
    if (event.type === "job-started") seen.push(`started ${event.jobNumber}`);
    if (event.type === "job-finished") seen.push(`finished ${event.job.jobNumber}`);
  };
  for await (
    const _ of runSweep({
      job: "sleep",
      params: { sleepMs: 150 },
      workerCounts: [1],
      jobCount: 3,
      jobEvents: true,
      onEvent,
    })
  ) { /* the events are the result */ }
  // One worker runs the jobs in turn: job 1 is reported done while job 2 runs, before job 3
  // starts (its report used to wait for the end of job 2).
  assert.ok(seen.indexOf("finished 1") < seen.indexOf("started 3"), seen.join(", "));
  assert.ok(seen.indexOf("finished 2") >= 0);
});

Deno.test("a busy machine is no warning for jobs that wait, and a scan's warning names its value", () => {
  const step = { ...sweepStep(1, 1, [0.5, 0.5]), loadAverage: 9 };
  assert.deepEqual(checkNoise([step], { cpuCount: 2, jobBound: "wait" }).lines, []);
  const cpu = checkNoise([step], { cpuCount: 2, jobBound: "cpu", scanValue: "digits = 100" });
  assert.match(cpu.lines[0], /^Warning \(at digits = 100\): the machine was busy/);
  assert.match(cpu.lines.at(-1)!, /^The verdict above \(at digits = 100\) is unreliable/);
});

Deno.test("a scan value whose block recommends 1 worker (dispatch-bound) does not pay in the scan table", () => {
  // Jobs of 1 ms in 10 ms steps: the worker was busy 10% of the time, yet 2 workers ran 1.26x.
  const tiny = analyzeSweep({
    steps: [
      sweepStep(1, 0.010, Array(10).fill(0.0001)),
      sweepStep(2, 0.0079, Array(10).fill(0.0001)),
    ],
  });
  const big = analyzeSweep({
    steps: [sweepStep(1, 1, Array(10).fill(0.1)), sweepStep(2, 0.5, Array(10).fill(0.1))],
  });
  assert.equal(tiny.recommendation.workers, 1);
  const scan = analyzeScan("n", [{ value: 100, analysis: tiny }, { value: 1000, analysis: big }]);
  assert.deepEqual(scan.crossover.points.map((point) => [point.value, point.pays]), [
    [100, false],
    [1000, true],
  ]);
  const table = renderGranularityTable(scan);
  assert.match(table, /\| EFFICIENCY \| USE \| PAYS \|/);
  assert.match(table, /^\| +100 \|.*\| +1 \| no +\|$/m);
  assert.match(table, /^More workers pay from n = 1000/m);
});

Deno.test("the summary gives the median beside the mean and says when a few slow jobs skew it", () => {
  const kind = findJobKind("noop")!;
  // 39 jobs of 40 µs and one of 4 ms (the first, warming up): the mean, 139 µs, is above the
  // 95th percentile, 40 µs.
  const runs = [4e-3, ...Array(39).fill(40e-6)];
  const text = renderSummary({ kind, params: {} }, [sweepStep(1, 0.01, runs)]);
  assert.match(
    text,
    /^Average job execution time \(in the worker; mean \[median\]\): 1 w 139\.0 µs \[40\.0 µs\]$/m,
  );
  assert.match(text, /^The mean job time is above the 95th percentile at 1 w: a few slow jobs/m);
});
