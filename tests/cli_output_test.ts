import assert from "node:assert/strict";
import { MOD_PATH, runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

const QUICK = ["--sleep-ms", "20", "--jobs", "4"];

Deno.test("--workers runs the listed worker counts in order", async () => {
  const run = await runCli([...QUICK, "--workers", "1,4,2"]);
  assert.equal(run.code, 0, run.stderr);
  const counts = [...run.stdout.matchAll(/^\| +(\d+) \| +4 \|/gm)].map((m) => Number(m[1]));
  assert.deepEqual(counts.slice(0, 3), [1, 4, 2]);
});

Deno.test("--repeat runs each step K times and reports the median with min-max", async () => {
  const run = await runCli([...QUICK, "--workers", "1,2", "--repeat", "3", "--format", "json"]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  for (const step of report.steps) {
    assert.equal(step.repeats, 3);
    assert.ok(step.secondsMin <= step.seconds && step.seconds <= step.secondsMax);
    assert.equal(step.completed, 12);
  }
});

Deno.test("--format json carries config, machine, steps and fits under documented keys", async () => {
  const run = await runCli([...QUICK, "--workers", "1,2,4", "--format", "json"]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.schemaVersion, 3);
  assert.equal(report.config.job, "sleep");
  assert.equal(report.config.sleepMs, 20);
  // Only the settings of the run: nothing the CLI alone reads.
  for (const key of ["help", "version", "jobCountGiven"]) {
    assert.ok(!(key in report.config), `config holds "${key}"`);
  }
  assert.equal(report.machine.cpuCount, navigator.hardwareConcurrency);
  assert.equal(report.machine.denoVersion, Deno.version.deno);
  assert.equal(report.machine.v8Version, Deno.version.v8);
  assert.match(report.machine.wasmBuildHash, /^[0-9a-f]{64}$/);
  assert.deepEqual(report.steps.map((step: { workers: number }) => step.workers), [1, 2, 4]);
  const step = report.steps[1];
  for (
    const key of ["seconds", "speedup", "efficiency", "karpFlatt", "utilization", "peakRssMiB"]
  ) {
    assert.equal(typeof step[key], "number", key);
  }
  assert.equal(typeof step.waitSeconds.p95, "number");
  assert.equal(typeof step.runSeconds.p50, "number");
  assert.equal(typeof report.amdahl.ok, "boolean");
  assert.equal(typeof report.usl.ok, "boolean");
  assert.equal(typeof report.recommendation.workers, "number");
});

Deno.test("--format csv and markdown print one row per step", async () => {
  const csv = await runCli([...QUICK, "--workers", "1,2", "--format", "csv"]);
  assert.equal(csv.code, 0, csv.stderr);
  const lines = csv.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^workers,/);
  const markdown = await runCli([...QUICK, "--workers", "1,2", "--format", "markdown"]);
  assert.match(markdown.stdout, /^\| *Workers/im);
  assert.equal(markdown.stdout.match(/^\| +[12] +\|/gm)?.length, 2);
});

Deno.test("--out and --chart write files and keep stdout empty", async () => {
  await using dirDir = await tempDir();
  const dir = dirDir.path;
  const run = await runCli([
    ...QUICK,
    "--workers",
    "1,2",
    "--format",
    "json",
    "--out",
    `${dir}/sweep.json`,
    "--chart",
    `${dir}/speedup.svg`,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, /wrote json to .*sweep\.json/);
  const report = JSON.parse(await Deno.readTextFile(`${dir}/sweep.json`));
  assert.equal(report.steps.length, 2);
  const svg = await Deno.readTextFile(`${dir}/speedup.svg`);
  assert.match(svg, /^<\?xml [^>]*>\n<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal(svg.match(/<circle [^>]*data-workers=/g)?.length, 2);
});

Deno.test("the CLI rejects a bad --format and a bad --workers list", async () => {
  const format = await runCli(["--format", "xml"]);
  assert.equal(format.code, 2);
  assert.match(format.stderr, /--format must be one of table, markdown, json, csv, received "xml"/);
  const workers = await runCli(["--workers", "1,x"]);
  assert.equal(workers.code, 2);
  assert.match(
    workers.stderr,
    /--workers must be a comma-separated list of integers from 0 \(inline\) to 1024, one of them 1 or more/,
  );
});

/** Runs the CLI under a pseudo-terminal (util-linux `script`), so stderr is a TTY. */
async function runInTerminal(args: string[], env: Record<string, string> = {}): Promise<string> {
  await using runDir = await tempDir();
  const command = [Deno.execPath(), "run", "-A", MOD_PATH, ...args].map((a) => `'${a}'`).join(" ");
  const output = await new Deno.Command("script", {
    args: ["-qec", `${command} >/dev/null`, "/dev/null"],
    env: { NO_COLOR: "", ...env },
    cwd: runDir.path,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(output.stdout);
}

const hasScript = new Deno.Command("sh", { args: ["-c", "command -v script"] }).outputSync()
  .success;

Deno.test({
  name: "on a terminal the CLI draws a live progress line on stderr, unless --quiet or NO_COLOR",
  ignore: !hasScript,
  fn: async () => {
    const live = await runInTerminal([...QUICK, "--workers", "1,2"]);
    assert.ok(live.includes("\r\x1b[2Kstep 1/2 (1 worker): 0/4 jobs, elapsed "), live);
    assert.match(live, /step 2\/2 \(2 workers\): 4\/4 jobs, elapsed \d+\.\d s, step ETA 0\.0 s/);
    assert.doesNotMatch(await runInTerminal([...QUICK, "--quiet"]), /jobs, elapsed/);
    assert.doesNotMatch(await runInTerminal(QUICK, { NO_COLOR: "1" }), /jobs, elapsed/);
  },
});
