import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runSweep } from "../mod.ts";
import { dirWithDotenv, runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

const QUICK = ["--job", "noop", "--jobs", "2", "--workers", "1", "--quiet"];
/** The same with a custom job module, which the `--job-allow-*` grants are for. */
const MODULE_QUICK = [
  "--job",
  fileURLToPath(new URL("../examples/cpu_job.ts", import.meta.url)),
  "--job-arg",
  "n=1",
  ...QUICK.slice(2),
];

/** One line on stderr, exit code 2, nothing run (no summary on stdout). */
function assertRefused(run: { code: number; stdout: string; stderr: string }, message: RegExp) {
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, message);
  assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
}

Deno.test("the CLI refuses destinations it could not write, before anything runs", async () => {
  await using dir = await tempDir();
  assertRefused(
    await runCli([...QUICK, "--out", `${dir.path}/missing/results.json`]),
    /--out ".*missing\/results\.json" is in a directory that does not exist$/m,
  );
  await Deno.mkdir(`${dir.path}/charts.svg`);
  assertRefused(
    await runCli([...QUICK, "--chart", `${dir.path}/charts.svg`]),
    /--chart ".*" is a directory, expected a file path$/m,
  );
  await Deno.writeTextFile(`${dir.path}/file`, "");
  assertRefused(
    await runCli([...QUICK, "--profile", `${dir.path}/file`]),
    /--profile ".*file" is a file, expected a directory$/m,
  );
  // Nothing was left behind by the checks.
  assert.deepEqual(
    (await Array.fromAsync(Deno.readDir(dir.path))).map((e) => e.name).sort(),
    ["charts.svg", "file"],
  );
});

Deno.test("a write that fails after the run is one line and exit 1, with the summary kept", {
  ignore: Deno.build.os !== "linux",
}, async () => {
  await using dir = await tempDir();
  // A chart name must end in .svg, so the full device is reached through a link.
  await Deno.symlink("/dev/full", `${dir.path}/full.svg`);
  const run = await runCli([...QUICK, "--chart", `${dir.path}/full.svg`]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /^Summary:/m);
  assert.match(run.stderr, /^deno-channels: Cannot write results: No space left on device/m);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
});

Deno.test("--job-allow-net takes host[:port] and --job-allow-env takes names, no wildcards", async () => {
  assertRefused(
    await runCli([...MODULE_QUICK, "--job-allow-net", "https://example.com/"]),
    /--job-allow-net must be a host or host:port, received "https:\/\/example\.com\/"$/m,
  );
  assertRefused(
    await runCli([...MODULE_QUICK, "--job-allow-env", "AWS_*"]),
    /--job-allow-env must be an environment variable's name \(no wildcards\), received "AWS_\*"$/m,
  );
  const ok = await runCli([
    ...MODULE_QUICK,
    "--job-allow-net",
    "127.0.0.1:8080,[::1]",
    "--job-allow-env",
    "HOME",
  ]);
  assert.equal(ok.code, 0, ok.stderr);
});

Deno.test("a .env with a byte order mark keeps its first key", async () => {
  await using dir = await dirWithDotenv("\uFEFFTOTALJOBCOUNT=3\nJOBNAME=noop\n");
  const run = await runCli(["--workers", "1", "--quiet"], { cwd: dir.path });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^\|\s+1 \|\s+3 \|/m);
});

Deno.test("a .env that is not a regular file is refused instead of read", {
  ignore: Deno.build.os === "windows",
}, async () => {
  await using dir = await tempDir();
  const mkfifo = await new Deno.Command("mkfifo", { args: [`${dir.path}/.env`] }).output();
  assert.equal(mkfifo.code, 0);
  assertRefused(
    await runCli(QUICK, { cwd: dir.path }),
    /Cannot read settings: \.env is not readable: it is not a regular file$/m,
  );
});

Deno.test("the io job with an unusable TMPDIR is refused in one line", async () => {
  await using dir = await tempDir();
  const run = await runCli(["--job", "io", "--jobs", "1", "--workers", "1", "--quiet"], {
    env: { TMPDIR: `${dir.path}/missing` },
  });
  assertRefused(run, /^deno-channels: Cannot run io jobs: no temp directory can be made/m);
});

Deno.test("job error text is printed with control characters escaped", async () => {
  const job = fileURLToPath(new URL("./fixtures/escape_job.ts", import.meta.url));
  for (const extra of [[], ["--debug"]]) {
    const run = await runCli(["--job", job, "--jobs", "1", "--workers", "1", "--quiet", ...extra]);
    assert.equal(run.code, 1);
    const printed = run.stdout + run.stderr;
    assert.ok(!printed.includes("\x1b"), "no raw ESC reaches the terminal");
    assert.ok(printed.includes("\\x1b]0;owned\\x07\\x1b[2J\\nfake line"), printed);
  }
});

Deno.test("the library refuses non-finite or fractional numeric options before anything runs", () => {
  assert.throws(() => runSweep({ job: "sleep", params: { sleepMs: NaN } }), /params\.sleepMs/);
  assert.throws(() => runSweep({ job: "sleep", params: { sleepMs: Infinity } }), RangeError);
  assert.throws(() => runSweep({ job: "io", params: { ioLines: 1.5 } }), /params\.ioLines/);
  assert.throws(() => runSweep({ job: "pi", params: { digits: 0 } }), /params\.digits/);
  assert.throws(() => runSweep({ job: "noop", jobTimeoutMs: NaN }), /jobTimeoutMs/);
  assert.throws(() => runSweep({ job: "noop", jobCount: Infinity }), /jobCount/);
});

Deno.test(
  "a granted directory holding a symlink that leads out of it is refused, for read and write",
  {
    ignore: Deno.build.os === "windows",
  },
  async () => {
    await using outside = await tempDir();
    await using granted = await tempDir();
    await Deno.writeTextFile(`${outside.path}/secret.txt`, "secret");
    await Deno.mkdir(`${granted.path}/sub`);
    await Deno.symlink(`${outside.path}/secret.txt`, `${granted.path}/sub/link.txt`);
    for (const flag of ["--job-allow-read", "--job-allow-write"]) {
      assertRefused(
        await runCli([...MODULE_QUICK, flag, granted.path]),
        new RegExp(
          `Cannot grant ${flag} ".*": the symlink ".*sub/link\\.txt" inside it leads out of it`,
        ),
      );
    }
    // Granting the target as well makes the link mean what it says.
    const run = await runCli([
      ...MODULE_QUICK,
      "--job-allow-read",
      `${granted.path},${outside.path}`,
    ]);
    assert.equal(run.code, 0, run.stderr);
  },
);

Deno.test("a job without a net grant cannot make the runtime fetch an npm package", async () => {
  await using dir = await tempDir();
  const job = `${dir.path}/npm_job.ts`;
  await Deno.writeTextFile(
    job,
    'export default async () => typeof (await import("npm:is-number@7.0.0")).default;\n',
  );
  const run = await runCli(["--job", job, "--jobs", "1", "--workers", "1", "--quiet"]);
  assert.equal(run.code, 1, run.stderr);
  // Said in the CLI's words, not by Deno's --no-npm, a flag the user never passed.
  assert.match(
    run.stderr,
    /npm specifiers were requested, but npm packages are off for custom jobs/,
  );
  assert.doesNotMatch(run.stderr, /--no-npm/);
});

Deno.test("what only a custom module reads is refused for a built-in job; a --job-arg key once", async () => {
  // Each was accepted and silently ignored.
  assertRefused(
    await runCli([...QUICK, "--job-arg", "n=3"]),
    /--job-arg is for a custom job module \(--job \.\/job\.ts\); the noop job does not read it$/m,
  );
  assertRefused(
    await runCli([...QUICK, "--job-allow-read", "/tmp"]),
    /--job-allow-read is for a custom job module/,
  );
  assertRefused(
    await runCli(QUICK, { env: { DENO_CHANNELS_JOBALLOWNPM: "true" } }),
    /DENO_CHANNELS_JOBALLOWNPM in the environment is for a custom job module/,
  );
  const job = fileURLToPath(new URL("../examples/cpu_job.ts", import.meta.url));
  assertRefused(
    await runCli(["--job", job, "--job-arg", "n=1", "--job-arg", "n=2", "--workers", "1"]),
    /--job-arg n is given twice \("n=1" and "n=2"\): give each key once$/m,
  );
});

Deno.test("--help and --version answer whatever else is wrong", async () => {
  const help = await runCli(["--help", "--jobs", "0"]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^deno-channels: run the same batch of jobs/);
  await using dir = await dirWithDotenv("WORKERCOUNTS=x\n");
  const version = await runCli(["--version"], { cwd: dir.path });
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^deno-channels \d+\.\d+\.\d+ \(Deno /);
});
