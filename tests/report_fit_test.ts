import assert from "node:assert/strict";
import { jobRecords } from "../src/step/job_records.ts";
import { describeFits, explainScaling } from "../src/report/analysis/explain.ts";
import { fitAmdahl, fitUsl } from "../src/report/analysis/fit.ts";
import {
  amdahlSpeedup,
  rSquared,
  type ScalingPoint,
  uslSpeedup,
} from "../src/report/analysis/models.ts";
import { recommendWorkers } from "../src/report/analysis/recommend.ts";
import { analyzeSweep, type StepAnalysis } from "../src/report/analysis/stats.ts";

function points(counts: number[], model: (workers: number) => number): ScalingPoint[] {
  return counts.map((workers) => ({ workers, speedup: model(workers) }));
}

/** ±`share` noise that is the same on every run: a fixed zig-zag, not random. */
function noisy(data: ScalingPoint[], share: number): ScalingPoint[] {
  return data.map((p, i) => ({ ...p, speedup: p.speedup * (1 + (i % 2 === 0 ? share : -share)) }));
}

function assertClose(actual: number, expected: number, tolerance: number) {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `expected ${expected} ± ${tolerance}, received ${actual}`,
  );
}

type ExplainStep = Pick<StepAnalysis, "workers" | "speedup" | "efficiency" | "jobCount"> & {
  runSeconds?: StepAnalysis["runSeconds"];
};

function explainSteps(pairs: [number, number][], jobCount = 64): ExplainStep[] {
  const baseline = pairs[0][0];
  return pairs.map(([workers, speedup]) => ({
    workers,
    speedup,
    efficiency: speedup / (workers / baseline),
    jobCount,
  }));
}

function explainFits(data: ScalingPoint[]) {
  return { amdahl: fitAmdahl(data), usl: fitUsl(data) };
}

const COUNTS = [1, 2, 3, 4, 5, 6, 7, 8];

Deno.test("fitAmdahl() recovers s = 0.1 from exact Amdahl data with R² of 1", () => {
  const fit = fitAmdahl(points(COUNTS, (n) => amdahlSpeedup(n, 0.1)));
  assert.ok(fit.ok);
  assertClose(fit.serialFraction, 0.1, 1e-3);
  assertClose(fit.serialFraction, 0.1, 1e-9);
  assertClose(fit.rSquared, 1, 1e-12);
  assert.equal(fit.pointCount, 8);
  assertClose(fit.speedupLimit!, 10, 1e-6);
  assert.equal(fit.predicted.workers, 16);
  assertClose(fit.predicted.speedup, amdahlSpeedup(16, 0.1), 1e-9);
});

Deno.test("fitAmdahl() recovers s from a sweep whose baseline has 2 workers", () => {
  const fit = fitAmdahl(points([2, 4, 8, 16], (n) => amdahlSpeedup(n, 0.25, 2)), {
    baselineWorkers: 2,
  });
  assert.ok(fit.ok);
  assertClose(fit.serialFraction, 0.25, 1e-9);
  assert.equal(fit.baselineWorkers, 2);
});

Deno.test("fitAmdahl() finds s = 0 and no speed-up limit for linear scaling", () => {
  const fit = fitAmdahl(points(COUNTS, (n) => n));
  assert.ok(fit.ok);
  assertClose(fit.serialFraction, 0, 1e-9);
  assert.equal(fit.speedupLimit, fit.serialFraction === 0 ? null : 1 / fit.serialFraction);
});

Deno.test("fitAmdahl() gives a lower R² on noisy data but stays near the true s", () => {
  const fit = fitAmdahl(noisy(points(COUNTS, (n) => amdahlSpeedup(n, 0.1)), 0.05));
  assert.ok(fit.ok);
  assert.ok(fit.rSquared < 0.999 && fit.rSquared > 0.9, `R² ${fit.rSquared}`);
  assertClose(fit.serialFraction, 0.1, 0.03);
});

Deno.test("fitUsl() recovers σ = 0.05 and κ = 0.002 from exact USL data with R² of 1", () => {
  const fit = fitUsl(points([1, 2, 4, 8, 16, 32], (n) => uslSpeedup(n, 0.05, 0.002)));
  assert.ok(fit.ok);
  assertClose(fit.sigma, 0.05, 1e-6);
  assertClose(fit.kappa, 0.002, 1e-7);
  assertClose(fit.rSquared, 1, 1e-12);
  assertClose(fit.peakWorkers!, Math.sqrt(0.95 / 0.002), 1e-3);
  assert.equal(fit.bestWorkers, 22);
  assert.equal(fit.predicted.workers, 64);
  assertClose(fit.predicted.speedup, uslSpeedup(64, 0.05, 0.002), 1e-6);
});

Deno.test("fitUsl() recovers σ and κ from a sweep whose baseline has 2 workers", () => {
  const data = points([2, 4, 6, 8, 12, 16], (n) => uslSpeedup(n, 0.05, 0.002, 2));
  assert.equal(data[0].speedup, 1);
  const fit = fitUsl(data);
  assert.ok(fit.ok);
  assertClose(fit.sigma, 0.05, 1e-6);
  assertClose(fit.kappa, 0.002, 1e-7);
});

Deno.test("fitUsl() puts the best worker count at the whole number nearest the peak", () => {
  // N* = sqrt(0.7 / 0.05) ≈ 3.74; the model is higher at 4 than at 3.
  const fit = fitUsl(points(COUNTS, (n) => uslSpeedup(n, 0.3, 0.05)));
  assert.ok(fit.ok);
  assertClose(fit.peakWorkers!, Math.sqrt(14), 1e-4);
  assert.equal(fit.bestWorkers, 4);
});

Deno.test("fitUsl() clamps the best worker count to the measured range", () => {
  const fit = fitUsl(points([1, 2, 4, 8], (n) => uslSpeedup(n, 0.05, 0.002)));
  assert.ok(fit.ok);
  assert.ok(fit.peakWorkers! > 8);
  assert.equal(fit.bestWorkers, 8);
});

Deno.test("fitUsl() finds no costs and no peak for linear scaling", () => {
  const fit = fitUsl(points(COUNTS, (n) => n));
  assert.ok(fit.ok);
  assertClose(fit.sigma, 0, 1e-9);
  assertClose(fit.kappa, 0, 1e-9);
  assert.equal(fit.peakWorkers, null);
  assert.equal(fit.bestWorkers, 8);
});

Deno.test("fitUsl() reads Amdahl data as σ = s with κ exactly 0 and no peak", () => {
  const fit = fitUsl(points([1, 2, 4], (n) => amdahlSpeedup(n, 0.2)));
  assert.ok(fit.ok);
  assertClose(fit.sigma, 0.2, 1e-9);
  assert.equal(fit.kappa, 0);
  assert.equal(fit.peakWorkers, null);
});

Deno.test("fitUsl() never returns negative σ or κ, even for superlinear data", () => {
  const fit = fitUsl(points(COUNTS, (n) => n * (1 + 0.05 * (n - 1))));
  assert.ok(fit.ok);
  assert.ok(fit.sigma >= 0 && fit.kappa >= 0);
});

Deno.test("fitUsl() gives a lower R² on noisy data", () => {
  const fit = fitUsl(noisy(points(COUNTS, (n) => uslSpeedup(n, 0.05, 0.002)), 0.05));
  assert.ok(fit.ok);
  assert.ok(fit.rSquared < 0.999 && fit.rSquared > 0.8, `R² ${fit.rSquared}`);
});

Deno.test("fitAmdahl() and fitUsl() explain why they cannot fit one worker count", () => {
  const oneCount = [{ workers: 2, speedup: 1 }, { workers: 2, speedup: 1.1 }];
  for (const data of [[{ workers: 1, speedup: 1 }], oneCount]) {
    const amdahl = fitAmdahl(data);
    const usl = fitUsl(data);
    assert.deepEqual(amdahl, {
      ok: false,
      model: "amdahl",
      reason: "needs speed-ups at 3 or more worker counts, received 1",
    });
    assert.equal(usl.ok, false);
  }
});

Deno.test("fitUsl() needs three worker counts for its two parameters", () => {
  const usl = fitUsl([{ workers: 1, speedup: 1 }, { workers: 2, speedup: 1.8 }]);
  assert.ok(!usl.ok);
  assert.equal(usl.reason, "needs speed-ups at 3 or more worker counts, received 2");
});

Deno.test("fitAmdahl() and fitUsl() leave out zero and non-finite speed-ups", () => {
  const data = [
    { workers: 1, speedup: 1 },
    { workers: 2, speedup: Number.NaN },
    { workers: 4, speedup: 0 },
    { workers: 8, speedup: Number.POSITIVE_INFINITY },
  ];
  assert.equal(fitAmdahl(data).ok, false);
  assert.equal(fitAmdahl([]).ok, false);
  const partial = fitAmdahl([
    ...data,
    { workers: 16, speedup: amdahlSpeedup(16, 0.1) },
    { workers: 32, speedup: amdahlSpeedup(32, 0.1) },
  ]);
  assert.ok(partial.ok);
  assert.equal(partial.pointCount, 3);
});

Deno.test("rSquared() is 1 for an exact fit of constant data and 0 for a miss, never NaN", () => {
  assert.equal(rSquared([2, 2, 2], [2, 2, 2]), 1);
  assert.equal(rSquared([2, 2, 2], [2, 2, 3]), 0);
  assert.equal(rSquared([1, 2, 3], [3, 2, 1]), -3);
});

Deno.test("recommendWorkers() picks the fewest workers within 5% of the best speed-up", () => {
  const steps = [[1, 1], [2, 1.9], [4, 1.94], [8, 2]].map(([workers, speedup]) => ({
    workers,
    speedup,
  }));
  const recommendation = recommendWorkers(steps);
  assert.equal(recommendation.workers, 2);
  assert.equal(recommendation.fastestWorkers, 8);
  assert.equal(recommendation.reason, "95% of the best measured speed-up, 2.00x at 8 workers");
});

Deno.test("recommendWorkers() names the USL peak when speed-up was still rising", () => {
  const data = points([1, 2, 4, 8], (n) => uslSpeedup(n, 0.05, 0.002));
  const recommendation = recommendWorkers(data, fitUsl(data));
  assert.equal(recommendation.workers, 8);
  assert.equal(
    recommendation.reason,
    "speed-up was still rising at 8 workers, the most measured; the USL fit peaks near 22",
  );
});

Deno.test("explainScaling() calls scaling near-linear when every step is 90% efficient", () => {
  const data = points([1, 2, 4, 8], (n) => n * 0.97 ** Math.log2(n));
  const sentence = explainScaling({
    steps: explainSteps(data.map((p) => [p.workers, p.speedup])),
    ...explainFits(data),
  });
  assert.equal(sentence, "Scaling is near-linear up to 8 workers (efficiency 91%).");
});

Deno.test("explainScaling() blames the core count when speed-up flattens at it", () => {
  const pairs: [number, number][] = [[1, 1], [2, 1.98], [3, 1.99], [4, 2], [6, 1.98], [8, 1.97]];
  const data = pairs.map(([workers, speedup]) => ({ workers, speedup }));
  const analysis = { steps: explainSteps(pairs), ...explainFits(data) };
  assert.equal(
    explainScaling(analysis, { cpuCount: 2 }),
    "Speed-up flattens after 2 workers: this machine has 2 logical CPUs.",
  );
  const shifted: [number, number][] = [[1, 1], [2, 2], [4, 3.96], [6, 3.98], [8, 4]];
  assert.equal(
    explainScaling({ ...analysis, steps: explainSteps(shifted) }, { cpuCount: 4 }),
    "Speed-up flattens after 4 workers: this machine has 4 logical CPUs.",
  );
});

Deno.test("explainScaling() blames the job count when there are fewer jobs than workers", () => {
  const pairs: [number, number][] = [[1, 1], [2, 2], [4, 3.9], [8, 3.9]];
  const data = pairs.map(([workers, speedup]) => ({ workers, speedup }));
  assert.equal(
    explainScaling({ steps: explainSteps(pairs, 4), ...explainFits(data) }, { cpuCount: 16 }),
    "Speed-up flattens after 4 workers: each step has only 4 jobs, so more workers sit idle.",
  );
});

Deno.test("explainScaling() blames a shared resource when jobs run longer with more workers", () => {
  const pairs: [number, number][] = [[1, 1], [2, 1.9], [4, 1.95], [8, 1.96]];
  const steps = explainSteps(pairs).map((step) => ({
    ...step,
    runSeconds: { p50: step.workers <= 2 ? 1 : step.workers / 2, p95: 0, max: 0 },
  }));
  const data = pairs.map(([workers, speedup]) => ({ workers, speedup }));
  assert.equal(
    explainScaling({ steps, ...explainFits(data) }, { cpuCount: 16 }),
    "Speed-up flattens after 2 workers: each job runs 4.0x longer at 8 workers than at 2, " +
      "so the workers compete for a shared resource (CPU, memory bandwidth).",
  );
});

Deno.test("explainScaling() quotes Amdahl's serial fraction when nothing else explains a plateau", () => {
  const data = points([1, 2, 4, 8, 16, 32, 64], (n) => amdahlSpeedup(n, 0.25));
  const analysis = {
    steps: explainSteps(data.map((p) => [p.workers, p.speedup])),
    ...explainFits(data),
  };
  assert.equal(
    explainScaling(analysis),
    "Speed-up flattens after 32 workers: about 25% of the work behaves as serial " +
      "(Amdahl s=0.25), capping speed-up near 4.0x.",
  );
});

Deno.test("explainScaling() says when adding workers makes it slower, naming κ when it weighs more", () => {
  const data = points(COUNTS, (n) => uslSpeedup(n, 0.1, 0.03));
  const analysis = {
    steps: explainSteps(data.map((p) => [p.workers, p.speedup])),
    ...explainFits(data),
  };
  assert.equal(
    explainScaling(analysis, { cpuCount: 8 }),
    `Adding workers beyond 5 makes it slower: speed-up falls from ${data[4].speedup.toFixed(2)}x ` +
      `to ${data[7].speedup.toFixed(2)}x at 8 (USL: mostly coherency cost, κ=0.03).`,
  );
});

Deno.test("explainScaling() says when speed-up keeps rising at a loss", () => {
  const data = points([1, 2, 4, 8], (n) => amdahlSpeedup(n, 0.05));
  const analysis = {
    steps: explainSteps(data.map((p) => [p.workers, p.speedup])),
    ...explainFits(data),
  };
  assert.equal(
    explainScaling(analysis, { cpuCount: 16 }),
    "Speed-up keeps rising up to 8 workers but at 74% efficiency: about 5% of the work behaves " +
      "as serial.",
  );
  assert.equal(
    explainScaling(analysis, { cpuCount: 4 }),
    "Speed-up keeps rising up to 8 workers but at 74% efficiency: this machine has 4 logical CPUs.",
  );
});

Deno.test("explainScaling() has nothing to explain for one worker count or no measurable time", () => {
  const fits = explainFits([]);
  assert.equal(
    explainScaling({ steps: explainSteps([[2, 1]]), ...fits }),
    "Only one worker count (2) was measured, so there is no scaling to explain.",
  );
  const none = [{ workers: 1, speedup: null, efficiency: null, jobCount: 4 }];
  assert.equal(
    explainScaling({ steps: none, ...fits }),
    "No step took a measurable time, so there is no speed-up to explain.",
  );
});

Deno.test("explainScaling() calls a sweep whose workers mostly wait for jobs dispatch-bound, never near-linear", () => {
  const step = (workers: number, speedup: number) => ({
    workers,
    speedup,
    efficiency: speedup / workers,
    jobCount: 1000,
    runSeconds: { p50: 1e-6, p95: 2e-6, max: 3e-6 },
    utilization: workers === 1 ? 0.1 : 0.06,
    overheadSeconds: 9e-6,
  });
  const text = explainScaling({
    steps: [step(1, 1), step(2, 2.4)],
    amdahl: { ok: false },
    usl: { ok: false },
  });
  assert.equal(
    text,
    "Dispatch-bound: at 1 worker the jobs kept the workers busy only 10% of the time (a job runs " +
      "1.00 µs; handing one out costs about 9.00 µs), so these figures measure the dispatcher " +
      "more than the jobs: make each job at least 90.0 µs of work (about 90 of these per job) " +
      "before more workers can pay.",
  );
  // Busy workers: the usual sentence, and efficiency above 100% is explained, not praised.
  const busy = [step(1, 1), step(2, 2.4)].map((s) => ({ ...s, utilization: 0.95 }));
  assert.match(
    explainScaling({ steps: busy, amdahl: { ok: false }, usl: { ok: false } }),
    /^Scaling is near-linear up to 2 workers \(efficiency 120%: above 100% means the later steps hid waiting the first one paid, not extra speed\)\.$/,
  );
});

/** SPEC SDM91 on a 16-CPU Sun, the R `usl` package's example: users and scripts/h. */
const SPEC_USERS = [1, 18, 36, 72, 108, 144, 216];
const SPEC_THROUGHPUT = [64.9, 995.9, 1652.4, 1853.2, 1828.9, 1775.0, 1702.2];
const SPEC_POINTS = SPEC_USERS.map((workers, i) => ({
  workers,
  speedup: SPEC_THROUGHPUT[i] / SPEC_THROUGHPUT[0],
}));

Deno.test("fitUsl() through the baseline fits SPEC SDM91 as an independent least-squares solver does", () => {
  const fit = fitUsl(SPEC_POINTS);
  assert.ok(fit.ok);
  assert.equal(fit.gammaMode, "baseline");
  assertClose(fit.sigma, 0.01260, 5e-6);
  assertClose(fit.kappa, 0.0001112, 5e-8);
  assert.equal(fit.gamma, 1);
});

Deno.test("fitUsl() with γ free matches R's usl package on SPEC SDM91", () => {
  const fit = fitUsl(SPEC_POINTS, { gamma: "free" });
  assert.ok(fit.ok);
  assert.equal(fit.gammaMode, "free");
  // R: sigma 0.02772, kappa 0.0001044, gamma 89.995 scripts/h for one user.
  assertClose(fit.sigma, 0.02773, 5e-5);
  assertClose(fit.kappa, 0.0001044, 5e-7);
  assertClose(fit.gamma * SPEC_THROUGHPUT[0], 90.0, 0.05);
  assertClose(fit.peakWorkers!, Math.sqrt((1 - fit.sigma) / fit.kappa), 1e-9);
});

Deno.test("fitUsl() with γ free needs five worker counts", () => {
  const fit = fitUsl(SPEC_POINTS.slice(0, 4), { gamma: "free" });
  assert.deepEqual(fit, {
    ok: false,
    model: "usl",
    reason: "needs speed-ups at 5 or more worker counts to fit γ free, received 4",
  });
  assert.ok(fitUsl(SPEC_POINTS.slice(0, 4)).ok);
});

Deno.test("describeFits() reports both USL fits and says when they disagree", () => {
  const steps = SPEC_USERS.map((workers, i) => ({
    workers,
    jobCount: 432,
    seconds: 432 / SPEC_THROUGHPUT[i],
    startupSeconds: 0,
    completed: 432,
    failed: 0,
    cancelled: 0,
    averageJobSeconds: 1,
    peakRssBytes: 0,
    jobs: jobRecords([]),
  }));
  const analysis = analyzeSweep({ steps });
  assert.ok(analysis.uslFree.ok);
  const lines = describeFits(analysis);
  assert.equal(lines.length, 4);
  assert.match(lines[1], /^USL: σ=0\.013 κ=0\.00011 \(R² 0\.975\), peak near 94\.2 workers/);
  assert.equal(
    lines[2],
    "USL, γ free: σ=0.028 κ=0.0001 γ=1.4 (R² 0.990), peak near 96.5 workers, predicted " +
      "+18.5x at 432 workers; disagrees: with γ free, the baseline step's throughput is 28% " +
      "below what the other steps imply, so speed-ups relative to it overstate scaling",
  );
  // Data the anchored fit already describes: the two agree, and below 5 counts no line at all.
  const exact = [1, 2, 4, 8, 16].map((n) => ({
    ...steps[0],
    workers: n,
    seconds: 16 / uslSpeedup(n, 0.05, 0.002),
  }));
  const agreeing = describeFits(analyzeSweep({ steps: exact }));
  assert.match(agreeing[2], /; agrees with the baseline-anchored fit$/);
  assert.equal(describeFits(analyzeSweep({ steps: exact.slice(0, 4) })).length, 3);
});
