import assert from "node:assert/strict";
import { ioJob } from "../src/jobs/io.ts";
import { interruptCliWhen, runCli } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

async function entries(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name);
}

Deno.test("the io job writes its files in a temp dir under TMPDIR and removes it", async () => {
  await using tmpDir = await tempDir();
  const tmp = tmpDir.path;
  const run = await runCli(
    ["--job", "IoJob", "--io-lines", "1000", "--jobs", "3", "--max-workers", "2", "--debug"],
    { env: { TMPDIR: tmp } },
  );
  assert.equal(run.code, 0, run.stderr);
  const written = [
    ...run.stdout.matchAll(/wrote 11 files of 1000 lines \((\d+) bytes\) in (\S+)\)/g),
  ];
  assert.equal(written.length, 6);
  const bytesPerFile = [...Array(1000)].map((_, i) => `line ${i + 1} of 1000\n`).join("").length;
  assert.equal(Number(written[0][1]), 11 * bytesPerFile);
  assert.ok(written[0][2].startsWith(`${tmp}/deno-channels-io-`), written[0][2]);
  assert.deepEqual(await entries(tmp), []);
});

Deno.test("the io job asks for its temp dir and nothing else", () => {
  const params = { ioLines: 100 };
  assert.deepEqual(ioJob.permissions?.(params, { dir: "/tmp/run-1" }), {
    read: ["/tmp/run-1"],
    write: ["/tmp/run-1"],
  });
});

Deno.test("the io job's temp dir is removed when the run is interrupted", async () => {
  await using tmpDir = await tempDir();
  const tmp = tmpDir.path;
  let dirsWhileRunning = 0;
  const run = await interruptCliWhen(
    ["--job", "io", "--io-lines", "3000000", "--jobs", "4", "--max-workers", "1", "--debug"],
    /STARTED/,
    "SIGINT",
    { env: { TMPDIR: tmp } },
    async () => {
      // The CLI's own step log lives there too; count the io job's dirs.
      dirsWhileRunning = (await entries(tmp)).filter((name) => name.startsWith("deno-channels-io-"))
        .length;
    },
  );
  assert.equal(dirsWhileRunning, 1, "the run made its temp dir");
  assert.equal(run.code, 130);
  assert.deepEqual(await entries(tmp), []);
});
