/**
 * The sandbox is the same wherever a job runs: a job module's inline step runs in a process with
 * only the job's grants; nothing is prompted; nothing is downloaded while jobs run (npm, a remote
 * module's own host); the supervisor's variable cannot be set by hand; a granted directory is
 * checked for escaping symlinks completely.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL as toFileUrl } from "node:url";
import { runSweep } from "../mod.ts";
import { cliCommand, MOD_PATH, runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

/** A loopback HTTP server that logs each request's path and query; `await using` stops it. */
function loopbackServer(
  log: string[],
  files: Record<string, string> = {},
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const url = new URL(request.url);
    log.push(url.pathname + url.search);
    const body = files[url.pathname];
    return body === undefined
      ? new Response("not found", { status: 404 })
      : new Response(body, { headers: { "content-type": "application/javascript" } });
  });
}

Deno.test("a job module's inline step in the sandbox has only the job's grants, as its workers do", async () => {
  await using dir = await tempDir();
  const secret = join(dir.path, "secret.txt");
  await Deno.writeTextFile(secret, "not for the job");
  const sweep = (permissions: { read?: string[] }) =>
    Array.fromAsync(runSweep({
      job: fixture("probe_job.ts"),
      params: { jobArgs: { path: secret, env: "HOME" }, permissions },
      workerCounts: [0, 1],
      jobCount: 1,
      sandbox: true,
    }));
  const outputs = (steps: Awaited<ReturnType<typeof sweep>>) =>
    steps.map((step) => [step.workers, step.jobs.get(0).output]);
  assert.deepEqual(outputs(await sweep({})), [
    [0, { read: "NotCapable", env: "NotCapable" }],
    [1, { read: "NotCapable", env: "NotCapable" }],
  ]);
  assert.deepEqual(outputs(await sweep({ read: [secret] })), [
    [0, { read: "allowed", env: "NotCapable" }],
    [1, { read: "allowed", env: "NotCapable" }],
  ]);
});

Deno.test("a job that calls Deno.exit() inline fails its jobs and the sweep goes on", async () => {
  const run = await runCli([
    ..."--workers 0,1 --jobs 2 --quiet --job".split(" "),
    fixture("exit_job.ts").pathname,
  ]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /^Summary:/m);
  assert.match(run.stderr, /inline step's process exited with code 3 before it reported/);
});

Deno.test("a cancelled inline step leaves no process behind", async () => {
  await using dir = await tempDir();
  // A module path of this test's own, to find its inline process among any others; the job
  // writes a marker (granted) and then never returns: only killing its process ends the step.
  const job = join(dir.path, "busy_job.ts");
  const marker = join(dir.path, "busy");
  await Deno.writeTextFile(
    job,
    "export default ({ marker }) => { Deno.writeTextFileSync(marker, ''); for (;;) {} };\n",
  );
  const inline = async () =>
    (await processes()).filter((p) =>
      p.cmdline.includes("_inline_entry") && p.cmdline.includes(job)
    );
  const controller = new AbortController();
  const sweep = Array.fromAsync(runSweep({
    job: toFileUrl(job),
    params: { jobArgs: { marker }, permissions: { write: [marker] } },
    workerCounts: [0, 1],
    jobCount: 2,
    sandbox: true,
    signal: controller.signal,
  }));
  const busy = () => Deno.stat(marker).then(() => true, () => false);
  while (!await busy()) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal((await inline()).length, 1);
  controller.abort(new Error("stop"));
  await assert.rejects(sweep, /stop/);
  assert.deepEqual(await inline(), []);
});

/** The pids of the processes whose parent is `parent` (default this one), from /proc. */
async function childProcesses(parent = Deno.pid): Promise<number[]> {
  return (await processes()).filter((p) => p.ppid === parent).map((p) => p.pid);
}

/** Every process's pid, parent pid and command line, from /proc. */
async function processes(): Promise<{ pid: number; ppid: number; cmdline: string }[]> {
  const found = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`).catch(() => "");
    const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`).catch(() => "");
    // The parent pid is the second field after the command name, which ends with ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    found.push({ pid: Number(entry.name), ppid, cmdline });
  }
  return found;
}

Deno.test("a killed sweep process leaves no inline process behind", async () => {
  await using dir = await tempDir();
  // A module path of this test's own, to find its inline process among any others; it says when
  // it is busy (the inline process's console goes to stderr).
  const job = join(dir.path, "busy_job.ts");
  await Deno.writeTextFile(job, 'export default () => { console.log("busy"); for (;;) {} };\n');
  const cli = cliCommand(["--workers", "0,1", "--jobs", "2", "--job", job], { cwd: dir.path })
    .spawn();
  const stderr = cli.stderr.pipeThrough(new TextDecoderStream()).getReader();
  for (let text = ""; !text.includes("busy");) text += (await stderr.read()).value ?? "";
  const inline = async () =>
    (await processes()).filter((p) =>
      p.cmdline.includes("_inline_entry") && p.cmdline.includes(job)
    );
  assert.equal((await inline()).length, 1);
  const [sweep] = await childProcesses(cli.pid);
  Deno.kill(sweep, "SIGKILL");
  const [status] = await Promise.all([cli.status, cli.stdout.cancel(), stderr.cancel()]);
  assert.equal(status.code, 1);
  assert.deepEqual(await inline(), []);
});

Deno.test("a job asking for a permission on a terminal is denied, never prompted", async () => {
  // `script` gives the CLI a terminal, where Deno would otherwise prompt "Allow? [y/n/A]".
  const deno =
    `${Deno.execPath()} run --allow-run --allow-read --allow-write --allow-env ${MOD_PATH}`;
  const args = `--workers 0,1 --jobs 1 --format json --job ${
    fixture("permission_request_job.ts").pathname
  }`;
  await using dir = await tempDir();
  const output = await new Deno.Command("script", {
    args: ["-qec", `${deno} ${args}`, "/dev/null"],
    cwd: dir.path,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  assert.doesNotMatch(text, /Allow\?|requests net access/);
  assert.equal(output.code, 0, text);
  assert.doesNotMatch(text, /"granted"/);
});

Deno.test("a net grant does not let a job download an npm package", async () => {
  const log: string[] = [];
  await using registry = loopbackServer(log);
  const run = await runCli([
    ..."--workers 1 --jobs 1 --quiet --job".split(" "),
    fixture("npm_import_job.ts").pathname,
    "--job-allow-net",
    `127.0.0.1:${registry.addr.port}`,
  ], { env: { NPM_CONFIG_REGISTRY: `http://127.0.0.1:${registry.addr.port}/` } });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(log, []);
});

Deno.test("a remote job module loads its own static imports, but import() sends nothing to its host", async () => {
  const log: string[] = [];
  await using host = loopbackServer(log, {
    "/job.js": [
      'import { base } from "./dep.js";',
      "export default async () => {",
      '  try { await import(new URL("./dep.js?leak=" + base, import.meta.url).href); return "leaked"; }',
      "  catch (error) { return error.name; }",
      "};",
    ].join("\n"),
    "/dep.js": 'export const base = "data";',
  });
  const run = await runCli([
    ..."--workers 0,1 --jobs 1 --quiet --job".split(" "),
    `http://127.0.0.1:${host.addr.port}/job.js`,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(log.filter((line) => line.includes("leak")), []);
  assert.ok(log.includes("/job.js") && log.includes("/dep.js"), log.join("\n"));
});

Deno.test("the supervisor's variables set by hand do not skip the checks before the run", async () => {
  await using dir = await tempDir();
  const args = ["--jobs", "1", "--workers", "1", "--out", join(dir.path, "missing", "out.txt")];
  // runCli's process is a child of this one: a variable naming this pid names its parent.
  const old = await runCli(args, { env: { DENO_CHANNELS_SUPERVISOR_PID: String(Deno.pid) } });
  // The old variables are gone: refused as unknown, before anything runs.
  assert.equal(old.code, 2, old.stderr);
  assert.match(old.stderr, /DENO_CHANNELS_SUPERVISOR_PID in the environment is not a setting/);
  // Naming another parent, it is ignored: the checks run.
  const other = await runCli(args, {
    env: { DENO_CHANNELS_SUPERVISOR: `1 ${crypto.randomUUID()} ${join(dir.path, "log")}` },
  });
  assert.equal(other.code, 2, other.stderr);
  assert.match(other.stderr, /--out ".*" is in a directory that does not exist/);
  // Naming this parent, without the parent's nonce in its step log, it is refused.
  const forged = `${Deno.pid} ${crypto.randomUUID()} ${join(dir.path, "log")}`;
  const run = await runCli(args, { env: { DENO_CHANNELS_SUPERVISOR: forged } });
  assert.equal(run.code, 2, run.stderr);
  assert.equal(
    run.stderr,
    "deno-channels: Cannot run the sweep: DENO_CHANNELS_SUPERVISOR is set by deno-channels for its own sweep process only; unset it\n",
  );
});

Deno.test("a granted directory is checked for escaping symlinks past 100,000 entries", async () => {
  await using dir = await tempDir();
  const granted = join(dir.path, "granted");
  await Deno.mkdir(join(granted, "z"), { recursive: true });
  // More entries than the old scan read, then the link, in a folder scanned after them.
  const touch = await new Deno.Command("sh", {
    args: ["-c", 'seq 1 100001 | sed "s/^/f/" | xargs touch'],
    cwd: granted,
  }).output();
  assert.equal(touch.code, 0);
  await Deno.symlink("/etc", join(granted, "z", "out"));
  const job = fixture("number_job.ts").href;
  const run = await runCli([
    "--job",
    job,
    "--jobs",
    "1",
    "--workers",
    "1",
    "--job-allow-read",
    granted,
  ]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /the symlink ".*\/z\/out" inside it leads out of it, to "\/etc"/);
});

Deno.test("a job that holds the inline step's thread past --job-timeout-ms ends the step", async () => {
  await using dir = await tempDir();
  const job = join(dir.path, "stuck_job.ts");
  await Deno.writeTextFile(
    job,
    "export default (_input, context) => { if (context.jobNumber === 2) for (;;) {} return 1; };\n",
  );
  const run = async (...extra: string[]) => {
    const child = cliCommand(
      [..."--workers 0,1 --jobs 3 --job-timeout-ms 100 --quiet --job".split(" "), job, ...extra],
      { cwd: dir.path },
    ).spawn();
    // It used to hang: the job holds the thread, where no timer can run.
    const hung = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const output = await child.output();
    clearTimeout(hung);
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 1, stderr);
    assert.match(new TextDecoder().decode(output.stdout), /^Summary:/m);
    return stderr;
  };
  assert.match(await run(), /0 workers: Job 2 \(.*stuck_job\.ts\) timed out after 100 ms/);
  // In a warm-up run too, inline and on a worker.
  const warm = await run("--warmup", "1");
  assert.match(warm, /0 workers: Job 2 \(.*\) timed out after 100 ms/);
  assert.match(warm, /1 worker: Job 2 \(.*\) timed out after 100 ms/);
});
