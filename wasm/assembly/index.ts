// The numeric ABI of pi.wasm: scalars in, scalars out, text through the exported memory.
// Only src/wasm_core.ts knows these names and what the returned address points at.
import { finish, start, step } from "./machin";

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

/** Does nothing: prices one host-to-Wasm call. */
export function noop(): i32 {
  return 0;
}
