import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../src/cli/settings.ts";
import { jobRecords } from "../src/step/job_records.ts";
import { analyzeScan, describeCrossover } from "../src/report/scan/granularity.ts";
import { renderGranularityChartSvg } from "../src/report/scan/chart.ts";
import { analyzeSweep } from "../src/report/analysis/stats.ts";
import { interruptCliWhen, runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

const WAIT_JOB = fileURLToPath(new URL("./fixtures/wait_ms_job.ts", import.meta.url));

/** One line on stderr, exit code 2, nothing run (no summary on stdout). */
function assertRefused(run: { code: number; stdout: string; stderr: string }, message: RegExp) {
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, message);
  assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
}

const step = (workers: number, seconds: number) => ({
  workers,
  seconds,
  jobCount: 8,
  completed: 8,
  failed: 0,
  cancelled: 0,
  averageJobSeconds: 1,
  peakRssBytes: 0,
  jobs: jobRecords([]),
});
/** A sweep on 1 and 2 workers whose 2-worker step ran `speedup` times as fast. */
const sweep = (speedup: number) => analyzeSweep({ steps: [step(1, 1), step(2, 1 / speedup)] });

Deno.test("analyzeScan() puts the crossover where every larger value pays, in numeric order", () => {
  const scan = analyzeScan("size", [
    { value: 100, analysis: sweep(1.9) },
    { value: 1, analysis: sweep(1.3) },
    { value: 10, analysis: sweep(1.1) },
    { value: 50, analysis: sweep(1.5) },
  ]);
  assert.deepEqual(scan.crossover.points.map((p) => [p.value, p.pays]), [
    [1, true],
    [10, false],
    [50, true],
    [100, true],
  ]);
  // 1 paid, but 10 did not: more workers pay from 50 on.
  assert.equal(scan.crossover.value, 50);
  assert.equal(
    describeCrossover(scan),
    "More workers pay from size = 50 on: 2 workers ran +1.5x as fast as 1 worker there, " +
      "against +1.1x at size = 10. A value pays at 1.2x or more.",
  );
});

Deno.test("analyzeScan() finds no crossover when the largest value does not pay", () => {
  const scan = analyzeScan("n", [
    { value: "small", analysis: sweep(1.5) },
    { value: "large", analysis: sweep(1.19) },
  ]);
  // Not all numbers: the values keep the order given.
  assert.deepEqual(scan.crossover.points.map((p) => p.value), ["small", "large"]);
  assert.equal(scan.crossover.value, null);
  assert.match(describeCrossover(scan), /^No crossover: .*; the best was \+1\.5x at n = small\.$/);
  const everywhere = analyzeScan("n", [{ value: 1, analysis: sweep(1.2) }]);
  assert.equal(everywhere.crossover.value, 1);
  assert.match(describeCrossover(everywhere), /^More workers pay at every n value scanned/);
  const single = analyzeScan("n", [{ value: 1, analysis: analyzeSweep({ steps: [step(1, 1)] }) }]);
  assert.equal(single.crossover.value, null);
  assert.match(describeCrossover(single), /only 1 worker, so there is nothing to compare/);
});

Deno.test("the granularity chart draws one curve per value, dashed when it does not pay", () => {
  const svg = renderGranularityChartSvg(analyzeScan("sleep-ms", [
    { value: 1, analysis: sweep(1.05) },
    { value: 10, analysis: sweep(1.8) },
    { value: 50, analysis: sweep(1.98) },
  ]));
  const curves = [
    ...svg.matchAll(/<polyline class="scan-curve" data-value="(\d+)" data-pays="(\w+)"[^>]*>/g),
  ];
  assert.deepEqual(curves.map((m) => [m[1], m[2]]), [["1", "false"], ["10", "true"], [
    "50",
    "true",
  ]]);
  assert.match(curves[0][0], /stroke-dasharray/);
  assert.doesNotMatch(curves[1][0], /stroke-dasharray/);
  assert.equal(svg.match(/<circle class="point" data-value="10"/g)?.length, 2);
  assert.match(svg, /<line id="threshold" data-speedup="1\.2"/);
  assert.match(svg, />sleep-ms:</);
  assert.match(svg, /font-weight="bold">10, pays</);
  assert.match(svg, /More workers pay from sleep-ms = 10 on/);
});

Deno.test("the granularity chart's legend takes at most a quarter of its width", () => {
  const svg = renderGranularityChartSvg(analyzeScan("sleep-ms", [
    { value: 1, analysis: sweep(1.05) },
    { value: 10, analysis: sweep(1.8) },
    { value: 50, analysis: sweep(1.98) },
  ]));
  const width = Number(svg.match(/<svg [^>]*width="([\d.]+)"/)![1]);
  const legend = svg.slice(svg.indexOf(`<g id="legend">`));
  const legendWidth = Number(legend.match(/<rect [^>]*width="([\d.]+)"/)![1]);
  assert.ok(legendWidth <= width / 4, `legend ${legendWidth} px of ${width} px`);
});

Deno.test("--parameter-list takes NAME and values as two arguments, one, or from the environment", () => {
  const expected = { name: "sleep-ms", param: "sleepMs", values: [1, 10, 50] };
  assert.deepEqual(
    parseConfig({ args: ["--parameter-list", "sleep-ms", "1,10,50"] }).scan,
    expected,
  );
  assert.deepEqual(parseConfig({ args: ["--parameter-list=sleep-ms", "1, 10,50"] }).scan, expected);
  assert.deepEqual(
    parseConfig({ args: [], env: { DENO_CHANNELS_PARAMETERLIST: "sleep-ms 1,10,50" } }).scan,
    expected,
  );
  assert.deepEqual(
    parseConfig({ args: ["--job", "pi", "--parameter-list", "digits", "10,20"] }).scan,
    {
      name: "digits",
      param: "digits",
      values: [10, 20],
    },
  );
  assert.deepEqual(
    parseConfig({ args: ["--job", "./j.ts", "--parameter-list", "n", "1e3,x"] }).scan,
    {
      name: "n",
      param: "jobArgs",
      values: ["1e3", "x"],
    },
  );
  assert.equal(parseConfig({ args: [] }).scan, undefined);
});

Deno.test("a bad --parameter-list is one line and exit 2, before anything runs", async () => {
  const quick = ["--jobs", "2", "--workers", "1", "--quiet"];
  assertRefused(
    await runCli([...quick, "--parameter-list", "digits", "1,2"]),
    /--parameter-list \(PARAMETERLIST\) NAME must be a parameter sleep jobs read \(sleep-ms\), received "digits"$/m,
  );
  assertRefused(
    await runCli([...quick, "--parameter-list", "sleep-ms", "5,0"]),
    /--parameter-list \(PARAMETERLIST\) sleep-ms values must each be an integer from 1 to 3600000, received "0"$/m,
  );
  assertRefused(
    await runCli([...quick, "--parameter-list", "sleep-ms"]),
    /--parameter-list must be NAME V1,V2,… \(a job parameter: .*\), received "sleep-ms"$/m,
  );
  assertRefused(
    await runCli([...quick, "--job", "noop", "--parameter-list", "sleep-ms", "1"]),
    /NAME must be a parameter of the job, and noop jobs have none/,
  );
  assertRefused(
    await runCli([...quick, "--parameter-list", "sleep-ms", "5,5"]),
    /values must differ, received "5" twice$/m,
  );
  assertRefused(
    await runCli([...quick], { env: { PARAMETERLIST: "sleep-ms 1,x" } }),
    /sleep-ms values must each be an integer from 1 to 3600000, received "x"$/m,
  );
  assertRefused(
    await runCli([...quick, "--parameter-list", "sleep-ms", "1,2", "--profile", "p"]),
    /--parameter-list cannot be combined with --profile or --pprof/,
  );
});

Deno.test("--parameter-list runs the sweep per value: a table each, the granularity, JSON and a chart", async () => {
  await using dir = await tempDir();
  const run = await runCli([
    "--parameter-list",
    "sleep-ms",
    "2,20",
    "--workers",
    "1,2",
    "--jobs",
    "4",
    "--export-json",
    `${dir.path}/scan.json`,
    "--export-csv",
    `${dir.path}/scan.csv`,
    "--chart",
    `${dir.path}/scan.svg`,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Parameter scan: sleep-ms = 2 \(value 1 of 2\)\nSummary:/m);
  assert.match(run.stdout, /^Parameter scan: sleep-ms = 20 \(value 2 of 2\)\nSummary:/m);
  assert.equal(run.stdout.match(/^Scaling analysis:$/gm)?.length, 2);
  assert.match(run.stdout, /^Granularity: speed-up by sleep-ms \(a value pays when 2 workers run/m);
  assert.match(
    run.stdout,
    /^\| +20 \| +\d+\.\d ms \| \(baseline\) \| [+-][\d.]+x +\| +[\d.]+% \| +\d \| (yes|no) +\|$/m,
  );
  assert.match(run.stdout, /^(More workers pay|No crossover)/m);
  const report = JSON.parse(await Deno.readTextFile(`${dir.path}/scan.json`));
  assert.equal(report.scan.parameter, "sleep-ms");
  assert.deepEqual(report.scan.values.map((v: { value: number }) => v.value), [2, 20]);
  // Each value's jobs slept that value: the parameter really changed.
  const p50 = (i: number) => report.scan.values[i].steps[0].runSeconds.p50;
  assert.ok(p50(0) >= 0.002 && p50(0) < 0.01, String(p50(0)));
  assert.ok(p50(1) >= 0.02 && p50(1) < 0.03, String(p50(1)));
  assert.deepEqual(report.scan.values[1].steps.map((s: { workers: number }) => s.workers), [1, 2]);
  assert.equal(report.scan.crossover.minSpeedup, 1.2);
  assert.equal(typeof report.scan.explanation, "string");
  assert.equal(report.config.scan.name, "sleep-ms");
  const csv = (await Deno.readTextFile(`${dir.path}/scan.csv`)).trimEnd().split("\n");
  assert.match(csv[0], /^parameter,value,workers,/);
  assert.deepEqual(csv.slice(1).map((line) => line.split(",").slice(0, 3).join(",")), [
    "sleep-ms,2,1",
    "sleep-ms,2,2",
    "sleep-ms,20,1",
    "sleep-ms,20,2",
  ]);
  const svg = await Deno.readTextFile(`${dir.path}/scan.svg`);
  assert.equal(svg.match(/<polyline class="scan-curve"/g)?.length, 2);
});

Deno.test("--parameter-list scans a custom module's --job-arg key", async () => {
  const run = await runCli([
    "--job",
    WAIT_JOB,
    "--job-arg",
    "ms=999",
    "--parameter-list",
    "ms",
    "1,15",
    "--workers",
    "1",
    "--jobs",
    "2",
    "--format",
    "json",
    "--quiet",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(report.scan.values.map((v: { value: string }) => v.value), ["1", "15"]);
  const p50 = (i: number) => report.scan.values[i].steps[0].runSeconds.p50;
  assert.ok(p50(0) < 0.01, String(p50(0)));
  assert.ok(p50(1) >= 0.015 && p50(1) < 0.5, String(p50(1)));
  // One worker count: nothing to compare, and the report says so.
  assert.equal(report.scan.crossover.value, null);
  assert.match(report.scan.explanation, /ran only 1 worker/);
});

Deno.test("--help lists --parameter-list and the export flags with their keys", async () => {
  const run = await runCli(["--help"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /^ {2}--parameter-list NAME V,… PARAMETERLIST +run the whole sweep once per value/m,
  );
  assert.match(run.stdout, /^ {2}--export-json FILE +EXPORTJSON +also write the JSON report/m);
  assert.match(run.stdout, /^ {2}--export-csv FILE +EXPORTCSV +/m);
  assert.match(run.stdout, /^ {2}--export-markdown FILE +EXPORTMARKDOWN +/m);
});

Deno.test("Ctrl-C during a scan prints the values that completed and names the one it stopped", async () => {
  // The second value's one job sleeps 60 s: its start (the second "STARTED" in the DEBUG log) is
  // the moment to interrupt.
  const run = await interruptCliWhen(
    ["--debug", "--parameter-list", "sleep-ms", "1,60000", "--workers", "1", "--jobs", "1"],
    /STARTED[\s\S]*STARTED/,
    "SIGINT",
  );
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stdout, /^Parameter scan: sleep-ms = 1 \(value 1 of 2\)\nSummary:/m);
  assert.doesNotMatch(run.stdout, /^Parameter scan: sleep-ms = 60000/m);
  assert.match(
    run.stderr,
    /interrupted by SIGINT; the step with 1 worker at sleep-ms = 60000 stopped with 0 done/,
  );
});
