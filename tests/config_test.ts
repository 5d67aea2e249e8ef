import assert from "node:assert/strict";
import { parseConfig } from "../src/cli/settings.ts";
import { ConfigError } from "../src/errors.ts";
import { dirWithDotenv, runCli } from "./_cli.ts";

Deno.test("parseConfig() uses the seed's defaults for a blank .env", () => {
  const config = parseConfig({
    args: [],
    env: {},
    dotenv: "DEBUG=\nSTARTINGWORKERCOUNT=\nMAXWORKERCOUNT=\nTOTALJOBCOUNT=\n",
    hardwareConcurrency: 6,
  });
  assert.deepEqual(config, {
    debug: false,
    job: "sleep",
    startWorkers: 1,
    maxWorkers: 6,
    jobCount: 12,
    sleepMs: 1000,
    digits: config.digits,
    ioLines: 100_000,
    jobTimeoutMs: undefined,
    jobAllowNpm: false,
    startupTimeoutMs: 60_000,
    jobArgs: {},
    jobPermissions: {},
    workerCounts: undefined,
    concurrency: [1],
    repeat: 1,
    warmup: 0,
    scan: undefined,
    format: "table",
    out: undefined,
    inputs: undefined,
    exportJson: undefined,
    exportCsv: undefined,
    exportMarkdown: undefined,
    chart: undefined,
    quiet: false,
    profileDir: undefined,
    pprofIp: "127.0.0.1",
    pprofPort: 6060,
    saveBaseline: undefined,
    baseline: undefined,
    baselineThreshold: 10,
    baselineDir: undefined,
    jobCountGiven: false,
    sources: {},
    help: false,
    version: false,
  });
  // TOTALJOBCOUNT given (to the default's value) counts as given: --inputs then checks it.
  assert.equal(parseConfig({ args: ["--jobs", "12"], env: {} }).jobCountGiven, true);
});

Deno.test("parseConfig() takes a flag over the environment over .env over the default", () => {
  const sources = {
    env: { MAXWORKERCOUNT: "3", TOTALJOBCOUNT: "7" },
    dotenv: "MAXWORKERCOUNT=2\nTOTALJOBCOUNT=5\nSLEEPMS=20\n",
    hardwareConcurrency: 8,
  };
  const withFlag = parseConfig({ ...sources, args: ["--max-workers=4"] });
  assert.equal(withFlag.maxWorkers, 4);
  assert.equal(withFlag.jobCount, 7);
  assert.equal(withFlag.sleepMs, 20);
  assert.equal(withFlag.startWorkers, 1);
});

Deno.test("parseConfig() treats a blank value as not set at that layer", () => {
  const config = parseConfig({
    args: [],
    env: { TOTALJOBCOUNT: " " },
    dotenv: "TOTALJOBCOUNT=5\n",
    hardwareConcurrency: 2,
  });
  assert.equal(config.jobCount, 5);
});

Deno.test("parseConfig() accepts the seed's job names in any case", () => {
  for (const name of ["EmptySleepJob", "emptysleepjob", "SLEEP", "sleep"]) {
    assert.equal(parseConfig({ args: ["--job", name] }).job, "sleep");
  }
});

Deno.test("parseConfig() reads booleans as true/false/1/0 and a bare --debug as true", () => {
  assert.equal(parseConfig({ args: ["--debug"] }).debug, true);
  assert.equal(parseConfig({ args: ["--debug=false"] }).debug, false);
  assert.equal(parseConfig({ args: [], env: { DEBUG: "1" } }).debug, true);
  assert.equal(parseConfig({ args: [], env: { DEBUG: "FALSE" } }).debug, false);
});

Deno.test("parseConfig() rejects MAXWORKERCOUNT below STARTINGWORKERCOUNT", () => {
  assert.throws(
    () => parseConfig({ args: ["--start-workers", "3", "--max-workers", "2"] }),
    (error: Error) =>
      error instanceof ConfigError &&
      /MAXWORKERCOUNT.*>= STARTINGWORKERCOUNT \(3\)/.test(error.message),
  );
});

Deno.test("parseConfig() names the source of a bad value", () => {
  assert.throws(() => parseConfig({ args: ["--jobs", "x"] }), /--jobs must be an integer/);
  assert.throws(
    () => parseConfig({ args: [], env: { TOTALJOBCOUNT: "x" } }),
    /TOTALJOBCOUNT in the environment must be an integer/,
  );
  assert.throws(
    () => parseConfig({ args: [], dotenv: "TOTALJOBCOUNT=x" }),
    /TOTALJOBCOUNT in \.env must be an integer/,
  );
});

const invalid: [string, string[], Record<string, string>, RegExp][] = [
  [
    "a worker count that is not an integer",
    ["--max-workers", "two"],
    {},
    /--max-workers must be an integer from 1 to 1024, received "two"/,
  ],
  [
    "a fractional job count",
    ["--jobs", "1.5"],
    {},
    /--jobs must be an integer from 1 to 10000000, received "1.5"/,
  ],
  [
    "a job count below 1",
    [],
    { TOTALJOBCOUNT: "0" },
    /TOTALJOBCOUNT in the environment must be an integer from 1/,
  ],
  [
    "a negative start count",
    ["--start-workers=-1"],
    {},
    /--start-workers must be an integer from 1/,
  ],
  [
    "a start count above the max count",
    ["--start-workers", "2", "--max-workers", "1"],
    {},
    /MAXWORKERCOUNT \(--max-workers\) must be >= STARTINGWORKERCOUNT \(2\), received 1/,
  ],
  ["an unknown job", ["--job", "fib"], {}, /--job must be one of sleep, .*received "fib"/],
  [
    "an unknown flag",
    ["--wrokers", "2"],
    {},
    /unknown flag "--wrokers", accepted flags are --debug, --job/,
  ],
  [
    "a flag without its value",
    ["--jobs"],
    {},
    /--jobs needs a value, an integer from 1 to 10000000/,
  ],
  [
    "a boolean that is not a boolean",
    [],
    { DENO_CHANNELS_DEBUG: "yes" },
    /DENO_CHANNELS_DEBUG in the environment must be true, false, 1 or 0, received "yes"/,
  ],
  [
    "an absurd worker count",
    ["--max-workers", "1000000000"],
    {},
    /--max-workers must be an integer from 1 to 1024/,
  ],
];

for (const [what, args, env, message] of invalid) {
  Deno.test(`the CLI rejects ${what} with one line on stderr and exit code 2`, async () => {
    const run = await runCli(args, { env });
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    const lines = run.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, `one line, got: ${run.stderr}`);
    assert.match(lines[0], /^deno-channels: Cannot read settings: /);
    assert.match(lines[0], message);
    assert.doesNotMatch(run.stderr, /\bat .*\.ts:\d+/);
  });
}

Deno.test("the CLI rejects a bad value in .env, naming the file", async () => {
  await using dir = await dirWithDotenv("SLEEPMS=soon\n");
  const run = await runCli([], { cwd: dir.path });
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /SLEEPMS in \.env must be an integer from 1 to 3600000, received "soon"/,
  );
});

Deno.test("the CLI applies flag > environment > .env when it runs", async () => {
  await using dir = await dirWithDotenv(
    "JOBNAME=noop\nTOTALJOBCOUNT=3\nMAXWORKERCOUNT=1\nSTARTINGWORKERCOUNT=1\n",
  );
  const cwd = dir.path;
  const fromDotenv = await runCli([], { cwd });
  assert.equal(fromDotenv.code, 0, fromDotenv.stderr);
  assert.match(fromDotenv.stdout, /^\|\s+1 \|\s+3 \|.*\(baseline\)/m);
  assert.doesNotMatch(fromDotenv.stdout, /^\|\s+2 \|/m);

  const fromEnv = await runCli([], { cwd, env: { TOTALJOBCOUNT: "5", MAXWORKERCOUNT: "2" } });
  assert.match(fromEnv.stdout, /^\|\s+2 \|\s+5 \|/m);

  const fromFlag = await runCli(["--jobs", "6"], { cwd, env: { TOTALJOBCOUNT: "5" } });
  assert.match(fromFlag.stdout, /^\|\s+1 \|\s+6 \|/m);
});

Deno.test("the CLI prints --help with every flag, key and default", async () => {
  const run = await runCli(["--help"]);
  assert.equal(run.code, 0);
  for (
    const text of [
      "--debug",
      "DEBUG",
      "--job NAME",
      "JOBNAME",
      "--start-workers N",
      "STARTINGWORKERCOUNT",
      "--max-workers N",
      "MAXWORKERCOUNT",
      "--jobs N",
      "TOTALJOBCOUNT",
      "--sleep-ms N",
      "SLEEPMS",
      "(default: 1000)",
      "(default: CPUs available (affinity mask, cgroup quota))",
      "EmptySleepJob",
    ]
  ) {
    assert.ok(run.stdout.includes(text), `help mentions ${text}`);
  }
});

Deno.test("parseConfig() reads DENO_CHANNELS_<KEY> over the bare key, from the environment and .env", () => {
  const config = parseConfig({
    args: [],
    env: { DENO_CHANNELS_TOTALJOBCOUNT: "9", TOTALJOBCOUNT: "3", DENO_CHANNELS_FORMAT: "csv" },
    dotenv: "DENO_CHANNELS_SLEEPMS=30\nSLEEPMS=20\n",
  });
  assert.equal(config.jobCount, 9);
  assert.equal(config.format, "csv");
  assert.equal(config.sleepMs, 30);
});

Deno.test("parseConfig() reads generic keys from the environment only with the prefix", () => {
  const ambient = { FORMAT: "xml", QUIET: "maybe", REPEAT: "many", CHART: "c.png", OUTFILE: "o" };
  const config = parseConfig({ args: [], env: ambient });
  assert.equal(config.format, "table");
  assert.equal(config.quiet, false);
  assert.equal(config.repeat, 1);
  assert.equal(config.chart, undefined);
  assert.equal(config.out, undefined);
  // The same bare keys still count from .env, strictly.
  assert.equal(parseConfig({ args: [], dotenv: "FORMAT=json\n" }).format, "json");
  assert.throws(() => parseConfig({ args: [], dotenv: "FORMAT=xml\n" }), /FORMAT in \.env/);
});

Deno.test("parseConfig() reads an ambient DEBUG as the npm debug convention does", () => {
  const debug = (value: string) => parseConfig({ args: [], env: { DEBUG: value } }).debug;
  for (const on of ["true", "1", "*", "deno-channels", "deno-channels:*", "express:*,deno-*"]) {
    assert.equal(debug(on), true, on);
  }
  for (const off of ["express:*", "false", "0", "yes", "*,-deno-channels", "deno"]) {
    assert.equal(debug(off), false, off);
  }
  // Meant for us, it stays strict.
  assert.throws(
    () => parseConfig({ args: [], dotenv: "DEBUG=express:*\n" }),
    /DEBUG in \.env must be true, false, 1 or 0, received "express:\*"/,
  );
  assert.equal(parseConfig({ args: ["--debug=false"], env: { DEBUG: "1" } }).debug, false);
});

Deno.test("parseConfig() drops a leading -- and reads --version and -h", () => {
  const config = parseConfig({ args: ["--", "--jobs", "3", "-h", "--version"] });
  assert.equal(config.jobCount, 3);
  assert.equal(config.help, true);
  assert.equal(config.version, true);
  assert.throws(
    () => parseConfig({ args: ["--jobs", "3", "--", "x"] }),
    /unexpected argument "--", accepted flags are --debug/,
  );
});

Deno.test("the CLI prints its version from deno.json and runs with an ambient DEBUG='express:*'", async () => {
  const { version } = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const printed = await runCli(["--version"]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.match(
    printed.stdout,
    new RegExp(`^deno-channels ${version.replaceAll(".", "\\.")} \\(Deno `),
  );
  const run = await runCli(["--job", "noop", "--jobs", "2", "--max-workers", "1"], {
    env: { DEBUG: "express:*" },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stdout, /Spawning workers/);
});
