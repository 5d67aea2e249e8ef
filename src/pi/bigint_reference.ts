/**
 * Digits of pi with V8's BigInt: the Chudnovsky series summed by binary splitting. It shares no
 * code and no algorithm with the WebAssembly Machin kernel (`src/pi/kernel.ts`), so the two check
 * each other, and it serves as the TypeScript reference of the pi benches and the "pi-bigint" job.
 *
 * @module
 */

import { JobCancelledError } from "../errors.ts";

// The same range as the WebAssembly kernel's, kept here so this module imports nothing from it.
const DIGITS_MIN = 1;
const DIGITS_MAX = 1_000_000;

/** Decimals gained per term of the Chudnovsky series: log10(640320³ / 1728). */
const DIGITS_PER_TERM = 14.181647462725477;

/** Extra decimals computed beyond the request, so that truncating them is exact. */
const GUARD_DIGITS = 20;

/** Binary-splitting subtrees at least this many terms wide poll `shouldStop` first. */
const POLL_TERMS = 16;

const C3_OVER_24 = 10_939_058_860_032_000n; // 640320³ / 24
const TERM_CONSTANT = 13_591_409n;
const TERM_SLOPE = 545_140_134n;

/** Options of {@linkcode piDigitsBigInt}. */
export interface PiBigIntOptions {
  /**
   * Polled between binary-splitting subtrees and between the final steps; returning true stops
   * the computation with a {@linkcode JobCancelledError}.
   */
  shouldStop?: () => boolean;
}

/** P, Q and T of a range of terms, as in the usual binary-splitting notation. */
interface Split {
  p: bigint;
  q: bigint;
  t: bigint;
}

/**
 * Sums terms [first, end) of the Chudnovsky series:
 * 1/pi = 12 Σ (−1)^k (6k)! (A + Bk) / ((3k)! (k!)³ 640320^(3k+3/2)).
 */
function split(first: number, end: number, poll: () => void): Split {
  if (end - first === 1) {
    if (first === 0) return { p: 1n, q: 1n, t: TERM_CONSTANT };
    const k = BigInt(first);
    const p = (6n * k - 5n) * (2n * k - 1n) * (6n * k - 1n);
    const t = p * (TERM_CONSTANT + TERM_SLOPE * k);
    return { p, q: k * k * k * C3_OVER_24, t: first % 2 === 0 ? t : -t };
  }
  if (end - first >= POLL_TERMS) poll();
  const middle = Math.floor((first + end) / 2);
  const left = split(first, middle, poll);
  const right = split(middle, end, poll);
  return {
    p: left.p * right.p,
    q: left.q * right.q,
    t: left.t * right.q + left.p * right.t,
  };
}

/** Number of bits of a positive BigInt. */
function bitLength(n: bigint): number {
  // Hexadecimal conversion is linear time in V8, unlike decimal.
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + Number.parseInt(hex[0], 16).toString(2).length;
}

/** floor(sqrt(n)) for n >= 0: Newton's iteration from above, seeded by a half-size root. */
function isqrt(n: bigint): bigint {
  if (n < 1n << 52n) {
    let root = BigInt(Math.floor(Math.sqrt(Number(n))));
    while (root * root > n) root--;
    while ((root + 1n) * (root + 1n) <= n) root++;
    return root;
  }
  const half = BigInt(Math.floor(bitLength(n) / 4));
  // (isqrt(n / 4^half) + 1)·2^half exceeds sqrt(n) and is accurate to about a quarter of n's bits;
  // each Newton step doubles that, and the iteration decreases monotonically to floor(sqrt(n)).
  let root = (isqrt(n >> (2n * half)) + 1n) << half;
  for (;;) {
    const next = (root + n / root) >> 1n;
    if (next >= root) return root;
    root = next;
  }
}

/**
 * Computes pi truncated (not rounded) to `digits` decimals with BigInt arithmetic: the
 * Chudnovsky series by binary splitting, then pi = 426880·sqrt(10005)·Q / T.
 *
 * @param digits How many decimals, an integer from 1 to 1,000,000.
 * @param options `shouldStop`, polled between binary-splitting subtrees.
 * @returns `"3."` followed by exactly `digits` decimals.
 * @throws {RangeError} When `digits` is not an integer in range.
 * @throws {JobCancelledError} When `shouldStop` returns true.
 *
 * @example Compute digits of pi with BigInt
 * ```ts
 * import { piDigitsBigInt } from "./bigint_reference.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(piDigitsBigInt(20), "3.14159265358979323846");
 * assert.throws(() => piDigitsBigInt(1.5), RangeError);
 * ```
 */
export function piDigitsBigInt(digits: number, options: PiBigIntOptions = {}): string {
  if (!Number.isInteger(digits) || digits < DIGITS_MIN || digits > DIGITS_MAX) {
    throw new RangeError(
      `Cannot compute pi: digits must be an integer from ${DIGITS_MIN} to ${DIGITS_MAX}, received ${digits}`,
    );
  }
  const { shouldStop } = options;
  const poll = () => {
    if (shouldStop?.()) {
      throw new JobCancelledError(`Cannot compute ${digits} digits of pi: it was cancelled`);
    }
  };
  for (let guard = GUARD_DIGITS;; guard += GUARD_DIGITS) {
    poll();
    const precision = digits + guard;
    const terms = Math.ceil(precision / DIGITS_PER_TERM) + 1;
    const { q, t } = split(0, terms, poll);
    poll();
    const sqrt10005 = isqrt(10_005n * 10n ** BigInt(2 * precision));
    poll();
    // The truncated square root makes this at most one unit low in the last of `precision`
    // decimals; the series' truncation error is far smaller.
    const text = ((426_880n * sqrt10005 * q) / t).toString();
    const fraction = text.slice(1);
    // A guard of all 9s could hide a carry into the requested digits, and one of all 0s a borrow.
    const guardText = fraction.slice(digits, -1);
    if (!/^9*$/.test(guardText) && !/^0*$/.test(guardText)) {
      return `${text[0]}.${fraction.slice(0, digits)}`;
    }
  }
}
