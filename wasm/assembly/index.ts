// The numeric ABI of pi.wasm: scalars in, scalars out, text and limbs through the exported memory.
// Only src/pi/kernel.ts knows these names and what the returned addresses point at.
//
// One host import, host.shouldStop(), polled every few milliseconds by the Chudnovsky kernel: the
// host throws from it to cancel. The Machin kernel needs none: its host polls between piStep calls.
import { finish, start, step } from "./machin";
import { compute } from "./chudnovsky";
import { alloc, arenaReset } from "./bignum";
import { mulWith } from "./mul";
import { forgetTwiddles, mulNttNode } from "./ntt";

/**
 * Prepares a computation of pi with `fractionLimbs` limbs of nine decimals after the point.
 * Returns 1 on success, 0 when the size is out of range or memory cannot grow.
 */
export function piStart(fractionLimbs: i32): i32 {
  return start(fractionLimbs) ? 1 : 0;
}

/**
 * Advances the computation by at least `workBudget` units (one limb of one vector division chain),
 * so the host can poll for cancellation between calls. Returns 1 when finished, else 0.
 */
export function piStep(workBudget: i32): i32 {
  return step(workBudget) ? 1 : 0;
}

/**
 * Turns the finished sum into ASCII in memory: one integer digit, then 9·fractionLimbs decimals.
 * Returns the address of the first byte.
 */
export function piFinish(): usize {
  return finish();
}

/**
 * Computes pi by the Chudnovsky series with `fractionLimbs` limbs of nine decimals after the point,
 * polling host.shouldStop() every few milliseconds. Returns the address of the ASCII text (one
 * integer digit, then 9·fractionLimbs decimals), or 0 when the size is out of range. Traps when
 * memory cannot grow.
 */
export function chudnovskyPi(fractionLimbs: i32): usize {
  return compute(fractionLimbs);
}

/** Restarts the bignum arena: for tests of the multiplication, with bigAlloc and bigMul. */
export function bigReset(): void {
  arenaReset();
  forgetTwiddles();
}

/** Allocates `limbs` u32 limbs of base 1e9 in the arena; returns their address. */
export function bigAlloc(limbs: i32): usize {
  return alloc(limbs);
}

/**
 * Multiplies the base-1e9 naturals a (na limbs) and b (nb limbs) by `method` (0 the fastest,
 * 1 schoolbook, 2 Karatsuba, 3 NTT). Returns the address of the na + nb limbs of the product.
 */
export function bigMul(a: usize, na: i32, b: usize, nb: i32, method: i32): usize {
  const out = alloc(na + nb);
  mulWith(out, a, na, b, nb, method);
  return out;
}

/**
 * The products of one splitting node by mulNttNode, for tests: q = lq·rq, t = lt·rq ± lp·rt
 * (minus when `subtract` is 1), p = lp·rp, written one after the other (lqn + rqn, then
 * tLen = max(ltn + rqn, lpn + rtn) + 1, then lpn + rpn limbs). Takes the six operands' addresses
 * and lengths from the 12 u32 at `operands`. Returns the address of q, or 0 when the products'
 * transform lengths differ (mulNttNode declines).
 */
export function bigNodeProducts(operands: usize, subtract: i32): usize {
  const lq = <usize> load<u32>(operands);
  const lqn = load<i32>(operands, 4);
  const rq = <usize> load<u32>(operands, 8);
  const rqn = load<i32>(operands, 12);
  const lt = <usize> load<u32>(operands, 16);
  const ltn = load<i32>(operands, 20);
  const lp = <usize> load<u32>(operands, 24);
  const lpn = load<i32>(operands, 28);
  const rt = <usize> load<u32>(operands, 32);
  const rtn = load<i32>(operands, 36);
  const rp = <usize> load<u32>(operands, 40);
  const rpn = load<i32>(operands, 44);
  const tLen = (ltn + rqn > lpn + rtn ? ltn + rqn : lpn + rtn) + 1;
  // One block, so that the three lie back to back (alloc rounds each up to 8 bytes).
  const q = alloc(lqn + rqn + tLen + lpn + rpn);
  const t = q + (<usize> (lqn + rqn) << 2);
  const p = t + (<usize> tLen << 2);
  const done = mulNttNode(
    q,
    lq,
    lqn,
    rq,
    rqn,
    t,
    tLen,
    lt,
    ltn,
    lp,
    lpn,
    rt,
    rtn,
    subtract != 0,
    p,
    rp,
    rpn,
  );
  return done ? q : 0;
}

/** Does nothing: prices one host-to-Wasm call. */
export function noop(): i32 {
  return 0;
}
