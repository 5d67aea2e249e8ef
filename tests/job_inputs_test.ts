import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runSweep, type SweepStep } from "../mod.ts";
import { runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

const INPUT_JOB = new URL("./fixtures/input_job.ts", import.meta.url);
const INPUT_JOB_PATH = fileURLToPath(INPUT_JOB);

async function steps(options: Parameters<typeof runSweep>[0]): Promise<SweepStep[]> {
  const all: SweepStep[] = [];
  for await (const step of runSweep(options)) all.push(step);
  return all;
}

Deno.test("runSweep({ inputs }) gives job k the k-th input in every step, args in the context", async () => {
  const inputs = [{ n: 1 }, { n: 20 }, { n: 300 }, { n: 4000 }, { n: 5 }];
  const sweep = await steps({
    job: INPUT_JOB,
    inputs,
    params: { jobArgs: { tag: "t" } },
    workerCounts: [1, 2],
  });
  for (const step of sweep) {
    assert.equal(step.jobCount, 5);
    assert.deepEqual(
      [...step.jobs].map((job) => job.output),
      inputs.map((input, k) => ({ job: k + 1, twice: input.n * 2, tag: "t" })),
    );
  }
});

Deno.test("runSweep({ inputs }) refuses a disagreeing jobCount, no inputs and unclonable ones", () => {
  assert.throws(
    () => runSweep({ job: INPUT_JOB, inputs: [{ n: 1 }], jobCount: 2 }),
    /jobCount must be left out or equal the number of inputs \(1\), received 2/,
  );
  assert.throws(() => runSweep({ job: INPUT_JOB, inputs: [] }), /inputs must hold from 1 to/);
  assert.throws(
    () => runSweep({ job: INPUT_JOB, inputs: [{ n: 1 }, { n: 2, f: () => 1 }] }),
    /input 2 cannot be posted to a worker/,
  );
});

Deno.test("--inputs FILE makes the batch, one job per line; - reads stdin", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/batch.jsonl`;
  await Deno.writeTextFile(file, '{"n": 1}\n\n{"n": 2}\r\n{"n": 3}\n');
  const debug = ["--job", INPUT_JOB_PATH, "--workers", "1,2", "--debug", "--quiet"];
  const fromFile = await runCli([...debug, "--inputs", file, "--job-arg", "tag=x"]);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  // Blank lines are not jobs: three lines, three jobs per step.
  assert.match(fromFile.stdout, /^\| +2 \| +3 \|/m);
  for (const n of [1, 2, 3]) {
    assert.match(fromFile.stdout, new RegExp(`job: ${n}, twice: ${2 * n}, tag: "x"`));
  }
  const fromStdin = await runCli([...debug, "--inputs", "-"], { stdin: '{"n": 21}\n' });
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.match(fromStdin.stdout, /job: 1, twice: 42, tag: null/);
});

Deno.test("a bad --inputs line or count is one line naming the file and line, exit 2, nothing run", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/bad.jsonl`;
  await Deno.writeTextFile(file, '{"n": 1}\n{"n": 2,}\n');
  const cases: [string[], RegExp][] = [
    [["--inputs", file], new RegExp(`--inputs ${file} line 2 must be one JSON value`)],
    [["--inputs", `${dir.path}/missing.jsonl`], /--inputs .*missing\.jsonl is not readable/],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(["--job", INPUT_JOB_PATH, "--workers", "1", ...args]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, message);
    assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
  }
  await Deno.writeTextFile(file, '{"n": 1}\n{"n": 2}\n');
  const count = await runCli(["--job", INPUT_JOB_PATH, "--inputs", file, "--jobs", "3"]);
  assert.equal(count.code, 2, count.stderr);
  assert.match(count.stderr, /TOTALJOBCOUNT \(--jobs\) must be left out or equal the 2 lines/);
  const empty = await runCli(["--job", INPUT_JOB_PATH, "--inputs", "-"], { stdin: "\n \n" });
  assert.equal(empty.code, 2, empty.stderr);
  assert.match(empty.stderr, /--inputs stdin must have at least one line of JSON, received none/);
});
