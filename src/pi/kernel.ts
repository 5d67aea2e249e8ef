/**
 * The TypeScript facade of the WebAssembly pi kernels (`wasm/build/pi.wasm`, built from
 * `wasm/assembly/`). This is the only module that knows the kernels' numeric ABI: the export
 * names, the calling protocols and where the digits lie in memory. It does not load the module
 * itself (`loader.ts` does), so workers can import it without compiling the kernels again: they
 * instantiate the module the main thread compiled and posted.
 *
 * Two kernels share the module: {@linkcode PiKernel}, the Chudnovsky series by binary splitting
 * over a base-1e9 bignum core (schoolbook, Karatsuba and three-prime NTT multiplication, Newton
 * reciprocal and inverse square root), which {@linkcode piDigits} and the `pi` job use; and
 * {@linkcode MachinKernel}, the O(n²) f64x2 Machin formula, a steady allocation-free CPU load for
 * the `pi-machin` job.
 *
 * @module
 */

import { JobCancelledError } from "../errors.ts";

/**
 * The fewest decimals {@linkcode PiKernel.compute}, {@linkcode MachinKernel.compute} and
 * {@linkcode piDigits} accept.
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
 * Ten million decimals take 6–11 s on the shared 2-core AMD EPYC test machine and 277 MiB of
 * WebAssembly memory; one million take 0.3–0.5 s and 19 MiB.
 *
 * @example At most ten million decimals
 * ```ts
 * import { PI_DIGITS_MAX } from "./kernel.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(PI_DIGITS_MAX, 10_000_000);
 * ```
 */
export const PI_DIGITS_MAX = 10_000_000;

/**
 * The most decimals {@linkcode MachinKernel.compute} accepts. The Machin kernel is O(n²): one
 * million decimals take about 50 s on the 2-core test machine and about 5 MiB of WebAssembly
 * memory; its exactness bound would allow about ten times more, but a job that long is not a
 * benchmark anyone waits for.
 *
 * @example At most a million decimals
 * ```ts
 * import { MACHIN_DIGITS_MAX } from "./kernel.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MACHIN_DIGITS_MAX, 1_000_000);
 * ```
 */
export const MACHIN_DIGITS_MAX = 1_000_000;

/**
 * The default job size of the `pi` kind: about as long as a default Pi job
 * took before the kernel got faster (~0.75 s): 2,000,000 digits took 0.69 s a
 * job on the 2-core test machine (load 1.8; 1,000,000 took 0.31 s). Long
 * enough to dwarf the worker-pool overhead, short enough for a sweep. Above
 * what the Machin and BigInt kernels accept ({@linkcode MACHIN_DIGITS_MAX}):
 * those kinds default lower.
 *
 * @example The default job size
 * ```ts
 * import { DEFAULT_PI_DIGITS } from "./kernel.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_PI_DIGITS, 2_000_000);
 * ```
 */
export const DEFAULT_PI_DIGITS = 2_000_000;

/**
 * Work units per `piStep` call of the Machin kernel: one unit is one limb of one f64x2 division
 * chain, about 1.2 ns on the test machine, so a chunk takes about 5 ms and `shouldStop` is polled
 * at least every few milliseconds at any size (cooperative cancel: `Worker.terminate()` cannot
 * stop a busy worker in Deno 2.9).
 */
export const CHUNK_WORK_UNITS = 4_000_000;

/** Decimal digits per limb of both kernels (base 1e9). */
export const DIGITS_PER_LIMB = 9;

/**
 * Extra limbs beyond the requested digits. The Machin kernel's accumulated rounding error is
 * below 1e7 units of its last digit, the Chudnovsky kernel's below one unit, so 18 extra digits
 * decide the truncation unless they start with a long run of 0s or 9s; then the computation is
 * repeated with more guard limbs.
 */
export const GUARD_LIMBS = 2;

/** Digits at the end of the guard region that the rounding error may have changed. */
const UNTRUSTED_TAIL_DIGITS = 8;

/** The kernels' exports, as the ABI in `wasm/assembly/index.ts` defines them. */
export interface PiExports {
  memory: WebAssembly.Memory;
  piStart(fractionLimbs: number): number;
  piStep(workBudget: number): number;
  piFinish(): number;
  chudnovskyPi(fractionLimbs: number): number;
  bigReset(): void;
  bigAlloc(limbs: number): number;
  bigMul(a: number, aLimbs: number, b: number, bLimbs: number, method: number): number;
  bigNodeProducts(operands: number, subtract: number): number;
  noop(): number;
}

/** Options of {@linkcode PiKernel.compute} and {@linkcode MachinKernel.compute}. */
export interface PiComputeOptions {
  /**
   * Polled every few milliseconds of work, and once before the first; returning true stops the
   * computation with a {@linkcode JobCancelledError}.
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
  assertDigitsUpTo(digits, PI_DIGITS_MAX);
}

export function assertDigitsUpTo(digits: number, max: number): void {
  if (!Number.isInteger(digits) || digits < PI_DIGITS_MIN || digits > max) {
    throw new RangeError(
      `Cannot compute pi: digits must be an integer from ${PI_DIGITS_MIN} to ${max}, received ${digits}`,
    );
  }
}

/** Whether the digits past position `digits` leave the truncation beyond doubt. */
export function isTruncationCertain(fraction: string, digits: number): boolean {
  const trusted = fraction.slice(digits, fraction.length - UNTRUSTED_TAIL_DIGITS);
  return !/^0*$/.test(trusted) && !/^9*$/.test(trusted);
}

/** Reads the instance's exports, checking they include `names` and the memory. */
export function piExportsOf(
  instance: WebAssembly.Instance,
  className: string,
  names: readonly string[],
): PiExports {
  const exports = instance.exports;
  for (const name of names) {
    if (typeof exports[name] !== "function") {
      throw new TypeError(
        `Cannot create ${className}: the module does not export function ${name}`,
      );
    }
  }
  if (!(exports.memory instanceof WebAssembly.Memory)) {
    throw new TypeError(`Cannot create ${className}: the module does not export its memory`);
  }
  return exports as unknown as PiExports;
}

/** Reads `1 + 9·fractionLimbs` ASCII bytes at `address` and checks the integer part. */
export function readPiText(exports: PiExports, address: number, fractionLimbs: number): string {
  const bytes = new Uint8Array(exports.memory.buffer, address, 1 + fractionLimbs * DIGITS_PER_LIMB);
  const text = new TextDecoder().decode(bytes);
  if (text[0] !== "3") {
    throw new Error(
      `Cannot compute pi: the kernel returned the integer part ${JSON.stringify(text[0])}`,
    );
  }
  return text.slice(1);
}

export function cancelled(digits: number): JobCancelledError {
  return new JobCancelledError(`Cannot compute ${digits} digits of pi: it was cancelled`);
}

/**
 * One instance of the Chudnovsky pi kernel, with its own memory: the fastest kernel, used by
 * {@linkcode piDigits} and the `pi` job. Not reentrant: do not start a computation on the same
 * kernel from inside `shouldStop`.
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
  #shouldStop: (() => boolean) | undefined;
  #digits = 0;

  /**
   * Instantiates `module` synchronously (fine in workers and for a small module), supplying its
   * one import, the cancellation poll.
   *
   * @param module The compiled kernel, from {@linkcode loadPiModule}.
   * @throws {TypeError} When the module does not export the kernel's ABI.
   * @throws {WebAssembly.LinkError} When the module needs other imports (the real kernel does not).
   */
  constructor(module: WebAssembly.Module) {
    const host = {
      // The kernel calls this every few milliseconds of work; throwing unwinds the WebAssembly
      // stack and abandons the computation (the next one restarts the kernel's arena).
      shouldStop: () => {
        if (this.#shouldStop?.()) throw cancelled(this.#digits);
      },
    };
    this.#exports = piExportsOf(new WebAssembly.Instance(module, { host }), "PiKernel", [
      "chudnovskyPi",
      "noop",
    ]);
  }

  /**
   * Computes pi truncated (not rounded) to `digits` decimals, polling `shouldStop` every few
   * milliseconds.
   *
   * @param digits How many decimals, an integer from {@linkcode PI_DIGITS_MIN} to
   * {@linkcode PI_DIGITS_MAX}.
   * @param options `shouldStop`, polled before the first chunk of work and between chunks.
   * @returns `"3."` followed by exactly `digits` decimals.
   * @throws {RangeError} When `digits` is not an integer in range.
   * @throws {JobCancelledError} When `shouldStop` returns true.
   * @throws {WebAssembly.RuntimeError} When the kernel traps, as when its memory cannot grow.
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
    if (shouldStop?.()) throw cancelled(digits);
    const exports = this.#exports;
    this.#shouldStop = shouldStop;
    this.#digits = digits;
    try {
      for (let guardLimbs = GUARD_LIMBS;; guardLimbs += GUARD_LIMBS) {
        const fractionLimbs = Math.ceil(digits / DIGITS_PER_LIMB) + guardLimbs;
        const address = exports.chudnovskyPi(fractionLimbs);
        if (address === 0) {
          throw new RangeError(`Cannot compute pi: the kernel rejected ${digits} digits`);
        }
        const fraction = readPiText(exports, address, fractionLimbs);
        if (isTruncationCertain(fraction, digits)) return `3.${fraction.slice(0, digits)}`;
      }
    } finally {
      this.#shouldStop = undefined;
    }
  }

  /**
   * The size of this instance's WebAssembly memory, in bytes: it grows to the largest
   * computation so far and stays there.
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
