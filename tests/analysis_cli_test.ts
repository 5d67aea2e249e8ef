import assert from "node:assert/strict";
import { runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

Deno.test("--chart refuses a name that does not end in .svg, before anything runs", async () => {
  await using dir = await tempDir();
  const run = await runCli([
    "--job",
    "noop",
    "--jobs",
    "2",
    "--workers",
    "1",
    "--chart",
    `${dir.path}/c.png`,
  ]);
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, "");
  assert.match(
    run.stderr,
    /^deno-channels: Cannot write results: --chart ".*c\.png" must end in \.svg \(the chart is an SVG image\)\n$/,
  );
  assert.deepEqual(await Array.fromAsync(Deno.readDir(dir.path)), []);
});

Deno.test("3 sleep jobs on 1 and 2 workers are explained as an uneven split, not serial work", async () => {
  const run = await runCli([
    "--job",
    "sleep",
    "--jobs",
    "3",
    "--workers",
    "1,2",
    "--sleep-ms",
    "150",
    // The median of 3 runs, so one timer firing late on a busy machine does not decide it.
    "--repeat",
    "3",
    "--quiet",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /^Amdahl: not fitted \(needs speed-ups at 3 or more worker counts, received 2\)$/m,
  );
  assert.match(
    run.stdout,
    /^Scaling is as good as the split allows up to 2 workers: 3 jobs take 2 rounds on 2 workers \(ceil\(3 \/ 2\)\) against 3 on 1, so equal jobs can reach at most 1\.5x there/m,
  );
  assert.doesNotMatch(run.stdout, /serial \(|behaves as serial|logical CPU/);
});
