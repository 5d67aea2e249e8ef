import assert from "node:assert/strict";
import { piWasmBytes } from "../src/cli/machine.ts";
import { cpuProfileToPprof, decodePprofGz, encodePprofGz, pprofPath } from "../src/cli/pprof.ts";
import { analyzeProfiles } from "../src/profile/top.ts";
import { type CpuProfile, validateCpuProfile } from "../src/profile/validate.ts";
import { nameWasmFunction, wasmExportNames } from "../src/profile/wasm_names.ts";
import { runCli } from "./_cli.ts";

type Pprof = Awaited<ReturnType<typeof decodePprofGz>>;

/** A temporary directory, removed at the end of the `await using` block. */
async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "deno-channels-pprof-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** Whether `go` runs here; the `go tool pprof` test is skipped without it. */
async function hasGo(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("go", {
      args: ["version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return success;
  } catch {
    return false;
  }
}

const GO = await hasGo();
if (!GO) {
  // deno-lint-ignore no-console -- say why the test is skipped
  console.log("pprof_test.ts: `go` is not on PATH; skipping the `go tool pprof -top` test");
}

const str = (pprof: Pprof, index: unknown) => pprof.stringTable.strings[Number(index)];

/** Total of one sample type (0 = samples/count, 1 = cpu/nanoseconds). */
function total(pprof: Pprof, valueIndex: number): number {
  return pprof.sample.reduce((sum, sample) => sum + Number(sample.value[valueIndex]), 0);
}

/** Each function name's flat cpu nanoseconds: samples charged to the leaf location. */
function flatNanosByName(pprof: Pprof): Map<string, number> {
  const nameOfLocation = new Map<number, string>();
  const functions = new Map(pprof.function.map((fn) => [Number(fn.id), str(pprof, fn.name)]));
  for (const location of pprof.location) {
    nameOfLocation.set(Number(location.id), functions.get(Number(location.line[0].functionId))!);
  }
  const flat = new Map<string, number>();
  for (const sample of pprof.sample) {
    const leaf = nameOfLocation.get(Number(sample.locationId[0]))!;
    flat.set(leaf, (flat.get(leaf) ?? 0) + Number(sample.value[1]));
  }
  return flat;
}

const frame = (functionName: string, url = "", lineNumber = -1, columnNumber = -1) => ({
  functionName,
  url,
  lineNumber,
  columnNumber,
});

Deno.test("cpuProfileToPprof() keeps stacks leaf to root, the top table's sample times and names, and drops (idle)", async () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("(root)"), children: [2, 5] },
      { id: 2, callFrame: frame("main", "file:///app/main.ts", 9, 4), children: [3] },
      { id: 3, callFrame: frame("wasm-function[3]", "wasm://wasm/ab12", 0, 40), children: [4] },
      { id: 4, callFrame: frame("", "file:///app/util.ts", 0, 0) },
      { id: 5, callFrame: frame("(idle)") },
    ],
    startTime: 1_000,
    endTime: 2_000,
    // Sample times by the next sample: 100, 300 (node 3), 50 (node 4), 200 (idle), 350 (node 2).
    samples: [3, 3, 4, 5, 2],
    timeDeltas: [0, 100, 300, 50, 200],
  };
  const pprof = await decodePprofGz(
    new Uint8Array(
      await encodePprofGz(cpuProfileToPprof(profile, { wasmNames: new Map([[3, "piStep"]]) })),
    ),
  );
  assert.deepEqual(
    pprof.sampleType.map((type) => `${str(pprof, type.type)}/${str(pprof, type.unit)}`),
    ["samples/count", "cpu/nanoseconds"],
  );
  assert.equal(str(pprof, pprof.periodType!.type), "cpu");
  assert.equal(Number(pprof.durationNanos), 1_000_000);
  const stacks = pprof.sample.map((sample) => ({
    names: sample.locationId.map((id) => {
      const location = pprof.location.find((l) => Number(l.id) === Number(id))!;
      const fn = pprof.function.find((f) => f.id === location.line[0].functionId)!;
      return str(pprof, fn.name);
    }),
    value: sample.value.map(Number),
  })).sort((a, b) => a.names.length - b.names.length);
  assert.deepEqual(stacks, [
    { names: ["main main.ts:10:5"], value: [1, 350_000] },
    {
      names: ["piStep (wasm-function[3]) wasm://wasm/ab12:1:41", "main main.ts:10:5"],
      value: [2, 400_000],
    },
    {
      names: [
        "(anonymous) util.ts:1:1",
        "piStep (wasm-function[3]) wasm://wasm/ab12:1:41",
        "main main.ts:10:5",
      ],
      value: [1, 50_000],
    },
  ]);
  // The same total as the top table's; V8's own names and full URLs stay in the file.
  assert.equal(total(pprof, 1), analyzeProfiles([profile]).totalMicros * 1000);
  const main = pprof.function.find((fn) => str(pprof, fn.systemName) === "main")!;
  assert.equal(str(pprof, main.filename), "file:///app/main.ts");
  assert.equal(Number(main.startLine), 10);
  assert.ok(pprof.comment.some((c) => str(pprof, c) === "(idle) left out: 1 samples, 0.20 ms"));
});

Deno.test("pprofPath() puts the .pb.gz next to the .cpuprofile", () => {
  assert.equal(
    pprofPath("profiles/cpuprofile-2-workers-run-1-worker-1.cpuprofile"),
    "profiles/cpuprofile-2-workers-run-1-worker-1.pb.gz",
  );
});

/** Profiles 4 Machin jobs of 20,000 digits into `<cwd>/profiles` and returns the run's folder there. */
async function profileMachin(cwd: string, workers: string): Promise<string> {
  const dir = `${cwd}/profiles`;
  const args = "--job pi-machin --digits 20000 --jobs 4 --workers".split(" ");
  const run = await runCli([...args, workers, "--profile", dir], { cwd });
  assert.equal(run.code, 0, run.stderr);
  // Each run writes into its own run-<time> folder.
  const [runFolder] = await Array.fromAsync(Deno.readDir(dir));
  return `${dir}/${runFolder.name}`;
}

Deno.test("--profile DIR writes pprof files with the .cpuprofile's samples and the top table's hottest function", async () => {
  await using tmp = await tempDir();
  const dir = await profileMachin(tmp.path, "1,2");
  const wasmNames = wasmExportNames(await piWasmBytes());
  const names = (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name);
  const cpuprofiles = names.filter((name) => name.endsWith(".cpuprofile")).sort();
  assert.equal(cpuprofiles.length, 5);
  for (const name of cpuprofiles) {
    const path = `${dir}/${name}`;
    const profile = validateCpuProfile(JSON.parse(await Deno.readTextFile(path)));
    const pprof = await decodePprofGz(await Deno.readFile(pprofPath(path)));
    // Every sample is in the file but those on (idle) or on (root) alone.
    const frameOf = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    const left = profile.samples.filter((id) => {
      const { functionName, url } = frameOf.get(id)!;
      return !(url === "" && (functionName === "(idle)" || functionName === "(root)"));
    });
    assert.equal(total(pprof, 0), left.length, name);
    // The same cpu time as the top table's total, to rounding (1 ns per pprof sample).
    const top = analyzeProfiles([profile]);
    const nanos = total(pprof, 1);
    assert.ok(Math.abs(nanos - top.totalMicros * 1000) <= pprof.sample.length, name);
    assert.equal(
      Number(pprof.durationNanos),
      Math.round((profile.endTime - profile.startTime) * 1000),
    );
    // The hottest function is the top table's, named alike.
    const flat = flatNanosByName(pprof);
    const hottest = Math.max(...flat.values());
    const ours = nameWasmFunction(top.entries[0].label, wasmNames);
    assert.ok(Math.abs(flat.get(ours)! - hottest) <= pprof.sample.length, `${name}: ${ours}`);
    assert.ok(Math.abs(hottest - top.entries[0].flatMicros * 1000) <= pprof.sample.length);
  }
  // The workers run the WASM kernel: their files name its exported functions that got samples.
  const worker = await decodePprofGz(
    await Deno.readFile(`${dir}/cpuprofile-2-workers-run-1-worker-1.pb.gz`),
  );
  assert.ok(
    worker.stringTable.strings.some((s) => /^pi[A-Z]\w* \(wasm-function\[\d+\]\) wasm:/.test(s)),
  );
});

Deno.test({
  name: "go tool pprof -top reads a profile we wrote and ranks our hottest function first",
  ignore: !GO,
  fn: async () => {
    await using tmp = await tempDir();
    const dir = await profileMachin(tmp.path, "1");
    const path = `${dir}/cpuprofile-1-workers-run-1-worker-1.cpuprofile`;
    const profile = validateCpuProfile(JSON.parse(await Deno.readTextFile(path)));
    const ours = nameWasmFunction(
      analyzeProfiles([profile]).entries[0].label,
      wasmExportNames(await piWasmBytes()),
    );
    const output = await new Deno.Command("go", {
      args: ["tool", "pprof", "-top", pprofPath(path)],
      cwd: tmp.path,
      env: { HOME: tmp.path, GOCACHE: `${tmp.path}/gocache`, GOPATH: `${tmp.path}/gopath` },
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    assert.ok(output.success, new TextDecoder().decode(output.stderr));
    assert.match(stdout, /^Type: cpu$/m);
    // The first row after the header: flat flat% sum% cum cum% name.
    const rows = stdout.slice(stdout.indexOf("flat%")).split("\n").slice(1);
    const first = rows[0].trim().split(/\s+/).slice(5).join(" ");
    assert.equal(first, ours, stdout);
  },
});
