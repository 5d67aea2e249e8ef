import assert from "node:assert/strict";
import { jobRecords } from "../src/step/job_records.ts";
import type { SweepStep } from "../src/types.ts";
import { renderAnalysisTable } from "../src/report/format/analysis_table.ts";
import { describeFits, explainScaling } from "../src/report/analysis/explain.ts";
import { fitAmdahl, fitUsl } from "../src/report/analysis/fit.ts";
import { uslSpeedup } from "../src/report/analysis/models.ts";
import { recommendWorkers } from "../src/report/analysis/recommend.ts";
import { analyzeSweep } from "../src/report/analysis/stats.ts";
import { formatSpeedup } from "../src/report/format/table.ts";

function step(workers: number, seconds: number, overrides: Partial<SweepStep> = {}): SweepStep {
  const jobCount = overrides.jobCount ?? 840;
  return {
    workers,
    jobCount,
    seconds,
    repeat: 1,
    startupSeconds: 0,
    completed: jobCount,
    failed: 0,
    cancelled: 0,
    averageJobSeconds: 1,
    peakRssBytes: 0,
    speedup: 1,
    jobs: jobRecords([]),
    ...overrides,
  };
}

/** Steps with the given speed-ups, analysed as `explainScaling` reads them. */
function pairs(data: [number, number][], jobCount = 840) {
  return data.map(([workers, speedup]) => ({
    workers,
    speedup,
    efficiency: speedup / (workers / data[0][0]),
    jobCount,
  }));
}

Deno.test("explainScaling() blames the rounds when more workers cannot shorten them", () => {
  // 5 equal jobs: 2 rounds on 3 workers and still 2 on 4.
  const analysis = analyzeSweep({
    steps: [5, 3, 2, 2].map((r, i) => step(i + 1, r * 0.1, { jobCount: 5 })),
  });
  assert.equal(
    explainScaling(analysis, { cpuCount: 2 }),
    "Speed-up flattens after 3 workers: 5 jobs take 2 rounds on 3 workers and still 2 on 4 " +
      "(ceil(jobs / workers)), so equal jobs cannot finish much sooner with more workers.",
  );
});

Deno.test("fitAmdahl() needs three worker counts: with one parameter, two always fit exactly", () => {
  const fit = fitAmdahl([{ workers: 1, speedup: 1 }, { workers: 2, speedup: 1.1 }]);
  assert.deepEqual(fit, {
    ok: false,
    model: "amdahl",
    reason: "needs speed-ups at 3 or more worker counts, received 2",
  });
});

Deno.test("explainScaling() reads 3 sleep jobs on 2 workers as an uneven split, not serial work", () => {
  // --jobs 3 --workers 1,2 --sleep-ms 100: 3 rounds on 1 worker, 2 on 2.
  const analysis = analyzeSweep(
    { steps: [step(1, 0.303, { jobCount: 3 }), step(2, 0.203, { jobCount: 3 })] },
    { jobBound: "wait" },
  );
  const sentence = explainScaling(analysis, { cpuCount: 2 });
  assert.equal(
    sentence,
    "Scaling is as good as the split allows up to 2 workers: 3 jobs take 2 rounds on 2 workers " +
      "(ceil(3 / 2)) against 3 on 1, so equal jobs can reach at most 1.5x there and 1.49x was " +
      "measured; the 75% efficiency there is the uneven split, not serial work.",
  );
  assert.doesNotMatch(renderAnalysisTable(analysis), /serial \(|behaves as serial/);
});

Deno.test("analyzeSweep() allows for the rounds before fitting a serial fraction", () => {
  // 5 equal jobs of 0.1 s, perfectly parallel: 5, 3, 2, 2 and 1 rounds.
  const rounds = [5, 3, 2, 2, 1];
  const analysis = analyzeSweep({
    steps: rounds.map((r, i) => step(i + 1, r * 0.1, { jobCount: 5 })),
  });
  assert.deepEqual(analysis.steps.map((s) => s.rounds), rounds);
  assert.ok(analysis.amdahl.ok);
  assert.ok(analysis.amdahl.serialFraction < 1e-6, `s=${analysis.amdahl.serialFraction}`);
  assert.ok(analysis.amdahl.rSquared > 0.999999);
  assert.match(describeFits(analysis)[0], /uneven split allowed for/);
  // The plain fit on the same speed-ups reads the rounds as serial work, and fits badly.
  const plain = fitAmdahl(analysis.steps.map((s) => ({ workers: s.workers, speedup: s.speedup! })));
  assert.ok(plain.ok && plain.serialFraction > 0.04 && plain.rSquared < 0.9);
  assert.match(
    explainScaling(analysis),
    /^Scaling is as good as the split allows up to 5 workers: 5 jobs take 2 rounds on 4 workers/,
  );
});

Deno.test("explainScaling() never explains jobs that wait by the CPU count", () => {
  const rising = pairs([[1, 1], [2, 1.9], [4, 3.5], [8, 6.8]]);
  const fits = { amdahl: { ok: false as const }, usl: { ok: false as const } };
  assert.equal(
    explainScaling({ steps: rising, ...fits }, { cpuCount: 2 }),
    "Speed-up keeps rising up to 8 workers but at 85% efficiency: this machine has 2 logical CPUs.",
  );
  assert.equal(
    explainScaling({ steps: rising, ...fits, jobBound: "wait" }, { cpuCount: 2 }),
    "Speed-up keeps rising up to 8 workers but at 85% efficiency: these jobs wait rather than " +
      "compute, so the 2 logical CPUs are not what limits them.",
  );
  const flat = pairs([[1, 1], [2, 1.98], [4, 2], [8, 2]]);
  const flatWait = explainScaling({ steps: flat, ...fits, jobBound: "wait" }, { cpuCount: 2 });
  assert.doesNotMatch(flatWait, /CPU/);
  assert.match(explainScaling({ steps: flat, ...fits }, { cpuCount: 2 }), /2 logical CPUs/);
});

Deno.test("explainScaling() names contention when σ outweighs κ, as for sleep jobs at σ=1.5", () => {
  const data = [1, 2, 4, 8].map((workers) => ({
    workers,
    speedup: uslSpeedup(workers, 1.5, 0.0047),
  }));
  const usl = fitUsl(data);
  assert.ok(usl.ok && usl.sigma > 1);
  const sentence = explainScaling({
    steps: pairs(data.map((p) => [p.workers, p.speedup])),
    amdahl: fitAmdahl(data),
    usl,
  });
  assert.match(
    sentence,
    /^Adding workers beyond 1 makes it slower: .* \(USL: mostly contention, σ=1\.5\)\.$/,
  );
  const lines = describeFits(analyzeSweep({
    steps: data.map((p) => step(p.workers, 8 / p.speedup)),
  }));
  assert.match(lines[1], /, peak at 1 worker, /);
  assert.doesNotMatch(sentence, /coherency/);
});

Deno.test("explainScaling() says the analysis covers partial work when jobs failed or were cancelled", () => {
  const steps = [
    step(1, 8),
    step(2, 4, { completed: 837, failed: 3 }),
    step(4, 2, { completed: 839, cancelled: 1 }),
  ];
  assert.equal(
    explainScaling(analyzeSweep({ steps })),
    "Scaling is near-linear up to 4 workers (efficiency 100%). The analysis covers partial " +
      "work: 3 of 2520 jobs failed and 1 was cancelled (at 2 and 4 workers), so those steps " +
      "did not run the whole batch.",
  );
  const one = [step(1, 8, { completed: 839, failed: 1 }), step(2, 4)];
  assert.match(
    explainScaling(analyzeSweep({ steps: one })),
    / 1 of 1680 jobs failed \(at 1 worker\), so those steps did not run the whole batch\.$/,
  );
  assert.doesNotMatch(explainScaling(analyzeSweep({ steps: [step(1, 8), step(2, 4)] })), /partial/);
});

Deno.test("describeFits() and recommendWorkers() write 1 worker, never 1 workers", () => {
  const lines = describeFits(analyzeSweep({ steps: [step(1, 8), step(2, 8.5), step(3, 9)] }));
  assert.equal(
    lines[lines.length - 1],
    "Recommendation: 1 worker (the highest measured speed-up, 1.00x)",
  );
  assert.equal(
    recommendWorkers([{ workers: 1, speedup: 1 }]).reason,
    "only one worker count (1) was measured",
  );
  assert.equal(
    recommendWorkers([{ workers: 1, speedup: 1 }, { workers: 2, speedup: 1.9 }, {
      workers: 4,
      speedup: 2,
    }]).reason,
    "95% of the best measured speed-up, 2.00x at 4 workers",
  );
  for (const line of describeFits(analyzeSweep({ steps: [step(1, 8), step(2, 4)] }))) {
    assert.doesNotMatch(line, /\b1 workers\b/);
  }
});

Deno.test("formatSpeedup() prints a speed-up within ±0.5% of 1 as 1x, never -1x", () => {
  assert.equal(formatSpeedup(0.997), "1x");
  assert.equal(formatSpeedup(1.004), "1x");
  assert.equal(formatSpeedup(0.995), "1x");
  assert.equal(formatSpeedup(0.994), "-1.01x");
  assert.equal(formatSpeedup(1.006), "+1.01x");
  const table = renderAnalysisTable(analyzeSweep({ steps: [step(1, 1), step(2, 1.003)] }));
  assert.match(table, /\| +2 \| 1\.003000 \| 1x +\|/);
});

Deno.test("recommendWorkers() does not recommend more workers for a dispatch-bound sweep", () => {
  // --job noop --jobs 50000 --workers 1,2: jobs of ~120 ns, ~780 ns of dispatch each.
  const dispatchBound = (workers: number, speedup: number) => ({
    workers,
    speedup,
    runSeconds: { p50: 1.2e-7, p95: 3e-7, max: 1e-6 },
    utilization: 0.3,
    overheadSeconds: 7.8e-7,
  });
  const recommendation = recommendWorkers([dispatchBound(1, 1), dispatchBound(2, 1.22)]);
  assert.equal(recommendation.workers, 1);
  assert.equal(recommendation.fastestWorkers, 2);
  assert.equal(
    recommendation.reason,
    "dispatch-bound: at 1 worker the workers were busy only 30% of the time, so the speed-ups " +
      "measure the dispatcher and are no case for more workers; batch about 65 of these jobs " +
      "into one (at least 7.80 µs of work per job), then measure again",
  );
  // Even when the fits would have the curve rising to 4.
  const rising = [dispatchBound(1, 1), dispatchBound(2, 1.9), dispatchBound(4, 3.5)];
  assert.equal(recommendWorkers(rising, fitUsl(rising)).workers, 1);
  // Busy workers: the usual rule.
  const busy = rising.map((s) => ({ ...s, utilization: 0.95 }));
  assert.equal(recommendWorkers(busy).workers, 4);
});
