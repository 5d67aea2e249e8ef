/**
 * Every hang ends: SIGHUP, an endless `--inputs`, a pool or an inputs iterable past the caps.
 */
import assert from "node:assert/strict";
import { parseInputLines } from "../src/cli/inputs.ts";
import { MAX_WORKERS, WorkerPool } from "../src/pool/worker_pool.ts";
import { MAX_JOBS, runSweep } from "../src/sweep/sweep.ts";
import { cliCommand, runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

/** The pids whose parent is `pid` (Linux `/proc`). */
async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      // pid (comm) state ppid …: comm may hold spaces, so read after its last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) children.push(Number(entry.name));
    } catch {
      // It exited while we looked.
    }
  }
  return children;
}

const alive = (pid: number) => {
  try {
    const state = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z /.test(state);
  } catch {
    return false;
  }
};

Deno.test({
  name: "SIGHUP ends the sweep child, prints the summary, exits 129 and removes the step log",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await using tmp = await tempDir("deno-channels-hup-");
    await using cwd = await tempDir();
    const args = "--debug --job sleep --sleep-ms 600000 --jobs 1 --max-workers 1".split(" ");
    const parent = cliCommand(args, { cwd: cwd.path, env: { TMPDIR: tmp.path } }).spawn();
    const reader = parent.stdout.getReader();
    let stdout = "";
    while (!/STARTED/.test(stdout)) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += new TextDecoder().decode(value);
    }
    const [child] = await childrenOf(parent.pid);
    assert.ok(child, "the CLI runs its sweep in a child process");
    assert.ok((await Array.fromAsync(Deno.readDir(tmp.path))).length > 0, "the step log exists");
    parent.kill("SIGHUP");
    const drain = async () => {
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        stdout += new TextDecoder().decode(r.value);
      }
    };
    const status = await parent.status;
    // A child left running holds the pipes open: end it before reading them to their end.
    const childLeft = alive(child);
    if (childLeft) Deno.kill(child, "SIGKILL");
    const [stderr] = await Promise.all([new Response(parent.stderr).text(), drain()]);
    assert.equal(childLeft, false, "the sweep child still runs after the CLI exited");
    assert.equal(status.code, 129, stderr);
    assert.match(stderr, /^deno-channels: interrupted by SIGHUP; the step with 1 worker stopped/m);
    assert.match(stdout, /^Summary:$/m);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(tmp.path)), [], "temp files left");
  },
});

Deno.test("--inputs /dev/zero ends at the size cap in one line, exit 2", {
  ignore: Deno.build.os === "windows",
}, async () => {
  // A guard, not a measure: before the cap this read never ended.
  const guard = new AbortController();
  const timer = setTimeout(() => guard.abort(), 60_000);
  await using cwd = await tempDir();
  const child = cliCommand(["--job", "noop", "--inputs", "/dev/zero", "--max-workers", "1"], {
    cwd: cwd.path,
  }).spawn();
  guard.signal.addEventListener("abort", () => child.kill("SIGKILL"));
  const output = await child.output();
  clearTimeout(timer);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 2, stderr);
  assert.equal(
    stderr,
    "deno-channels: Cannot read settings: --inputs /dev/zero must be at most 268435456 bytes, received more\n",
  );
});

Deno.test("--inputs with a line that is not UTF-8 is refused naming the line, not decoded as U+FFFD", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/batch.jsonl`;
  await Deno.writeFile(path, new Uint8Array([...new TextEncoder().encode('1\n"'), 0xff, 0x22, 10]));
  const run = await runCli(["--job", "noop", "--inputs", path, "--max-workers", "1", "--quiet"]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    /^deno-channels: Cannot read settings: --inputs .*batch\.jsonl line 2 must be UTF-8 text, received bytes that are not\n$/,
  );
});

Deno.test("parseInputLines() stops at the line cap and at the size cap", async () => {
  const bytes = new TextEncoder().encode("1\n2\n3\n");
  assert.deepEqual(await parseInputLines([bytes], "f", { maxLines: 3 }), [1, 2, 3]);
  await assert.rejects(
    parseInputLines([bytes], "f", { maxLines: 2 }),
    /--inputs f must have at most 2 lines of JSON \(one job each\), received more/,
  );
  await assert.rejects(
    parseInputLines([bytes], "f", { maxBytes: 5 }),
    /--inputs f must be at most 5 bytes, received more/,
  );
  // A character split across two chunks is still one character.
  const pi = new TextEncoder().encode('"π"\n');
  assert.deepEqual(await parseInputLines([pi.slice(0, 2), pi.slice(2)], "f"), ["π"]);
});

Deno.test("new WorkerPool() refuses a size above MAX_WORKERS before spawning any worker", () => {
  let pool: WorkerPool | undefined;
  let error: unknown;
  try {
    pool = new WorkerPool({ size: MAX_WORKERS + 1, jobKind: "noop", params: {} });
  } catch (caught) {
    error = caught;
  }
  pool?.close();
  assert.ok(error instanceof RangeError, String(error));
  assert.match(error.message, /size must be an integer from 1 to 1024, received 1025/);
});

Deno.test("runSweep() reads inputs lazily and refuses an endless iterable after MAX_JOBS + 1", () => {
  let pulled = 0;
  let closed = false;
  function* endless() {
    try {
      while (true) {
        // Spreading the iterable would go on for ever: stop the test instead of the machine.
        if (++pulled > MAX_JOBS + 1) throw new Error("read past the cap");
        yield pulled;
      }
    } finally {
      closed = true;
    }
  }
  assert.throws(
    () => runSweep({ job: "noop", inputs: endless() }),
    (error) =>
      error instanceof RangeError &&
      /inputs must hold from 1 to 10000000 inputs, received more than 10000000/.test(error.message),
  );
  assert.equal(pulled, MAX_JOBS + 1);
  assert.ok(closed, "the iterable is closed");
});

Deno.test("Ctrl-C while the job module is fetched ends the fetch too, with one line", {
  ignore: Deno.build.os !== "linux",
}, async () => {
  // A module host that never answers: the CLI is still fetching when the signal comes. Before,
  // the signal's default action ended the CLI alone: the fetch ran on (orphaned) and the step
  // log stayed in the temp dir.
  let requested!: () => void;
  const asked = new Promise<void>((resolve) => requested = resolve);
  const hold = Promise.withResolvers<void>();
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async () => {
      requested();
      await hold.promise;
      return new Response("export default () => 1;", {
        headers: { "content-type": "application/javascript" },
      });
    },
  );
  await using tmp = await tempDir();
  const job = `http://127.0.0.1:${server.addr.port}/job.js`;
  const child = cliCommand(["--job", job, "--jobs", "1", "--workers", "1"], {
    cwd: tmp.path,
    env: { TMPDIR: tmp.path },
  }).spawn();
  await asked;
  const fetching = await childrenOf(child.pid);
  assert.equal(fetching.length, 1);
  child.kill("SIGINT");
  const output = await child.output();
  hold.resolve();
  assert.equal(output.code, 130);
  assert.equal(
    new TextDecoder().decode(output.stderr),
    "deno-channels: interrupted by SIGINT before the sweep began\n",
  );
  assert.ok(!alive(fetching[0]), "the fetch still runs after the CLI exited");
  assert.deepEqual(await Array.fromAsync(Deno.readDir(tmp.path)), []);
});

Deno.test("an --inputs line nested too deeply to post to a worker is refused before the run", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/deep.jsonl`;
  await Deno.writeTextFile(file, `${"[".repeat(200_000)}${"]".repeat(200_000)}\n`);
  const job = new URL("../examples/cpu_job.ts", import.meta.url).href;
  const run = await runCli(["--job", job, "--inputs", file, "--workers", "1"]);
  // It was exit 1, after the sweep had started.
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    /^deno-channels: Cannot read settings: --inputs .*deep\.jsonl line 1 cannot be sent to a worker \(.*\): nest it less deeply\n$/,
  );
});
