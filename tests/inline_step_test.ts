import assert from "node:assert/strict";
import { runSweep, type SweepStep, sweepWorkerCounts } from "../mod.ts";
import { join } from "node:path";
import { cliCommand, runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

Deno.test("workerCounts 0 runs the batch inline first, and the first worker step stays the baseline", async () => {
  assert.deepEqual(sweepWorkerCounts({ workerCounts: [1, 0, 2] }), [0, 1, 2]);
  assert.throws(() => sweepWorkerCounts({ workerCounts: [0] }), /a count of 1 or more/);
  const steps: SweepStep[] = [];
  for await (
    const step of runSweep({
      job: "pi",
      params: { digits: 300 },
      jobCount: 6,
      workerCounts: [2, 0, 1],
      warmup: 1,
    })
  ) steps.push(step);
  assert.deepEqual(steps.map((step) => step.workers), [0, 2, 1]);
  const [inline, two, one] = steps;
  assert.equal(inline.completed, 6);
  assert.equal(inline.speedup, 1);
  assert.equal(inline.startupSeconds, 0);
  assert.equal(inline.warmupRuns, 1);
  assert.equal(two.speedup, 1);
  assert.equal(one.speedup, two.seconds / one.seconds);
  // The same answers inline as on workers.
  assert.deepEqual(
    [...inline.jobs].map((job) => job.output),
    [...one.jobs].map((job) => job.output),
  );
  assert.equal(inline.jobs.get(0).workerId, "inline");
});

Deno.test("--workers 0,1 prints an (inline) row and what a worker cost per job", async () => {
  const run = await runCli(["--job", "noop", "--jobs", "200", "--workers", "0,1", "--quiet"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^\| +0 \| +200 \| +[\d.]+ \| \(inline\) +\|/m);
  assert.match(run.stdout, /^\| +1 \| +200 \| +[\d.]+ \| \(baseline\) +\|/m);
  assert.match(
    run.stdout,
    /^Inline \(0 workers: the batch on the main thread, no dispatch\): [\d.]+ s against [\d.]+ s on 1 worker: moving the jobs to workers (cost|saved) [\d.]+ (ns|µs|ms|s) per job$/m,
  );
  // The analysis covers the worker steps only.
  assert.doesNotMatch(run.stdout, /^\| +0 \| [\d.]+ \| \(baseline\)/m);
  const json = await runCli([
    "--job",
    "noop",
    "--jobs",
    "20",
    "--workers",
    "0,1",
    "--format",
    "json",
  ]);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.deepEqual(report.steps.map((step: { workers: number }) => step.workers), [1]);
  assert.equal(report.inline.jobCount, 20);
  assert.equal(report.inline.completed, 20);
  assert.equal(report.inline.repeatSeconds.length, 1);
  const alone = await runCli(["--job", "noop", "--workers", "0"]);
  assert.equal(alone.code, 2);
  assert.match(
    alone.stderr,
    /--workers must be a comma-separated list of integers from 0 \(inline\)/,
  );
});

/**
 * Runs the fixture `name` as a job module on `--workers 0,1`, sends SIGINT once its job has
 * written the file `--job-arg marker=PATH` names, and checks the exit code; returns its stderr.
 */
async function interruptWhenMarked(name: string, jobs: number): Promise<string> {
  await using dir = await tempDir();
  const marker = join(dir.path, "under-way");
  const job = new URL(`./fixtures/${name}`, import.meta.url).href;
  const args = ["--job", job, "--job-arg", `marker=${marker}`, "--job-allow-write", marker];
  const child = cliCommand([...args, "--jobs", String(jobs), "--workers", "0,1"], {
    cwd: dir.path,
  }).spawn();
  while (!await Deno.stat(marker).then(() => true, () => false)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill("SIGINT");
  const output = await child.output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 130, stderr);
  return stderr;
}

Deno.test("Ctrl-C during an inline step of synchronous jobs reports the jobs it had done", async () => {
  // The inline process hears the cancel on a thread of its own: its jobs never yield to the
  // event loop, and it was killed after the grace with every job, done or not, said cancelled.
  const stderr = await interruptWhenMarked("sync_steps_job.ts", 200);
  const stopped = stderr.match(
    /the step with 0 workers stopped with (\d+) done, 0 failed, (\d+) cancelled of 200/,
  );
  assert.ok(stopped, stderr);
  assert.ok(Number(stopped[1]) >= 3, stderr);
  assert.equal(Number(stopped[1]) + Number(stopped[2]), 200);
});

Deno.test("Ctrl-C during the inline step of a built-in job stops it between jobs, counted", async () => {
  // The sweep process runs it on its main thread, which a batch of Atomics.wait sleeps never
  // yields: a thread of its own hears the signal. It was killed after 750 ms, its jobs uncounted.
  await using dir = await tempDir();
  const args = ["--jobs", "100", "--sleep-ms", "100", "--workers", "0,1", "--debug"];
  const child = cliCommand(args, { cwd: dir.path }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  while (!/^Workers: 0 /m.test(stdout)) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += value;
  }
  await new Promise((resolve) => setTimeout(resolve, 400));
  child.kill("SIGINT");
  while (!(await reader.read()).done) {
    // The rest of stdout.
  }
  const { code } = await child.status;
  const text = await stderr;
  assert.equal(code, 130, text);
  const stopped = text.match(
    /the step with 0 workers stopped with (\d+) done, 0 failed, (\d+) cancelled of 100/,
  );
  assert.ok(stopped, text);
  assert.ok(Number(stopped[1]) >= 1, text);
  assert.equal(Number(stopped[1]) + Number(stopped[2]), 100);
});

Deno.test("an inline job deaf to Ctrl-C: its process is killed and the job before it is not said cancelled", async () => {
  // The step's process names the job that holds it after the cancel, so the jobs before it are
  // known to have finished (their results went with the killed process); all were "cancelled".
  const stderr = await interruptWhenMarked("held_job.ts", 10);
  assert.match(stderr, /the step with 0 workers stopped with 0 done, 1 failed, 9 cancelled of 10/);
  assert.match(stderr, /Its result was lost: job 2 did not stop within 250 ms of the cancel/);
});

Deno.test("the inline step's process holds against a job that tampers with its realm", async () => {
  // Replaced Map, Array and iterator methods: the bookkeeping hung (with a job timeout) or
  // crashed with Deno's trace; a replaced TextEncoder silenced the process's reply.
  for (const name of ["tampered_builtins_job.ts", "silencing_job.ts"]) {
    const job = new URL(`./fixtures/${name}`, import.meta.url).href;
    const run = await runCli([
      ..."--workers 0,1 --jobs 4 --concurrency 1,2 --job-timeout-ms 5000 --format json --job"
        .split(" "),
      job,
    ]);
    assert.equal(run.code, 0, `${name}: ${run.stderr}`);
    assert.doesNotMatch(run.stderr, /Uncaught/);
    const inline = JSON.parse(run.stdout).inline;
    assert.deepEqual([inline.completed, inline.failed], [4, 0], name);
  }
});

Deno.test("an inline job's uncaught error ends its process in one line; a module that never loads times out", async () => {
  await using dir = await tempDir();
  const late = join(dir.path, "late.ts");
  await Deno.writeTextFile(
    late,
    'export default () => { setTimeout(() => { throw new TypeError("late"); }, 0); return new Promise((r) => setTimeout(() => r(1), 50)); };\n',
  );
  const run = await runCli(["--job", late, "--workers", "0,1", "--jobs", "2", "--quiet"]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /^deno-channels: the inline step's process ended on an uncaught TypeError: "late"$/m,
  );
  assert.doesNotMatch(run.stderr, /Uncaught \(in|^\s+at /m);
  const never = new URL("./fixtures/never_loads_job.ts", import.meta.url).href;
  const stuck = await runCli(["--job", never, "--workers", "0,1", "--startup-timeout-ms", "1000"]);
  assert.equal(stuck.code, 2, stuck.stderr);
  assert.match(
    stuck.stderr,
    /^deno-channels: Cannot run the step with 0 workers: the inline step's process was not ready within 1000 ms/m,
  );
});
