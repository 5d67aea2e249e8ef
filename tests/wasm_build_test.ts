import assert from "node:assert/strict";

const repoRoot = new URL("../", import.meta.url);
const committedWasmUrl = new URL("wasm/build/pi.wasm", repoRoot);

/** Builds the kernel as `deno task build:wasm` does, but into `outFile`. */
async function buildWasm(outFile: string): Promise<Uint8Array> {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      // The compiler's own lock: deno.lock holds only what a run may need (see asc.lock's test).
      "--lock=wasm/asc.lock",
      "--frozen",
      "npm:assemblyscript@0.28.20/asc",
      "wasm/assembly/index.ts",
      "--config",
      "wasm/asconfig.json",
      "--target",
      "release",
      "--outFile",
      outFile,
    ],
    cwd: repoRoot,
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stderr } = await command.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return await Deno.readFile(outFile);
}

Deno.test("wasm/build/pi.wasm is what the pinned asc builds from wasm/assembly, every time", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pi_wasm_build_" });
  try {
    const committed = await Deno.readFile(committedWasmUrl);
    const first = await buildWasm(`${dir}/first.wasm`);
    const second = await buildWasm(`${dir}/second.wasm`);
    assert.deepEqual(first, second, "two builds differ: the build is not reproducible");
    assert.deepEqual(first, committed, "rebuild wasm/build/pi.wasm with `deno task build:wasm`");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("wasm/build/pi.wasm imports only the cancel poll and exports the numeric ABI", async () => {
  const module = await WebAssembly.compile(await Deno.readFile(committedWasmUrl));
  assert.deepEqual(WebAssembly.Module.imports(module), [
    { module: "host", name: "shouldStop", kind: "function" },
  ]);
  assert.deepEqual(
    WebAssembly.Module.exports(module).map(({ name, kind }) => `${kind} ${name}`).sort(),
    [
      "function bigAlloc",
      "function bigMul",
      "function bigNodeProducts",
      "function bigReset",
      "function chudnovskyPi",
      "function noop",
      "function piFinish",
      "function piStart",
      "function piStep",
      "memory memory",
    ],
  );
});
