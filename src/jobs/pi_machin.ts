/**
 * The `pi-machin` job: the same digits as the Pi job, from the O(n²) f64x2
 * Machin kernel: a steady, allocation-free CPU load (a few MiB of memory at any
 * size), worth showing next to the memory-heavy Chudnovsky kernel of `pi`.
 *
 * @module
 */
import { MachinKernel } from "../pi/kernel.ts";
import { defineJob, type JobKind, type JobRunner } from "./job.ts";
import { type PiOutput, summarisePi } from "./pi.ts";

/**
 * The Machin Pi job; its digits match {@linkcode piDigits} exactly, up to
 * `MACHIN_DIGITS_MAX` (1,000,000) decimals.
 *
 * @example The Machin job's names
 * ```ts
 * import { piMachinJob } from "./pi_machin.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(piMachinJob.name, "pi-machin");
 * assert.ok(piMachinJob.aliases.includes("PiMachinJob"));
 * ```
 */
export const piMachinJob: JobKind = defineJob<{ module: WebAssembly.Module }, PiOutput>({
  name: "pi-machin",
  aliases: ["PiMachinJob"],
  description:
    "PIDIGITS (at most 1000000) decimals of pi per job, WebAssembly O(n²) Machin kernel (CPU-bound, no allocation)",
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
