import assert from "node:assert/strict";
import {
  compareToBaseline,
  parseBaseline,
  type SavedBaseline,
  toBaseline,
} from "../src/report/analysis/baseline.ts";

const MACHINE = { cpus: 2, os: "linux", deno: "2.9.6" };
const JOB = { kind: "sleep", params: { sleepMs: 250, jitter: 0 } };

/** A sweep of 1, 2 and 4 workers, five repeats, with each worker count's times scaled. */
function sweep(scale: Record<number, number> = {}, job = JOB, jobCount = 16): SavedBaseline {
  const noise = [1.0, 1.01, 0.99, 1.005, 0.995];
  const steps = noise.flatMap((factor, r) =>
    [1, 2, 4].map((workers) => ({
      workers,
      repeat: r + 1,
      jobCount,
      seconds: (4 / Math.min(workers, 2)) * factor * (scale[workers] ?? 1),
    }))
  );
  return toBaseline(steps, {
    toolVersion: "0.3.0",
    savedAt: "2026-12-05T16:00:00Z",
    machine: MACHINE,
    job,
  });
}

Deno.test("compareToBaseline() says no change for an unchanged rerun", () => {
  const saved = parseBaseline(JSON.stringify(sweep()));
  const comparison = compareToBaseline(
    saved,
    sweep({}, { kind: "sleep", params: { jitter: 0, sleepMs: 250 } }),
  );
  assert.equal(comparison.regressed, false);
  assert.deepEqual(comparison.steps.map((step) => step.verdict), [
    "no change",
    "no change",
    "no change",
  ]);
  const [one] = comparison.steps;
  assert.ok(one.intervalPercent!.low < 0 && one.intervalPercent!.high > 0);
  assert.equal(
    one.sentence,
    "1 worker: 4.00 s → 4.00 s, ±0% (−1% to +2%): no change: within noise",
  );
});

Deno.test("compareToBaseline() catches a step slowed beyond the threshold", () => {
  const comparison = compareToBaseline(sweep(), sweep({ 4: 1.25 }), { thresholdPercent: 10 });
  assert.equal(comparison.regressed, true);
  const four = comparison.steps[2];
  assert.equal(four.verdict, "slower");
  assert.equal(four.regressed, true);
  assert.ok(Math.abs(four.changePercent - 25) < 1e-9);
  assert.ok(four.intervalPercent!.low > 10);
  assert.match(
    four.sentence,
    /^4 workers: 2\.00 s → 2\.50 s, \+25% \(\+\d+% to \+\d+%\): slower beyond the 10% threshold$/,
  );
  assert.deepEqual(comparison.steps.slice(0, 2).map((step) => step.regressed), [false, false]);
  // Slower beyond noise but within a 30% threshold: reported, not failed.
  const lenient = compareToBaseline(sweep(), sweep({ 4: 1.25 }), { thresholdPercent: 30 });
  assert.equal(lenient.regressed, false);
  assert.equal(lenient.steps[2].verdict, "slower");
});

Deno.test("compareToBaseline() judges single runs by the threshold alone", () => {
  const single = (seconds: number): SavedBaseline => ({
    ...sweep(),
    steps: [{ workers: 1, concurrency: 1, seconds: [4] }, {
      workers: 2,
      concurrency: 1,
      seconds: [2],
    }, {
      workers: 4,
      concurrency: 1,
      seconds: [seconds],
    }],
  });
  const same = compareToBaseline(single(2), single(2.1));
  assert.equal(same.steps[2].verdict, "no change");
  assert.equal(
    same.steps[2].sentence,
    "4 workers: 2.00 s → 2.10 s, +5%: no change: within the 10% threshold (no repeats)",
  );
  assert.equal(compareToBaseline(single(2), single(2.5)).regressed, true);
});

Deno.test("compareToBaseline() refuses batches that differ, with one line", () => {
  const refuses = (current: SavedBaseline, pattern: RegExp) =>
    assert.throws(
      () => compareToBaseline(sweep(), current),
      (error) =>
        error instanceof RangeError && pattern.test(error.message) && !error.message.includes("\n"),
    );
  refuses(
    sweep({}, { kind: "pi", params: JOB.params }),
    /job kind "sleep" in the baseline, "pi" now/,
  );
  refuses(
    sweep({}, { kind: "sleep", params: { sleepMs: 500, jitter: 0 } }),
    /params .*250.* in the baseline/,
  );
  refuses(sweep({}, JOB, 32), /16 jobs per step in the baseline, 32 now/);
  const fewer = sweep();
  fewer.steps.pop();
  refuses(fewer, /workers × in flight 1×1, 2×1, 4×1 in the baseline, 1×1, 2×1 now/);
});

Deno.test("parseBaseline() refuses what is not a baseline", () => {
  assert.throws(() => parseBaseline("not json"), SyntaxError);
  assert.throws(() => parseBaseline(JSON.stringify({ ...sweep(), steps: [] })), TypeError);
});
