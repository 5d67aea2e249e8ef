import assert from "node:assert/strict";
import { jobRecords } from "../src/step/job_records.ts";
import { checkNoise, type NoiseStep } from "../src/report/analysis/noise.ts";
import { combineRepeats } from "../src/report/analysis/stats.ts";
import { runSweep, type SweepStep } from "../mod.ts";
import { runCli } from "./_cli.ts";

function step(workers: number, runs: number[], extra: Partial<NoiseStep> = {}): NoiseStep {
  const job = { jobId: "", workerId: "w", status: "done" as const, waitSeconds: 0 };
  return {
    workers,
    seconds: 1,
    jobs: jobRecords(
      runs.map((elapsedSeconds, i) => ({ ...job, jobNumber: i + 1, elapsedSeconds })),
    ),
    ...extra,
  };
}

Deno.test("checkNoise() says nothing of a quiet sweep whose jobs had their CPUs", () => {
  const report = checkNoise(
    [step(1, [1, 1], { loadAverage: 0.1, cpuSeconds: 2.05 }), step(2, [1, 1], { cpuSeconds: 2.1 })],
    { cpuCount: 2, jobBound: "cpu" },
  );
  assert.deepEqual(report, { busy: false, lines: [] });
});

Deno.test("checkNoise() warns of a busy machine: load before the start, CPU-starved jobs", () => {
  const loaded = checkNoise([step(1, [1], { loadAverage: 3.2, cpuSeconds: 1 })], { cpuCount: 2 });
  assert.equal(loaded.busy, true);
  assert.match(
    loaded.lines[0],
    /busy before the sweep began \(1-minute load average 3\.20 with 2 CPUs/,
  );
  assert.match(loaded.lines.at(-1)!, /unreliable: rerun on an idle machine, or with --repeat 5/);
  const starved = checkNoise(
    [step(1, [1, 1], { loadAverage: 0, cpuSeconds: 2 }), step(2, [1, 1], { cpuSeconds: 1 })],
    { cpuCount: 2, jobBound: "cpu" },
  );
  assert.equal(starved.busy, true);
  assert.match(starved.lines[0], /^Warning: at 2 workers the CPU-bound jobs got 1\.00 s of CPU/);
  // More workers than CPUs wait for a CPU by design: not a sign of other work.
  const oversubscribed = checkNoise(
    [step(1, [1], { loadAverage: 0, cpuSeconds: 1 }), step(4, [2, 2, 2, 2], { cpuSeconds: 4 })],
    { cpuCount: 2, jobBound: "cpu" },
  );
  assert.equal(oversubscribed.busy, false);
  // Sleep jobs use no CPU while they run: no CPU-time check for "wait" jobs.
  const sleeping = checkNoise([step(2, [1, 1], { loadAverage: 0, cpuSeconds: 0.01 })], {
    cpuCount: 2,
    jobBound: "wait",
  });
  assert.deepEqual(sleeping, { busy: false, lines: [] });
});

Deno.test("checkNoise() names contention when jobs slow down with the CPU time to show for it", () => {
  const report = checkNoise(
    [
      step(1, [0.1, 0.1], { loadAverage: 0, cpuSeconds: 0.2 }),
      step(2, [0.15, 0.15], {
        cpuSeconds: 0.3,
      }),
    ],
    { cpuCount: 2, jobBound: "cpu" },
  );
  assert.equal(report.busy, false);
  assert.match(report.lines[0], /^Jobs slow each other down: the median job ran 100\.0 ms at 1/);
  assert.match(report.lines[0], /memory bandwidth/);
});

Deno.test("warmup runs untimed runs first; steps record load average and CPU time", async () => {
  const steps: SweepStep[] = [];
  for await (
    const s of runSweep({ job: "noop", jobCount: 100, workerCounts: [1], warmup: 2, repeat: 2 })
  ) steps.push(s);
  for (const s of steps) {
    assert.equal(s.warmupRuns, 2);
    assert.equal(s.completed, 100);
    assert.ok(s.loadAverage! >= 0);
    assert.ok(s.cpuSeconds! >= 0);
  }
  assert.throws(() => runSweep({ job: "noop", warmup: -1 }), /warmup must be an integer from 1/);
  const [combined] = combineRepeats([[steps[0]], [steps[1]]]);
  const mean = (steps[0].seconds + steps[1].seconds) / 2;
  assert.ok(Math.abs(combined.secondsMean! - mean) < 1e-12);
  assert.ok(
    Math.abs(combined.secondsStdDev! - Math.abs(steps[0].seconds - steps[1].seconds) / Math.SQRT2) <
      1e-12,
  );
});

Deno.test("--warmup is checked like every setting; --repeat prints mean ± σ", async () => {
  const bad = await runCli(["--job", "noop", "--warmup", "x"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--warmup must be an integer from 0 to 100, received "x"/);
  const run = await runCli([
    "--job",
    "noop",
    "--jobs",
    "50",
    "--workers",
    "1",
    "--repeat",
    "2",
    "--warmup",
    "1",
    "--quiet",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /\| MEAN ± σ +\|/);
  assert.match(run.stdout, /\| +\d\.\d{6} ± \d\.\d{6} \|/);
});
