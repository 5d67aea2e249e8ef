import assert from "node:assert/strict";
import { openStepLog, readStepLog } from "../src/cli/step_log.ts";
import { jobRecords, type SweepStep } from "../mod.ts";
import { tempDir } from "./_temp.ts";

const STEP: SweepStep = {
  workers: 1,
  concurrency: 1,
  jobCount: 2,
  seconds: 0.5,
  completed: 2,
  failed: 0,
  cancelled: 0,
  averageJobSeconds: 0.25,
  peakRssBytes: 1024,
  jobs: jobRecords([{
    jobId: "a",
    jobNumber: 1,
    workerId: "w",
    status: "done",
    elapsedSeconds: 0.25,
    waitSeconds: 0,
    output: 1n,
  }]),
  repeat: 1,
  startupSeconds: 0.01,
  speedup: 1,
};

Deno.test("the step log gives back completed steps and where a dead sweep stopped, even mid-line", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/steps.ndjson`;
  await Deno.writeTextFile(path, "");
  const log = openStepLog(path);
  log.onEvent({
    type: "step-start",
    step: 1,
    stepCount: 2,
    repeat: 1,
    workers: 1,
    concurrency: 1,
    jobCount: 2,
  });
  log.onEvent({ type: "step-progress", settled: 0, jobCount: 2, lastStartedJobNumber: 1 });
  // A BigInt output cannot be JSON: the log leaves per-job records out.
  log.step(STEP);
  log.onEvent({
    type: "step-start",
    step: 2,
    stepCount: 2,
    repeat: 1,
    workers: 2,
    concurrency: 1,
    jobCount: 2,
  });
  log.onEvent({ type: "step-progress", settled: 0, jobCount: 2, lastStartedJobNumber: 2 });
  log.close();
  await Deno.writeTextFile(path, '{"type":"job","jobNu', { append: true });
  const reading = readStepLog(await Deno.readTextFile(path));
  const { jobs, ...rest } = reading.steps[0];
  assert.equal(reading.steps.length, 1);
  assert.equal(jobs.length, 0);
  const { jobs: _written, ...expected } = STEP;
  assert.deepEqual(rest, { ...expected, workerMemory: [] });
  assert.deepEqual(reading.running, { workers: 2, repeat: 1, jobCount: 2, lastJobStarted: 2 });
});

Deno.test("the step log says which value of a parameter scan each completed step belongs to", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/steps.ndjson`;
  await Deno.writeTextFile(path, "");
  const log = openStepLog(path);
  log.scanValue(0);
  log.step(STEP);
  log.step({ ...STEP, workers: 2 });
  log.scanValue(1);
  log.step(STEP);
  log.close();
  const reading = readStepLog(await Deno.readTextFile(path));
  assert.deepEqual(reading.steps.map((step) => step.workers), [1, 2, 1]);
  assert.deepEqual(reading.scanIndexes, [0, 0, 1]);
});

Deno.test("a step log line that the sweep process did not write ends the reading", async () => {
  // A job granted write access to the temp dir could append to the log: a step with a null time
  // crashed the supervisor's summary (`Cannot read properties of null (reading 'toFixed')`).
  await using dir = await tempDir();
  const path = `${dir.path}/steps.ndjson`;
  await Deno.writeTextFile(path, "");
  const log = openStepLog(path);
  log.step(STEP);
  log.close();
  const { jobs: _jobs, ...kept } = STEP;
  const forged = [
    { type: "step", step: { ...kept, seconds: null } },
    { type: "step", step: { ...kept, workers: 7, completed: 99 } },
    { type: "step-start", workers: 1e9, repeat: 1, jobCount: -1 },
  ];
  for (const line of forged) {
    await Deno.writeTextFile(`${path}.forged`, await Deno.readTextFile(path));
    await Deno.writeTextFile(`${path}.forged`, `${JSON.stringify(line)}\n`, { append: true });
    const reading = readStepLog(await Deno.readTextFile(`${path}.forged`));
    assert.equal(reading.steps.length, 1, JSON.stringify(line));
    assert.equal(reading.running, undefined);
  }
});
