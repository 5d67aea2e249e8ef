/**
 * The TypeScript facade of the WebAssembly pi kernel (`wasm/build/pi.wasm`, built from
 * `wasm/assembly/`). This is the only module that knows the kernel's numeric ABI: the export
 * names, the chunked calling protocol and where the digits lie in its memory. It does not load
 * the module itself (`loader.ts` does), so workers can import it without compiling the
 * kernel again: they instantiate the module the main thread compiled and posted.
 *
 * @module
 */

import { JobCancelledError } from "../errors.ts";

/**
 * The fewest decimals {@linkcode PiKernel.compute} and {@linkcode piDigits} accept.
 *
 * @example At least one decimal
 * ```ts
 * import { PI_DIGITS_MIN } from "./kernel.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(PI_DIGITS_MIN, 1);
 * ```
 */
export const PI_DIGITS_MIN = 1;

/**
 * The most decimals {@linkcode PiKernel.compute} and {@linkcode piDigits} accept.
 *
 * The kernel is O(n²): one million decimals take about 50 s on a 2-core AMD EPYC test machine
 * (100,000 take about 0.5 s) and about 5 MiB of WebAssembly memory. The kernel's exactness bound
 * would allow about ten times more, but a job that long is not a benchmark anyone waits for.
 *
 * @example At most a million decimals
 * ```ts
 * import { PI_DIGITS_MAX } from "./kernel.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(PI_DIGITS_MAX, 1_000_000);
 * ```
 */
export const PI_DIGITS_MAX = 1_000_000;

/**
 * A digit count the kernel computes in about 0.5–1 s on the 2-core test machine (about 0.75 s
 * measured): a job size that is long enough to dwarf the worker-pool overhead and short enough
 * for a sweep.
 *
 * @example The default job size
 * ```ts
 * import { DEFAULT_PI_DIGITS } from "./kernel.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_PI_DIGITS, 125_000);
 * ```
 */
export const DEFAULT_PI_DIGITS = 125_000;

/**
 * Work units per `piStep` call: one unit is one limb of one f64x2 division chain, about 1.2 ns
 * on the test machine, so a chunk takes about 5 ms and `shouldStop` is polled at least every few
 * milliseconds at any size (cooperative cancel: `Worker.terminate()` cannot stop a busy worker
 * in Deno 2.9).
 */
const CHUNK_WORK_UNITS = 4_000_000;

/** Decimal digits per limb of the kernel (base 1e9). */
const DIGITS_PER_LIMB = 9;

/**
 * Extra limbs beyond the requested digits. The kernel's accumulated rounding error is below
 * 1e7 units of its last digit, so 18 extra digits decide the truncation unless they start with a
 * long run of 0s or 9s; then the computation is repeated with more guard limbs.
 */
const GUARD_LIMBS = 2;

/** Digits at the end of the guard region that the rounding error may have changed. */
const UNTRUSTED_TAIL_DIGITS = 8;

/** The kernel's exports, as the ABI in `wasm/assembly/index.ts` defines them. */
interface PiExports {
  memory: WebAssembly.Memory;
  piStart(fractionLimbs: number): number;
  piStep(workBudget: number): number;
  piFinish(): number;
  noop(): number;
}

/** Options of {@linkcode PiKernel.compute}. */
export interface PiComputeOptions {
  /**
   * Polled between chunks of work (every few milliseconds, and once before the first chunk);
   * returning true stops the computation with a {@linkcode JobCancelledError}.
   */
  shouldStop?: () => boolean;
}

/**
 * Throws unless `digits` is an integer from {@linkcode PI_DIGITS_MIN} to
 * {@linkcode PI_DIGITS_MAX}.
 *
 * @param digits The digit count to check.
 * @throws {RangeError} When `digits` is not an integer in range.
 *
 * @example Reject zero digits
 * ```ts
 * import { assertPiDigits } from "./kernel.ts";
 * import assert from "node:assert/strict";
 *
 * assertPiDigits(10);
 * assert.throws(() => assertPiDigits(0), RangeError);
 * ```
 */
export function assertPiDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < PI_DIGITS_MIN || digits > PI_DIGITS_MAX) {
    throw new RangeError(
      `Cannot compute pi: digits must be an integer from ${PI_DIGITS_MIN} to ${PI_DIGITS_MAX}, received ${digits}`,
    );
  }
}

/** Whether the digits past position `digits` leave the truncation beyond doubt. */
function isTruncationCertain(fraction: string, digits: number): boolean {
  const trusted = fraction.slice(digits, fraction.length - UNTRUSTED_TAIL_DIGITS);
  return !/^0*$/.test(trusted) && !/^9*$/.test(trusted);
}

/** Reads the instance's exports, checking they match the ABI this facade speaks. */
function piExportsOf(instance: WebAssembly.Instance): PiExports {
  const exports = instance.exports;
  for (const name of ["piStart", "piStep", "piFinish", "noop"]) {
    if (typeof exports[name] !== "function") {
      throw new TypeError(`Cannot create PiKernel: the module does not export function ${name}`);
    }
  }
  if (!(exports.memory instanceof WebAssembly.Memory)) {
    throw new TypeError("Cannot create PiKernel: the module does not export its memory");
  }
  return exports as unknown as PiExports;
}

/**
 * One instance of the WebAssembly pi kernel, with its own memory. Not reentrant: do not start a
 * computation on the same kernel from inside `shouldStop`.
 *
 * @example Compute digits of pi
 * ```ts
 * import { PiKernel } from "./kernel.ts";
 * import { loadPiModule } from "./loader.ts";
 * import assert from "node:assert/strict";
 *
 * const kernel = new PiKernel(await loadPiModule());
 * assert.equal(kernel.compute(10), "3.1415926535");
 * ```
 */
export class PiKernel {
  #exports: PiExports;

  /**
   * Instantiates `module` synchronously (fine in workers and for a 3 KiB module).
   *
   * @param module The compiled kernel, from {@linkcode loadPiModule}.
   * @throws {TypeError} When the module does not export the kernel's ABI.
   * @throws {WebAssembly.LinkError} When the module needs imports (the real kernel has none).
   */
  constructor(module: WebAssembly.Module) {
    this.#exports = piExportsOf(new WebAssembly.Instance(module, {}));
  }

  /**
   * Computes pi truncated (not rounded) to `digits` decimals, in chunks of a few milliseconds.
   *
   * @param digits How many decimals, an integer from {@linkcode PI_DIGITS_MIN} to
   * {@linkcode PI_DIGITS_MAX}.
   * @param options `shouldStop`, polled before each chunk.
   * @returns `"3."` followed by exactly `digits` decimals.
   * @throws {RangeError} When `digits` is not an integer in range.
   * @throws {JobCancelledError} When `shouldStop` returns true.
   * @throws {Error} When the kernel's memory cannot grow to the size needed.
   * @throws {WebAssembly.RuntimeError} When the kernel traps.
   *
   * @example Stop a computation from a flag
   * ```ts
   * import { PiKernel } from "./kernel.ts";
   * import { loadPiModule } from "./loader.ts";
   * import { JobCancelledError } from "../errors.ts";
   * import assert from "node:assert/strict";
   *
   * const kernel = new PiKernel(await loadPiModule());
   * assert.equal(kernel.compute(3), "3.141");
   * assert.throws(() => kernel.compute(50_000, { shouldStop: () => true }), JobCancelledError);
   * ```
   */
  compute(digits: number, options: PiComputeOptions = {}): string {
    assertPiDigits(digits);
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
        if (shouldStop?.()) {
          throw new JobCancelledError(`Cannot compute ${digits} digits of pi: it was cancelled`);
        }
        done = exports.piStep(CHUNK_WORK_UNITS) === 1;
      }
      const address = exports.piFinish();
      const bytes = new Uint8Array(
        exports.memory.buffer,
        address,
        1 + fractionLimbs * DIGITS_PER_LIMB,
      );
      const text = new TextDecoder().decode(bytes);
      if (text[0] !== "3") {
        throw new Error(
          `Cannot compute pi: the kernel returned the integer part ${JSON.stringify(text[0])}`,
        );
      }
      const fraction = text.slice(1);
      if (isTruncationCertain(fraction, digits)) return `3.${fraction.slice(0, digits)}`;
    }
  }

  /**
   * The size of this instance's WebAssembly memory, in bytes.
   *
   * @example A fresh kernel's memory
   * ```ts
   * import { PiKernel } from "./kernel.ts";
   * import { loadPiModule } from "./loader.ts";
   * import assert from "node:assert/strict";
   *
   * const kernel = new PiKernel(await loadPiModule());
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
   * import { PiKernel } from "./kernel.ts";
   * import { loadPiModule } from "./loader.ts";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new PiKernel(await loadPiModule()).noop(), 0);
   * ```
   */
  noop(): number {
    return this.#exports.noop();
  }
}
