import assert from "node:assert/strict";
import {
  bootstrapInterval,
  distinguishable,
  recommendWithinNoise,
  speedupIntervals,
} from "../src/report/analysis/confidence.ts";

/** Five repeats of 1, 2 and 4 workers: 2 and 4 tie (a 2-core machine), 1 is clearly slower. */
const TIMES: Record<number, number[]> = {
  1: [4.0, 4.1, 3.95, 4.05, 4.0],
  2: [2.02, 2.1, 1.98, 2.05, 2.0],
  4: [1.98, 2.08, 1.97, 1.99, 1.99],
};
const tiedSteps = [1, 2, 3, 4, 5].flatMap((repeat) =>
  [1, 2, 4].map((workers) => ({ workers, repeat, seconds: TIMES[workers][repeat - 1] }))
);

Deno.test("speedupIntervals() pairs repeats and gives the same bootstrap intervals each time", () => {
  const estimates = speedupIntervals(tiedSteps);
  assert.deepEqual(estimates.map((estimate) => estimate.workers), [1, 2, 4]);
  assert.deepEqual(estimates[0].samples, [1, 1, 1, 1, 1]);
  assert.deepEqual(estimates[0].interval, { low: 1, high: 1 });
  const two = estimates[1];
  assert.deepEqual(two.samples, [4.0 / 2.02, 4.1 / 2.1, 3.95 / 1.98, 4.05 / 2.05, 4.0 / 2.0]);
  assert.equal(two.speedup, 4.0 / 2.02);
  assert.ok(two.interval.low <= two.speedup && two.speedup <= two.interval.high);
  assert.ok(two.interval.low >= Math.min(...two.samples));
  assert.ok(two.interval.high <= Math.max(...two.samples));
  assert.ok(two.interval.high > two.interval.low);
  assert.deepEqual(speedupIntervals(tiedSteps), estimates);
});

Deno.test("distinguishable() tells the tied counts apart from 1 worker, not from each other", () => {
  const [one, two, four] = speedupIntervals(tiedSteps);
  assert.equal(distinguishable(two.interval, four.interval), false);
  assert.equal(distinguishable(one.interval, two.interval), true);
});

Deno.test("recommendWithinNoise() picks the fewest workers that tie with the best", () => {
  const recommendation = recommendWithinNoise(speedupIntervals(tiedSteps));
  assert.equal(recommendation.best.workers, 4);
  assert.equal(recommendation.choice.workers, 2);
  assert.deepEqual(recommendation.withinNoise.map((estimate) => estimate.workers), [2, 4]);
  assert.equal(recommendation.sentence, "2 and 4 workers are within noise; 2 is cheaper");
});

Deno.test("recommendWithinNoise() says so when the best stands out", () => {
  const steps = [1, 2, 3].flatMap((repeat) => [
    { workers: 1, repeat, seconds: 4 + repeat * 0.01 },
    { workers: 2, repeat, seconds: 2 + repeat * 0.01 },
    { workers: 4, repeat, seconds: 1 + repeat * 0.01 },
  ]);
  const recommendation = recommendWithinNoise(speedupIntervals(steps));
  assert.equal(recommendation.choice.workers, 4);
  assert.equal(recommendation.sentence, "4 workers: faster than every other count beyond noise");
});

Deno.test("bootstrapInterval() of a tie is the tie, and needs three repeats", () => {
  assert.deepEqual(bootstrapInterval([2, 2, 2]), { low: 2, high: 2 });
  assert.throws(() => bootstrapInterval([1, 2]), RangeError);
  assert.throws(
    () =>
      speedupIntervals([{ workers: 1, repeat: 1, seconds: 1 }, {
        workers: 2,
        repeat: 1,
        seconds: 1,
      }]),
    (error) => error instanceof RangeError && /1 worker has 1 repeat/.test(error.message),
  );
});
