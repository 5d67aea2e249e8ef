/**
 * The library imported by URL, as from JSR: the repository is served over loopback HTTP and a
 * consumer in a fresh temp directory (outside the repository, so its deno.json does not apply)
 * imports `mod.ts` from it. Passing proves that the worker entry (`new URL(…, import.meta.url)`)
 * and the WASM kernel (`import.source`) load from a remote URL, not only from disk.
 *
 * @module
 */
import assert from "node:assert/strict";
import { extname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { PI_1000_DECIMALS } from "./fixtures/pi_1000_digits.ts";
import { tempDir } from "./_temp.ts";

/** The folder holding mod.ts: the root of what the server may serve. */
const REPO_ROOT: string = await Deno.realPath(fileURLToPath(new URL("..", import.meta.url)));
const CONSUMER_FIXTURE: string = fileURLToPath(
  new URL("./fixtures/remote_consumer.ts", import.meta.url),
);

// What JSR and deno.land send; Deno picks the media type of a remote module from this header.
const CONTENT_TYPES: Record<string, string> = {
  ".ts": "application/typescript; charset=utf-8",
  ".js": "application/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json; charset=utf-8",
};

function status(code: number, text: string): Response {
  return new Response(text, { status: code, headers: { "content-type": "text/plain" } });
}

async function serveFile(request: Request): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return status(405, "Method not allowed");
  }
  let path: string;
  try {
    path = decodeURIComponent(new URL(request.url).pathname);
  } catch {
    return status(400, "Bad path");
  }
  // URL parsing already folds literal `/../`; this catches encoded ones (`..%2F`) and backslashes.
  const segments = path.split("/");
  if (segments.includes("..") || path.includes("\\") || path.includes("\0")) {
    return status(403, "Forbidden");
  }
  let realPath: string;
  try {
    realPath = await Deno.realPath(join(REPO_ROOT, ...segments));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return status(404, "Not found");
    throw error;
  }
  // A symlink inside the repository must not lead out of it either.
  if (!realPath.startsWith(REPO_ROOT + sep)) return status(403, "Forbidden");
  const info = await Deno.stat(realPath);
  if (!info.isFile) return status(404, "Not found");
  const body = request.method === "HEAD" ? null : await Deno.readFile(realPath);
  const contentType = CONTENT_TYPES[extname(realPath)] ?? "application/octet-stream";
  return new Response(body, { headers: { "content-type": contentType } });
}

/**
 * Serves the repository on an ephemeral loopback port; `await using` shuts it down. Each
 * request's path and status is pushed onto `log`.
 */
function serveRepository(log: string[] = []): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const response = await serveFile(request);
    log.push(`${response.status} ${new URL(request.url).pathname}`);
    return response;
  });
}

interface ConsumerRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `deno ARGS` in `cwd` with only NO_COLOR added to the environment, and collects its output. */
async function runDeno(args: string[], cwd: string): Promise<ConsumerRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
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

/**
 * Copies the consumer into a new temp directory and runs it against the served `mod.ts`.
 * Always given: `--allow-import` for exactly the server's host and port (remote imports are
 * denied by default for hosts other than JSR, deno.land, esm.sh, …), and `--reload` for that
 * origin, so a module cached from an earlier run on the same port cannot hide a failure.
 */
async function runConsumer(
  server: Deno.HttpServer<Deno.NetAddr>,
  flags: string[],
  consumerArgs: string[] = [],
): Promise<ConsumerRun> {
  const host = `127.0.0.1:${server.addr.port}`;
  const dir = await Deno.makeTempDir({ prefix: "deno-channels-remote-" });
  try {
    const consumer = join(dir, "consumer.ts");
    await Deno.copyFile(CONSUMER_FIXTURE, consumer);
    return await runDeno([
      "run",
      `--allow-import=${host}`,
      `--reload=http://${host}`,
      ...flags,
      consumer,
      `http://${host}/mod.ts`,
      ...consumerArgs,
    ], dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

interface ConsumerReport {
  digits: string;
  steps: {
    workers: number;
    jobCount: number;
    completed: number;
    failed: number;
    cancelled: number;
    jobs: { status: string; output?: { digits: number; tail: string }; error?: unknown }[];
  }[];
}

Deno.test("the loopback server serves the repository with module content types and nothing outside it", async () => {
  await using server = serveRepository();
  const base = `http://127.0.0.1:${server.addr.port}`;
  const get = async (path: string) => {
    const response = await fetch(base + path);
    await response.body?.cancel();
    return { status: response.status, type: response.headers.get("content-type") };
  };
  assert.deepEqual(await get("/mod.ts"), {
    status: 200,
    type: "application/typescript; charset=utf-8",
  });
  assert.deepEqual(await get("/wasm/build/pi.wasm"), { status: 200, type: "application/wasm" });
  assert.deepEqual(await get("/deno.json"), {
    status: 200,
    type: "application/json; charset=utf-8",
  });
  assert.equal((await get("/src/no_such_file.ts")).status, 404);
  assert.equal((await get("/src")).status, 404);
  const outside = `/..%2F${encodeURIComponent(REPO_ROOT.split(sep).at(-1)!)}%2Fmod.ts`;
  assert.equal((await get(outside)).status, 403);
  assert.equal((await get("/src/..%2F..%2Fetc%2Fpasswd")).status, 403);
});

function assertPiSweep(run: ConsumerRun): void {
  assert.equal(run.code, 0, run.stderr);
  const report: ConsumerReport = JSON.parse(run.stdout);
  assert.equal(report.digits, "3." + PI_1000_DECIMALS.slice(0, 50));
  assert.deepEqual(report.steps.map((step) => step.workers), [1, 2]);
  for (const step of report.steps) {
    assert.equal(step.jobCount, 2);
    assert.deepEqual([step.completed, step.failed, step.cancelled], [2, 0, 0], run.stdout);
    for (const job of step.jobs) {
      assert.equal(job.status, "done", JSON.stringify(job.error));
      assert.deepEqual(job.output && [job.output.digits, job.output.tail], [
        500,
        PI_1000_DECIMALS.slice(490, 500),
      ]);
    }
  }
}

Deno.test("a consumer outside the repository imports mod.ts by URL and runs a Pi sweep with no flag", async () => {
  const log: string[] = [];
  await using server = serveRepository(log);
  // Nothing but --allow-import for the server: no --unstable-* flag, no read, net or -A. The
  // worker entry and the WASM arrive through the module graph.
  const run = await runConsumer(server, []);
  assertPiSweep(run);
  // The worker script and the kernel came over HTTP, not from the disk next to the consumer.
  assert.ok(log.includes("200 /src/pool/worker_entry.ts"), log.join("\n"));
  assert.ok(log.includes("200 /wasm/build/pi.wasm"), log.join("\n"));
  assert.deepEqual(log.filter((line) => !line.startsWith("200 ")), []);
});

Deno.test("the sandbox option works with --unstable-worker-options and, as documented, only with it", async () => {
  await using server = serveRepository();
  assertPiSweep(await runConsumer(server, ["--unstable-worker-options"], ["sandbox"]));
  // Without the flag Deno 2.9.6 does not throw from `new Worker(…, { deno: { permissions } })`:
  // it prints which flag is missing and exits the process with code 70 (why `sandbox` is opt-in).
  const run = await runConsumer(server, [], ["sandbox"]);
  assert.equal(run.code, 70, run.stderr);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, /--unstable-worker-options/);
});

Deno.test("the CLI run by URL with no flag but -A keeps a custom job in its sandbox", async () => {
  await using server = serveRepository();
  const dir = await Deno.makeTempDir({ prefix: "deno-channels-remote-cli-" });
  try {
    const job = join(dir, "read_file_job.ts");
    const secret = join(dir, "secret.txt");
    await Deno.copyFile(
      fileURLToPath(new URL("./fixtures/read_file_job.ts", import.meta.url)),
      job,
    );
    await Deno.writeTextFile(secret, "not for the job");
    const mod = `http://127.0.0.1:${server.addr.port}/mod.ts`;
    const cli = (...extra: string[]) =>
      runDeno([
        ..."run -A".split(" "),
        `--reload=${mod}`,
        mod,
        ..."--jobs 1 --workers 1 --quiet --job".split(" "),
        job,
        "--job-arg",
        `path=${secret}`,
        ...extra,
      ], dir);
    const denied = await cli();
    assert.equal(denied.code, 1, denied.stderr);
    assert.ok(denied.stderr.includes(`grant it with --job-allow-read "${secret}"`), denied.stderr);
    const granted = await cli("--job-allow-read", secret);
    assert.equal(granted.code, 0, granted.stderr);
    assert.match(granted.stdout, /^Summary:/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a remote job module run by the CLI may import from its host but not fetch from it", async () => {
  await using server = serveRepository();
  const base = `http://127.0.0.1:${server.addr.port}`;
  await using dir = await tempDir();
  const output = await runDeno([
    ..."run -A".split(" "),
    `--reload=${base}`,
    `${base}/mod.ts`,
    ..."--jobs 1 --workers 1 --quiet --job".split(" "),
    `${base}/tests/fixtures/fetch_job.ts`,
  ], dir.path);
  const stderr = output.stderr;
  assert.equal(output.code, 1, stderr);
  assert.ok(stderr.includes(`Requires net access to "127.0.0.1:${server.addr.port}"`), stderr);
});
