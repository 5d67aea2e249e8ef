/**
 * The `pi-bigint` job: the same digits as the Pi job, from V8 BigInt
 * arithmetic (Chudnovsky with binary splitting): allocation-heavy, like the Go
 * Go original's math/big job, so a sweep shows how a garbage-collected kernel scales.
 *
 * @module
 */
import { piDigitsBigInt } from "../pi/bigint_reference.ts";
import { defineJob, type JobKind } from "./job.ts";
import { PI_KIND_EXTRAS, type PiOutput, type PiParams, summarisePi } from "./pi.ts";

/** The `pi-bigint` kind's default digits: its maximum (0.5–1.5 s a job here; the kind's own default). */
export const DEFAULT_BIGINT_DIGITS = 1_000_000;

/**
 * The BigInt Pi job; its digits match {@linkcode piDigits} exactly.
 *
 * @example Run one BigInt Pi job on this thread
 * ```ts
 * import { piBigIntJob } from "./pi_bigint.ts";
 * import { fnv1a32 } from "./pi.ts";
 * import assert from "node:assert/strict";
 *
 * const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
 * const context = { cancelFlag, shouldStop: () => Atomics.load(cancelFlag, 0) !== 0 };
 * const run = await piBigIntJob.createRunner({ digits: 20 }, undefined);
 * const output = await run(context);
 * const text = "3.14159265358979323846";
 * assert.deepEqual(output, { digits: 20, checksum: fnv1a32(text), tail: "8979323846" });
 * ```
 */
export const piBigIntJob: JobKind = defineJob<undefined, PiOutput, PiParams>({
  name: "pi-bigint",
  aliases: ["PiBigIntJob"],
  bound: "cpu",
  description:
    "PIDIGITS (at most 1000000) decimals of pi per job, V8 BigInt Chudnovsky (allocates, GC-bound)",
  ...PI_KIND_EXTRAS,
  defaultParams: { digits: DEFAULT_BIGINT_DIGITS },
  // Its default is its maximum (the BigInt reference refuses more).
  maxParams: { digits: DEFAULT_BIGINT_DIGITS },
  createRunner: (params) => ({ shouldStop }) =>
    summarisePi(piDigitsBigInt(params.digits, { shouldStop })),
  describeOutput: (output) =>
    `${output.digits} digits, ...${output.tail}, fnv1a ${output.checksum}`,
});
