import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { jobRecords } from "../src/step/job_records.ts";
import {
  compareOutputs,
  describeOutputCheck,
  type OutputStep,
} from "../src/report/analysis/outputs.ts";
import { runCli } from "./_cli.ts";

function step(workers: number, outputs: unknown[], repeat = 1): OutputStep {
  return {
    workers,
    repeat,
    jobCount: outputs.length,
    jobs: jobRecords(outputs.map((output, i) => ({
      jobId: "",
      jobNumber: i + 1,
      workerId: "w",
      status: "done" as const,
      elapsedSeconds: 1,
      waitSeconds: 0,
      output,
    }))),
  };
}

Deno.test("compareOutputs() compares each job with the first step's, by value", () => {
  const same = compareOutputs([
    step(1, [1, NaN, { b: 1, a: [2, 3] }, null, new Map([["k", 1n]])]),
    step(2, [1, NaN, { a: [2, 3], b: 1 }, null, new Map([["k", 1n]])]),
  ]);
  // Key order does not matter, NaN equals NaN, and a job with no output is not compared.
  assert.deepEqual(same, { compared: 4, differing: 0, examples: [] });
  assert.equal(describeOutputCheck(same), undefined);
  const differ = compareOutputs([
    step(1, [0, "x", 3]),
    step(2, [-0, "x", 3]),
    step(4, [0, "y", 3], 2),
    step(8, [0, "x"]),
  ]);
  assert.equal(differ.compared, 6);
  assert.equal(differ.differing, 2);
  assert.deepEqual(differ.examples.map((e) => [e.jobNumber, e.workers, e.repeat]), [
    [1, [1, 2], 1],
    [2, [1, 4], 2],
  ]);
  assert.match(
    describeOutputCheck(differ)!,
    /^Warning: job 1's output differs between 1 worker and 2 workers \(0 vs -0\); 2 of 6 /,
  );
});

Deno.test("the CLI warns when a job's output changes with the worker count", async () => {
  const job = fileURLToPath(new URL("./fixtures/unstable_job.ts", import.meta.url));
  const run = await runCli(["--job", job, "--jobs", "4", "--workers", "1,2", "--quiet"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Warning: job 1's output differs between 1 worker and 2 workers/m);
  const steady = await runCli([
    "--job",
    "pi",
    "--digits",
    "500",
    "--jobs",
    "4",
    "--workers",
    "1,2",
  ]);
  assert.equal(steady.code, 0, steady.stderr);
  assert.doesNotMatch(steady.stdout, /output differs/);
});
