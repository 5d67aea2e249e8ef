import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { cliCommand, runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

const QUICK = ["--job", "noop", "--jobs", "2", "--workers", "1", "--quiet"];
const ARRAY_JOB = fileURLToPath(new URL("./fixtures/array_output_job.ts", import.meta.url));
const linux = { ignore: Deno.build.os !== "linux" };

/** One line on stderr, exit code 2, nothing run (no summary on stdout). */
function assertRefused(run: { code: number; stdout: string; stderr: string }, message: RegExp) {
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, message);
  assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
}

Deno.test("--out onto the --inputs file, .env or the job's module is refused, and each is kept", async () => {
  await using dir = await tempDir();
  const inputs = `${dir.path}/inputs.jsonl`;
  await Deno.writeTextFile(inputs, "1\n2\n");
  assertRefused(
    await runCli([...QUICK, "--jobs", "2", "--inputs", inputs, "--export-csv", inputs]),
    /--export-csv ".*inputs\.jsonl" is the file --inputs reads; give each output its own file$/m,
  );
  const module = `${dir.path}/job.ts`;
  await Deno.copyFile(ARRAY_JOB, module);
  assertRefused(
    await runCli(["--job", module, "--jobs", "1", "--workers", "1", "--out", module]),
    /--out ".*job\.ts" is the file --job loads as its module; give each output its own file$/m,
  );
  await Deno.writeTextFile(`${dir.path}/.env`, "TOTALJOBCOUNT=2\n");
  assertRefused(
    await runCli([...QUICK, "--out", ".env"], { cwd: dir.path }),
    /--out "\.env" is the file the settings are read from \(\.env\); give each output its own file$/m,
  );
  assert.equal(await Deno.readTextFile(`${dir.path}/.env`), "TOTALJOBCOUNT=2\n");
  assert.equal(await Deno.readTextFile(inputs), "1\n2\n");
  assert.equal(await Deno.readTextFile(module), await Deno.readTextFile(ARRAY_JOB));
});

Deno.test("two destinations that are one file through a symlink are refused", async () => {
  await using dir = await tempDir();
  await Deno.symlink(`${dir.path}/results.json`, `${dir.path}/link.json`);
  assertRefused(
    await runCli([
      ...QUICK,
      "--out",
      `${dir.path}/results.json`,
      "--export-json",
      `${dir.path}/link.json`,
    ]),
    /--export-json ".*link\.json" is the file --out writes too; give each output its own file$/m,
  );
});

Deno.test("a FIFO destination is refused at once, not waited on", linux, async () => {
  await using dir = await tempDir();
  const fifo = `${dir.path}/pipe`;
  const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  assert.ok(made.success);
  assertRefused(
    await runCli([...QUICK, "--out", fifo]),
    /--out ".*pipe" is a FIFO \(named pipe\), expected a file path$/m,
  );
});

Deno.test("checking destinations creates and deletes nothing", async () => {
  await using dir = await tempDir();
  // A dangling link to a file that may be written, then a refusal later in the checks.
  await Deno.symlink(`${dir.path}/target.json`, `${dir.path}/dangling.json`);
  await Deno.writeTextFile(`${dir.path}/inputs.jsonl`, "1\n");
  assertRefused(
    await runCli([
      ...QUICK,
      "--jobs",
      "1",
      "--inputs",
      `${dir.path}/inputs.jsonl`,
      "--out",
      `${dir.path}/dangling.json`,
      "--export-csv",
      `${dir.path}/inputs.jsonl`,
      "--profile",
      `${dir.path}/profiles`,
    ]),
    /--export-csv ".*inputs\.jsonl" is the file --inputs reads/m,
  );
  const names = (await Array.fromAsync(Deno.readDir(dir.path))).map((e) => e.name).sort();
  assert.deepEqual(names, ["dangling.json", "inputs.jsonl"]);
  assert.equal(await Deno.readLink(`${dir.path}/dangling.json`), `${dir.path}/target.json`);
});

Deno.test(
  "a destination that fails keeps the summary and the other destinations",
  linux,
  async () => {
    await using dir = await tempDir();
    const run = await runCli([
      ...QUICK,
      "--out",
      "/dev/full",
      "--export-csv",
      `${dir.path}/results.csv`,
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^Summary:/m);
    assert.match(await Deno.readTextFile(`${dir.path}/results.csv`), /^workers,/);
    const lines = run.stderr.trimEnd().split("\n");
    assert.deepEqual(lines.filter((line) => /Cannot write/.test(line)).length, 1, run.stderr);
    assert.match(run.stderr, /^deno-channels: Cannot write results: .*\(--out "\/dev\/full"\)$/m);
  },
);

Deno.test("a closed stdout is an error, not a success", async () => {
  await using dir = await tempDir();
  const child = cliCommand(QUICK, { cwd: dir.path }).spawn();
  // The reader goes away before the results are written: every write to stdout then fails.
  await child.stdout.cancel();
  const stderr = await new Response(child.stderr).text();
  const { code } = await child.status;
  assert.equal(code, 1, stderr);
  assert.match(stderr, /^deno-channels: Cannot write results: Broken pipe.*\(stdout\)$/m);
  assert.doesNotMatch(stderr, /\n\s+at /);
});

Deno.test("a job's console goes to stderr, prefixed and escaped, in workers and inline", async () => {
  const run = await runCli([
    "--job",
    ARRAY_JOB,
    "--jobs",
    "2",
    "--workers",
    "0,1",
    "--format",
    "json",
    "--quiet",
  ]);
  assert.equal(run.code, 0, run.stderr);
  // stdout is the JSON report alone.
  const report = JSON.parse(run.stdout);
  assert.equal(report.steps.length, 1);
  assert.ok(report.inline);
  const lines = run.stderr.split("\n").filter((line) => line.startsWith("job: "));
  assert.equal(lines.length, 4, run.stderr);
  for (const line of lines) assert.equal(line, "job: \\x1b[31mmade 1000 numbers");
  assert.ok(!run.stderr.includes("\x1b"), run.stderr);
});

Deno.test("an output that is a hard link to an input, or among the program's own files, is refused", async () => {
  await using dir = await tempDir();
  const inputs = `${dir.path}/inputs.jsonl`;
  await Deno.writeTextFile(inputs, "1\n2\n");
  // A hard link has a path of its own: the paths differ, the file does not (it was overwritten).
  await Deno.link(inputs, `${dir.path}/linked.jsonl`);
  assertRefused(
    await runCli([...QUICK, "--inputs", inputs, "--out", `${dir.path}/linked.jsonl`]),
    /--out ".*linked\.jsonl" is the file --inputs reads; give each output its own file$/m,
  );
  assert.equal(await Deno.readTextFile(inputs), "1\n2\n");
  // mod.ts was overwritten by the report, and the next run failed to parse it.
  const mod = fileURLToPath(new URL("../mod.ts", import.meta.url));
  const before = await Deno.readTextFile(mod);
  assertRefused(
    await runCli([...QUICK, "--out", mod]),
    /--out ".*mod\.ts" is among deno-channels' own files \(.*\); write results elsewhere$/m,
  );
  const inSource = fileURLToPath(new URL("../src/results.json", import.meta.url));
  assertRefused(await runCli([...QUICK, "--export-json", inSource]), /among deno-channels' own/);
  assert.equal(await Deno.readTextFile(mod), before);
  // A name for a directory that does not exist yet is not a file name.
  assertRefused(
    await runCli([...QUICK, "--out", `${dir.path}/new/`]),
    /--out ".*new\/" ends in a path separator, expected a file path$/m,
  );
});

Deno.test(
  "a --job that is a device or a FIFO is refused before anything reads it",
  linux,
  async () => {
    // /dev/zero was fetched without end before the run (GBs in seconds, left running on Ctrl-C).
    assertRefused(
      await runCli(["--job", "/dev/zero", "--jobs", "1", "--workers", "1"]),
      /Cannot load job module: --job "\/dev\/zero" is not a regular file \(a FIFO or a device\), expected a module file$/m,
    );
    await using dir = await tempDir();
    const fifo = `${dir.path}/job.ts`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.equal(made.code, 0);
    assertRefused(
      await runCli(["--job", fifo, "--jobs", "1", "--workers", "0,1"]),
      /--job ".*job\.ts" is not a regular file/,
    );
  },
);

Deno.test("--baseline-dir that cannot be a directory is refused before the run", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/file`, "");
  // It ran the sweep, then failed to save with mkdir's own words (`File exists (os error 17)`).
  assertRefused(
    await runCli([...QUICK, "--save-baseline", "x", "--baseline-dir", `${dir.path}/file`]),
    /--baseline-dir ".*file" is a file, expected a directory$/m,
  );
});
