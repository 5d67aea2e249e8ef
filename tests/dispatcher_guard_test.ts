/**
 * A job shares its worker with the dispatcher: whatever it posts, wraps or
 * throws, every job is reported exactly once and the sweep ends with its summary.
 */
import assert from "node:assert/strict";
import type { SweepOptions, SweepStep } from "../mod.ts";
import { collectSteps } from "./_sweep.ts";
import { cliCommand, runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

const JOB_COUNT = 12;

/** Runs `job` on 1 and 2 workers, 1 and 4 jobs in flight, and checks every step's counts. */
async function sweepAll(job: string, options: Partial<SweepOptions> = {}): Promise<SweepStep[]> {
  const steps = await collectSteps({
    job: fixture(job),
    workerCounts: [1, 2],
    concurrency: [1, 4],
    jobCount: JOB_COUNT,
    // A run that hangs fails the test instead of the suite.
    signal: AbortSignal.timeout(60_000),
    ...options,
  });
  const jobCount = options.jobCount ?? JOB_COUNT;
  assert.equal(steps.length, 4);
  for (const step of steps) {
    assert.equal(step.completed + step.failed + step.cancelled, jobCount);
    assert.equal(step.jobs.length, jobCount);
  }
  return steps;
}

function messages(step: SweepStep): string[] {
  const found: string[] = [];
  for (let index = 0; index < step.jobs.length; index++) {
    const error = step.jobs.get(index).error;
    if (error) found.push(error.message);
  }
  return found;
}

Deno.test("a job's forged reports and drained messages fail its worker's jobs, never the sweep", async () => {
  for (const step of await sweepAll("forged_report_job.ts")) {
    assert.ok(step.failed > 0, "a forged message fails the jobs of its worker");
    for (const message of messages(step)) {
      assert.match(
        message,
        /(broke the protocol|no worker was left|worker stopped|worker was retired)/i,
      );
    }
  }
});

Deno.test("a job that wraps the global Atomics never sees the channel: its failures stay failures", async () => {
  for (const step of await sweepAll("atomics_wrap_job.ts")) {
    assert.equal(step.failed, JOB_COUNT);
    for (const message of messages(step)) assert.match(message, /saw 0 shared arrays/);
  }
});

Deno.test("errors whose getters throw, Proxies and revoked Proxies fail their job, not the job loop", async () => {
  for (const step of await sweepAll("unreadable_error_job.ts")) {
    assert.equal(step.failed, JOB_COUNT);
    for (const message of messages(step)) assert.doesNotMatch(message, /No worker was left/);
  }
});

Deno.test("a job that replaces postMessage and onmessage cannot silence its worker", async () => {
  for (const step of await sweepAll("replaced_globals_job.ts", { jobTimeoutMs: 5_000 })) {
    assert.equal(step.completed, JOB_COUNT);
    assert.deepEqual(step.jobs.get(0).output, { reported: true });
  }
});

Deno.test("a job timeout ends jobs that replaced their worker's globals, with jobs in flight too", async () => {
  const steps = await sweepAll("stuck_replaced_globals_job.ts", { jobCount: 4, jobTimeoutMs: 100 });
  for (const step of steps) {
    assert.equal(step.completed, 0);
    for (const message of messages(step)) assert.match(message, /timed out after 100 ms/);
  }
});

Deno.test("CLI: a job's forged report fails its jobs with one line each, and the summary still prints", async () => {
  const run = await runCli(["--job", fixture("forged_report_job.ts").pathname, "--workers", "1"]);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /Summary:/);
  assert.match(run.stderr, /broke the protocol: it reported job index 1000000000, outside 0 to 3/);
  assert.doesNotMatch(run.stderr, /^\s+at /m);
  assert.doesNotMatch(run.stderr, /Invalid atomic access index/);
});

Deno.test("a job's forged drained, sent while it runs, fails its worker's jobs", async () => {
  for (const step of await sweepAll("forged_drained_job.ts")) {
    assert.ok(step.failed > 0);
    assert.ok(messages(step).some((message) => /said it had drained while job/.test(message)));
  }
});

Deno.test("a job that replaces the builtins the worker calls (push, Map, iterators, then, call, Math) cannot stop it", async () => {
  const steps = await sweepAll("tampered_builtins_job.ts", { signal: AbortSignal.timeout(30_000) });
  for (const step of steps) {
    assert.equal(step.completed, JOB_COUNT, messages(step).join("\n"));
    for (let index = 0; index < JOB_COUNT; index++) {
      assert.deepEqual(step.jobs.get(index).output, {
        jobNumber: index + 1,
        messagesSeen: 0,
        aborted: false,
      });
    }
  }
});

Deno.test("a failed job's stack is never read by its worker: a failure costs its name and message", async () => {
  for (const step of await sweepAll("stack_read_job.ts")) {
    assert.equal(step.failed, JOB_COUNT / 2);
    for (let index = 1; index < JOB_COUNT; index += 2) {
      assert.deepEqual(step.jobs.get(index).output, { stackReads: 0 });
    }
    assert.match(step.jobs.get(0).error!.message, /job 1 fails on purpose/);
  }
});

Deno.test("CLI: an error no job code caught fails its job in one line, without Deno's worker trace", async () => {
  const run = await runCli([
    "--job",
    fixture("crash_job.ts").pathname,
    "--workers",
    "1",
    "--jobs",
    "3",
  ]);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /Summary:/);
  assert.match(run.stderr, /Job 2 \(.*\) failed: Uncaught Error: uncaught crash in worker/);
  assert.doesNotMatch(run.stderr, /Uncaught \(in worker/);
  assert.doesNotMatch(run.stderr, /^\s+at /m);
});

Deno.test("CLI: a job module that replaces Function.prototype.call is refused at load in one line", async () => {
  const run = await runCli(["--job", fixture("replaced_call_job.ts").pathname, "--workers", "1"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /Cannot load job module .*: Cannot assign to read only property 'call'/);
  assert.doesNotMatch(run.stderr, /^\s+at /m);
  assert.doesNotMatch(run.stderr, /panicked/);
});

Deno.test("CLI: --job-timeout-ms ends jobs that replaced postMessage, onmessage, Atomics and the timers", async () => {
  const args = ["--job", fixture("stuck_replaced_globals_job.ts").pathname, "--jobs", "2"];
  args.push("--workers", "1", "--concurrency", "1,4", "--job-timeout-ms", "200");
  await using cwd = await tempDir("deno-channels-guard-");
  const child = cliCommand(args, { cwd: cwd.path }).spawn();
  // A hang (the old behaviour) fails the test instead of the suite.
  const kill = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const output = await child.output();
  clearTimeout(kill);
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 1, stderr);
  assert.match(stdout, /Summary:/);
  assert.match(stderr, /Job 1 \(.*\) timed out after 200 ms/);
});
