import assert from "node:assert/strict";
import { runStep, type SweepEvent, WorkerPool } from "../mod.ts";
import { collectSteps } from "./_sweep.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

// The retired-flag path itself (a retired thread that goes on claiming) is proven in
// shared_channel_test.ts, where retiring does not terminate; here Deno's terminate() of the
// spinning worker usually takes effect soon after its spin, before it can ask for another job.
Deno.test("a job spinning past JOBTIMEOUTMS fails as timed out, and no later job is the old worker's", async () => {
  const path = await Deno.makeTempFile();
  await Deno.writeTextFile(path, "fresh");
  const events: SweepEvent[] = [];
  const steps = await collectSteps({
    job: fixture("stubborn_job.ts"),
    workerCounts: [1],
    jobCount: 20,
    jobTimeoutMs: 400,
    params: { jobArgs: { path }, permissions: { read: [path], write: [path] } },
    onEvent: (event) => events.push(event),
  });
  await Deno.remove(path);
  const step = steps[0];
  const replaced = events.filter((event) => event.type === "worker-replaced");
  assert.equal(replaced.length, 1);
  const { oldWorkerId, workerId } = replaced[0] as Extract<SweepEvent, { type: "worker-replaced" }>;
  const [first, gate, ...rest] = step.jobs;
  assert.equal(first.status, "failed");
  assert.equal(first.error?.name, "JobTimeoutError");
  assert.equal(first.workerId, oldWorkerId);
  // The gate job returned only after the old worker's spin was over, with 18 jobs queued:
  // none of them was recorded by that worker.
  assert.deepEqual(
    [gate.status, gate.output, gate.workerId],
    ["done", "gate", workerId],
    gate.error?.message,
  );
  assert.deepEqual(rest.map((job) => job.workerId), rest.map(() => workerId));
  assert.deepEqual(rest.map((job) => job.output), rest.map((_, i) => i + 2));
  assert.equal(step.completed + step.failed, 20);
});

Deno.test("a large batch of no-op jobs sends no message per job and reports every job once", async () => {
  const jobCount = 200_000;
  const steps = await collectSteps({ job: "noop", workerCounts: [2], jobCount });
  const step = steps[0];
  assert.equal(step.completed, jobCount);
  assert.equal(step.jobs.length, jobCount);
  assert.ok([...step.jobs].every((job, i) => job.jobNumber === i + 1 && job.status === "done"));
  assert.ok([...step.jobs].every((job) => job.output === null && job.elapsedSeconds >= 0));
  assert.equal(
    new Set([...step.jobs].map((job) => job.workerId)).size,
    2,
    "both workers took jobs",
  );
});

Deno.test("a job whose output cannot be cloned fails alone; the jobs batched with it keep theirs", async () => {
  const steps = await collectSteps({
    job: fixture("function_output_job.ts"),
    workerCounts: [1],
    jobCount: 6,
  });
  const step = steps[0];
  assert.deepEqual([...step.jobs].map((job) => job.status), [
    "done",
    "failed",
    "done",
    "failed",
    "done",
    "failed",
  ]);
  assert.deepEqual([...step.jobs].filter((job) => job.status === "done").map((job) => job.output), [
    { call: 1 },
    { call: 3 },
    { call: 5 },
  ]);
  assert.match(
    step.jobs.get(1).error!.message,
    /^Job 2 \(.*function_output_job\.ts\) failed: .*could not be cloned/,
  );
});

Deno.test("runStep() with a signal already aborted starts no job and cancels every one", async () => {
  await using pool = new WorkerPool({
    size: 2,
    jobKind: "sleep",
    params: {},
  });
  await pool.ready();
  const controller = new AbortController();
  controller.abort(new Error("before the start"));
  const events: SweepEvent["type"][] = [];
  const step = await runStep(pool, {
    jobCount: 5,
    signal: controller.signal,
    onEvent: (event) => events.push(event.type),
  });
  assert.equal(step.cancelled, 5);
  assert.deepEqual(
    [...step.jobs].map((job) => [job.workerId, job.error?.message]),
    [...step.jobs].map(() => ["", "The sweep was cancelled before it started"]),
  );
  assert.equal(events.filter((type) => type === "job-started").length, 0);
  assert.equal(events.filter((type) => type === "job-finished").length, 5);
});
