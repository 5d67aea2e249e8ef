// Runs every bench file as `deno bench --json` does, at smoke sizes (a few seconds in all), so
// the benches never rot: each must register the expected groups and benches, and each bench must
// finish with positive timings.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { SMOKE_ENV } from "../bench/_params.ts";
import { tempDir } from "./_temp.ts";

const CONFIG_PATH = fileURLToPath(new URL("../deno.json", import.meta.url));
const benchPath = (file: string) => fileURLToPath(new URL(`../bench/${file}`, import.meta.url));

/** One bench in `deno bench --json` output. */
interface BenchEntry {
  group: string | null;
  name: string;
  baseline: boolean;
  results: ({ ok: { n: number; min: number; avg: number } } | { failed: { message: string } })[];
}

/** What `deno bench --json` prints. */
interface BenchReport {
  runtime: string;
  benches: BenchEntry[];
}

interface BenchRun {
  code: number;
  stdout: string;
  stderr: string;
}

interface BenchRunOptions {
  /** Print the JSON report (default); without it, deno bench prints its table and errors. */
  json?: boolean;
  /** Arguments after `--`. */
  args?: string[];
  /** Extra environment variables (the settings' keys are otherwise unset). */
  env?: Record<string, string>;
  /** Working directory; default a new empty temp dir (so no .env is found). */
  cwd?: string;
}

async function runBench(file: string, options: BenchRunOptions = {}): Promise<BenchRun> {
  const env: Record<string, string> = { NO_COLOR: "1", [SMOKE_ENV]: "1" };
  for (const key of ["PATH", "HOME", "DENO_DIR", "TMPDIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(key);
    if (value !== undefined) env[key] = value;
  }
  const args = ["bench", "-A", "--config", CONFIG_PATH, benchPath(file)];
  if (options.json ?? true) args.splice(2, 0, "--json");
  if (options.args) args.push("--", ...options.args);
  await using benchDir = options.cwd ? undefined : await tempDir("deno-channels-bench-");
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd ?? benchDir!.path,
    env: { ...env, ...options.env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Runs `file`, parses its JSON report and checks every bench finished with positive timings. */
async function benchReport(file: string, options?: BenchRunOptions): Promise<BenchReport> {
  const run = await runBench(file, options);
  assert.equal(run.code, 0, `deno bench ${file} failed:\n${run.stderr}\n${run.stdout}`);
  // Nothing but the report on stdout: JSON.parse fails on any stray line.
  const report: BenchReport = JSON.parse(run.stdout);
  assert.match(report.runtime, /^Deno\//);
  for (const bench of report.benches) {
    assert.equal(bench.results.length, 1, `${bench.name} has one result`);
    const result = bench.results[0];
    assert.ok("ok" in result, `${bench.name} failed: ${JSON.stringify(result)}`);
    assert.ok(result.ok.n >= 1, `${bench.name} ran`);
    assert.ok(result.ok.avg > 0 && result.ok.min > 0, `${bench.name} has positive timings`);
  }
  return report;
}

/** The benches as `[group, name, baseline]`, in registration order. */
function listed(report: BenchReport): [string | null, string, boolean][] {
  return report.benches.map((bench) => [bench.group, bench.name, bench.baseline]);
}

Deno.test("sweep_bench.ts benches sleep and pi on 1 and 2 workers, 1 worker the baseline", async () => {
  const report = await benchReport("sweep_bench.ts");
  assert.deepEqual(listed(report), [
    ["sleep: 2 jobs × 1 ms", "sleep, 1 worker", true],
    ["sleep: 2 jobs × 1 ms", "sleep, 2 workers", false],
    ["pi: 2 jobs × 200 digits", "pi, 1 worker", true],
    ["pi: 2 jobs × 200 digits", "pi, 2 workers", false],
  ]);
});

Deno.test("sweep_bench.ts reads the CLI's keys from flags, the environment and .env", async () => {
  await using cwdDir = await tempDir("deno-channels-bench-env-");
  const cwd = cwdDir.path;
  await Deno.writeTextFile(`${cwd}/.env`, "PIDIGITS=300\nTOTALJOBCOUNT=\nMAXWORKERCOUNT=9\n");
  const report = await benchReport("sweep_bench.ts", {
    cwd,
    env: { TOTALJOBCOUNT: "3", MAXWORKERCOUNT: "3" },
    args: ["--job", "PiJob", "--start-workers", "2"],
  });
  assert.deepEqual(listed(report), [
    ["pi: 3 jobs × 300 digits", "pi, 2 workers", true],
    ["pi: 3 jobs × 300 digits", "pi, 3 workers", false],
  ]);
});

Deno.test("sweep_bench.ts rejects a bad setting with the CLI's message", async () => {
  // Without --json: with it, deno bench 2.9 says only "Bench failed" for an error at load; without
  // it, the error goes to stdout.
  const run = await runBench("sweep_bench.ts", { json: false, args: ["--max-workers", "two"] });
  assert.notEqual(run.code, 0);
  assert.match(
    run.stdout,
    /ConfigError: Cannot read settings: --max-workers must be an integer from 1 to 1024, received "two"/,
  );
});

Deno.test("dispatch_bench.ts benches noop jobs against postMessage in one group per worker count", async () => {
  const report = await benchReport("dispatch_bench.ts");
  // Sorted by group: each group's summary ranks only benches on as many workers.
  assert.deepEqual(listed(report).sort(([a], [b]) => a!.localeCompare(b!)), [
    ["dispatch: 50 jobs, 1 worker", "50 noop jobs, 1 worker", true],
    ["dispatch: 50 jobs, 1 worker", "50 postMessage round trips, 1 worker", false],
    ["dispatch: 50 jobs, 1 worker", "50 postMessage pipelined messages, 1 worker", false],
    ["dispatch: 50 jobs, 2 workers", "50 noop jobs, 2 workers", true],
    ["dispatch: 50 jobs, 2 workers", "50 postMessage round trips, 2 workers", false],
    ["dispatch: 50 jobs, 2 workers", "50 postMessage pipelined messages, 2 workers", false],
  ]);
});

Deno.test("pi_bench.ts benches the WASM kernels against the BigInt reference at smoke size", async () => {
  const report = await benchReport("pi_bench.ts");
  assert.deepEqual(listed(report), [
    ["pi 200 digits", "TypeScript BigInt Chudnovsky", true],
    ["pi 200 digits", "WASM Chudnovsky (NTT)", false],
    ["pi 200 digits", "WASM f64x2 Machin", false],
    ["interop", "empty WASM export", false],
  ]);
});

// Deno.Command throws NotFound synchronously when the program is missing, before any promise.
async function onPath(program: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(program, {
      args: ["version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}
const goOnPath = await onPath("go");

Deno.test({
  name: "the Go anchor builds, times batches of every size asked and removes its build",
  // Only where `go` is installed (apt-get install golang-go): CI's clean machine has none.
  ignore: !goOnPath,
  async fn() {
    const { startGoAnchor } = await import("../bench/_go_anchor.ts");
    const before = new Set(
      [...Deno.readDirSync(Deno.env.get("TMPDIR") ?? "/tmp")].map((e) => e.name),
    );
    const anchor = await startGoAnchor();
    assert.ok(typeof anchor !== "string", String(anchor));
    assert.match(anchor.version, /^go version go\d/);
    for (const [jobs, workers] of [[1, 1], [10_000, 2], [1_000, 3]]) {
      const seconds = await anchor.run(jobs, workers);
      assert.ok(seconds > 0 && seconds < 10, `${jobs} jobs on ${workers}: ${seconds} s`);
    }
    await anchor.close();
    await anchor.close();
    const after = [...Deno.readDirSync(Deno.env.get("TMPDIR") ?? "/tmp")].map((e) => e.name);
    assert.deepEqual(after.filter((name) => !before.has(name) && name.includes("go-anchor")), []);
  },
});
