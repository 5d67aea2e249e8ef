import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const SOAK = fileURLToPath(new URL("./fixtures/soak.ts", import.meta.url));
const MIB = 1024 * 1024;

interface SoakRun {
  completed: number;
  failed: number;
  cancelled: number;
  jobs: number;
  uniqueIds: number;
  after: { rss: number; heapUsed: number };
}

Deno.test("100,000 no-op jobs through 2 workers lose nothing and leave the heap as it was", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", SOAK, "100000"],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.equal(output.code, 0);
  const report = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    runs: SoakRun[];
  };
  assert.equal(report.runs.length, 3);
  for (const run of report.runs) {
    assert.equal(run.completed, 100_000);
    assert.equal(run.failed + run.cancelled, 0);
    assert.equal(run.jobs, 100_000);
    assert.equal(run.uniqueIds, 100_000);
  }
  // Once a sweep's results are dropped, the heap goes back to where it was:
  // nothing per job is retained by the channel, pool or dispatcher.
  const growth = report.runs[2].after.heapUsed - report.runs[0].after.heapUsed;
  assert.ok(growth < 2 * MIB, `heap grew ${(growth / MIB).toFixed(2)} MiB over two runs`);
});
