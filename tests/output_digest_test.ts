import assert from "node:assert/strict";
import { runSweep } from "../mod.ts";
import { compareOutputs, describeOutputCheck } from "../src/report/analysis/outputs.ts";
import { digestOutput, OUTPUT_DIGEST_BYTES } from "../src/step/output_digest.ts";
import type { SweepStep } from "../src/types.ts";
import { runCli } from "./_cli.ts";

const ARRAY_JOB = new URL("./fixtures/array_output_job.ts", import.meta.url);
const UNSTABLE_JOB = new URL("./fixtures/unstable_job.ts", import.meta.url);

async function sweep(job: URL, inputs: number[], keepOutputs: boolean): Promise<SweepStep[]> {
  const steps: SweepStep[] = [];
  for await (const step of runSweep({ job, inputs, workerCounts: [0, 1, 2], keepOutputs })) {
    steps.push(step);
  }
  return steps;
}

Deno.test("keepOutputs: false keeps each output's digest, not the output", async () => {
  const steps = await sweep(ARRAY_JOB, [1_000, 2_000, 3], false);
  for (const step of steps) {
    assert.equal(step.completed, 3);
    for (let index = 0; index < 3; index++) {
      assert.equal(step.jobs.output(index), null);
      assert.equal(step.jobs.get(index).output, null);
    }
    assert.deepEqual(step.jobs.outputDigest?.(2), digestOutput([0, 0.5, 1]));
  }
  // The cross-step check still compares every job of every step, from the digests alone.
  assert.deepEqual(compareOutputs(steps), { compared: 6, differing: 0, examples: [] });
});

Deno.test("the check finds a changed output from digests, with a short preview", async () => {
  const steps = await sweep(UNSTABLE_JOB, [1, 2, 3, 4], false);
  const check = compareOutputs(steps);
  assert.equal(check.compared, 8);
  assert.ok(check.differing >= 4, JSON.stringify(check));
  assert.match(check.examples[0].outputs[0], /^\{ worker: "[0-9a-f]{8}" \}$/);
  assert.match(describeOutputCheck(check)!, /^Warning: job 1's output differs between the inline/);
});

Deno.test("keepOutputs defaults to keeping outputs, with their digests", async () => {
  const steps = await sweep(ARRAY_JOB, [2], true);
  assert.deepEqual(steps[1].jobs.output(0), [0, 0.5]);
  assert.deepEqual(steps[1].jobs.outputDigest?.(0), digestOutput([0, 0.5]));
});

Deno.test("digestOutput() reads a bounded prefix of a large output, and its length", () => {
  const numbers = OUTPUT_DIGEST_BYTES / 8;
  const big = Array.from({ length: 4 * numbers }, (_, i) => i);
  const changedLate = big.with(3 * numbers, -1);
  const changedEarly = big.with(10, -1);
  assert.equal(digestOutput(changedLate).hash, digestOutput(big).hash);
  assert.notEqual(digestOutput(changedEarly).hash, digestOutput(big).hash);
  assert.notEqual(digestOutput(big.slice(1)).hash, digestOutput(big).hash);
  // A long string: the same bound, in characters of two bytes.
  const text = "a".repeat(OUTPUT_DIGEST_BYTES);
  assert.equal(digestOutput(`${text}x`).hash, digestOutput(`${text}y`).hash);
  assert.notEqual(digestOutput(`x${text}`).hash, digestOutput(`y${text}`).hash);
  assert.ok(digestOutput(big).preview.length <= 41);
});

Deno.test("digestOutput() tells types, -0, NaN, cycles and unreadable outputs apart", () => {
  const hash = (value: unknown) => digestOutput(value).hash;
  assert.equal(hash(NaN), hash(Number("x")));
  assert.notEqual(hash(0), hash(-0));
  assert.notEqual(hash(1), hash("1"));
  assert.notEqual(hash(1), hash(1n));
  assert.notEqual(hash([]), hash({}));
  assert.notEqual(hash(["ab"]), hash(["a", "b"]));
  assert.notEqual(hash(new Uint8Array([1, 2])), hash(new Uint8Array([1, 3])));
  assert.equal(hash(new Map([["k", { a: 1, b: 2 }]])), hash(new Map([["k", { b: 2, a: 1 }]])));
  const cycle: Record<string, unknown> = { a: 1 };
  cycle.self = cycle;
  assert.equal(digestOutput(cycle).preview, "{ a: 1, self: [Circular] }");
  const throwing = {
    get boom(): never {
      throw new RangeError("no");
    },
  };
  assert.equal(digestOutput(throwing).preview, "[unreadable: RangeError]");
  let deep: unknown = 0;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.match(digestOutput(deep).hash, /^[0-9a-f]{16}$/);
});

Deno.test("large outputs returned faster than read do not pile up in the sweep process", async () => {
  // 2,000 outputs of 1 MiB on 2 workers: with 256-report batches and no wait for the main
  // thread to read them, this step peaked at 1.3 GiB; it now holds a few 4 MiB batches.
  const job = new URL("./fixtures/megabyte_output_job.ts", import.meta.url).href;
  const run = await runCli(["--job", job, "--jobs", "2000", "--workers", "2", "--format", "json"]);
  assert.equal(run.code, 0, run.stderr);
  const [step] = JSON.parse(run.stdout).steps;
  assert.equal(step.completed, 2000);
  assert.ok(step.peakRssMiB < 768, `peak RSS ${step.peakRssMiB} MiB`);
});
