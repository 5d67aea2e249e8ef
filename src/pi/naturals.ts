/**
 * Test hooks into the Chudnovsky kernel's bignum core: multiplications of naturals by the
 * kernel's own code paths, converted from and to BigInt so that tests can check them against
 * V8's arithmetic. The conversions use BigInt; the kernel's own path does not.
 *
 * @module
 */
import { DIGITS_PER_LIMB, type PiExports, piExportsOf } from "./kernel.ts";

/** Base-1e9 limbs of a natural, least significant first. */
function limbsOf(x: bigint): number[] {
  const text = x.toString();
  const limbs: number[] = [];
  for (let end = text.length; end > 0; end -= DIGITS_PER_LIMB) {
    limbs.push(Number(text.slice(Math.max(0, end - DIGITS_PER_LIMB), end)));
  }
  return limbs;
}

/** Copies `limbs` into the kernel's arena; returns their address. */
function place(exports: PiExports, limbs: number[]): number {
  const address = exports.bigAlloc(limbs.length);
  new Uint32Array(exports.memory.buffer, address, limbs.length).set(limbs);
  return address;
}

/** The natural whose `count` base-1e9 limbs lie at `address`. */
function naturalAt(exports: PiExports, address: number, count: number): bigint {
  const limbs = new Uint32Array(exports.memory.buffer, address, count);
  let text = "";
  for (let i = count - 1; i >= 0; i--) text += String(limbs[i]).padStart(DIGITS_PER_LIMB, "0");
  return BigInt(text);
}

/** The six operands of one binary-splitting node, for {@linkcode multiplyNode}. */
export interface NodeOperands {
  /** Q of the left half. */
  lq: bigint;
  /** Q of the right half. */
  rq: bigint;
  /** |T| of the left half. */
  lt: bigint;
  /** P of the left half. */
  lp: bigint;
  /** |T| of the right half. */
  rt: bigint;
  /** P of the right half. */
  rp: bigint;
}

/**
 * Computes one binary-splitting node's products the way the Chudnovsky kernel does when they all
 * go through one transform length: Q = lq·rq, T = lt·rq ± lp·rt (the two summed in the transform
 * domain; minus when `subtract`) and P = lp·rp. A test hook that lets that path be checked against
 * V8's BigInt.
 *
 * @param module The compiled kernel, from {@linkcode loadPiModule}.
 * @param operands The six naturals; with `subtract`, lt·rq must not be less than lp·rt.
 * @param subtract Whether T is the difference instead of the sum.
 * @returns `{ q, t, p }`, or `undefined` when the products' transform lengths differ (the kernel
 * then multiplies them separately).
 * @throws {RangeError} When an operand is negative.
 *
 * @example A node whose products share one transform length
 * ```ts
 * import { multiplyNode } from "./naturals.ts";
 * import { loadPiModule } from "./loader.ts";
 * import assert from "node:assert/strict";
 *
 * const big = 10n ** 2_000n;
 * const small = 3n * 10n ** 1_000n;
 * const operands = { lq: big + 1n, rq: big + 3n, lt: big + 5n, lp: big + 7n, rt: small, rp: big };
 * const products = multiplyNode(await loadPiModule(), operands, true);
 * assert.deepEqual(products, {
 *   q: (big + 1n) * (big + 3n),
 *   t: (big + 5n) * (big + 3n) - (big + 7n) * small,
 *   p: (big + 7n) * big,
 * });
 * ```
 */
export function multiplyNode(
  module: WebAssembly.Module,
  operands: NodeOperands,
  subtract: boolean,
): { q: bigint; t: bigint; p: bigint } | undefined {
  const { lq, rq, lt, lp, rt, rp } = operands;
  const values = [lq, rq, lt, lp, rt, rp];
  if (values.some((value) => value < 0n)) {
    throw new RangeError(`Cannot multiply: the operands must be natural, received ${values}`);
  }
  const exports = piExportsOf(
    new WebAssembly.Instance(module, { host: { shouldStop: () => {} } }),
    "a kernel",
    ["bigReset", "bigAlloc", "bigNodeProducts"],
  );
  exports.bigReset();
  const table = exports.bigAlloc(12);
  const lengths: number[] = [];
  values.forEach((value, i) => {
    const limbs = limbsOf(value);
    // Placed first: it may grow the memory, which detaches the old buffer.
    const address = place(exports, limbs);
    new Uint32Array(exports.memory.buffer, table, 12).set([address, limbs.length], 2 * i);
    lengths.push(limbs.length);
  });
  const [lqn, rqn, ltn, lpn, rtn, rpn] = lengths;
  const q = exports.bigNodeProducts(table, subtract ? 1 : 0);
  if (q === 0) return undefined;
  const tLen = Math.max(ltn + rqn, lpn + rtn) + 1;
  return {
    q: naturalAt(exports, q, lqn + rqn),
    t: naturalAt(exports, q + 4 * (lqn + rqn), tLen),
    p: naturalAt(exports, q + 4 * (lqn + rqn + tLen), lpn + rpn),
  };
}

/** How {@linkcode multiplyNaturals} multiplies: the kernel's own choice or one method. */
export type NaturalsMultiplication = "auto" | "schoolbook" | "karatsuba" | "ntt";

const MULTIPLICATION_METHODS: Record<NaturalsMultiplication, number> = {
  auto: 0,
  schoolbook: 1,
  karatsuba: 2,
  ntt: 3,
};

/**
 * Multiplies two naturals with the Chudnovsky kernel's bignum core, by one method: a test hook
 * that lets the core be checked against V8's BigInt. The conversions use BigInt; the kernel's
 * own path does not.
 *
 * @param module The compiled kernel, from {@linkcode loadPiModule}.
 * @param a A natural number.
 * @param b A natural number.
 * @param method `"auto"` (the kernel's choice by size), `"schoolbook"`, `"karatsuba"` or `"ntt"`.
 * @returns a·b.
 * @throws {RangeError} When `a` or `b` is negative.
 *
 * @example Multiply by the number-theoretic transform
 * ```ts
 * import { multiplyNaturals } from "./naturals.ts";
 * import { loadPiModule } from "./loader.ts";
 * import assert from "node:assert/strict";
 *
 * const module = await loadPiModule();
 * assert.equal(multiplyNaturals(module, 10n ** 30n + 7n, 99n, "ntt"), (10n ** 30n + 7n) * 99n);
 * ```
 */
export function multiplyNaturals(
  module: WebAssembly.Module,
  a: bigint,
  b: bigint,
  method: NaturalsMultiplication = "auto",
): bigint {
  if (a < 0n || b < 0n) {
    throw new RangeError(`Cannot multiply: the operands must be natural, received ${a} and ${b}`);
  }
  const exports = piExportsOf(
    new WebAssembly.Instance(module, { host: { shouldStop: () => {} } }),
    "a kernel",
    ["bigReset", "bigAlloc", "bigMul"],
  );
  exports.bigReset();
  const aLimbs = limbsOf(a);
  const bLimbs = limbsOf(b);
  const out = exports.bigMul(
    place(exports, aLimbs),
    aLimbs.length,
    place(exports, bLimbs),
    bLimbs.length,
    MULTIPLICATION_METHODS[method],
  );
  return naturalAt(exports, out, aLimbs.length + bLimbs.length);
}
