/**
 * `--job-allow-npm` (JOBALLOWNPM): a custom job module's own static `npm:` imports load, on its
 * workers and in its inline process, fetched before the run; without it they are refused by a
 * line naming the setting, whatever the worker list; with it, nothing is downloaded while jobs
 * run. The tests run offline: the package is pprof-format, which deno.lock pins for `--profile`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL as toFileUrl } from "node:url";
import { runSweep } from "../mod.ts";
import { parseConfig } from "../src/cli/settings.ts";
import { runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

/** Loopback HTTP server standing in for the npm registry; logs each request's path. */
function loopbackRegistry(log: string[]): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    log.push(new URL(request.url).pathname);
    return new Response("not found", { status: 404 });
  });
}

Deno.test("a job module's static npm: import is refused without --job-allow-npm, naming it, whatever the worker list", async () => {
  await using dir = await tempDir();
  const lines = [];
  // --profile too: the sweep process has npm on for the profile writer, not for the job.
  for (const extra of [["--workers", "1"], ["--workers", "0,1"], ["--profile", dir.path]]) {
    const run = await runCli([
      ..."--jobs 1 --quiet --job".split(" "),
      fixture("npm_static_job.ts"),
      ...extra,
    ]);
    assert.equal(run.code, 2, run.stderr);
    lines.push(run.stderr.split("\n")[0]);
  }
  assert.deepEqual(lines, Array(3).fill(lines[0]));
  assert.match(
    lines[0],
    /^deno-channels: Cannot load job module file:.*npm_static_job\.ts: npm specifiers were requested, but npm packages are off for custom jobs; --job-allow-npm \(JOBALLOWNPM\) lets the job module's own npm imports load/,
  );
  assert.doesNotMatch(lines[0], /--no-npm/);
});

Deno.test("--job-allow-npm runs a job module's static npm: import on workers and inline", async () => {
  const run = await runCli([
    ..."--jobs 2 --workers 0,1 --debug --job-allow-npm --job-arg period=41 --job".split(" "),
    fixture("npm_static_job.ts"),
  ]);
  // Exit 0: every job of both steps done (a job that cannot load fails the run with exit 2).
  assert.equal(run.code, 0, run.stderr);
  // The worker step's outputs, from the package's encode and decode, in the DEBUG log.
  assert.equal(run.stdout.match(/Seconds: 41\)$/gm)?.length, 2, run.stdout);
});

Deno.test("runSweep() runs a job module's npm: import in the inline process when params.permissions.npm is set", async () => {
  const sweep = (permissions: { npm?: boolean }) =>
    Array.fromAsync(runSweep({
      job: toFileUrl(fixture("npm_static_job.ts")),
      params: { jobArgs: { period: "43" }, permissions },
      workerCounts: [0, 1],
      jobCount: 1,
      sandbox: true,
    }));
  const steps = await sweep({ npm: true });
  assert.deepEqual(steps.map((step) => [step.workers, step.jobs.get(0).output]), [[0, 43], [
    1,
    43,
  ]]);
  // Without it the inline process runs with npm off: the module cannot load.
  await assert.rejects(sweep({}), /Cannot run the step with 0 workers: .*--no-npm is specified/);
});

Deno.test("parseConfig() grants npm to the job with --job-allow-npm only, not with a net grant", () => {
  const permissions = (...args: string[]) =>
    parseConfig({ args: ["--job", "./job.ts", ...args], env: {} }).jobPermissions;
  assert.deepEqual(permissions("--job-allow-net", "registry.npmjs.org"), {
    net: ["registry.npmjs.org"],
  });
  assert.deepEqual(permissions("--job-allow-npm"), { npm: true });
  assert.deepEqual(permissions("--job-allow-npm=false"), {});
  assert.throws(
    () => permissions("--job-allow-npm=yes"),
    /--job-allow-npm must be true, false, 1 or 0, received "yes"/,
  );
});

Deno.test("JOBALLOWNPM in .env and in the environment is the same setting", async () => {
  const job = ["--jobs", "1", "--workers", "1", "--quiet", "--job", fixture("npm_static_job.ts")];
  const fromEnv = await runCli(job, { env: { DENO_CHANNELS_JOBALLOWNPM: "true" } });
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/.env`, "JOBALLOWNPM=1\n");
  const fromDotenv = await runCli(job, { cwd: dir.path });
  assert.equal(fromDotenv.code, 0, fromDotenv.stderr);
  // The flag wins over .env.
  const off = await runCli([...job, "--job-allow-npm=false"], { cwd: dir.path });
  assert.equal(off.code, 2, off.stderr);
});

Deno.test("--job-allow-npm downloads nothing while jobs run: import() of an uncached package fails", async () => {
  await using dir = await tempDir();
  const job = join(dir.path, "dynamic_npm_job.ts");
  await Deno.writeTextFile(
    job,
    'export default async () => { await import(["npm:", "deno-channels-leak-probe"].join("")); };\n',
  );
  const log: string[] = [];
  await using registry = loopbackRegistry(log);
  const run = await runCli([
    ..."--workers 0,1 --jobs 1 --quiet --job-allow-npm --job".split(" "),
    job,
    "--job-allow-net",
    `127.0.0.1:${registry.addr.port}`,
  ], { env: { NPM_CONFIG_REGISTRY: `http://127.0.0.1:${registry.addr.port}/` } });
  assert.equal(run.code, 1, run.stderr);
  // The job of each step failed, told why in the CLI's words, and nothing reached the registry.
  const why =
    /not found in cache: "deno-channels-leak-probe": nothing is downloaded while jobs run; import it statically/g;
  assert.equal(run.stderr.match(why)?.length, 2, run.stderr);
  assert.doesNotMatch(run.stderr, /--cached-only/);
  assert.deepEqual(log, []);
});
