import assert from "node:assert/strict";
import { efficiencyBreakdown } from "../src/report/analysis/breakdown.ts";
import { evenJobs, handStep } from "./_why_steps.ts";

const SLEEP_SECONDS = 0.25;
const baseline = handStep(1, 16 * SLEEP_SECONDS + 0.002, evenJobs(16, 1, SLEEP_SECONDS));

function assertIdentity(breakdown: ReturnType<typeof efficiencyBreakdown>): void {
  const product = breakdown.balance * breakdown.dispatch * breakdown.computation;
  assert.ok(
    Math.abs(product / breakdown.measured - 1) < 0.01,
    `product ${product} vs measured ${breakdown.measured}`,
  );
  assert.ok(Math.abs(breakdown.product / breakdown.measured - 1) < 0.01);
}

Deno.test("efficiencyBreakdown() names imbalance for 16 sleep jobs on 5, 6 and 7 workers", () => {
  for (const workers of [5, 6, 7]) {
    const rounds = Math.ceil(16 / workers);
    const step = handStep(
      workers,
      rounds * SLEEP_SECONDS + 0.003,
      evenJobs(16, workers, SLEEP_SECONDS),
    );
    const breakdown = efficiencyBreakdown(step, baseline);
    assertIdentity(breakdown);
    assert.equal(breakdown.lostMost, "balance", `at ${workers} workers`);
    assert.ok(breakdown.balance < 0.9);
    assert.ok(breakdown.dispatch > 0.99);
    assert.ok(Math.abs(breakdown.computation - 1) < 1e-9);
    // The measured efficiency itself: 4.002 s ÷ (N × rounds × 0.25 s + 0.003 s).
    assert.ok(Math.abs(breakdown.measured - 4.002 / (workers * step.seconds)) < 1e-12);
  }
  const five = efficiencyBreakdown(
    handStep(5, 1.003, evenJobs(16, 5, SLEEP_SECONDS)),
    baseline,
  );
  assert.equal(
    five.sentence,
    "at 5 workers, efficiency 80% = balance 80% × dispatch 100% × computation 100%: " +
      "the busiest worker ran jobs 1.25× as long as the average: the others idled at the end " +
      "of the step (16 jobs over 5 workers)",
  );
});

Deno.test("efficiencyBreakdown() names dispatch for microsecond jobs", () => {
  const jobSeconds = 2e-6;
  const count = 10_000;
  // One worker: 20 ms of jobs in a 50 ms step; four workers: 5 ms each in a 40 ms step.
  const base = handStep(1, 0.05, evenJobs(count, 1, jobSeconds));
  const step = handStep(4, 0.04, evenJobs(count, 4, jobSeconds));
  const breakdown = efficiencyBreakdown(step, base);
  assertIdentity(breakdown);
  assert.equal(breakdown.lostMost, "dispatch");
  assert.ok(Math.abs(breakdown.rawDispatch - 0.125) < 1e-9);
  assert.ok(Math.abs(breakdown.baselineDispatch - 0.4) < 1e-9);
  assert.ok(Math.abs(breakdown.measured - 0.3125) < 1e-9);
  assert.match(breakdown.sentence, /^at 4 workers, efficiency 31% = balance 100% × dispatch 31% ×/);
  assert.match(
    breakdown.sentence,
    /only 40% of the step even on 1 worker \(the busiest 13% here\)/,
  );
});

Deno.test("efficiencyBreakdown() names computation when jobs ran 1.37× longer on shared cores", () => {
  const base = handStep(1, 8.0, evenJobs(8, 1, 1.0));
  const step = handStep(8, 1.37 * 1.02, evenJobs(8, 8, 1.37));
  const breakdown = efficiencyBreakdown(step, base, { cpus: 2 });
  assertIdentity(breakdown);
  assert.equal(breakdown.lostMost, "computation");
  assert.ok(Math.abs(breakdown.computation - 1 / 1.37) < 1e-9);
  assert.equal(
    breakdown.sentence,
    "at 8 workers, efficiency 72% = balance 100% × dispatch 98% × computation 73%: " +
      "jobs ran 1.37× longer than on 1 worker (they shared 2 cores)",
  );
});

Deno.test("efficiencyBreakdown() is 100% on every factor for the baseline itself", () => {
  const breakdown = efficiencyBreakdown(baseline, baseline);
  assert.deepEqual(
    [breakdown.balance, breakdown.dispatch, breakdown.computation, breakdown.measured],
    [1, 1, 1, 1],
  );
});

Deno.test("efficiencyBreakdown() caps a worker's useful time at the step time when jobs overlap", () => {
  // 2 workers × 4 jobs in flight: each worker's four 1 s sleeps overlap within a 1.01 s step.
  const base = handStep(1, 8.0, evenJobs(8, 1, 1.0));
  const step = handStep(2, 1.01, evenJobs(8, 2, 1.0), 4);
  const breakdown = efficiencyBreakdown(step, base);
  assert.equal(breakdown.counted, "run time capped at the step time");
  assert.equal(breakdown.usefulSeconds, 2.02);
  assert.equal(breakdown.concurrency, 4);
  assert.ok(breakdown.computation > 1);
  assertIdentity(breakdown);
  // The factors are per thread; the sentence says so, and what the per-slot column shows.
  assert.match(breakdown.sentence, /^at 2 workers × 4 in flight, thread efficiency \d+% = /);
  const perSlot = Math.round((breakdown.measured / 4) * 100);
  assert.match(breakdown.sentence, new RegExp(`\\(÷ 4 in flight: ${perSlot}% per slot`));
});

Deno.test("efficiencyBreakdown() refuses a step without time", () => {
  assert.throws(
    () => efficiencyBreakdown(handStep(2, 0, evenJobs(2, 2, 1)), baseline),
    (error) =>
      error instanceof RangeError && /measured step's seconds must be above 0/.test(error.message),
  );
});
