/**
 * The Pi kernels, published as `@deno-channels/core/pi`: digits of pi computed
 * by the AssemblyScript WebAssembly kernels the `pi` and `pi-machin` jobs run
 * (Chudnovsky by binary splitting; the Machin formula), and the BigInt
 * reference they are checked against. The kernels compute on the calling
 * thread; to spread them over workers, run a sweep of the `pi` job.
 *
 * ```ts
 * import { piDigits, piDigitsBigInt } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(piDigits(10), "3.1415926535");
 * assert.equal(piDigitsBigInt(10), piDigits(10));
 * ```
 *
 * @module
 */
export { type PiBigIntOptions, piDigitsBigInt } from "./bigint_reference.ts";
export { loadPiModule, piDigits } from "./loader.ts";
export { MachinKernel } from "./machin_kernel.ts";
export {
  MACHIN_DIGITS_MAX,
  PI_DIGITS_MAX,
  PI_DIGITS_MIN,
  type PiComputeOptions,
  PiKernel,
} from "./kernel.ts";
