import assert from "node:assert/strict";
import { batchBound, describeBound } from "../src/report/analysis/bound.ts";

Deno.test("batchBound() gives the even split for equal jobs, whatever the order", () => {
  const jobs = Array.from({ length: 16 }, () => 0.25);
  const bound = batchBound(jobs, 8);
  assert.equal(bound.claimOrder, 0.5);
  assert.equal(bound.longestFirst, 0.5);
  assert.equal(bound.lowerBound, 0.5);
  assert.equal(bound.orderCostSeconds, 0);
  // 16 jobs on 5 workers: four rounds, above the 0.8 s average the lower bound gives.
  const five = batchBound(jobs, 5);
  assert.equal(five.best, 1);
  assert.equal(five.lowerBound, 0.8);
  assert.deepEqual(describeBound(batchBound(jobs.slice(0, 8), 2), 1.004, jobs), [
    "best possible for this batch: 1.00 s; measured 1.004 s",
  ]);
});

Deno.test("batchBound() finds longest-first beating claim order for unequal jobs", () => {
  // Claim order: six 1 s jobs share 3 workers (2 s each), then the 4 s job: 6 s. LPT: 4 s.
  const jobs = [1, 1, 1, 1, 1, 1, 4];
  const bound = batchBound(jobs, 3);
  assert.equal(bound.claimOrder, 6);
  assert.equal(bound.longestFirst, 4);
  assert.equal(bound.best, 4);
  assert.equal(bound.lowerBound, 4);
  assert.equal(bound.orderCostSeconds, 2);
  assert.deepEqual(describeBound(bound, 6.012, jobs), [
    "best possible for this batch: 4.00 s; measured 6.012 s",
    "the jobs differ in size: claim order costs 2.00 s over longest-first (6.00 s against 4.00 s)",
  ]);
});

Deno.test("batchBound() counts an inline step as one worker and refuses bad input", () => {
  assert.equal(batchBound([0.5, 0.25], 0).best, 0.75);
  assert.throws(() => batchBound([1], 1.5), RangeError);
  assert.throws(() => batchBound([-1], 1), RangeError);
});
