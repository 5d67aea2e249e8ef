import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { interruptCliWhen, runCli } from "./_cli.ts";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

Deno.test("the CLI prints the seed's summary table for a sleep sweep", async () => {
  const run = await runCli(["--sleep-ms", "50", "--jobs", "4", "--max-workers", "2"]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split("\n");
  const start = lines.indexOf("Summary:");
  assert.ok(start >= 0, run.stdout);
  assert.equal(
    lines[start + 2],
    "| NUMBER OF WORKERS | NUMBER OF JOBS | EXECUTION TIME | SPEED INCREASE |",
  );
  assert.match(
    lines[start + 4],
    /^\| {17}1 \| {14}4 \| {7}0\.2\d{5} \| \(baseline\) {5}\|$/,
  );
  assert.match(
    lines[start + 5],
    /^\| {17}2 \| {14}4 \| {7}0\.1\d{5} \| \+\d(\.\d+)?x +\|$/,
  );
  assert.match(run.stdout, /Worker start-up \(spawn until ready; not in EXECUTION TIME\): 1 w /);
  assert.match(
    run.stdout,
    /Overhead over the ideal ceil\(jobs \/ workers\) x SLEEPMS: 1 w -?\d+\.\d ms/,
  );
  // Piped: no progress line, nothing on stderr.
  assert.equal(run.stderr, "");
  // The analysis follows the seed's table.
  assert.match(run.stdout, /^Scaling analysis:$/m);
  assert.match(run.stdout, /^Recommendation: /m);
});

Deno.test("the CLI with DEBUG=true prints the seed's verbose log", async () => {
  const run = await runCli(["--sleep-ms", "10", "--jobs", "3", "--max-workers", "2"], {
    env: { DEBUG: "true" },
  });
  assert.equal(run.code, 0, run.stderr);
  const out = run.stdout;
  assert.match(out, /\| {2}Spawning workers for test 1 of 2 {2}\|/);
  assert.match(out, /\| {2}Spawning workers for test 2 of 2 {2}\|/);
  assert.match(out, /^Workers: 2 +Job Name: sleep$/m);
  assert.match(out, /^ {2}Workers In Use: +2$/m);
  assert.match(out, /^ {2}Number of Jobs: +3$/m);
  assert.match(out, new RegExp(`^Allocating Worker #2: +${UUID}$`, "m"));
  assert.match(out, new RegExp(`^  Allocating Job #3: +${UUID}$`, "m"));
  assert.match(out, new RegExp(`^  JOB 3/3 STARTED: +${UUID} with Worker: ${UUID}$`, "m"));
  assert.match(
    out,
    new RegExp(
      `^    -> JOB 1/3 COMPLETED: +${UUID} with Worker: ${UUID} \\(Ran sleep in 0\\.01\\d+ Seconds`,
      "m",
    ),
  );
  assert.equal(out.match(/COMPLETED:/g)?.length, 6);
  assert.equal(out.match(/^Total time taken: +\d+\.\d{6} Seconds$/gm)?.length, 2);
});

Deno.test("the CLI stops on Ctrl-C, prints what completed and exits 130", async () => {
  const run = await interruptCliWhen(
    ["--debug", "--sleep-ms", "200", "--jobs", "2", "--start-workers", "1", "--max-workers", "2"],
    /test 2 of 2[\s\S]*STARTED/,
    "SIGINT",
  );
  const { stdout, stderr, exitMs } = run;
  assert.equal(run.code, 130);
  assert.ok(exitMs < 1000, `exited ${exitMs.toFixed(0)} ms after SIGINT`);
  assert.match(stdout, /^\| {17}1 \| {14}2 \|.*\(baseline\)/m);
  assert.doesNotMatch(stdout, /^\| {17}2 \|/m);
  assert.match(
    stderr,
    /interrupted by SIGINT; the step with 2 workers stopped with \d done, 0 failed, \d cancelled of 2/,
  );
});

Deno.test("a job denied a read is told the CLI flag that grants it", async () => {
  const job = fileURLToPath(new URL("./fixtures/read_file_job.ts", import.meta.url));
  const target = fileURLToPath(new URL("../deno.json", import.meta.url));
  const args = ["--job", job, "--job-arg", `path=${target}`, "--jobs", "1", "--workers", "1"];
  const denied = await runCli([...args, "--quiet"]);
  assert.equal(denied.code, 1);
  assert.ok(
    denied.stderr.includes(`grant it with --job-allow-read "${target}"`),
    denied.stderr,
  );
  assert.doesNotMatch(denied.stderr, /--allow-read flag/);
  const granted = await runCli([...args, "--quiet", "--job-allow-read", target]);
  assert.equal(granted.code, 0, granted.stderr);
});

Deno.test("deno task start -- --help prints the help (the task passes a leading --)", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "start", "--", "--help"],
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.match(stdout, /^Usage:$/m);
  assert.match(stdout, /deno run -A jsr:@deno-channels\/core \[flags\]/);
});

Deno.test("SIGTERM while 200 workers start ends the run (parent kills a starved child)", async () => {
  const run = await interruptCliWhen(
    // A job that cannot end first: on a loaded machine 200 workers may all be ready (and a
    // no-op job done) before the signal lands; the run must still end at once, as interrupted.
    ["--job", "sleep", "--sleep-ms", "60000", "--workers", "200", "--jobs", "1", "--debug"],
    /Allocating Worker #200:/,
    "SIGTERM",
  );
  assert.equal(run.code, 143, run.stderr);
  // A hang detector, not a timing target (~0.5-0.7 s on an idle 2-core machine).
  assert.ok(run.exitMs < 5_000, `exited ${run.exitMs.toFixed(0)} ms after SIGTERM`);
  assert.match(run.stderr, /^deno-channels: interrupted by SIGTERM/m);
});

Deno.test("a no-op sweep prints job times in ns or µs and the efficiency breakdown", async () => {
  const run = await runCli(["--job", "noop", "--jobs", "5000", "--workers", "1,2", "--quiet"]);
  assert.equal(run.code, 0, run.stderr);
  // Six decimals of seconds would print 0.000000 for jobs this short.
  assert.match(
    run.stdout,
    /^Average job execution time \(in the worker; mean \[median\]\): 1 w [\d.]+ (ns|µs) \[[\d.]+ (ns|µs)\], 2 w [\d.]+ (ns|µs) \[[\d.]+ (ns|µs)\]$/m,
  );
  // The old overhead line called end-of-step idling dispatch: the breakdown replaces it.
  assert.doesNotMatch(run.stdout, /Dispatch overhead per job/);
  assert.match(
    run.stdout,
    /^Why: at 2 workers, efficiency \d+% = balance \d+% × dispatch \d+% × computation \d+%: /m,
  );
  assert.match(run.stdout, /^Bound at 2 workers: best possible for this batch: /m);
  assert.match(
    run.stdout,
    /\| +1 \| [\d.]+ \| \(baseline\) \|.*\| +[\d.]+(ns|µs)\/[\d.]+(ns|µs) \|/,
  );
});
