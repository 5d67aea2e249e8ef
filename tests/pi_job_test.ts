import assert from "node:assert/strict";
import { piDigits } from "../src/pi/mod.ts";
import { fnv1a32 } from "../src/jobs/pi.ts";
import { collectSteps } from "./_sweep.ts";
import { interruptCliWhen, runCli } from "./_cli.ts";

Deno.test("the pi job returns the checksum of piDigits() from every worker", async () => {
  const steps = await collectSteps({
    job: "PiJob",
    params: { digits: 2_000 },
    maxWorkers: 2,
    jobCount: 3,
  });
  const expected = {
    digits: 2_000,
    checksum: fnv1a32(piDigits(2_000)),
    tail: piDigits(2_000).slice(-10),
  };
  for (const step of steps) {
    assert.equal(step.completed, 3);
    for (const job of step.jobs) assert.deepEqual(job.output, expected);
  }
});

Deno.test("the pi-bigint job computes the same digits as the WASM pi job", async () => {
  const steps = await collectSteps({
    job: "pi-bigint",
    params: { digits: 3_001 },
    workerCounts: [1],
    jobCount: 1,
  });
  assert.deepEqual(steps[0].jobs.get(0).output, {
    digits: 3_001,
    checksum: fnv1a32(piDigits(3_001)),
    tail: piDigits(3_001).slice(-10),
  });
});

Deno.test("the pi-machin job computes the same digits as the pi job", async () => {
  const steps = await collectSteps({
    job: "PiMachinJob",
    params: { digits: 2_001 },
    workerCounts: [1],
    jobCount: 1,
  });
  assert.deepEqual(steps[0].jobs.get(0).output, {
    digits: 2_001,
    checksum: fnv1a32(piDigits(2_001)),
    tail: piDigits(2_001).slice(-10),
  });
});

for (const [job, digits] of [["pi", 10_000_000], ["pi-machin", 1_000_000]] as const) {
  Deno.test(`aborting a running ${job} job stops the WASM kernel through its cancel flag`, async () => {
    // Each size takes many seconds here; the abort lands within a poll (a few ms).
    const controller = new AbortController();
    let startedAt = 0;
    const sweep = collectSteps({
      job,
      params: { digits },
      workerCounts: [1],
      jobCount: 1,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === "job-started") {
          startedAt = performance.now();
          setTimeout(() => controller.abort(new Error("enough")), 100);
        }
      },
    });
    await assert.rejects(sweep, /enough/);
    const ranMs = performance.now() - startedAt;
    assert.ok(ranMs < 2_000, `ran ${ranMs.toFixed(0)} ms of a job of many seconds`);
  });
}

Deno.test("the CLI prints the seed's Pi table for a pi sweep", async () => {
  const run = await runCli([
    "--job",
    "pi",
    "--digits",
    "5000",
    "--jobs",
    "4",
    "--max-workers",
    "2",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /^\| NUMBER OF WORKERS \| NUMBER OF JOBS \| AVERAGE JOB EXECUTION TIME \| TOTAL WORKER EXECUTION TIME \| SPEED INCREASE \| PEAK PROCESS RSS \(MIB\) \|$/m,
  );
  // A job's time in seconds, or in µs under a millisecond (the kernel computes small sizes fast).
  assert.match(run.stdout, /^\| {17}2 \| {14}4 \| +(0\.\d{6}|[\d.]+ µs) \| +0\.\d{6} \| [+-]\d/m);
});

Deno.test("the CLI rejects PIDIGITS outside 1..10000000", async () => {
  for (const [args, env] of [[["--digits", "0"], {}], [[], { PIDIGITS: "10000001" }]] as const) {
    const run = await runCli([...args, "--job", "pi"], { env });
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /(--digits|PIDIGITS in the environment) must be an integer from 1 to 10000000/,
    );
  }
});

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`the CLI stops a running pi job on ${signal} within a second and exits ${code}`, async () => {
    const run = await interruptCliWhen(
      ["--debug", "--job", "pi", "--digits", "10000000", "--jobs", "1", "--max-workers", "1"],
      /STARTED/,
      signal,
    );
    assert.equal(run.code, code);
    assert.ok(run.exitMs < 1_000, `exited ${run.exitMs.toFixed(0)} ms after ${signal}`);
    assert.match(
      run.stderr,
      new RegExp(
        `interrupted by ${signal}; the step with 1 worker stopped with 0 done, 0 failed, 1 cancelled of 1`,
      ),
    );
    assert.match(run.stdout, /^Summary:$/m);
  });
}

Deno.test("the CLI exits 143 on SIGTERM while workers are still starting", async () => {
  const job = new URL("./fixtures/never_ready_job.ts", import.meta.url).href;
  const run = await interruptCliWhen(
    ["--debug", "--job", job, "--max-workers", "2", "--jobs", "2"],
    /Allocating Worker #1/,
    "SIGTERM",
  );
  assert.equal(run.code, 143, run.stderr);
  assert.ok(run.exitMs < 1_000);
  assert.match(run.stderr, /interrupted by SIGTERM$/m);
});
