/**
 * What a run downloads. Deno installs every npm package in the lock file as
 * soon as one `npm:` specifier is in a run's module graph, so deno.lock holds
 * only what a run may load (pprof-format, for `--profile`), the compiler has
 * its own wasm/asc.lock, and pprof.ts stays out of a plain run's graph.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));

/** The npm packages a lock file pins, by name@version. */
async function lockedPackages(lockPath: string): Promise<string[]> {
  const lock = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/${lockPath}`));
  return Object.keys(lock.npm ?? {}).sort();
}

/** The npm packages in a Deno cache, by name (empty when npm was never touched). */
async function cachedPackages(denoDir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${denoDir}/npm/registry.npmjs.org`)) {
      names.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

/** What deno needs to reach npm from here (a proxy, its CA): runCli passes on little else. */
function networkEnv(): Record<string, string> {
  const keys = [
    "DENO_CERT",
    "DENO_TLS_CA_STORE",
    "NODE_EXTRA_CA_CERTS",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
  ];
  return Object.fromEntries(
    keys.flatMap((key) => {
      const value = Deno.env.get(key);
      return value === undefined ? [] : [[key, value]];
    }),
  );
}

/** Runs the CLI from the checkout (so deno.json and deno.lock apply) on an empty cache. */
async function runOnEmptyCache(args: string[]): Promise<string[]> {
  await using denoDir = await tempDir("deno-channels-deno-dir-");
  const lockBefore = await Deno.readTextFile(`${REPO_ROOT}/deno.lock`);
  const run = await runCli(args, {
    cwd: REPO_ROOT,
    env: { ...networkEnv(), DENO_DIR: denoDir.path },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(
    await Deno.readTextFile(`${REPO_ROOT}/deno.lock`),
    lockBefore,
    `deno run mod.ts ${args.join(" ")} rewrote deno.lock`,
  );
  return await cachedPackages(denoDir.path);
}

Deno.test("deno.lock pins only what a run may load; the compiler has its own lock", async () => {
  assert.deepEqual(await lockedPackages("deno.lock"), ["pprof-format@2.3.2"]);
  assert.deepEqual(await lockedPackages("wasm/asc.lock"), [
    "assemblyscript@0.28.20",
    "binaryen@131.0.0-nightly.20260721",
    "long@5.3.2",
  ]);
});

Deno.test("--version on an empty Deno cache downloads no npm package", async () => {
  assert.deepEqual(await runOnEmptyCache(["--version"]), []);
});

Deno.test("a small sweep on an empty Deno cache downloads no npm package", async () => {
  assert.deepEqual(
    await runOnEmptyCache(["--jobs", "2", "--workers", "1", "--digits", "100", "--quiet"]),
    [],
  );
});

Deno.test("--profile on an empty Deno cache downloads pprof-format alone", async () => {
  await using out = await tempDir("deno-channels-profile-");
  assert.deepEqual(
    await runOnEmptyCache([
      "--jobs",
      "2",
      "--workers",
      "1",
      "--digits",
      "100",
      "--quiet",
      "--profile",
      `${out.path}/profiles`,
    ]),
    ["pprof-format"],
  );
});
