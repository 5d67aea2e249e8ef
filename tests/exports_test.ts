import assert from "node:assert/strict";
import { jobRecords } from "../src/step/job_records.ts";
import { renderCsv } from "../src/report/format/csv.ts";
import { buildJsonReport, type MachineInfo } from "../src/report/format/json.ts";
import { analyzeSweep, combineRepeats } from "../src/report/analysis/stats.ts";
import type { JobResult, SweepStep } from "../src/types.ts";
import { dirWithDotenv, runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

const QUICK = ["--sleep-ms", "20", "--jobs", "4", "--workers", "1,2"];

/** One line on stderr, exit code 2, nothing run (no summary on stdout). */
function assertRefused(run: { code: number; stdout: string; stderr: string }, message: RegExp) {
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, message);
  assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
}

/** A step whose jobs ran `runs` seconds each (and waited 0.1 s times their index). */
function step(workers: number, seconds: number, runs: number[], repeat = 1): SweepStep {
  const jobs: JobResult[] = runs.map((elapsedSeconds, i) => ({
    jobId: `job-${i + 1}`,
    jobNumber: i + 1,
    workerId: "w",
    status: "done",
    elapsedSeconds,
    waitSeconds: 0.1 * i,
  }));
  return {
    workers,
    jobCount: jobs.length,
    seconds,
    repeat,
    startupSeconds: 0,
    completed: jobs.length,
    failed: 0,
    cancelled: 0,
    averageJobSeconds: 1,
    peakRssBytes: 0,
    speedup: 1,
    jobs: jobRecords(jobs),
  };
}

const MACHINE: MachineInfo = {
  cpuModel: null,
  cpuCount: 2,
  denoVersion: "2.9.6",
  v8Version: "15",
  wasmBuildHash: null,
};

/** Two runs of a 1- and 2-worker sweep, each with 101 jobs of 0 … 100 ms. */
function twoRuns(): SweepStep[] {
  const runs = Array.from({ length: 101 }, (_, i) => i / 1000);
  return [
    step(1, 6, runs, 1),
    step(2, 3.2, runs, 1),
    step(1, 5, runs, 2),
    step(2, 3, runs, 2),
  ];
}

Deno.test("the JSON report has every run's seconds and job time min and p99 from the sweep's steps", () => {
  const sweepSteps = twoRuns();
  const analysis = analyzeSweep({ steps: combineRepeats([sweepSteps]) });
  const json = buildJsonReport({ config: {}, machine: MACHINE, analysis, sweepSteps });
  assert.deepEqual(json.steps.map((s) => s.repeatSeconds), [[6, 5], [3.2, 3]]);
  const run = json.steps[1].runSeconds!;
  assert.equal(run.min, 0);
  assert.equal(run.max, 0.1);
  assert.ok(Math.abs(run.p99! - 0.099) < 1e-12, String(run.p99));
  assert.ok(Math.abs(run.p95! - 0.095) < 1e-12, String(run.p95));
  assert.equal(json.steps[0].waitSeconds!.min, 0);
  assert.ok(Math.abs(json.steps[0].waitSeconds!.p99! - 9.9) < 1e-9);
  // Combined repeats without the sweep's own steps: no raw seconds to give.
  assert.equal(
    buildJsonReport({ config: {}, machine: MACHINE, analysis }).steps[0].repeatSeconds,
    null,
  );
});

Deno.test("every CSV column is a JSON step key, flattened (waitSecondsP99 for waitSeconds.p99)", () => {
  const sweepSteps = twoRuns();
  const analysis = analyzeSweep({ steps: combineRepeats([sweepSteps]) });
  const [header, row] = renderCsv(analysis, { sweepSteps }).split("\n");
  const json = buildJsonReport({ config: {}, machine: MACHINE, analysis, sweepSteps });
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json.steps[0])) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [inner, v] of Object.entries(value)) {
        flat[`${key}${inner[0].toUpperCase()}${inner.slice(1)}`] = v;
      }
    } else if (!Array.isArray(value)) {
      flat[key] = value;
    }
  }
  const columns = header.split(",");
  // A nested key that is null in this step (no speed-up interval with two runs) still has its
  // flattened columns: `speedupIntervalLow` stands for `speedupInterval.low`.
  for (const [key, value] of Object.entries(flat)) {
    const nested = columns.filter((column) => new RegExp(`^${key}[A-Z]`).test(column));
    if (value === null && nested.length > 0) {
      delete flat[key];
      for (const column of nested) flat[column] = null;
    }
  }
  // `warnings` is the run's, repeated in every row; every other column is a step key.
  assert.equal(columns.at(-1), "warnings");
  assert.deepEqual(columns.slice(0, -1).sort(), Object.keys(flat).sort());
  const cells = row.split(",");
  assert.equal(Number(cells[columns.indexOf("runSecondsP99")]), 0.099);
  assert.equal(Number(cells[columns.indexOf("waitSecondsMin")]), 0);
});

Deno.test("--export-json, --export-csv and --export-markdown write files while the table prints", async () => {
  await using dir = await tempDir();
  const run = await runCli([
    ...QUICK,
    "--repeat",
    "2",
    "--export-json",
    `${dir.path}/sweep.json`,
    "--export-csv",
    `${dir.path}/sweep.csv`,
    "--export-markdown",
    `${dir.path}/sweep.md`,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Summary:\n/);
  assert.match(run.stdout, /^Scaling analysis:$/m);
  assert.match(run.stderr, /wrote json to .*sweep\.json\n.*wrote csv to .*sweep\.csv\n.*markdown/);
  const report = JSON.parse(await Deno.readTextFile(`${dir.path}/sweep.json`));
  assert.deepEqual(report.steps.map((s: { workers: number }) => s.workers), [1, 2]);
  for (const s of report.steps) {
    assert.equal(s.repeatSeconds.length, 2);
    assert.equal(Math.min(...s.repeatSeconds), s.secondsMin);
    assert.equal(Math.max(...s.repeatSeconds), s.secondsMax);
    assert.ok(s.runSeconds.min <= s.runSeconds.p50 && s.runSeconds.p99 <= s.runSeconds.max);
    assert.ok(s.runSeconds.min >= 0.019, String(s.runSeconds.min));
  }
  const csv = (await Deno.readTextFile(`${dir.path}/sweep.csv`)).trimEnd().split("\n");
  assert.equal(csv.length, 3);
  assert.match(csv[0], /,runSecondsP99,/);
  const markdown = await Deno.readTextFile(`${dir.path}/sweep.md`);
  assert.match(markdown, /^\| Workers \| Seconds \|/);
});

Deno.test("exports take keys from the environment and .env, and --format/--out keep working", async () => {
  await using dir = await dirWithDotenv("EXPORTCSV=from-dotenv.csv\n");
  const run = await runCli([...QUICK, "--format", "json", "--out", "out.json", "--quiet"], {
    cwd: dir.path,
    env: { DENO_CHANNELS_EXPORTMARKDOWN: "from-env.md" },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "");
  assert.equal(JSON.parse(await Deno.readTextFile(`${dir.path}/out.json`)).steps.length, 2);
  assert.match(await Deno.readTextFile(`${dir.path}/from-dotenv.csv`), /^workers,/);
  assert.match(await Deno.readTextFile(`${dir.path}/from-env.md`), /^\| Workers/);
});

Deno.test("the CLI refuses an export it could not write, or two outputs to one file, before running", async () => {
  await using dir = await tempDir();
  assertRefused(
    await runCli([...QUICK, "--export-json", `${dir.path}/missing/sweep.json`]),
    /--export-json ".*missing\/sweep\.json" is in a directory that does not exist$/m,
  );
  assertRefused(
    await runCli([...QUICK, "--export-markdown", dir.path]),
    /--export-markdown ".*" is a directory, expected a file path$/m,
  );
  assertRefused(
    await runCli([
      ...QUICK,
      "--out",
      `${dir.path}/same.txt`,
      "--export-csv",
      `${dir.path}/../${dir.path.split("/").pop()}/same.txt`,
    ]),
    /--export-csv ".*same\.txt" is the file --out writes too; give each output its own file$/m,
  );
  assert.deepEqual(await Array.fromAsync(Deno.readDir(dir.path)), []);
});
