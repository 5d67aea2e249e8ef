/**
 * The `pi-machin` job: the same digits as the Pi job, from the O(n²) f64x2
 * Machin kernel: a steady, allocation-free CPU load (a few MiB of memory at any
 * size), worth showing next to the memory-heavy Chudnovsky kernel of `pi`.
 *
 * @module
 */
import { MACHIN_DIGITS_MAX } from "../pi/kernel.ts";
import { MachinKernel } from "../pi/machin_kernel.ts";
import { defineJob, type JobKind, type JobRunner } from "./job.ts";
import { PI_KIND_EXTRAS, type PiOutput, type PiParams, summarisePi } from "./pi.ts";

/**
 * A default Machin job's size: O(n²), so about as long as a default `pi` job was when it was
 * chosen (~0.75 s; the Chudnovsky kernel has since become about twice as fast).
 */
export const DEFAULT_MACHIN_DIGITS = 125_000;

/**
 * The Machin Pi job; its digits match {@linkcode piDigits} exactly, up to
 * `MACHIN_DIGITS_MAX` (1,000,000) decimals.
 *
 * @example Run one Machin job on this thread
 * ```ts
 * import { piMachinJob } from "./pi_machin.ts";
 * import assert from "node:assert/strict";
 *
 * const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
 * const context = { cancelFlag, shouldStop: () => Atomics.load(cancelFlag, 0) !== 0 };
 * const setup = await piMachinJob.setup!({ digits: 20 });
 * const run = await piMachinJob.createRunner({ digits: 20 }, setup);
 * const output = await run(context) as { digits: number; tail: string };
 * assert.deepEqual([output.digits, output.tail], [20, "8979323846"]);
 * ```
 */
export const piMachinJob: JobKind = defineJob<{ module: WebAssembly.Module }, PiOutput, PiParams>({
  name: "pi-machin",
  aliases: ["PiMachinJob"],
  bound: "cpu",
  description:
    "PIDIGITS (at most 1000000, default 125000) decimals of pi per job, WebAssembly O(n²) Machin kernel (CPU-bound, no allocation)",
  ...PI_KIND_EXTRAS,
  defaultParams: { digits: DEFAULT_MACHIN_DIGITS },
  maxParams: { digits: MACHIN_DIGITS_MAX },
  setup: async () => {
    // Imported here, not at the top: workers import this file too and must not
    // compile the kernel again.
    const { loadPiModule } = await import("../pi/loader.ts");
    return { module: await loadPiModule() };
  },
  createRunner: (params, setup) => {
    const kernel = new MachinKernel(setup.module);
    const runner: JobRunner<PiOutput> = ({ shouldStop }) =>
      summarisePi(kernel.compute(params.digits, { shouldStop }));
    runner.wasmMemoryBytes = () => kernel.memoryBytes;
    return runner;
  },
  describeOutput: (output) =>
    `${output.digits} digits, ...${output.tail}, fnv1a ${output.checksum}`,
});
