import assert from "node:assert/strict";
import { runSweep, type SweepEvent, type SweepStep } from "../mod.ts";
import { collectSteps } from "./_sweep.ts";
import { interruptCliWhen } from "./_cli.ts";

const IN_FLIGHT_JOB = new URL("./fixtures/in_flight_job.ts", import.meta.url);

function outputs(step: SweepStep): number[] {
  return Array.from({ length: step.jobs.length }, (_, i) => step.jobs.output(i) as number);
}

function assertEveryJobOnce(step: SweepStep): void {
  assert.equal(step.completed + step.failed + step.cancelled, step.jobCount);
  assert.equal(step.jobs.length, step.jobCount);
}

Deno.test("concurrency keeps up to C async jobs in flight on each worker and inline, each job once", async () => {
  const steps = await collectSteps({
    job: IN_FLIGHT_JOB,
    params: { jobArgs: { ms: "20" } },
    jobCount: 40,
    workerCounts: [0, 1, 2],
    concurrency: [1, 4],
  });
  assert.deepEqual(steps.map((s) => [s.workers, s.concurrency]), [
    [0, 1],
    [0, 4],
    [1, 1],
    [1, 4],
    [2, 1],
    [2, 4],
  ]);
  for (const step of steps) {
    assertEveryJobOnce(step);
    assert.equal(step.completed, 40);
    assert.equal(
      Math.max(...outputs(step)),
      step.concurrency,
      `${step.workers} × ${step.concurrency}`,
    );
  }
  // Four in flight on one worker finish the 40 waits in about a quarter of the time.
  const [, , oneByOne, fourInFlight] = steps;
  assert.ok(
    fourInFlight.seconds < oneByOne.seconds / 2,
    `${fourInFlight.seconds} s vs ${oneByOne.seconds} s`,
  );
  // The first worker step stays the baseline of the grid.
  assert.equal(oneByOne.speedup, 1);
  assert.ok(fourInFlight.speedup > 2);
});

Deno.test("concurrency above 1 changes nothing for a synchronous job: it runs to completion first", async () => {
  const steps = await collectSteps({
    job: IN_FLIGHT_JOB,
    params: { jobArgs: { sync: "1" } },
    jobCount: 30,
    workerCounts: [0, 1],
    concurrency: [16],
  });
  for (const step of steps) {
    assertEveryJobOnce(step);
    assert.deepEqual(new Set(outputs(step)), new Set([1]));
  }
});

Deno.test("a job that rejects while others are in flight fails alone", async () => {
  const steps = await collectSteps({
    job: IN_FLIGHT_JOB,
    params: { jobArgs: { ms: "5", failEvery: "5" } },
    jobCount: 50,
    workerCounts: [0, 2],
    concurrency: [8],
  });
  for (const step of steps) {
    assertEveryJobOnce(step);
    assert.equal(step.failed, 10);
    assert.equal(step.completed, 40);
    for (let i = 0; i < step.jobCount; i++) {
      assert.equal(step.jobs.status(i), (i + 1) % 5 === 0 ? "failed" : "done");
    }
    assert.match(step.jobs.get(4).error!.message, /job 5 rejects on purpose/);
  }
});

for (const ignoreSignal of ["0", "1"]) {
  Deno.test(`a job timeout ends one job in flight (signal ${ignoreSignal === "1" ? "ignored" : "honoured"}) and not the others`, async () => {
    const steps = await collectSteps({
      job: IN_FLIGHT_JOB,
      params: { jobArgs: { ms: "5", hang: "3", ignoreSignal } },
      jobCount: 20,
      workerCounts: [0, 1],
      concurrency: [4],
      jobTimeoutMs: 300,
    });
    for (const step of steps) {
      assertEveryJobOnce(step);
      assert.equal(step.failed, 1, `${step.workers} workers`);
      assert.equal(step.completed, 19);
      const job = step.jobs.get(2);
      assert.equal(job.status, "failed");
      assert.equal(job.error?.name, "JobTimeoutError");
      assert.ok(step.seconds < 5, `${step.seconds} s`);
    }
  });
}

Deno.test("cancelling the sweep with jobs in flight aborts their signals and reports each job once", async () => {
  for (const workers of [0, 1]) {
    const controller = new AbortController();
    const ends: SweepStep[] = [];
    const onEvent = (event: SweepEvent) => {
      if (event.type === "step-end") ends.push(event.result);
      if (event.type === "step-start") setTimeout(() => controller.abort(new Error("stop")), 400);
    };
    const started = performance.now();
    const iterate = Array.fromAsync(runSweep({
      job: IN_FLIGHT_JOB,
      params: { jobArgs: { ms: "60000" } },
      jobCount: 30,
      workerCounts: workers === 0 ? [0, 1] : [1],
      concurrency: [10],
      signal: controller.signal,
      onEvent,
    }));
    await assert.rejects(iterate, /stop/);
    assert.ok(performance.now() - started < 5_000);
    assert.equal(ends.length, 1);
    const [step] = ends;
    assertEveryJobOnce(step);
    assert.equal(step.cancelled, 30, `${workers} workers`);
  }
});

Deno.test("--concurrency runs the grid and Ctrl-C with jobs in flight still prints the summary", async () => {
  const run = await interruptCliWhen(
    [
      "--debug",
      ...["--job", "sleep-async", "--sleep-ms", "60000", "--jobs", "40"],
      ...["--workers", "1", "--concurrency", "20"],
    ],
    /STARTED/,
    "SIGINT",
  );
  assert.equal(run.code, 130);
  assert.match(
    run.stderr,
    /interrupted by SIGINT; the step with 1 worker × 20 in flight stopped with 0 done, 0 failed, 40 cancelled of 40/,
  );
});
