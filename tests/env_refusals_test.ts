/**
 * Every bad value is refused before the run, naming the key the user set: `.env` lines, unknown
 * `DENO_CHANNELS_*` keys, `DENO_CHANNELS_INSPECT`, `DENO_CHANNELS_OUTFILE`, per-kind limits,
 * control characters in echoed values; and a bad job module exits alike whatever the worker list.
 */
import assert from "node:assert/strict";
import { ConfigError } from "../src/errors.ts";
import { INTERNAL_ENV_KEYS } from "../src/cli/environment.ts";
import { parseConfig } from "../src/cli/settings.ts";
import { INSPECT_VARIABLE } from "../src/cli/supervise.ts";
import { runSweep } from "../src/sweep/sweep.ts";
import { dirWithDotenv, runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

const refused = (pattern: RegExp) => (error: unknown) =>
  error instanceof ConfigError && pattern.test(error.message);

Deno.test("parseConfig() refuses a .env line without =, naming the file and the line", () => {
  assert.throws(
    () => parseConfig({ args: [], dotenv: "# mine\nJOBNAME=noop\nTOTALJOBCOUNT 4\n" }),
    refused(/^Cannot read settings: \.env line 3 must be KEY=VALUE .*received "TOTALJOBCOUNT 4"$/),
  );
  // Comments, blank lines, export and quoted values over two lines stay accepted.
  const config = parseConfig({
    args: [],
    dotenv: '\n# c\nexport JOBNAME=noop\nOTHER_TOOL_KEY="a\nb"\nTOTALJOBCOUNT=4\n',
  });
  assert.equal(config.job, "noop");
  assert.equal(config.jobCount, 4);
});

Deno.test("parseConfig() refuses an unknown DENO_CHANNELS_ key, naming it and the close one", () => {
  assert.throws(
    () => parseConfig({ args: [], env: { DENO_CHANNELS_JOBNAM: "noop" } }),
    refused(
      /^Cannot read settings: DENO_CHANNELS_JOBNAM in the environment is not a setting \(did you mean DENO_CHANNELS_JOBNAME\?\); accepted: DENO_CHANNELS_<KEY> for DEBUG, JOBNAME, /,
    ),
  );
  assert.throws(
    () => parseConfig({ args: [], dotenv: "DENO_CHANNELS_JOBS=4\n" }),
    refused(/DENO_CHANNELS_JOBS in \.env is not a setting/),
  );
  // The CLI's own variables for its sweep child are not a user's setting, and not refused.
  const internal = Object.fromEntries(INTERNAL_ENV_KEYS.map((key) => [key, "1"]));
  assert.equal(parseConfig({ args: [], env: internal }).job, "sleep");
});

Deno.test("the CLI refuses an unknown DENO_CHANNELS_ variable in one line, exit 2", async () => {
  const run = await runCli(["--job", "noop", "--jobs", "1", "--max-workers", "1"], {
    env: { DENO_CHANNELS_TOTALJOBS: "4" },
  });
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    /^deno-channels: Cannot read settings: DENO_CHANNELS_TOTALJOBS in the environment is not a setting \(did you mean DENO_CHANNELS_TOTALJOBCOUNT\?\); accepted: .*\n$/,
  );
  assert.equal(run.stdout, "");
});

Deno.test("parseConfig() refuses a DENO_CHANNELS_INSPECT that is not HOST:PORT", () => {
  for (const value of ["9229", "localhost:0", "host:99999", "a b:1"]) {
    assert.throws(
      // The variable the sweep's supervisor reads is the one checked.
      () => parseConfig({ args: [], env: { [INSPECT_VARIABLE]: value } }),
      refused(/^Cannot read settings: DENO_CHANNELS_INSPECT in the environment must be HOST:PORT/),
      value,
    );
  }
  parseConfig({ args: [], env: { DENO_CHANNELS_INSPECT: "127.0.0.1:9229" } });
});

Deno.test("an unwritable DENO_CHANNELS_OUTFILE is named as that key, not as --out", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/missing/out.txt`;
  const run = await runCli(["--job", "noop", "--jobs", "1", "--max-workers", "1"], {
    env: { DENO_CHANNELS_OUTFILE: out },
  });
  assert.equal(run.code, 2, run.stderr);
  assert.equal(
    run.stderr,
    `deno-channels: Cannot write results: DENO_CHANNELS_OUTFILE in the environment "${out}" is in a directory that does not exist\n`,
  );
  await using dotenv = await dirWithDotenv(`OUTFILE=${out}\n`);
  const fromDotenv = await runCli(["--job", "noop", "--jobs", "1", "--max-workers", "1"], {
    cwd: dotenv.path,
  });
  assert.match(fromDotenv.stderr, /^deno-channels: Cannot write results: OUTFILE in \.env "/);
});

Deno.test("--job pi-machin --digits 2000000 is refused before the run, naming the setting", async () => {
  const run = await runCli("--job pi-machin --digits 2000000 --jobs 1 --max-workers 1".split(" "));
  assert.equal(run.code, 2, run.stderr);
  assert.equal(
    run.stderr,
    "deno-channels: Cannot read settings: --digits must be an integer from 1 to 1000000 for pi-machin jobs, received 2000000\n",
  );
  assert.equal(run.stdout, "");
  assert.throws(
    () => parseConfig({ args: ["--job", "pi-bigint"], env: { PIDIGITS: "1000001" } }),
    refused(
      /^Cannot read settings: PIDIGITS in the environment must be an integer from 1 to 1000000 for pi-bigint jobs/,
    ),
  );
  assert.throws(
    () => parseConfig({ args: ["--job", "pi-machin", "--parameter-list", "digits", "10,2000000"] }),
    refused(
      /--parameter-list value must be an integer from 1 to 1000000 for pi-machin jobs, received 2000000/,
    ),
  );
  // pi itself takes up to 10,000,000.
  assert.equal(parseConfig({ args: ["--job", "pi", "--digits", "2000000"] }).digits, 2_000_000);
});

Deno.test("runSweep() refuses pi-machin digits above its kernel's limit at the call", () => {
  assert.throws(
    () => runSweep({ job: "pi-machin", params: { digits: 2_000_000 } }),
    (error) =>
      error instanceof RangeError &&
      /params\.digits must be an integer from 1 to 1000000, received 2000000/.test(error.message),
  );
});

Deno.test("parseConfig() refuses control characters in a scan, whose name and values are echoed", () => {
  assert.throws(
    () => parseConfig({ args: ["--job", "./j.ts", "--parameter-list", "k\x1b[2J", "a,b"] }),
    refused(/^Cannot read settings: --parameter-list must be /),
  );
});

Deno.test("a job module that cannot load exits 2 with the same line whatever the worker list", async () => {
  await using cwd = await tempDir();
  const shapes = new Set<string>();
  for (const workers of ["0,1", "1,2", "1"]) {
    const args = ["--job", "./missing_job.ts", "--workers", workers, "--quiet"];
    const run = await runCli(args, { cwd: cwd.path });
    assert.equal(run.code, 2, `--workers ${workers}: ${run.stderr}`);
    assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
    shapes.add(run.stderr.replace(/with \d+ workers?/, "with N workers"));
  }
  assert.equal(shapes.size, 1, [...shapes].join(""));
  assert.match(
    [...shapes][0],
    /^deno-channels: Cannot run the step with N workers: Cannot load job module file:\/\/.*missing_job\.ts: /,
  );
});
