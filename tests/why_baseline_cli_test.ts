import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

const WAIT_JOB = fileURLToPath(new URL("./fixtures/wait_ms_job.ts", import.meta.url));

/** A small sweep of the wait job: its size is the `ms` job-arg, which a baseline does not fix. */
function sweep(ms: number, ...more: string[]): string[] {
  return [
    "--job",
    WAIT_JOB,
    "--job-arg",
    `ms=${ms}`,
    "--jobs",
    "4",
    "--workers",
    "1,2",
    "--quiet",
    // Generous: the test machine may be shared; a tenfold slowdown still stands out.
    "--baseline-threshold",
    "300",
    ...more,
  ];
}

Deno.test("--save-baseline keeps the sweep with machine and version; an unchanged rerun is 'no change'", async () => {
  await using dir = await tempDir();
  const saved = await runCli(sweep(20, "--save-baseline", "main"), { cwd: dir.path });
  assert.equal(saved.code, 0, saved.stderr);
  const file = JSON.parse(
    await Deno.readTextFile(`${dir.path}/.deno-channels/baselines/main.json`),
  );
  assert.equal(file.version, 1);
  assert.equal(file.machine.cpus, navigator.hardwareConcurrency);
  assert.match(file.toolVersion, /^\d+\.\d+\.\d+/);
  assert.deepEqual(file.steps.map((step: { workers: number }) => step.workers), [1, 2]);

  const rerun = await runCli(sweep(20, "--baseline", "main"), { cwd: dir.path });
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stdout, /^Against baseline main \(saved .*; threshold 300%\):$/m);
  assert.match(
    rerun.stdout,
    /^ {2}2 workers: .* → .*: no change: within the 300% threshold \(no repeats\)$/m,
  );
  assert.match(rerun.stdout, /^No step got slower beyond the threshold\.$/m);
});

Deno.test("--baseline exits 3 when a deliberately slowed job makes the steps slower", async () => {
  await using dir = await tempDir();
  const base = await runCli(sweep(20, "--save-baseline", "fast"), { cwd: dir.path });
  assert.equal(base.code, 0, base.stderr);
  // Twenty times the wait per job: far beyond the 300% threshold, even when a loaded machine
  // adds tens of milliseconds to the fast steps.
  const slowed = await runCli(sweep(400, "--baseline", "fast"), { cwd: dir.path });
  assert.equal(slowed.code, 3, slowed.stderr);
  assert.match(slowed.stdout, /^ {2}1 worker: .*: slower beyond the 300% threshold$/m);
  assert.match(slowed.stdout, /steps? got slower beyond the threshold: exit 3\.$/m);
});

Deno.test("--baseline refuses a baseline of another batch with one line, before running", async () => {
  await using dir = await tempDir();
  const base = await runCli(sweep(5, "--save-baseline", "four"), { cwd: dir.path });
  assert.equal(base.code, 0, base.stderr);
  const other = await runCli([...sweep(5, "--baseline", "four"), "--jobs", "6"], {
    cwd: dir.path,
  });
  assert.equal(other.code, 2);
  assert.equal(other.stdout, "");
  assert.equal(
    other.stderr.trimEnd(),
    "deno-channels: Cannot compare with the baseline: the batches differ: 4 jobs per step in " +
      "the baseline, 6 now (baseline .deno-channels/baselines/four.json)",
  );
  const missing = await runCli(sweep(5, "--baseline", "none"), { cwd: dir.path });
  assert.equal(missing.code, 2);
  assert.match(
    missing.stderr,
    /^deno-channels: Cannot read settings: BASELINE \(--baseline\) names/,
  );
  assert.equal(missing.stderr.trimEnd().split("\n").length, 1);
});

Deno.test("--repeat 5 on a real tie says the worker counts cannot be told apart", async () => {
  // Two sleep jobs take one round on 2 workers and on 3: the third worker has nothing to do.
  const run = await runCli([
    "--jobs",
    "2",
    "--workers",
    "1,2,3",
    "--sleep-ms",
    "150",
    "--warmup",
    "1",
    "--repeat",
    "5",
    "--quiet",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /\| SPEED-UP 95% CI \|/);
  assert.match(
    run.stdout,
    /^Recommendation: 2 workers \(2 and 3 workers are within noise; 2 is cheaper\)$/m,
  );
});
