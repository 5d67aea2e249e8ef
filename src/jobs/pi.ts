/**
 * The Pi job (Golang-Channels' CPU-bound `PiJob`): every job
 * computes `digits` correct decimals of pi with the AssemblyScript WebAssembly
 * Chudnovsky kernel (binary splitting over NTT multiplication), in its worker.
 *
 * @module
 */
import { DEFAULT_PI_DIGITS, PiKernel } from "../pi/kernel.ts";
import { defineJob, type JobKind, type JobRunner } from "./job.ts";

/** What one Pi job reports (the digits themselves stay in the worker). */
export interface PiOutput {
  /** How many decimals were computed. */
  digits: number;
  /** FNV-1a 32-bit hash of the whole `"3.…"` text, as 8 hex digits. */
  checksum: string;
  /** The last 10 decimals computed. */
  tail: string;
}

/**
 * FNV-1a, 32-bit: a short checksum to tell results apart in logs (not for security).
 *
 * @param text The text to hash.
 * @returns 8 lowercase hex digits.
 *
 * @example Hash the first decimals of pi
 * ```ts
 * import { fnv1a32 } from "./pi.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(fnv1a32(""), "811c9dc5");
 * assert.equal(fnv1a32("3.14"), fnv1a32("3.14"));
 * assert.notEqual(fnv1a32("3.14"), fnv1a32("3.15"));
 * ```
 */
export function fnv1a32(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/**
 * Summarises a `"3.…"` result as a {@linkcode PiOutput}.
 *
 * @param text Pi as `"3."` followed by the decimals.
 * @returns Digit count, checksum and last decimals.
 *
 * @example Summarise ten decimals
 * ```ts
 * import { summarisePi } from "./pi.ts";
 * import assert from "node:assert/strict";
 *
 * const summary = summarisePi("3.1415926535");
 * assert.equal(summary.digits, 10);
 * assert.equal(summary.tail, "1415926535");
 * ```
 */
export function summarisePi(text: string): PiOutput {
  return { digits: text.length - 2, checksum: fnv1a32(text), tail: text.slice(-10) };
}

function describe(output: PiOutput): string {
  return `${output.digits} digits, ...${output.tail}, fnv1a ${output.checksum}`;
}

/** The Pi jobs' parameters. */
export interface PiParams {
  /** How many decimals each job computes. */
  digits: number;
}

/** What the Pi kinds share: their parameter, its label and their summary columns. */
export const PI_KIND_EXTRAS = {
  defaultParams: { digits: DEFAULT_PI_DIGITS },
  describeParams: (params: PiParams): string => `${params.digits.toLocaleString("en-US")} digits`,
  summaryColumns: ["averageJobSeconds", "peakRssBytes"],
} as const;

/**
 * The Pi job, on the fastest kernel ({@linkcode PiKernel}, Chudnovsky). The
 * main thread compiles the kernel once and posts the `WebAssembly.Module` to
 * every worker; each worker instantiates its own instance, and the kernel
 * polls the worker's cancel flag every few milliseconds.
 *
 * @example Run one Pi job on this thread
 * ```ts
 * import { piJob } from "./pi.ts";
 * import assert from "node:assert/strict";
 *
 * const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
 * const context = { cancelFlag, shouldStop: () => Atomics.load(cancelFlag, 0) !== 0 };
 * const setup = await piJob.setup!({ digits: 20 });
 * const run = await piJob.createRunner({ digits: 20 }, setup);
 * const output = await run(context) as { digits: number; tail: string };
 * assert.equal(output.digits, 20);
 * assert.equal(output.tail, "8979323846");
 * ```
 */
export const piJob: JobKind = defineJob<{ module: WebAssembly.Module }, PiOutput, PiParams>({
  name: "pi",
  aliases: ["PiJob"],
  bound: "cpu",
  description:
    "PIDIGITS decimals of pi per job, WebAssembly Chudnovsky kernel (CPU- and memory-bound)",
  ...PI_KIND_EXTRAS,
  setup: async () => {
    // Imported here, not at the top: workers import this file too and must not
    // compile the kernel again.
    const { loadPiModule } = await import("../pi/loader.ts");
    return { module: await loadPiModule() };
  },
  createRunner: (params, setup) => {
    const kernel = new PiKernel(setup.module);
    const runner: JobRunner<PiOutput> = ({ shouldStop }) =>
      summarisePi(kernel.compute(params.digits, { shouldStop }));
    runner.wasmMemoryBytes = () => kernel.memoryBytes;
    return runner;
  },
  describeOutput: describe,
});
