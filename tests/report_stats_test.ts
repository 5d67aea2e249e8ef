import assert from "node:assert/strict";
import { jobRecords } from "../src/step/job_records.ts";
import type { JobResult, SweepStep } from "../src/types.ts";
import {
  analyzeStep,
  analyzeSweep,
  combineRepeats,
  medianMinMax,
  percentile,
  percentiles,
} from "../src/report/analysis/stats.ts";
import { karpFlatt } from "../src/report/analysis/models.ts";

const MIB = 1024 * 1024;

function job(overrides: Partial<JobResult> = {}): JobResult {
  return {
    jobId: crypto.randomUUID(),
    jobNumber: 1,
    workerId: "worker",
    status: "done",
    elapsedSeconds: 1,
    waitSeconds: 0,
    ...overrides,
  };
}

function step(
  workers: number,
  seconds: number,
  overrides: Partial<Omit<SweepStep, "jobs">> & { jobs?: JobResult[] } = {},
): SweepStep {
  const jobs = overrides.jobs ?? [];
  return {
    workers,
    jobCount: jobs.length || 4,
    seconds,
    repeat: 1,
    startupSeconds: 0.01,
    completed: jobs.filter((j) => j.status === "done").length,
    failed: jobs.filter((j) => j.status === "failed").length,
    cancelled: jobs.filter((j) => j.status === "cancelled").length,
    averageJobSeconds: 1,
    peakRssBytes: 64 * MIB,
    speedup: 1,
    ...overrides,
    jobs: jobRecords(jobs),
  };
}

function assertClose(actual: number | null, expected: number, tolerance = 1e-9) {
  assert.ok(actual !== null, `expected ${expected}, received null`);
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `expected ${expected} ± ${tolerance}, received ${actual}`,
  );
}

function assertNoNaN(value: unknown, path = "value") {
  if (typeof value === "number") {
    assert.ok(Number.isFinite(value), `${path} is ${value}`);
  } else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) assertNoNaN(inner, `${path}.${key}`);
  }
}

Deno.test("percentile() interpolates linearly between the closest ranks", () => {
  const values = [50, 15, 40, 20, 35];
  assert.equal(percentile(values, 0), 15);
  assert.equal(percentile(values, 0.5), 35);
  assert.equal(percentile(values, 0.95), 48); // rank 3.8: 40 + 0.8 × (50 − 40)
  assert.equal(percentile(values, 1), 50);
  assertClose(percentile([1, 2, 3, 4], 0.5), 2.5);
  assertClose(percentile([1, 2, 3, 4], 0.95), 3.85);
});

Deno.test("percentile() returns null for an empty sample and skips non-finite values", () => {
  assert.equal(percentile([], 0.5), null);
  assert.equal(percentile([Number.NaN], 0.5), null);
  assert.equal(percentile([3, Number.NaN, 1], 1), 3);
});

Deno.test("percentile() rejects a fraction outside 0 to 1", () => {
  assert.throws(() => percentile([1], 1.5), RangeError);
  assert.throws(() => percentile([1], Number.NaN), RangeError);
});

Deno.test("percentiles() gives p50, p95 and max of one value as that value", () => {
  assert.deepEqual(percentiles([0.25]), { p50: 0.25, p95: 0.25, max: 0.25 });
  assert.equal(percentiles([]), null);
});

Deno.test("medianMinMax() takes the middle of an odd count and the mean of the middle two", () => {
  assert.deepEqual(medianMinMax([3, 1, 2]), { median: 2, min: 1, max: 3 });
  assert.deepEqual(medianMinMax([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4 });
  assert.throws(() => medianMinMax([]), RangeError);
});

Deno.test("karpFlatt() matches the textbook value and gives back Amdahl's serial fraction", () => {
  // S = 3.2 on 4 processors: (1/3.2 − 1/4) / (1 − 1/4) = 0.0625 / 0.75.
  assertClose(karpFlatt(3.2, 4), 0.0625 / 0.75);
  for (const p of [2, 3, 8, 16]) {
    assertClose(karpFlatt(1 / (0.2 + 0.8 / p), p), 0.2, 1e-12);
  }
  assertClose(karpFlatt(4, 4), 0);
});

Deno.test("karpFlatt() is null where it is undefined: p = 1, or no speed-up", () => {
  assert.equal(karpFlatt(1, 1), null);
  assert.equal(karpFlatt(0, 4), null);
  assert.equal(karpFlatt(Number.POSITIVE_INFINITY, 4), null);
});

Deno.test("analyzeStep() measures efficiency against the ideal for the worker ratio, not the count", () => {
  const figures = analyzeStep(step(4, 6), { workers: 2, seconds: 10 });
  assert.equal(figures.workerRatio, 2);
  assertClose(figures.speedup, 10 / 6);
  assertClose(figures.efficiency, 10 / 12);
  assertClose(figures.karpFlatt, (0.6 - 0.5) / 0.5);
});

Deno.test("analyzeStep() gives the baseline step speed-up 1, efficiency 1 and no Karp–Flatt", () => {
  const baseline = step(2, 10);
  const figures = analyzeStep(baseline, baseline);
  assert.equal(figures.speedup, 1);
  assert.equal(figures.efficiency, 1);
  assert.equal(figures.karpFlatt, null);
});

Deno.test("analyzeStep() takes wait times from started jobs and run times from finished ones", () => {
  const jobs = [
    job({ waitSeconds: 0, elapsedSeconds: 1 }),
    job({ waitSeconds: 1, elapsedSeconds: 2 }),
    job({ waitSeconds: 2, elapsedSeconds: 3, status: "failed" }),
    job({ waitSeconds: 9, elapsedSeconds: 0, status: "cancelled", workerId: "" }),
  ];
  const figures = analyzeStep(step(2, 4, { jobs }), { workers: 1, seconds: 8 });
  assert.deepEqual(figures.waitSeconds, { p50: 1, p95: 1.9, max: 2 });
  assert.deepEqual(figures.runSeconds, { p50: 1.5, p95: 1.95, max: 2 });
  // Busy 1 + 2 + 3 s (the failed job held its worker too) over 4 s × 2 workers.
  assertClose(figures.utilization, 6 / 8);
  assert.deepEqual([figures.completed, figures.failed, figures.cancelled], [2, 1, 1]);
});

Deno.test("analyzeStep() reports peak RSS in MiB", () => {
  const figures = analyzeStep(step(1, 1, { peakRssBytes: 96 * MIB }), step(1, 1));
  assert.equal(figures.peakRssMiB, 96);
});

Deno.test("analyzeStep() turns zero seconds into null figures instead of NaN or Infinity", () => {
  const figures = analyzeStep(step(2, 0, { jobs: [job()] }), { workers: 1, seconds: 0 });
  assert.equal(figures.speedup, null);
  assert.equal(figures.efficiency, null);
  assert.equal(figures.karpFlatt, null);
  assert.equal(figures.utilization, null);
  assertNoNaN(figures);
});

Deno.test("analyzeStep() rejects a step with no workers", () => {
  assert.throws(() => analyzeStep(step(0, 1), step(1, 1)), RangeError);
  assert.throws(() => analyzeStep(step(1, 1), step(0, 1)), RangeError);
});

Deno.test("combineRepeats() reports the median seconds with min–max and speed-ups from medians", () => {
  const runs = [
    [step(1, 8.4), step(2, 4.4), step(4, 2.9)],
    [step(1, 8.0), step(2, 4.0), step(4, 2.5)],
    [step(1, 8.2), step(2, 4.9), step(4, 2.0)],
  ];
  const combined = combineRepeats(runs);
  assert.deepEqual(combined.map((s) => s.workers), [1, 2, 4]);
  assert.deepEqual(combined.map((s) => s.seconds), [8.2, 4.4, 2.5]);
  const ranges = combined.map((s) => [s.secondsMin, s.secondsMax]);
  assert.deepEqual(ranges, [[8, 8.4], [4, 4.9], [2, 2.9]]);
  assert.deepEqual(combined.map((s) => s.repeats), [3, 3, 3]);
  assertClose(combined[0].speedup, 1);
  assertClose(combined[1].speedup, 8.2 / 4.4);
  assertClose(combined[2].speedup, 8.2 / 2.5);
});

Deno.test("combineRepeats() groups by worker count, so runs may be per sweep or per count", () => {
  const perCount = combineRepeats([[step(1, 4), step(1, 6)], [step(2, 3), step(2, 2)]]);
  assert.deepEqual(perCount.map((s) => [s.workers, s.seconds]), [[1, 5], [2, 2.5]]);
  assertClose(perCount[1].speedup, 2);
});

Deno.test("combineRepeats() pools jobs, sums job counts and keeps the highest RSS", () => {
  const runA = step(2, 2, {
    jobs: [job({ elapsedSeconds: 1 }), job({ elapsedSeconds: 1, status: "failed" })],
    peakRssBytes: 10 * MIB,
  });
  const runB = step(2, 2, {
    jobs: [job({ elapsedSeconds: 3 }), job({ elapsedSeconds: 3 })],
    peakRssBytes: 30 * MIB,
  });
  const [combined] = combineRepeats([[runA], [runB]]);
  assert.equal(combined.jobs.length, 4);
  assert.equal(combined.jobCount, 2);
  assert.deepEqual([combined.completed, combined.failed], [3, 1]);
  assert.equal(combined.peakRssBytes, 30 * MIB);
  assertClose(combined.averageJobSeconds, 7 / 3);
  const figures = analyzeStep(combined, combined);
  // Per run: (1 + 1 + 3 + 3) s / 2 runs busy over 2 s × 2 workers.
  assertClose(figures.utilization, 1);
  assert.deepEqual(figures.runSeconds, { p50: 3, p95: 3, max: 3 });
  assert.deepEqual([figures.repeats, figures.secondsMin, figures.secondsMax], [2, 2, 2]);
});

Deno.test("combineRepeats() rejects no steps and runs of one count with different job counts", () => {
  assert.throws(() => combineRepeats([]), RangeError);
  assert.throws(() => combineRepeats([[], []]), RangeError);
  assert.throws(
    () => combineRepeats([[step(1, 1, { jobCount: 4 })], [step(1, 1, { jobCount: 8 })]]),
    /same job count, received 4 and 8/,
  );
});

Deno.test("analyzeSweep() fits both models and recommends the fewest workers near the best", () => {
  const seconds = [16, 8.1, 8.05, 8, 8.04, 8.08, 8.1, 8.2];
  // 840 jobs split evenly over 1..8 workers, so only the measured times shape the fits.
  const analysis = analyzeSweep({
    steps: seconds.map((s, i) => step(i + 1, s, { jobCount: 840 })),
  });
  assert.equal(analysis.baselineWorkers, 1);
  assert.equal(analysis.steps.length, 8);
  assert.ok(analysis.amdahl.ok);
  assert.ok(analysis.usl.ok);
  assert.ok(analysis.usl.kappa > 0, "a curve that turns down needs a coherency cost");
  assert.equal(analysis.recommendation.workers, 2);
  assert.equal(analysis.recommendation.fastestWorkers, 4);
});

Deno.test("analyzeSweep() measures every step against the first, even with 2 baseline workers", () => {
  const analysis = analyzeSweep({ steps: [step(2, 10), step(4, 5), step(8, 2.5)] });
  assert.equal(analysis.baselineWorkers, 2);
  assert.deepEqual(analysis.steps.map((s) => s.efficiency), [1, 1, 1]);
  assert.ok(analysis.amdahl.ok && analysis.amdahl.serialFraction < 1e-9);
});

Deno.test("analyzeSweep() of one step returns fits with reasons and no NaN", () => {
  const analysis = analyzeSweep({ steps: [step(1, 2)] });
  assert.equal(analysis.amdahl.ok, false);
  assert.equal(analysis.usl.ok, false);
  assert.ok(!analysis.amdahl.ok && analysis.amdahl.reason.includes("received 1"));
  assert.equal(analysis.recommendation.workers, 1);
  assertNoNaN(analysis);
});

Deno.test("analyzeSweep() of steps that took no time returns fits with reasons and no NaN", () => {
  const analysis = analyzeSweep({ steps: [step(1, 0), step(2, 0), step(4, 0)] });
  assert.equal(analysis.amdahl.ok, false);
  assert.equal(analysis.usl.ok, false);
  assert.equal(analysis.recommendation.fastestSpeedup, null);
  assertNoNaN(analysis);
});

Deno.test("analyzeSweep() rejects a sweep with no steps", () => {
  assert.throws(() => analyzeSweep({ steps: [] }), RangeError);
});
