/**
 * The IO job (Golang-Channels' `IoJob`): file writes that mostly wait on the disk.
 *
 * @module
 */
import { defineJob, type JobKind } from "./job.ts";

/** What one IO job reports. */
export interface IoOutput {
  /** Lines written to each file. */
  lines: number;
  /** How many files were written (and removed). */
  files: number;
  /** Bytes written in all. */
  bytes: number;
  /** The run's temporary directory. */
  dir: string;
}

/**
 * How many times each job writes its file.
 *
 * @example One io job of 10 lines writes this many files
 * ```ts
 * import { IO_FILES_PER_JOB, ioJob } from "./io.ts";
 * import assert from "node:assert/strict";
 *
 * const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
 * const context = { cancelFlag, shouldStop: () => Atomics.load(cancelFlag, 0) !== 0 };
 * const setup = await ioJob.setup!({ ioLines: 10 });
 * try {
 *   const run = await ioJob.createRunner({ ioLines: 10 }, setup);
 *   const output = await run(context) as { files: number; lines: number };
 *   assert.equal(output.files, IO_FILES_PER_JOB);
 *   assert.equal(output.lines, 10);
 * } finally {
 *   await ioJob.teardown!(setup);
 * }
 * ```
 */
export const IO_FILES_PER_JOB = 11;

/**
 * The default number of lines per file.
 *
 * @example A sweep that names no line count gets the default
 * ```ts
 * import { DEFAULT_IO_LINES, ioJob } from "./io.ts";
 * import { resolveJobParams } from "./job.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(resolveJobParams(ioJob, {}), { ioLines: DEFAULT_IO_LINES });
 * assert.deepEqual(resolveJobParams(ioJob, { ioLines: 7 }), { ioLines: 7 });
 * ```
 */
export const DEFAULT_IO_LINES = 100_000;

const LINES_PER_CHUNK = 4096;

/** The io job's parameters. */
export interface IoParams {
  /** Lines written to each file. */
  ioLines: number;
}

/**
 * Writes a file of `ioLines` lines {@linkcode IO_FILES_PER_JOB} times, then
 * removes it. Every run gets its own temporary directory (under `TMPDIR` when
 * set), removed when the sweep ends, even on failure or Ctrl-C; the workers may
 * read and write that directory and nothing else.
 *
 * @example Its workers may touch the run's temp dir and nothing else
 * ```ts
 * import { ioJob } from "./io.ts";
 * import assert from "node:assert/strict";
 *
 * const setup = { dir: "/tmp/deno-channels-io-example" };
 * assert.deepEqual(ioJob.permissions!({ ioLines: 1 }, setup), {
 *   read: [setup.dir],
 *   write: [setup.dir],
 * });
 * ```
 */
export const ioJob: JobKind = defineJob<{ dir: string }, IoOutput, IoParams>({
  name: "io",
  aliases: ["IoJob"],
  bound: "wait",
  description: "writes a file of IOLINES lines 11 times per job in a per-run temp dir (disk-bound)",
  defaultParams: { ioLines: DEFAULT_IO_LINES },
  describeParams: (params) =>
    `${params.ioLines.toLocaleString("en-US")} lines × ${IO_FILES_PER_JOB} files`,
  setup: async () => ({ dir: await Deno.makeTempDir({ prefix: "deno-channels-io-" }) }),
  permissions: (_params, setup) => ({ read: [setup.dir], write: [setup.dir] }),
  teardown: async (setup) => {
    await Deno.remove(setup.dir, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  },
  createRunner: (params, setup) => async ({ shouldStop }) => {
    const lines = params.ioLines;
    const encoder = new TextEncoder();
    const path = `${setup.dir}/${crypto.randomUUID()}.txt`;
    let bytes = 0;
    try {
      for (let file = 0; file < IO_FILES_PER_JOB; file++) {
        if (shouldStop()) throw new Error("The IO job was cancelled");
        using handle = await Deno.open(path, { write: true, create: true, truncate: true });
        for (let first = 0; first < lines; first += LINES_PER_CHUNK) {
          const last = Math.min(lines, first + LINES_PER_CHUNK);
          let chunk = "";
          for (let line = first; line < last; line++) chunk += `line ${line + 1} of ${lines}\n`;
          const data = encoder.encode(chunk);
          for (let written = 0; written < data.length;) {
            written += await handle.write(data.subarray(written));
          }
          bytes += data.length;
        }
      }
    } finally {
      await Deno.remove(path).catch(() => {});
    }
    return { lines, files: IO_FILES_PER_JOB, bytes, dir: setup.dir };
  },
  describeOutput: (output) =>
    `wrote ${output.files} files of ${output.lines} lines (${output.bytes} bytes) in ${output.dir}`,
});
