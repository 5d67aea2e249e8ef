import assert from "node:assert/strict";
import { JobColumnsBuilder, JobIds, jobRecords } from "../src/step/job_records.ts";
import { percentile, percentiles } from "../src/report/analysis/stats.ts";
import { runSweep, type SweepEvent } from "../mod.ts";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

Deno.test("JobIds gives version-4 UUIDs, distinct within a step and between keys", () => {
  const ids = new JobIds();
  const seen = new Set<string>();
  for (let index = 0; index < 200_000; index++) {
    const id = ids.of(index);
    if (index < 1000) assert.match(id, UUID_V4);
    seen.add(id);
  }
  assert.equal(seen.size, 200_000);
  assert.equal(ids.of(7), ids.of(7));
  assert.notEqual(new JobIds().of(0), new JobIds().of(0));
  // The same key gives the same ids: the id is a function of key and index.
  const key = new Uint32Array([1, 2, 3, 4]);
  assert.equal(new JobIds(key).of(5), new JobIds(key).of(5));
});

Deno.test("columnar job records give back what was recorded, objects only on demand", () => {
  const cancelled = {
    error: { name: "JobCancelledError", message: "cancelled before it started" },
  };
  const builder = new JobColumnsBuilder(4, 4, [cancelled]);
  builder.set(0, "done", 0, 0.25, 0, { output: { sum: 3 }, summary: "sum 3" });
  builder.set(1, "failed", 1, 0.5, 0.125, { error: { name: "Error", message: "boom" } });
  builder.set(2, "done", 1, 0.75, 0.25);
  builder.setUnstarted(3, "cancelled", 0, 1.5);
  const jobs = builder.seal(new JobIds(), (slot) => `worker-${slot}`);
  assert.equal(jobs.length, 4);
  assert.deepEqual(
    [0, 1, 2, 3].map((index) => jobs.status(index)),
    ["done", "failed", "done", "cancelled"],
  );
  assert.deepEqual([0, 1, 2, 3].map((index) => jobs.started(index)), [true, true, true, false]);
  assert.equal(jobs.elapsedSeconds(2), 0.75);
  assert.equal(jobs.waitSeconds(3), 1.5);
  const first = jobs.get(0);
  assert.equal(first.jobNumber, 1);
  assert.equal(first.workerId, "worker-0");
  assert.deepEqual(first.output, { sum: 3 });
  assert.equal(first.summary, "sum 3");
  assert.equal(jobs.get(2).output, null);
  assert.deepEqual(jobs.get(1).error, { name: "Error", message: "boom" });
  assert.deepEqual(jobs.get(3).error, cancelled.error);
  assert.equal(jobs.get(3).workerId, "");
  assert.deepEqual([...jobs].map((job) => job.jobNumber), [1, 2, 3, 4]);
  assert.deepEqual(JSON.parse(JSON.stringify(jobs)).map((job: { status: string }) => job.status), [
    "done",
    "failed",
    "done",
    "cancelled",
  ]);
  assert.throws(() => jobs.get(4), /index must be an integer from 0 to 3, received 4/);
  assert.throws(() => jobRecords([]).status(0), RangeError);
});

Deno.test("percentiles by selection agree with a full sort on random and tied samples", () => {
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const byRank = (values: number[], fraction: number) => {
    const list = sorted(values);
    const position = (list.length - 1) * fraction;
    const below = Math.floor(position);
    const above = Math.min(list.length - 1, below + 1);
    return list[below] + (list[above] - list[below]) * (position - below);
  };
  let seed = 12345;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let trial = 0; trial < 200; trial++) {
    const length = 1 + Math.floor(random() * 300);
    // Every third sample has heavy ties, as job times quantised by the clock do.
    const values = Array.from(
      { length },
      () => trial % 3 === 0 ? Math.floor(random() * 4) : random() * 100,
    );
    for (const fraction of [0, 0.25, 0.5, 0.95, 1]) {
      assert.equal(percentile(values, fraction), byRank(values, fraction), `${trial} ${fraction}`);
    }
    assert.deepEqual(percentiles(values), {
      p50: byRank(values, 0.5),
      p95: byRank(values, 0.95),
      max: byRank(values, 1),
    });
  }
  assert.deepEqual(percentiles([NaN, 2, Infinity, 1]), { p50: 1.5, p95: 1.95, max: 2 });
});

Deno.test("jobEvents: false sends step-progress events and no event per job", async () => {
  const events: SweepEvent[] = [];
  const steps = [];
  for await (
    const step of runSweep({
      job: "noop",
      jobCount: 20_000,
      workerCounts: [2],
      jobEvents: false,
      onEvent: (event) => events.push(event),
    })
  ) steps.push(step);
  assert.equal(steps[0].completed, 20_000);
  const kinds = new Set(events.map((event) => event.type));
  for (const perJob of ["job-allocated", "job-started", "job-finished"]) {
    assert.ok(!kinds.has(perJob as SweepEvent["type"]), perJob);
  }
  const progress = events.filter((event) => event.type === "step-progress");
  assert.ok(progress.length >= 1);
  const last = progress.at(-1)!;
  assert.equal(last.type === "step-progress" && last.settled, 20_000);
  // Settled counts never go down.
  const counts = progress.map((event) => event.type === "step-progress" ? event.settled : 0);
  assert.deepEqual(counts, [...counts].sort((a, b) => a - b));
});

Deno.test("a job's numeric output comes back through the shared columns, with its text", async () => {
  const job = new URL("./fixtures/number_job.ts", import.meta.url);
  const run = async (b: string) => {
    const steps = [];
    for await (
      const step of runSweep({
        job,
        params: { jobArgs: { a: "-1.5", b } },
        jobCount: 300,
        workerCounts: [2],
      })
    ) steps.push(step);
    return steps[0];
  };
  const step = await run("4");
  assert.equal(step.completed, 300);
  for (const index of [0, 150, 299]) {
    const result = step.jobs.get(index);
    assert.equal(result.output, -6);
    assert.equal(result.summary, "-6");
  }
  const nothing = await run("none");
  assert.equal(nothing.completed, 300);
  assert.equal(nothing.jobs.get(7).output, null);
});
