import assert from "node:assert/strict";
import { runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

Deno.test("the CLI reports an unreadable .env in one line and exits 2", async () => {
  await using cwdDir = await tempDir();
  const cwd = cwdDir.path;
  await Deno.mkdir(`${cwd}/.env`);
  const run = await runCli(["--job", "noop"], { cwd });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^deno-channels: Cannot read settings: \.env is not readable: .+\n$/);
});

Deno.test("the CLI reads every key from .env, flags still winning", async () => {
  await using cwdDir = await tempDir();
  const cwd = cwdDir.path;
  await Deno.writeTextFile(
    `${cwd}/.env`,
    "JOBNAME=PiJob\nPIDIGITS=300\nTOTALJOBCOUNT=2\nMAXWORKERCOUNT=1\nDEBUG=1\nJOBTIMEOUTMS=60000\n",
  );
  const run = await runCli([], { cwd });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Job Name: pi$/m);
  assert.match(run.stdout, /\(Ran pi in [\d.]+ Seconds: 300 digits, /);
  const flagged = await runCli(["--debug=false"], { cwd });
  assert.doesNotMatch(flagged.stdout, /Job Name/);
});

Deno.test("the CLI exits 1 and lists the failures when a job throws", async () => {
  const job = new URL("./fixtures/flaky_job.ts", import.meta.url).href;
  const run = await runCli(["--job", job, "--jobs", "4", "--max-workers", "1"]);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /\| FAILED \| CANCELLED \|$/m);
  assert.match(run.stdout, /^\| {17}1 \| {14}4 \| .* \| {6}2 \| {9}0 \|$/m);
  assert.match(
    run.stderr,
    /2 jobs failed:\n {2}1 worker: Job 2 \(.*flaky_job\.ts\) failed: flaky failure on call 2\n/,
  );
});

Deno.test("the CLI stops with exit 2 when a job module cannot load", async () => {
  const run = await runCli(["--job", "./missing_job.ts"]);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /^deno-channels: Cannot run the step with 1 worker: Cannot load job module file:\/\/.*missing_job\.ts: /,
  );
  assert.equal(run.stderr.trimEnd().split("\n").length, 1);
});
