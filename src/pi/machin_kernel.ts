/**
 * The O(n²) Machin kernel's TypeScript side: the same ABI conventions as the
 * Chudnovsky kernel in `kernel.ts` (chunked steps, cancel polls, base-1e9
 * text), a separate entry point in the same `pi.wasm`.
 *
 * @module
 */
import {
  assertDigitsUpTo,
  cancelled,
  CHUNK_WORK_UNITS,
  DIGITS_PER_LIMB,
  GUARD_LIMBS,
  isTruncationCertain,
  MACHIN_DIGITS_MAX,
  type PiComputeOptions,
  type PiExports,
  piExportsOf,
  readPiText,
} from "./kernel.ts";

/**
 * One instance of the O(n²) Machin pi kernel, with its own memory: a steady, allocation-free CPU
 * load, for the `pi-machin` job. Not reentrant: do not start a computation on the same kernel
 * from inside `shouldStop`.
 *
 * @example Compute digits of pi with Machin's formula
 * ```ts
 * import { MachinKernel } from "./machin_kernel.ts";
 * import { loadPiModule } from "./loader.ts";
 * import assert from "node:assert/strict";
 *
 * const kernel = new MachinKernel(await loadPiModule());
 * assert.equal(kernel.compute(10), "3.1415926535");
 * ```
 */
export class MachinKernel {
  #exports: PiExports;

  /**
   * Instantiates `module` synchronously (fine in workers and for a small module). The Machin
   * kernel never calls the module's cancellation import: it returns between chunks instead.
   *
   * @param module The compiled kernel, from {@linkcode loadPiModule}.
   * @throws {TypeError} When the module does not export the kernel's ABI.
   * @throws {WebAssembly.LinkError} When the module needs other imports (the real kernel does not).
   */
  constructor(module: WebAssembly.Module) {
    const host = { shouldStop: () => {} };
    this.#exports = piExportsOf(new WebAssembly.Instance(module, { host }), "MachinKernel", [
      "piStart",
      "piStep",
      "piFinish",
      "noop",
    ]);
  }

  /**
   * Computes pi truncated (not rounded) to `digits` decimals, in chunks of a few milliseconds.
   *
   * @param digits How many decimals, an integer from {@linkcode PI_DIGITS_MIN} to
   * {@linkcode MACHIN_DIGITS_MAX}.
   * @param options `shouldStop`, polled before each chunk.
   * @returns `"3."` followed by exactly `digits` decimals.
   * @throws {RangeError} When `digits` is not an integer in range.
   * @throws {JobCancelledError} When `shouldStop` returns true.
   * @throws {Error} When the kernel's memory cannot grow to the size needed.
   * @throws {WebAssembly.RuntimeError} When the kernel traps.
   *
   * @example Stop a computation from a flag
   * ```ts
   * import { MachinKernel } from "./machin_kernel.ts";
   * import { loadPiModule } from "./loader.ts";
   * import { JobCancelledError } from "../errors.ts";
   * import assert from "node:assert/strict";
   *
   * const kernel = new MachinKernel(await loadPiModule());
   * assert.equal(kernel.compute(3), "3.141");
   * assert.throws(() => kernel.compute(50_000, { shouldStop: () => true }), JobCancelledError);
   * ```
   */
  compute(digits: number, options: PiComputeOptions = {}): string {
    assertDigitsUpTo(digits, MACHIN_DIGITS_MAX);
    const { shouldStop } = options;
    const exports = this.#exports;
    for (let guardLimbs = GUARD_LIMBS;; guardLimbs += GUARD_LIMBS) {
      const fractionLimbs = Math.ceil(digits / DIGITS_PER_LIMB) + guardLimbs;
      if (exports.piStart(fractionLimbs) !== 1) {
        throw new Error(
          `Cannot compute pi: the kernel's memory cannot grow to hold ${digits} digits`,
        );
      }
      let done = false;
      while (!done) {
        if (shouldStop?.()) throw cancelled(digits);
        done = exports.piStep(CHUNK_WORK_UNITS) === 1;
      }
      const fraction = readPiText(exports, exports.piFinish(), fractionLimbs);
      if (isTruncationCertain(fraction, digits)) return `3.${fraction.slice(0, digits)}`;
    }
  }

  /**
   * The size of this instance's WebAssembly memory, in bytes.
   *
   * @example A fresh kernel's memory
   * ```ts
   * import { MachinKernel } from "./machin_kernel.ts";
   * import { loadPiModule } from "./loader.ts";
   * import assert from "node:assert/strict";
   *
   * const kernel = new MachinKernel(await loadPiModule());
   * assert.ok(kernel.memoryBytes >= 65_536);
   * ```
   */
  get memoryBytes(): number {
    return this.#exports.memory.buffer.byteLength;
  }

  /**
   * Calls the kernel's empty export: prices one JavaScript-to-WebAssembly call.
   *
   * @returns 0.
   * @throws Never.
   *
   * @example Call the empty export
   * ```ts
   * import { MachinKernel } from "./machin_kernel.ts";
   * import { loadPiModule } from "./loader.ts";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new MachinKernel(await loadPiModule()).noop(), 0);
   * ```
   */
  noop(): number {
    return this.#exports.noop();
  }
}
