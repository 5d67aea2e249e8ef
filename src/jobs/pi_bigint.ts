/**
 * The `pi-bigint` job: the same digits as the Pi job, from V8 BigInt
 * arithmetic (Chudnovsky with binary splitting): allocation-heavy, like the Go
 * seed's math/big job, so a sweep shows how a garbage-collected kernel scales.
 *
 * @module
 */
import { piDigitsBigInt } from "../pi/bigint_reference.ts";
import { defineJob, type JobKind } from "./job.ts";
import { type PiOutput, summarisePi } from "./pi.ts";

/**
 * The BigInt Pi job; its digits match {@linkcode piDigits} exactly.
 *
 * @example The BigInt job's name
 * ```ts
 * import { piBigIntJob } from "./pi_bigint.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(piBigIntJob.name, "pi-bigint");
 * ```
 */
export const piBigIntJob: JobKind = defineJob<undefined, PiOutput>({
  name: "pi-bigint",
  aliases: ["PiBigIntJob"],
  description:
    "PIDIGITS (at most 1000000) decimals of pi per job, V8 BigInt Chudnovsky (allocates, GC-bound)",
  createRunner: (params) => ({ shouldStop }) =>
    summarisePi(piDigitsBigInt(params.digits, { shouldStop })),
  describeOutput: (output) =>
    `${output.digits} digits, ...${output.tail}, fnv1a ${output.checksum}`,
});
