import assert from "node:assert/strict";
import { batchBound, describeBound } from "../src/report/analysis/bound.ts";
import { analyzeStep, analyzeSweep, combineRepeats } from "../src/report/analysis/stats.ts";
import { renderAnalysisTable } from "../src/report/format/analysis_table.ts";
import { renderChartSvg } from "../src/report/format/chart.ts";
import { renderCsv } from "../src/report/format/csv.ts";
import { buildJsonReport } from "../src/report/format/json.ts";
import { renderMarkdown } from "../src/report/format/markdown.ts";
import type { SweepStep } from "../src/types.ts";
import { evenJobs, type HandJob, handStep } from "./_why_steps.ts";

const MACHINE = {
  cpuModel: null,
  cpuCount: 2,
  denoVersion: "2.9.6",
  v8Version: "15",
  wasmBuildHash: null,
};

/** A full sweep step from hand-made jobs. */
function sweepStep(
  workers: number,
  seconds: number,
  jobs: readonly HandJob[],
  repeat = 1,
): SweepStep {
  const step = handStep(workers, seconds, jobs);
  return {
    ...step,
    concurrency: 1,
    repeat,
    jobCount: jobs.length,
    completed: jobs.length,
    failed: 0,
    cancelled: 0,
    averageJobSeconds: jobs.reduce((sum, job) => sum + job.elapsedSeconds, 0) / jobs.length,
    peakRssBytes: 0,
    startupSeconds: 0,
    speedup: 1,
  };
}

/** 16 sleep jobs of 250 ms on 1, 2, 4 and 7 workers, as a 2-core machine measures them. */
const SLEEP_SWEEP = [1, 2, 4, 7].map((workers) =>
  sweepStep(workers, Math.ceil(16 / workers) * 0.25 + 0.003, evenJobs(16, workers, 0.25))
);

Deno.test("the analysis table calls end-of-step idling imbalance, not dispatch overhead", () => {
  const text = renderAnalysisTable(analyzeSweep({ steps: SLEEP_SWEEP }), { cpuCount: 2 });
  assert.doesNotMatch(text, /Dispatch overhead per job/);
  assert.match(
    text,
    /^Why: at 7 workers, efficiency 76% = balance 76% × dispatch 100% × computation 100%: the busiest worker ran jobs 1\.31× as long as the average: the others idled at the end of the step \(16 jobs over 7 workers\)$/m,
  );
  assert.match(
    text,
    /^Bound at 7 workers: best possible for this batch: 750\.0 ms; measured 753\.0 ms$/m,
  );
  assert.match(text, /\| = BALANCE \| × DISPATCH \| × COMPUTE \| BEST POSSIBLE S \|/);
});

Deno.test("each step's factors multiply to its measured efficiency in the JSON report", () => {
  const analysis = analyzeSweep({ steps: SLEEP_SWEEP });
  const json = buildJsonReport({ config: {}, machine: MACHINE, analysis });
  for (const step of json.steps) {
    const b = step.breakdown!;
    assert.ok(Math.abs(b.balance! * b.dispatch! * b.computation! / step.efficiency! - 1) < 0.01);
  }
  assert.equal(json.steps[3].breakdown!.lostMost, "balance");
  assert.equal(json.steps[3].bound!.best, 0.75);
});

Deno.test("analyzeStep() never reports utilisation above 100% when the job clocks run ahead", () => {
  // The jobs' run times (worker clocks) add up to 1.014 s of a 1 s step on 1 worker.
  const step = sweepStep(1, 1, [{ worker: 0, elapsedSeconds: 0.507 }, {
    worker: 0,
    elapsedSeconds: 0.507,
  }]);
  assert.equal(analyzeStep(step, step).utilization, 1);
});

Deno.test("describeBound() reads clock jitter between equal jobs as equal sizes", () => {
  const jobs = [0.2500, 0.2502, 0.2501, 0.2503];
  assert.deepEqual(describeBound(batchBound(jobs, 2), 0.503, jobs), [
    "best possible for this batch: 500.3 ms; measured 503.0 ms",
  ]);
});

/** Five runs where 4 workers' median is 7% faster than 2's, but the runs overlap. */
const NOISY: Record<number, number[]> = {
  1: [4.0, 4.1, 3.95, 4.05, 4.0],
  2: [2.0, 2.3, 1.9, 2.2, 2.1],
  4: [1.7, 2.3, 1.8, 2.2, 1.95],
};

function noisyRuns(): SweepStep[] {
  return [1, 2, 3, 4, 5].flatMap((repeat) =>
    [1, 2, 4].map((workers) =>
      sweepStep(workers, NOISY[workers][repeat - 1], evenJobs(8, workers, 0.48), repeat)
    )
  );
}

Deno.test("with five repeats the recommendation is the fewest workers within noise of the best", () => {
  const sweepSteps = noisyRuns();
  const analysis = analyzeSweep({ steps: combineRepeats([sweepSteps]) }, { sweepSteps });
  assert.equal(analysis.recommendation.workers, 2);
  assert.equal(analysis.recommendation.reason, "2 and 4 workers are within noise; 2 is cheaper");
  const text = renderAnalysisTable(analysis);
  assert.match(text, /\| SPEED-UP 95% CI \|/);
  assert.match(
    text,
    /^Recommendation: 2 workers \(2 and 4 workers are within noise; 2 is cheaper\)$/m,
  );
  const json = buildJsonReport({ config: {}, machine: MACHINE, analysis, sweepSteps });
  assert.deepEqual(json.recommendation.withinNoise, [2, 4]);
  const interval = json.steps[2].speedupInterval!;
  assert.ok(interval.low! < json.steps[2].speedup! && json.steps[2].speedup! < interval.high!);
  // The chart's whiskers are the intervals, not the min-max.
  const svg = renderChartSvg(analysis);
  assert.match(svg, /95% interval of 5 runs/);
  assert.match(
    svg,
    new RegExp(`class="whisker" data-workers="4" data-min="${Number(interval.low!.toFixed(4))}"`),
  );
});

Deno.test("the Markdown and CSV exports carry the run's warnings, as JSON does", () => {
  const analysis = analyzeSweep({ steps: SLEEP_SWEEP });
  const warnings = ["Warning: the machine was busy, at sleep-ms = 5"];
  assert.match(
    renderMarkdown(analysis, { warnings }),
    /\nWarnings:\n\n- Warning: the machine was busy, at sleep-ms = 5\n$/,
  );
  const csv = renderCsv(analysis, { warnings }).trimEnd().split("\n");
  assert.equal(csv[0].split(",").at(-1), "warnings");
  assert.ok(
    csv.slice(1).every((row) => row.endsWith(',"Warning: the machine was busy, at sleep-ms = 5"')),
  );
});

Deno.test("a µs job whose 1-worker baseline was itself dispatch-bound names dispatch", () => {
  // 1000 jobs of 100 ns in a 1 ms step: the worker ran jobs 10% of it. At 2 workers the jobs
  // ran twice as long (200 ns) and the step took 1.5 ms.
  const one = sweepStep(1, 0.001, evenJobs(1000, 1, 100e-9));
  const two = sweepStep(2, 0.0015, evenJobs(1000, 2, 200e-9));
  const analysis = analyzeSweep({ steps: [one, two] });
  const breakdown = analysis.why.steps[1].breakdown!;
  assert.ok(Math.abs(breakdown.product / breakdown.measured - 1) < 1e-9);
  assert.equal(breakdown.lostMost, "dispatch");
  assert.match(
    breakdown.sentence,
    /: the workers ran jobs only 10% of the step even on 1 worker \(the busiest 7% here\): handing out jobs, not the jobs, sets the step time$/,
  );
});
