import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runCli } from "./_cli.ts";
import { collectSteps } from "./_sweep.ts";
import { tempDir } from "./_temp.ts";
import { type StepResult, type SweepEvent, type SweepOptions, WorkerStartError } from "../mod.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

/** Every job is reported exactly once, and the counts add up. */
function assertAccounted(step: StepResult): void {
  assert.equal(step.completed + step.failed + step.cancelled, step.jobCount);
  assert.equal(step.jobs.length, step.jobCount);
  assert.deepEqual(
    [...step.jobs].map((job) => job.jobNumber),
    Array.from({ length: step.jobCount }, (_, i) => i + 1),
  );
  assert.equal(new Set([...step.jobs].map((job) => job.jobId)).size, step.jobCount);
}

async function oneStep(job: URL, jobCount: number, extra: SweepOptions = {}) {
  const events: SweepEvent[] = [];
  const steps = await collectSteps({
    job,
    workerCounts: [1],
    jobCount,
    onEvent: (event) => events.push(event),
    ...extra,
  });
  const step = steps[0];
  assertAccounted(step);
  return { step, events };
}

Deno.test("a custom job module receives its --job-arg input", async () => {
  const { step } = await oneStep(fixture("add_job.ts"), 2, {
    params: { jobArgs: { a: "2", b: "40" } },
  });
  assert.equal(step.completed, 2);
  assert.deepEqual([...step.jobs].map((job) => job.output), [{ sum: 42 }, { sum: 42 }]);
});

Deno.test("a job that throws is recorded as failed with its message and the step completes", async () => {
  const { step } = await oneStep(fixture("flaky_job.ts"), 5);
  assert.equal(step.completed, 3);
  assert.equal(step.failed, 2);
  const failed = [...step.jobs].filter((job) => job.status === "failed");
  assert.deepEqual(failed.map((job) => job.jobNumber), [2, 4]);
  assert.match(
    failed[0].error!.message,
    /^Job 2 \(.*flaky_job\.ts\) failed: flaky failure on call 2$/,
  );
});

Deno.test("a WASM trap fails that job with an error naming it, and a new worker runs the rest", async () => {
  const { step, events } = await oneStep(fixture("trap_job.ts"), 4);
  assert.deepEqual([...step.jobs].map((job) => job.status), ["done", "failed", "done", "failed"]);
  const trap = step.jobs.get(1).error!;
  assert.equal(trap.name, "RuntimeError");
  assert.match(trap.message, /^Job 2 \(.*trap_job\.ts\) trapped in WebAssembly: unreachable/);
  assert.equal(events.filter((event) => event.type === "worker-replaced").length, 2);
  // Jobs 1 and 3 ran on different workers: the trapped worker was retired.
  assert.notEqual(step.jobs.get(0).workerId, step.jobs.get(2).workerId);
});

Deno.test("a worker that calls self.close() fails its job and is replaced", async () => {
  const { step, events } = await oneStep(fixture("close_job.ts"), 3);
  assert.deepEqual([...step.jobs].map((job) => job.status), ["done", "failed", "done"]);
  assert.match(step.jobs.get(1).error!.message, /self\.close\(\)/);
  assert.equal(events.filter((event) => event.type === "worker-replaced").length, 1);
});

Deno.test("a worker killed by an uncaught error fails its in-flight job and is replaced", async () => {
  const { step, events } = await oneStep(fixture("crash_job.ts"), 3);
  assert.deepEqual([...step.jobs].map((job) => job.status), ["done", "failed", "done"]);
  assert.match(step.jobs.get(1).error!.message, /uncaught crash in worker/);
  assert.equal(events.filter((event) => event.type === "worker-replaced").length, 1);
});

Deno.test("workers that fail at start-up stop the sweep with a clear error and no respawn", async () => {
  let allocated = 0;
  await assert.rejects(
    collectSteps({
      job: fixture("startup_fail_job.ts"),
      workerCounts: [2],
      jobCount: 4,
      onEvent: (event) => {
        if (event.type === "worker-allocated") allocated++;
      },
    }),
    (error) =>
      error instanceof WorkerStartError &&
      /Cannot run the step with 2 workers: Cannot load job module .*startup_fail_job\.ts: .*this job module cannot load/
        .test(error.message),
  );
  assert.equal(allocated, 2);
});

Deno.test("a job module without a default function export is refused at start-up", async () => {
  await assert.rejects(
    collectSteps({ job: fixture("no_default_job.ts"), workerCounts: [1], jobCount: 1 }),
    /its default export must be a function \(input\) => result, found no default export/,
  );
});

Deno.test("a job over JOBTIMEOUTMS is cancelled and counted failed as timed out", async () => {
  const { step } = await oneStep(fixture("wait_for_cancel_job.ts"), 2, { jobTimeoutMs: 50 });
  assert.equal(step.failed, 2);
  for (const job of step.jobs) {
    assert.equal(job.error?.name, "JobTimeoutError");
    assert.match(job.error!.message, /timed out after 50 ms$/);
  }
});

Deno.test("workers cannot read files or environment variables unless allowed", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/probe.txt`;
  await Deno.writeTextFile(path, "probe");
  const input = { path, env: "HOME" };
  const denied = await oneStep(fixture("probe_job.ts"), 1, {
    params: { jobArgs: input },
    sandbox: true,
  });
  assert.deepEqual(denied.step.jobs.get(0).output, { read: "NotCapable", env: "NotCapable" });
  const allowed = await oneStep(fixture("probe_job.ts"), 1, {
    params: { jobArgs: input, permissions: { read: [path], env: ["HOME"] } },
    sandbox: true,
  });
  assert.deepEqual(allowed.step.jobs.get(0).output, { read: "allowed", env: "allowed" });
});

Deno.test("the built-in sleep job's workers cannot read files either", async () => {
  // The probe runs with no extra permissions: the same default every built-in kind gets.
  const { step } = await oneStep(fixture("probe_job.ts"), 1, {
    params: { jobArgs: { path: "/etc/hostname", env: "PATH" } },
    sandbox: true,
  });
  assert.equal((step.jobs.get(0).output as { read: string }).read, "NotCapable");
});

Deno.test("aborting mid-step cancels every job and leaves the counts whole", async () => {
  const controller = new AbortController();
  let partial: StepResult | undefined;
  await assert.rejects(
    collectSteps({
      job: fixture("wait_for_cancel_job.ts"),
      workerCounts: [2],
      jobCount: 5,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === "job-started" && event.jobNumber === 2) {
          queueMicrotask(() => controller.abort(new Error("stop")));
        }
        if (event.type === "step-end") partial = event.result;
      },
    }),
    /stop/,
  );
  assert.ok(partial);
  assertAccounted(partial);
  assert.equal(partial.cancelled, 5);
});

Deno.test("a job that ignores its cancel flag after a timeout is reported and the CLI exits", async () => {
  const start = performance.now();
  const run = await runCli([
    ..."--jobs 2 --workers 1 --job-timeout-ms 100 --quiet --job".split(" "),
    fileURLToPath(new URL("./fixtures/busy_loop_job.ts", import.meta.url)),
  ]);
  assert.ok(performance.now() - start < 10_000, "exits, not spins");
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /^Summary:/m);
  assert.match(run.stderr, /timed out after 100 ms/);
});

Deno.test("a module stuck at load fails the run at the start-up deadline in one line, exit 2", async () => {
  const start = performance.now();
  const run = await runCli([
    ..."--jobs 1 --workers 1 --startup-timeout-ms 500 --quiet --job".split(" "),
    fileURLToPath(new URL("./fixtures/stuck_at_load_job.ts", import.meta.url)),
  ]);
  assert.ok(performance.now() - start < 10_000, "exits, not hangs");
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    /^deno-channels: Cannot run the step with 1 worker: the .*stuck_at_load_job\.ts workers were not ready within 500 ms$/m,
  );
});

Deno.test("a job that runs the sweep out of memory: the completed steps, where it died, exit 1", async () => {
  await using dir = await tempDir();
  const marker = `${dir.path}/marker`;
  const start = performance.now();
  const run = await runCli([
    ..."--jobs 1 --workers 1,2 --quiet --job-arg".split(" "),
    `marker=${marker}`,
    "--job-allow-read",
    dir.path,
    "--job-allow-write",
    dir.path,
    "--job",
    fileURLToPath(new URL("./fixtures/oom_job.ts", import.meta.url)),
  ], { env: { DENO_V8_FLAGS: "--max-old-space-size=96" } });
  assert.ok(performance.now() - start < 10_000, "exits, not hangs");
  assert.equal(run.code, 1, run.stderr);
  // The 1-worker step completed (its job made the marker); the 2-worker step died.
  assert.match(run.stdout, /^\|\s+1 \|\s+1 \|\s+\d+\.\d+ \| \(baseline\)/m);
  assert.doesNotMatch(run.stdout, /^\|\s+2 \|/m);
  assert.match(
    run.stderr,
    /^deno-channels: the sweep process was killed by SIG\w+ during the step with 2 workers; the last job seen starting was 1 of 1 \(out of memory, or a crash outside JavaScript\); the steps above had completed$/m,
  );
});

Deno.test("a job that calls Deno.exit() fails that job, its worker is replaced, nothing hangs", async () => {
  const { step, events } = await oneStep(fixture("exit_job.ts"), 2);
  assert.deepEqual([...step.jobs].map((job) => job.status), ["failed", "failed"]);
  assert.match(step.jobs.get(0).error!.message, /self\.close\(\)/);
  assert.ok(events.some((event) => event.type === "worker-replaced"));
});

Deno.test("a thrown null-prototype object fails its job with a readable message", async () => {
  const { step } = await oneStep(fixture("null_prototype_throw_job.ts"), 3);
  assert.deepEqual([...step.jobs].map((job) => job.status), ["failed", "failed", "failed"]);
  for (const job of step.jobs) {
    assert.match(job.error!.message, /failed: \[Object: null prototype\] \{\}$/);
  }
});

Deno.test("a cyclic result with a BigInt and a Map comes back whole", async () => {
  const { step } = await oneStep(fixture("cyclic_bigint_job.ts"), 2);
  assert.equal(step.completed, 2, JSON.stringify([...step.jobs].map((job) => job.error)));
  const output = step.jobs.get(0).output as { n: bigint; map: Map<string, number>; self: unknown };
  assert.equal(output.n, 10n);
  assert.equal(output.map.get("k"), 1);
  assert.equal(output.self, output);
});

Deno.test("a job posting its own messages fails on its worker, never the main thread", async () => {
  const { step } = await oneStep(fixture("stray_message_job.ts"), 3);
  assert.equal(step.completed, 0);
  assert.equal(step.failed, 3);
  assert.match(
    step.jobs.get(0).error!.message,
    /The job posted a message the pool does not understand: null/,
  );
});
