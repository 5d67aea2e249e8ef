import assert from "node:assert/strict";
import { validateCpuProfile } from "../src/profile/validate.ts";
import { runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

const PI_ARGS = ["--job", "pi-machin", "--digits", "20000", "--jobs", "4", "--workers", "1,2"];

/** The one `run-<time>` folder a profiled run made in `dir`. */
async function runDir(dir: string): Promise<string> {
  const runs = (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name);
  assert.equal(runs.length, 1, `one run folder in ${dir}: ${runs}`);
  assert.match(runs[0], /^run-\d{8}-\d{6}(-\d+)?$/);
  return `${dir}/${runs[0]}`;
}

async function readProfile(path: string) {
  return validateCpuProfile(JSON.parse(await Deno.readTextFile(path)));
}

Deno.test("--profile DIR writes a CPU profile of the main thread and of every worker per step", async () => {
  await using tmp = await tempDir();
  const run = await runCli([...PI_ARGS, "--profile", tmp.path], { cwd: tmp.path });
  assert.equal(run.code, 0, run.stderr);
  const dir = await runDir(tmp.path);
  const files = (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name).sort();
  assert.deepEqual(files, [
    "cpuprofile-1-workers-run-1-main.cpuprofile",
    "cpuprofile-1-workers-run-1-main.pb.gz",
    "cpuprofile-1-workers-run-1-worker-1.cpuprofile",
    "cpuprofile-1-workers-run-1-worker-1.pb.gz",
    "cpuprofile-2-workers-run-1-main.cpuprofile",
    "cpuprofile-2-workers-run-1-main.pb.gz",
    "cpuprofile-2-workers-run-1-worker-1.cpuprofile",
    "cpuprofile-2-workers-run-1-worker-1.pb.gz",
    "cpuprofile-2-workers-run-1-worker-2.cpuprofile",
    "cpuprofile-2-workers-run-1-worker-2.pb.gz",
  ]);
  for (const file of files.filter((name) => name.endsWith(".cpuprofile"))) {
    const profile = await readProfile(`${dir}/${file}`);
    assert.ok(profile.samples.length > 0, `${file} has samples`);
  }
  // Each worker's profile shows the WebAssembly kernel at work.
  const worker = await readProfile(`${dir}/cpuprofile-2-workers-run-1-worker-2.cpuprofile`);
  assert.ok(worker.nodes.some((node) => node.callFrame.url.startsWith("wasm://")));
  // The top tables name the exported kernel function, per worker count.
  assert.match(run.stdout, /^CPU profile top, 1 worker \(summed across workers;/m);
  assert.match(run.stdout, /^CPU profile top, 2 workers \(summed across workers;/m);
  assert.match(run.stdout, /\| FLAT +\| FLAT% +\| SUM% +\| CUM +\| CUM% +\| FUNCTION +\|/);
  // The kernel's WebAssembly is among the hottest rows; an exported function is shown by its
  // name (piStep, piFinish), an internal one (binaryen's inlining decides which) by its index.
  assert.match(run.stdout, /^\| +[\d.]+ms \|.*wasm-function\[\d+\]\)? wasm:\/\//m);
  assert.match(
    run.stdout,
    /^\| +2 \| +2 \| +\d+\.\d\d \| +\d+\.\d\d \| +\d+\.\d\d \| +0\.\d\d \|$/m,
  );
  assert.match(run.stderr, /DENO_CHANNELS_INSPECT=127\.0\.0\.1:6060 deno run -A mod\.ts --job pi/);
  assert.match(run.stderr, /wrote 5 CPU profiles to /);
});

Deno.test("a second --profile run into the same DIR gets its own folder, the first one's left as it was", async () => {
  await using tmp = await tempDir();
  const args = "--job noop --jobs 2 --workers 1 --quiet --profile".split(" ");
  const first = await runCli([...args, tmp.path], { cwd: tmp.path });
  assert.equal(first.code, 0, first.stderr);
  const firstDir = await runDir(tmp.path);
  const firstFiles = (await Array.fromAsync(Deno.readDir(firstDir))).map((e) => e.name).sort();
  const second = await runCli([...args, tmp.path], { cwd: tmp.path });
  assert.equal(second.code, 0, second.stderr);
  const runs = (await Array.fromAsync(Deno.readDir(tmp.path))).map((e) => `${tmp.path}/${e.name}`);
  assert.equal(runs.length, 2);
  const secondDir = runs.find((path) => path !== firstDir)!;
  assert.deepEqual(
    (await Array.fromAsync(Deno.readDir(firstDir))).map((e) => e.name).sort(),
    firstFiles,
  );
  assert.deepEqual(
    (await Array.fromAsync(Deno.readDir(secondDir))).map((e) => e.name).sort(),
    firstFiles,
  );
  assert.match(
    second.stdout,
    new RegExp(`summed across workers; ${secondDir}/cpuprofile-1-workers`),
  );
});

Deno.test("PPROF=true profiles into ./profiles and PPROFIP/PPROFPORT shape the --inspect command", async () => {
  await using tmp = await tempDir();
  const cwd = tmp.path;
  const run = await runCli(["--job", "noop", "--jobs", "2", "--max-workers", "1"], {
    cwd,
    env: { PPROF: "true", PPROFIP: "0.0.0.0", PPROFPORT: "9229" },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /DENO_CHANNELS_INSPECT=0\.0\.0\.0:9229 deno run -A mod\.ts/);
  const files = (await Array.fromAsync(Deno.readDir(await runDir(`${cwd}/profiles`))))
    .map((e) => e.name);
  assert.deepEqual(files.sort(), [
    "cpuprofile-1-workers-run-1-main.cpuprofile",
    "cpuprofile-1-workers-run-1-main.pb.gz",
    "cpuprofile-1-workers-run-1-worker-1.cpuprofile",
    "cpuprofile-1-workers-run-1-worker-1.pb.gz",
  ]);
});

Deno.test("--repeat 2 --profile writes each run's profiles under their own names", async () => {
  await using tmp = await tempDir();
  const run = await runCli([
    ..."--job noop --jobs 2 --workers 1 --repeat 2 --quiet --profile".split(" "),
    tmp.path,
  ], { cwd: tmp.path });
  assert.equal(run.code, 0, run.stderr);
  const files = (await Array.fromAsync(Deno.readDir(await runDir(tmp.path)))).map((e) => e.name);
  assert.deepEqual(files.sort(), [
    "cpuprofile-1-workers-run-1-main.cpuprofile",
    "cpuprofile-1-workers-run-1-main.pb.gz",
    "cpuprofile-1-workers-run-1-worker-1.cpuprofile",
    "cpuprofile-1-workers-run-1-worker-1.pb.gz",
    "cpuprofile-1-workers-run-2-main.cpuprofile",
    "cpuprofile-1-workers-run-2-main.pb.gz",
    "cpuprofile-1-workers-run-2-worker-1.cpuprofile",
    "cpuprofile-1-workers-run-2-worker-1.pb.gz",
  ]);
  assert.match(run.stdout, /^CPU profile top, 1 worker, run 2 \(summed across workers;/m);
});

Deno.test("the CLI rejects a PPROFPORT outside 1..65535", async () => {
  await using tmp = await tempDir();
  const run = await runCli(["--pprof-port", "70000"], { cwd: tmp.path });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--pprof-port must be an integer from 1 to 65535, received "70000"/);
});
