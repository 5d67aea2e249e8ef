// Multiplication by number-theoretic transforms modulo three primes, joined by the Chinese
// remainder theorem.
//
// Exactness bound: a coefficient of the cyclic convolution of two base-1e9 numbers is a sum of at
// most min(na, nb) products of limbs, each at most (1e9 − 1)², so it is below
// min(na, nb) · 1e18. The three primes' product M = P0·P1·P2 is about 3.54e26, so the residues
// determine every coefficient exactly while min(na, nb) < 3.5e8 limbs (3.1e9 digits). The
// transform length is a power of two up to 2^23 (the 2-adic order of P0 − 1), so
// na + nb <= 2^23 + 1 limbs (7.5e7 digits of product); the kernel stops far below both (10 million
// digits of pi: products of at most 2.6e6 limbs).
//
// Arithmetic: the primes are below 2^30, so values may lie anywhere in [0, 4p) without overflowing
// a u32 lane ("lazy" reduction, after Harvey, "Faster arithmetic for number-theoretic transforms",
// 2014): every forward butterfly takes and leaves values in [0, 2p), every backward one [0, 4p),
// and each reduces only once. A product by a twiddle w is Shoup's: with w' = floor(w·2^32/p),
// q = floor(x·w'/2^32), x·w − q·p lies in [0, 2p) for any x < 2^32, computed in wrapping 32-bit
// arithmetic. Pointwise products of two transforms are Montgomery's (R = 2^32): for a, b < 2p,
// t = a·b < 4p² and t + m·p < 2^63, and the result (t + m·p)/2^32 is below 2p because 4p < 2^32.
//
// Butterflies are Gentleman–Sande (decimation in frequency) forward, natural order in and
// bit-reversed order out, and Cooley–Tukey (decimation in time) backward, bit-reversed in and
// natural out, so no bit-reversal pass is needed. The backward transform uses the forward
// twiddles: a DFT by ω of a DFT by ω is n times the input with indices negated (k → −k mod n), so
// the Chinese remaindering reads coefficient i at index (n − i) mod n, and no inverse tables are
// kept.
import {
  alloc,
  BASE,
  BASE64,
  divideByBase,
  fillZero,
  limb,
  LINEAR_CHUNK,
  LINEAR_CHUNK_MASK,
  mark,
  release,
  setLimb,
  tick,
} from "./bignum";

const P0: u32 = 998_244_353; // 119·2^23 + 1
const P1: u32 = 754_974_721; // 45·2^24 + 1
const P2: u32 = 469_762_049; // 7·2^26 + 1
const G0: u64 = 3; // primitive roots
const G1: u64 = 11;
const G2: u64 = 3;

/** The largest transform length (2^23: P0 − 1 = 119·2^23). */
export const NTT_MAX_LENGTH: i32 = 1 << 23;

/** The shortest transform: the SIMD butterflies work on groups of eight. */
const NTT_MIN_LENGTH: i32 = 16;

/**
 * Butterflies between two work ticks inside one level of a long transform, so that a level of a
 * 2^22-point transform (about 5 ms) is not one uninterrupted stretch.
 */
const BUTTERFLY_CHUNK: i32 = 1 << 13;

/**
 * Work units (bignum.ts: about a nanosecond each) of one butterfly, and of half of one. Levels that
 * sweep a buffer longer than CACHE_BLOCK wait on memory, at several times the cost: they count
 * SWEEP_FACTOR times more.
 */
const BUTTERFLY_WORK: i32 = 2;
const BUTTERFLY_WORK_HALF: i32 = 1;
const SWEEP_FACTOR: i32 = 4;

/**
 * Entries (4 bytes each) that a transform finishes level by level before moving on: with their
 * twiddles they stay in the 512 KiB L2 cache of the test machine's cores.
 */
const CACHE_BLOCK: i32 = 1 << 14;

function powMod(base: u64, exponent: u64, p: u64): u64 {
  let result: u64 = 1;
  base %= p;
  while (exponent != 0) {
    if (exponent & 1) result = (result * base) % p;
    base = (base * base) % p;
    exponent >>= 1;
  }
  return result;
}

/** −p⁻¹ mod 2^32, by Newton's iteration on the 2-adic inverse. */
function negInverse(p: u32): u32 {
  let inv: u32 = p;
  for (let i = 0; i < 5; i++) inv *= 2 - p * inv;
  return 0 - inv;
}

/** floor(w·2^32/p) for w < p: Shoup's companion of the constant w. */
function shoupCompanion(w: u32, p: u32): u32 {
  // An f64 estimate is off by at most one (its error is below 2^-20); the remainder
  // w·2^32 − q·p, in (−p, 2p), says which way, from its low 32 bits alone: below p it is right,
  // above 2^31 it is negative, else one p too large. A 64-bit division per table entry would
  // cost several times more.
  const q = <u32> (<f64> w * (4294967296.0 / <f64> p));
  const rest: u32 = 0 - q * p;
  if (rest < p) return q;
  return <i32> rest < 0 ? q - 1 : q + 1;
}

// Reductions are branchless: the comparisons are random, so branches would be mispredicted half the
// time (measured: 3x slower transforms). Every value lies below 4p < 2^32.

/** x mod p for x < 2p (scalar). */
function reduceOnce(x: u32, p: u32): u32 {
  const t = x - p;
  return t + (p & <u32> (<i32> t >> 31));
}

/** x·w mod p in [0, 2p), for any x, by Shoup's product with w' = shoupCompanion(w). */
function shoup(x: u32, w: u32, wq: u32, p: u32): u32 {
  const q = <u32> ((<u64> x * <u64> wq) >> 32);
  return x * w - q * p;
}

// Four lanes at once with WebAssembly SIMD. For x < 2m, x mod m is min_u(x, x − m): when x < m the
// difference wraps above 2^31 > x.

/** x mod m for x < 2m, lanewise. */
function reduceV(x: v128, m: v128): v128 {
  return i32x4.min_u(x, i32x4.sub(x, m));
}

/** Shoup's product x·w in [0, 2p), lanewise: the high halves of x·w' from extmul. */
function shoupV(x: v128, w: v128, wq: v128, p: v128): v128 {
  const low = i64x2.extmul_low_i32x4_u(x, wq);
  const high = i64x2.extmul_high_i32x4_u(x, wq);
  const q = v128.shuffle<u32>(low, high, 1, 3, 5, 7);
  return i32x4.sub(i32x4.mul(x, w), i32x4.mul(q, p));
}

/** a·b·2^-32 mod p in [0, 2p) for a, b < 2p, lanewise (Montgomery). */
function montV(a: v128, b: v128, p: v128, pn: v128): v128 {
  const tLow = i64x2.extmul_low_i32x4_u(a, b);
  const tHigh = i64x2.extmul_high_i32x4_u(a, b);
  const m = i32x4.mul(v128.shuffle<u32>(tLow, tHigh, 0, 2, 4, 6), pn);
  const sLow = i64x2.add(tLow, i64x2.extmul_low_i32x4_u(m, p));
  const sHigh = i64x2.add(tHigh, i64x2.extmul_high_i32x4_u(m, p));
  return v128.shuffle<u32>(sLow, sHigh, 1, 3, 5, 7);
}

/**
 * Twiddles for every level of a transform of length n: tw[len + j] = ω_{2len}^j mod p for j < len,
 * ω a primitive n-th root of unity, and twq[len + j] its Shoup companion. The top level is built by
 * repeated multiplication, each level below by taking every other entry of the one above.
 */
function buildTwiddles(tw: usize, twq: usize, n: i32, p: u32, omega: u32): void {
  const half = n >> 1;
  const omegaQ = shoupCompanion(omega, p);
  let w: u32 = 1;
  for (let j = 0; j < half; j++) {
    const at = <usize> (half + j) << 2;
    store<u32>(tw + at, w);
    store<u32>(twq + at, shoupCompanion(w, p));
    w = reduceOnce(shoup(w, omega, omegaQ, p), p);
    // A chain of dependent products and an f64 estimate: about 50 ns an entry.
    if ((j & 16383) == 16383) tick(16384 * 64);
  }
  for (let len = half >> 1; len >= 1; len >>= 1) {
    for (let j = 0; j < len; j++) {
      const from = <usize> (2 * len + 2 * j) << 2;
      const to = <usize> (len + j) << 2;
      store<u32>(tw + to, load<u32>(tw + from));
      store<u32>(twq + to, load<u32>(twq + from));
      if ((j & LINEAR_CHUNK_MASK) == LINEAR_CHUNK_MASK) tick(LINEAR_CHUNK * 2);
    }
  }
}

/** One Gentleman–Sande butterfly on four lanes: (u, v) ← (u + v, (u − v)·w), all in [0, 2p). */
function forwardButterflies(ia: usize, ib: usize, w: v128, wq: v128, p: v128, p2: v128): void {
  const u = v128.load(ia);
  const v = v128.load(ib);
  v128.store(ia, reduceV(i32x4.add(u, v), p2));
  v128.store(ib, shoupV(i32x4.add(i32x4.sub(u, v), p2), w, wq, p));
}

/**
 * One Cooley–Tukey butterfly on four lanes: (u, v) ← (u + v·w, u − v·w), in and out in [0, 4p):
 * u is reduced to [0, 2p) first and the outputs are left unreduced (Harvey's variant; one
 * reduction per butterfly instead of two).
 */
function backwardButterflies(ia: usize, ib: usize, w: v128, wq: v128, p: v128, p2: v128): void {
  const u = reduceV(v128.load(ia), p2);
  const t = shoupV(v128.load(ib), w, wq, p);
  v128.store(ia, i32x4.add(u, t));
  v128.store(ib, i32x4.add(i32x4.sub(u, t), p2));
}

/**
 * One Gentleman–Sande level: the butterflies (j, j + len) of every block of 2·len entries among
 * `size` at buf, len >= 4.
 */
function forwardLevel(
  buf: usize,
  size: i32,
  len: i32,
  tw: usize,
  twq: usize,
  pV: v128,
  p2V: v128,
): void {
  const lenBytes = <usize> len << 2;
  const factor = size > CACHE_BLOCK ? SWEEP_FACTOR : 1;
  const w = tw + lenBytes;
  const wq = twq + lenBytes;
  if (len >= BUTTERFLY_CHUNK) {
    for (let s = 0; s < size; s += len << 1) {
      const block = buf + (<usize> s << 2);
      for (let j0 = 0; j0 < len; j0 += BUTTERFLY_CHUNK) {
        for (let j = j0; j < j0 + BUTTERFLY_CHUNK; j += 4) {
          const at = <usize> j << 2;
          forwardButterflies(
            block + at,
            block + at + lenBytes,
            v128.load(w + at),
            v128.load(wq + at),
            pV,
            p2V,
          );
        }
        tick(BUTTERFLY_CHUNK * BUTTERFLY_WORK * factor);
      }
    }
    return;
  }
  // Short blocks go in groups of BUTTERFLY_CHUNK butterflies between two ticks.
  const group = BUTTERFLY_CHUNK << 1 < size ? BUTTERFLY_CHUNK << 1 : size;
  for (let s0 = 0; s0 < size; s0 += group) {
    for (let s = s0; s < s0 + group; s += len << 1) {
      const block = buf + (<usize> s << 2);
      for (let j = 0; j < len; j += 4) {
        const at = <usize> j << 2;
        forwardButterflies(
          block + at,
          block + at + lenBytes,
          v128.load(w + at),
          v128.load(wq + at),
          pV,
          p2V,
        );
      }
    }
    tick(group * BUTTERFLY_WORK_HALF * factor);
  }
}

/**
 * The last two Gentleman–Sande levels (len 2 and 1) inside each group of eight of `size` entries,
 * with lanes regrouped by shuffles; level 1's twiddle is 1.
 */
function forwardLastLevels(
  buf: usize,
  size: i32,
  tw: usize,
  twq: usize,
  pV: v128,
  p2V: v128,
): void {
  const w2 = i32x4(load<u32>(tw, 8), load<u32>(tw, 12), load<u32>(tw, 8), load<u32>(tw, 12));
  const w2q = i32x4(load<u32>(twq, 8), load<u32>(twq, 12), load<u32>(twq, 8), load<u32>(twq, 12));
  for (let s = 0; s < size; s += 8) {
    const at = buf + (<usize> s << 2);
    const x = v128.load(at);
    const y = v128.load(at, 16);
    let u = v128.shuffle<u32>(x, y, 0, 1, 4, 5);
    let v = v128.shuffle<u32>(x, y, 2, 3, 6, 7);
    const a = reduceV(i32x4.add(u, v), p2V);
    const b = shoupV(i32x4.add(i32x4.sub(u, v), p2V), w2, w2q, pV);
    // a = (x0', x1', x4', x5'), b = (x2', x3', x6', x7'); level 1 pairs (0,1), (2,3), (4,5), (6,7).
    u = v128.shuffle<u32>(a, b, 0, 4, 2, 6);
    v = v128.shuffle<u32>(a, b, 1, 5, 3, 7);
    const c = reduceV(i32x4.add(u, v), p2V);
    const d = reduceV(i32x4.add(i32x4.sub(u, v), p2V), p2V);
    // c = (x0'', x2'', x4'', x6''), d = (x1'', x3'', x5'', x7'').
    v128.store(at, v128.shuffle<u32>(c, d, 0, 4, 1, 5));
    v128.store(at, v128.shuffle<u32>(c, d, 2, 6, 3, 7), 16);
    if ((s & (BUTTERFLY_CHUNK - 1)) == BUTTERFLY_CHUNK - 8) tick(BUTTERFLY_CHUNK * BUTTERFLY_WORK);
  }
}

/**
 * Gentleman–Sande from level `len` (n/2 for a whole transform) down: natural order in, bit-reversed
 * out, values in [0, 2p). n >= 16. Levels whose blocks are longer than CACHE_BLOCK entries sweep
 * the whole buffer; below that, each CACHE_BLOCK is taken through all the remaining levels while it
 * stays in cache.
 */
function forward(buf: usize, n: i32, tw: usize, twq: usize, p: u32, len: i32): void {
  const pV = i32x4.splat(p);
  const p2V = i32x4.splat(2 * p);
  for (; len >= 4 && len << 1 > CACHE_BLOCK; len >>= 1) forwardLevel(buf, n, len, tw, twq, pV, p2V);
  const size = n < CACHE_BLOCK ? n : CACHE_BLOCK;
  for (let s = 0; s < n; s += size) {
    const block = buf + (<usize> s << 2);
    for (let level = len; level >= 4; level >>= 1) {
      forwardLevel(block, size, level, tw, twq, pV, p2V);
    }
    forwardLastLevels(block, size, tw, twq, pV, p2V);
  }
}

/** One Cooley–Tukey level, as `forwardLevel`. */
function backwardLevel(
  buf: usize,
  size: i32,
  len: i32,
  tw: usize,
  twq: usize,
  pV: v128,
  p2V: v128,
): void {
  const lenBytes = <usize> len << 2;
  const factor = size > CACHE_BLOCK ? SWEEP_FACTOR : 1;
  const w = tw + lenBytes;
  const wq = twq + lenBytes;
  if (len >= BUTTERFLY_CHUNK) {
    for (let s = 0; s < size; s += len << 1) {
      const block = buf + (<usize> s << 2);
      for (let j0 = 0; j0 < len; j0 += BUTTERFLY_CHUNK) {
        for (let j = j0; j < j0 + BUTTERFLY_CHUNK; j += 4) {
          const at = <usize> j << 2;
          backwardButterflies(
            block + at,
            block + at + lenBytes,
            v128.load(w + at),
            v128.load(wq + at),
            pV,
            p2V,
          );
        }
        tick(BUTTERFLY_CHUNK * BUTTERFLY_WORK * factor);
      }
    }
    return;
  }
  const group = BUTTERFLY_CHUNK << 1 < size ? BUTTERFLY_CHUNK << 1 : size;
  for (let s0 = 0; s0 < size; s0 += group) {
    for (let s = s0; s < s0 + group; s += len << 1) {
      const block = buf + (<usize> s << 2);
      for (let j = 0; j < len; j += 4) {
        const at = <usize> j << 2;
        backwardButterflies(
          block + at,
          block + at + lenBytes,
          v128.load(w + at),
          v128.load(wq + at),
          pV,
          p2V,
        );
      }
    }
    tick(group * BUTTERFLY_WORK_HALF * factor);
  }
}

/** The first two Cooley–Tukey levels (len 1 and 2) inside each group of eight, as in forward. */
function backwardFirstLevels(
  buf: usize,
  size: i32,
  tw: usize,
  twq: usize,
  pV: v128,
  p2V: v128,
): void {
  const w2 = i32x4(load<u32>(tw, 8), load<u32>(tw, 12), load<u32>(tw, 8), load<u32>(tw, 12));
  const w2q = i32x4(load<u32>(twq, 8), load<u32>(twq, 12), load<u32>(twq, 8), load<u32>(twq, 12));
  for (let s = 0; s < size; s += 8) {
    const at = buf + (<usize> s << 2);
    const x = v128.load(at);
    const y = v128.load(at, 16);
    let u = v128.shuffle<u32>(x, y, 0, 2, 4, 6);
    let v = v128.shuffle<u32>(x, y, 1, 3, 5, 7);
    // In [0, 2p); out in [0, 4p), as in backwardButterflies.
    const a = i32x4.add(u, v);
    const b = i32x4.add(i32x4.sub(u, v), p2V);
    // a = (x0', x2', x4', x6'), b = (x1', x3', x5', x7'); level 2 pairs (0,2), (1,3), (4,6), (5,7).
    u = reduceV(v128.shuffle<u32>(a, b, 0, 4, 2, 6), p2V);
    v = shoupV(v128.shuffle<u32>(a, b, 1, 5, 3, 7), w2, w2q, pV);
    const c = i32x4.add(u, v);
    const d = i32x4.add(i32x4.sub(u, v), p2V);
    // c = (x0'', x1'', x4'', x5''), d = (x2'', x3'', x6'', x7'').
    v128.store(at, v128.shuffle<u32>(c, d, 0, 1, 4, 5));
    v128.store(at, v128.shuffle<u32>(c, d, 2, 3, 6, 7), 16);
    if ((s & (BUTTERFLY_CHUNK - 1)) == BUTTERFLY_CHUNK - 8) tick(BUTTERFLY_CHUNK * BUTTERFLY_WORK);
  }
}

/**
 * Cooley–Tukey with the forward twiddles: bit-reversed in, natural out, n times the input with
 * indices negated; values in [0, 2p) in, [0, 4p) out. n >= 16. Each CACHE_BLOCK first goes
 * through the levels that stay inside it, then the longer levels sweep the whole buffer.
 */
function backward(buf: usize, n: i32, tw: usize, twq: usize, p: u32): void {
  const pV = i32x4.splat(p);
  const p2V = i32x4.splat(2 * p);
  const size = n < CACHE_BLOCK ? n : CACHE_BLOCK;
  for (let s = 0; s < n; s += size) {
    const block = buf + (<usize> s << 2);
    backwardFirstLevels(block, size, tw, twq, pV, p2V);
    for (let len = 4; len < size; len <<= 1) backwardLevel(block, size, len, tw, twq, pV, p2V);
  }
  for (let len = size; len < n; len <<= 1) backwardLevel(buf, n, len, tw, twq, pV, p2V);
}

/**
 * Transforms the limbs of x (nx limbs, zero-padded to n) modulo p into buf. A limb is below
 * 1e9 < 4p, so one lazy reduction brings it into [0, 2p) (none for P0 and P1, where 1e9 < 2p).
 * When x fits the lower half, the top level's butterflies see v = 0 and reduce to
 * (u, u·w): they are done while loading, without the zero padding ever being read.
 */
function transformOf(buf: usize, x: usize, nx: i32, n: i32, tw: usize, twq: usize, p: u32): void {
  const p2V = i32x4.splat(2 * p);
  const half = n >> 1;
  if (nx > half) {
    let i = 0;
    for (; i + 4 <= nx; i += 4) {
      const at = <usize> i << 2;
      v128.store(buf + at, reduceV(v128.load(x + at), p2V));
      if ((i & LINEAR_CHUNK_MASK) == LINEAR_CHUNK_MASK - 3) tick(LINEAR_CHUNK * 8);
    }
    for (; i < nx; i++) {
      const at = <usize> i << 2;
      store<u32>(buf + at, reduceOnce(load<u32>(x + at), 2 * p));
    }
    fillZero(buf + (<usize> nx << 2), <usize> (n - nx) << 2);
    forward(buf, n, tw, twq, p, half);
    return;
  }
  const pV = i32x4.splat(p);
  const halfBytes = <usize> half << 2;
  const w = tw + halfBytes;
  const wq = twq + halfBytes;
  let i = 0;
  for (; i + 4 <= nx; i += 4) {
    const at = <usize> i << 2;
    const u = reduceV(v128.load(x + at), p2V);
    v128.store(buf + at, u);
    v128.store(buf + halfBytes + at, shoupV(u, v128.load(w + at), v128.load(wq + at), pV));
    if ((i & LINEAR_CHUNK_MASK) == LINEAR_CHUNK_MASK - 3) tick(LINEAR_CHUNK * 8);
  }
  for (; i < nx; i++) {
    const at = <usize> i << 2;
    const u = reduceOnce(load<u32>(x + at), 2 * p);
    store<u32>(buf + at, u);
    store<u32>(buf + halfBytes + at, shoup(u, load<u32>(w + at), load<u32>(wq + at), p));
  }
  fillZero(buf + (<usize> nx << 2), <usize> (half - nx) << 2);
  fillZero(buf + halfBytes + (<usize> nx << 2), <usize> (half - nx) << 2);
  forward(buf, n, tw, twq, p, half >> 1);
}

/** S = 2^32·n⁻¹ mod p: Shoup's product of mont(A, B) = A·B·2^-32 by S is A·B·n⁻¹. */
function inverseLengthFactor(n: i32, p: u32): u32 {
  const r = (<u64> 1 << 32) % <u64> p;
  return <u32> ((r * powMod(<u64> n, <u64> p - 2, <u64> p)) % <u64> p);
}

/**
 * into = x·y·n⁻¹ pointwise (into may be x or y), or into ± x·y·n⁻¹ when `accumulate` is 1 or −1;
 * the n⁻¹ is the 1/n of the inverse transform. Values in [0, 2p).
 */
function pointwise(into: usize, x: usize, y: usize, n: i32, p: u32, accumulate: i32): void {
  const s = inverseLengthFactor(n, p);
  const pV = i32x4.splat(p);
  const p2V = i32x4.splat(2 * p);
  const pnV = i32x4.splat(negInverse(p));
  const sV = i32x4.splat(s);
  const sqV = i32x4.splat(shoupCompanion(s, p));
  for (let i = 0; i < n; i += 4) {
    const at = <usize> i << 2;
    let product = shoupV(montV(v128.load(x + at), v128.load(y + at), pV, pnV), sV, sqV, pV);
    if (accumulate > 0) product = reduceV(i32x4.add(v128.load(into + at), product), p2V);
    else if (accumulate < 0) {
      product = reduceV(i32x4.add(i32x4.sub(v128.load(into + at), product), p2V), p2V);
    }
    v128.store(into + at, product);
    if ((i & LINEAR_CHUNK_MASK) == LINEAR_CHUNK_MASK - 3) tick(LINEAR_CHUNK * 8);
  }
}

/** into = into·source·n⁻¹ pointwise, then the backward transform: the convolution modulo p. */
function multiplyBack(into: usize, source: usize, n: i32, tw: usize, twq: usize, p: u32): void {
  pointwise(into, into, source, n, p, 0);
  backward(into, n, tw, twq, p);
}

// Twiddle tables kept for a whole computation. Level len of a table holds the powers of a
// primitive 2len-th root, whatever the table's length, so one table serves every shorter transform.
let cachedLength: i32 = 0;
// Plain globals, not a StaticArray: the arena owns all memory above __heap_base.
let cachedTw0: usize = 0;
let cachedTw1: usize = 0;
let cachedTw2: usize = 0;
let cachedTwq0: usize = 0;
let cachedTwq1: usize = 0;
let cachedTwq2: usize = 0;
let cachedEnd: usize = 0;

function primeOf(prime: i32): u32 {
  return prime == 0 ? P0 : prime == 1 ? P1 : P2;
}

/** Twiddles and their companions of `prime` (0, 1 or 2) for transforms up to length n. */
function buildTwiddlesOf(tw: usize, twq: usize, n: i32, prime: i32): void {
  const p = primeOf(prime);
  const g = prime == 0 ? G0 : prime == 1 ? G1 : G2;
  buildTwiddles(tw, twq, n, p, <u32> powMod(g, (<u64> p - 1) / <u64> n, <u64> p));
}

/**
 * Builds twiddle tables for transforms up to the power of two at or above `limbs` (at most
 * NTT_MAX_LENGTH) at the arena's top, for multiplications until the next `forgetTwiddles`; longer
 * transforms build their own.
 */
export function prepareTwiddles(limbs: i32): void {
  const n = tableLength(limbs);
  cachedTw0 = alloc(n);
  cachedTwq0 = alloc(n);
  buildTwiddlesOf(cachedTw0, cachedTwq0, n, 0);
  cachedTw1 = alloc(n);
  cachedTwq1 = alloc(n);
  buildTwiddlesOf(cachedTw1, cachedTwq1, n, 1);
  cachedTw2 = alloc(n);
  cachedTwq2 = alloc(n);
  buildTwiddlesOf(cachedTw2, cachedTwq2, n, 2);
  cachedLength = n;
  cachedEnd = mark();
}

function tableLength(limbs: i32): i32 {
  let n = NTT_MIN_LENGTH;
  while (n < limbs && n < NTT_MAX_LENGTH) n <<= 1;
  return n;
}

/**
 * Whether the cached tables serve products up to `limbs` limbs: then the next computation keeps
 * them at the bottom of the arena (above `twiddlesEnd()`) instead of building them again.
 */
export function twiddlesCover(limbs: i32): bool {
  return cachedLength != 0 && tableLength(limbs) <= cachedLength;
}

/** The arena address just above the cached tables. */
export function twiddlesEnd(): usize {
  return cachedEnd;
}

/** Drops the cached tables (before the arena is restarted). */
export function forgetTwiddles(): void {
  cachedLength = 0;
}

/** The transform length for a product of na + nb limbs. */
export function nttLength(na: i32, nb: i32): i32 {
  let n = NTT_MIN_LENGTH;
  while (n < na + nb - 1) n <<= 1;
  return n;
}

function cachedTwiddles(prime: i32): usize {
  return prime == 0 ? cachedTw0 : prime == 1 ? cachedTw1 : cachedTw2;
}

function cachedCompanions(prime: i32): usize {
  return prime == 0 ? cachedTwq0 : prime == 1 ? cachedTwq1 : cachedTwq2;
}

/** out[0..na+nb) = a · b through three NTTs; na + nb − 1 must not exceed NTT_MAX_LENGTH. */
export function mulNtt(out: usize, a: usize, na: i32, b: usize, nb: i32): void {
  const n = nttLength(na, nb);
  if (n > NTT_MAX_LENGTH) unreachable();
  const at = mark();
  const scratch = alloc(n);
  const res0 = alloc(n);
  const res1 = alloc(n);
  const res2 = alloc(n);
  const cached = n <= cachedLength;
  const ownTw = cached ? <usize> 0 : alloc(n);
  const ownTwq = cached ? <usize> 0 : alloc(n);
  const square = a == b && na == nb;
  for (let prime = 0; prime < 3; prime++) {
    const p = primeOf(prime);
    const into = prime == 0 ? res0 : prime == 1 ? res1 : res2;
    if (!cached) buildTwiddlesOf(ownTw, ownTwq, n, prime);
    const tw = cached ? cachedTwiddles(prime) : ownTw;
    const twq = cached ? cachedCompanions(prime) : ownTwq;
    transformOf(into, a, na, n, tw, twq, p);
    if (!square) transformOf(scratch, b, nb, n, tw, twq, p);
    multiplyBack(into, square ? into : scratch, n, tw, twq, p);
  }
  crt(out, na + nb, res0, res1, res2, n, false);
  release(at);
}

/**
 * out1[0..na1+nb) = a1 · b and out2[0..na2+nb) = a2 · b with one transform of b per prime: for the
 * products of a splitting node that share an operand. Both products must have the same
 * nttLength.
 */
export function mulNttShared(
  out1: usize,
  a1: usize,
  na1: i32,
  out2: usize,
  a2: usize,
  na2: i32,
  b: usize,
  nb: i32,
): void {
  const n = nttLength(na1 > na2 ? na1 : na2, nb);
  if (n > NTT_MAX_LENGTH) unreachable();
  const at = mark();
  const bBuf = alloc(n);
  const first0 = alloc(n);
  const first1 = alloc(n);
  const first2 = alloc(n);
  const second0 = alloc(n);
  const second1 = alloc(n);
  const second2 = alloc(n);
  const cached = n <= cachedLength;
  const ownTw = cached ? <usize> 0 : alloc(n);
  const ownTwq = cached ? <usize> 0 : alloc(n);
  for (let prime = 0; prime < 3; prime++) {
    const p = primeOf(prime);
    if (!cached) buildTwiddlesOf(ownTw, ownTwq, n, prime);
    const tw = cached ? cachedTwiddles(prime) : ownTw;
    const twq = cached ? cachedCompanions(prime) : ownTwq;
    const first = prime == 0 ? first0 : prime == 1 ? first1 : first2;
    const second = prime == 0 ? second0 : prime == 1 ? second1 : second2;
    transformOf(bBuf, b, nb, n, tw, twq, p);
    transformOf(first, a1, na1, n, tw, twq, p);
    multiplyBack(first, bBuf, n, tw, twq, p);
    transformOf(second, a2, na2, n, tw, twq, p);
    multiplyBack(second, bBuf, n, tw, twq, p);
  }
  crt(out1, na1 + nb, first0, first1, first2, n, false);
  crt(out2, na2 + nb, second0, second1, second2, n, false);
  release(at);
}

/**
 * The products of one splitting node in one go: q = lq·rq, t = lt·rq ± lp·rt (minus when
 * `subtract`, which must leave t >= 0) and, when p != 0, p = lp·rp. The two products of t are
 * summed in the transform domain, so t costs one backward transform and one Chinese remaindering
 * instead of two; rq and lp are transformed once for both their products. Returns false, having
 * done nothing, unless all of them have q's transform length (then the separate products are
 * cheaper). q needs lqn + rqn limbs, p lpn + rpn, t tLen >= both products' lengths + 1.
 */
export function mulNttNode(
  q: usize,
  lq: usize,
  lqn: i32,
  rq: usize,
  rqn: i32,
  t: usize,
  tLen: i32,
  lt: usize,
  ltn: i32,
  lp: usize,
  lpn: i32,
  rt: usize,
  rtn: i32,
  subtract: bool,
  p: usize,
  rp: usize,
  rpn: i32,
): bool {
  const n = nttLength(lqn, rqn);
  if (
    n > NTT_MAX_LENGTH || nttLength(ltn, rqn) != n || nttLength(lpn, rtn) != n ||
    (p != 0 && nttLength(lpn, rpn) > n) || tLen < ltn + rqn + 1 || tLen < lpn + rtn + 1
  ) {
    return false;
  }
  const wantP = p != 0;
  const at = mark();
  const shared = alloc(n); // r̂q
  const other = alloc(n); // r̂t, then r̂p
  const q0 = alloc(n);
  const q1 = alloc(n);
  const q2 = alloc(n);
  const t0 = alloc(n);
  const t1 = alloc(n);
  const t2 = alloc(n);
  // l̂p: in p's residue buffers when p is wanted, else in one scratch buffer.
  const p0 = alloc(n);
  const p1 = wantP ? alloc(n) : p0;
  const p2 = wantP ? alloc(n) : p0;
  const cached = n <= cachedLength;
  const ownTw = cached ? <usize> 0 : alloc(n);
  const ownTwq = cached ? <usize> 0 : alloc(n);
  // 10^26 = OFFSET_HIGH·B² lifts the difference's coefficients above zero: added at index 0 of
  // the transform, it adds to every coefficient.
  for (let prime = 0; prime < 3; prime++) {
    const pr = primeOf(prime);
    if (!cached) buildTwiddlesOf(ownTw, ownTwq, n, prime);
    const tw = cached ? cachedTwiddles(prime) : ownTw;
    const twq = cached ? cachedCompanions(prime) : ownTwq;
    const qr = prime == 0 ? q0 : prime == 1 ? q1 : q2;
    const tr = prime == 0 ? t0 : prime == 1 ? t1 : t2;
    const pr2 = prime == 0 ? p0 : prime == 1 ? p1 : p2;
    transformOf(shared, rq, rqn, n, tw, twq, pr);
    transformOf(qr, lq, lqn, n, tw, twq, pr);
    multiplyBack(qr, shared, n, tw, twq, pr);
    transformOf(tr, lt, ltn, n, tw, twq, pr);
    pointwise(tr, tr, shared, n, pr, 0);
    transformOf(pr2, lp, lpn, n, tw, twq, pr);
    transformOf(other, rt, rtn, n, tw, twq, pr);
    pointwise(tr, pr2, other, n, pr, subtract ? -1 : 1);
    if (subtract) {
      const offsetMod =
        <u32> (((OFFSET_HIGH % <u64> pr) * ((BASE64 * BASE64) % <u64> pr)) % <u64> pr);
      store<u32>(tr, reduceOnce(load<u32>(tr) + offsetMod, 2 * pr));
    }
    backward(tr, n, tw, twq, pr);
    if (wantP) {
      transformOf(other, rp, rpn, n, tw, twq, pr);
      multiplyBack(pr2, other, n, tw, twq, pr);
    }
  }
  crt(q, lqn + rqn, q0, q1, q2, n, false);
  crt(t, tLen, t0, t1, t2, n, subtract);
  if (wantP) crt(p, lpn + rpn, p0, p1, p2, n, false);
  release(at);
  return true;
}

/**
 * Joins the three residue convolutions (length n, values in [0, 4p), coefficient i at index
 * (n − i) mod n) into out[0..outLen) in base 1e9. With
 * `offset`, every coefficient is OFFSET_HIGH·B² more than its signed value (mulNttNode's
 * difference of two convolutions): the digits come out of the signed values, modulo B^outLen.
 */
function crt(
  out: usize,
  outLen: i32,
  res0: usize,
  res1: usize,
  res2: usize,
  n: i32,
  offset: bool,
): void {
  // Garner: x = v0 + v1·P0 + v2·P0·P1 with v_i < P_i, v1 = (r1 − v0)·P0⁻¹ mod P1,
  // v2 = (r2 − v0 − v1·P0)·(P0·P1)⁻¹ mod P2; first four coefficients at a time, in place.
  const pairInverse = <u32> powMod(<u64> P0, <u64> P1 - 2, <u64> P1);
  const p01 = <u64> P0 * <u64> P1; // 7.5e17 < 1e18
  const tripleInverse = <u32> powMod(p01 % <u64> P2, <u64> P2 - 2, <u64> P2);
  const p0ModP2 = P0 % P2;
  const p0V = i32x4.splat(P0);
  const p1V = i32x4.splat(P1);
  const p2V = i32x4.splat(P2);
  const twoP0V = i32x4.splat(2 * P0);
  const twoP1V = i32x4.splat(2 * P1);
  const twoP2V = i32x4.splat(2 * P2);
  const pairInverseV = i32x4.splat(pairInverse);
  const pairInverseQV = i32x4.splat(shoupCompanion(pairInverse, P1));
  const tripleInverseV = i32x4.splat(tripleInverse);
  const tripleInverseQV = i32x4.splat(shoupCompanion(tripleInverse, P2));
  const p0ModP2V = i32x4.splat(p0ModP2);
  const p0ModP2QV = i32x4.splat(shoupCompanion(p0ModP2, P2));
  // Coefficients 0..count−1 lie at index 0 and at n − count + 1 .. n − 1.
  const count = outLen < n ? outLen : n;
  const first = (n - count + 1) & ~3;
  for (let i = first; i < n; i += 4) {
    const at = <usize> i << 2;
    const v0 = reduceV(reduceV(v128.load(res0 + at), twoP0V), p0V);
    const x1 = reduceV(reduceV(v128.load(res1 + at), twoP1V), p1V);
    const x2 = reduceV(reduceV(v128.load(res2 + at), twoP2V), p2V);
    const v0ModP1 = reduceV(v0, p1V);
    const v1 = reduceV(
      shoupV(i32x4.add(i32x4.sub(x1, v0ModP1), p1V), pairInverseV, pairInverseQV, p1V),
      p1V,
    );
    const v0ModP2 = reduceV(reduceV(v0, twoP2V), p2V);
    const lowModP2 = reduceV(
      i32x4.add(v0ModP2, reduceV(shoupV(v1, p0ModP2V, p0ModP2QV, p2V), p2V)),
      p2V,
    );
    const v2 = reduceV(
      shoupV(i32x4.add(i32x4.sub(x2, lowModP2), p2V), tripleInverseV, tripleInverseQV, p2V),
      p2V,
    );
    v128.store(res0 + at, v0);
    v128.store(res1 + at, v1);
    v128.store(res2 + at, v2);
    if ((i & LINEAR_CHUNK_MASK) == LINEAR_CHUNK_MASK - 3) tick(LINEAR_CHUNK * 8);
  }
  // Index 0 (coefficient 0) on its own, unless the pass above started there: Garner's step is not
  // idempotent.
  if (first > 0) garnerOne(res0, res1, res2, pairInverse, tripleInverse, p0ModP2);
  // Then the digits: x = v0 + v1·P0 + v2·(P01 mod B) + v2·(P01 div B)·B adds into two output
  // limbs. Column 0 gets v0 + v1·P0 + v2·(P01 mod B) < 1e9 + 7.6e17 + 4.7e17, column 1 gets
  // v2·(P01 div B) < 3.6e17; with the previous column 1 every total stays below 1.6e18 < 2^61.
  // A limb is then total mod B plus the previous total's quotient (< 1.6e9) plus a carry of at
  // most 2: below 2.6e9 + 2 < 2^32.
  const p0 = <u64> P0;
  const p01Low = p01 % BASE64;
  const p01High = p01 / BASE64;
  const mask = n - 1;
  if (offset) {
    crtSignedDigits(out, outLen, res0, res1, res2, n, p01Low, p01High);
    return;
  }
  // One pass: each total splits into limb and quotient (< 1.6e9) independently of the others, and
  // only the short add-and-compare of the previous quotient and a carry of at most 2 runs from
  // limb to limb, so no long chain of dependent operations (a division) runs through the carries.
  let pending: u64 = 0; // column 1 of the previous coefficient
  let previous: u32 = 0; // quotient of the previous total
  let carry: u32 = 0;
  for (let i = 0; i < outLen; i++) {
    let total = pending;
    pending = 0;
    if (i < n) {
      const at = <usize> ((n - i) & mask) << 2;
      const v2 = <u64> load<u32>(res2 + at);
      total += <u64> load<u32>(res0 + at) + <u64> load<u32>(res1 + at) * p0 + v2 * p01Low;
      pending = v2 * p01High;
    }
    const q = divideByBase(total);
    const sum = <u32> (total - q * BASE64) + previous + carry;
    carry = <u32> (sum >= BASE) + <u32> (sum >= 2 * BASE);
    setLimb(out, i, sum - carry * BASE);
    previous = <u32> q;
    if ((i & LINEAR_CHUNK_MASK) == LINEAR_CHUNK_MASK) tick(LINEAR_CHUNK * 8);
  }
}

/**
 * The offset added to every coefficient of a difference of convolutions, in units of B² (1e26 in
 * all): more than any |coefficient| (below 2^23·1e18 = 8.4e24), and with it still below
 * M = P0·P1·P2 = 3.54e26, so the residues determine the offset coefficient exactly.
 */
const OFFSET_HIGH: u64 = 100_000_000;

/**
 * crt's digit passes when every coefficient carries OFFSET_HIGH·B²: each limb from the third on
 * loses OFFSET_HIGH (the offsets of the coefficients two below; those of the top two coefficients
 * fall beyond outLen, where the result is taken modulo B^outLen). A total may then be negative,
 * down to −OFFSET_HIGH: B − OFFSET_HIGH is added and the quotient taken one lower, and quotients
 * and carries are signed (−1 or more).
 */
function crtSignedDigits(
  out: usize,
  outLen: i32,
  res0: usize,
  res1: usize,
  res2: usize,
  n: i32,
  p01Low: u64,
  p01High: u64,
): void {
  const p0 = <u64> P0;
  const mask = n - 1;
  let pending: u64 = 0;
  let previous: i64 = 0;
  let carry: i64 = 0;
  for (let i = 0; i < outLen; i++) {
    let total = pending;
    pending = 0;
    if (i < n) {
      const at = <usize> ((n - i) & mask) << 2;
      const v2 = <u64> load<u32>(res2 + at);
      total += <u64> load<u32>(res0 + at) + <u64> load<u32>(res1 + at) * p0 + v2 * p01Low;
      pending = v2 * p01High;
    }
    // Limbs 0 and 1 get no offset: they are the only ones without a lift by one base.
    const lifted = i >= 2 ? total + (BASE64 - OFFSET_HIGH) : total + BASE64;
    const q = divideByBase(lifted);
    const sum = <i64> (lifted - q * BASE64) + previous + carry;
    carry = <i64> (sum >= <i64> BASE) + <i64> (sum >= 2 * <i64> BASE) - <i64> (sum < 0);
    setLimb(out, i, <u32> (sum - carry * <i64> BASE));
    previous = <i64> q - 1;
    if ((i & LINEAR_CHUNK_MASK) == LINEAR_CHUNK_MASK) tick(LINEAR_CHUNK * 8);
  }
}

/** Garner's step for index 0 alone (scalar), in place. */
function garnerOne(
  res0: usize,
  res1: usize,
  res2: usize,
  pairInverse: u32,
  tripleInverse: u32,
  p0ModP2: u32,
): void {
  const v0 = reduceOnce(reduceOnce(load<u32>(res0), 2 * P0), P0);
  const x1 = reduceOnce(reduceOnce(load<u32>(res1), 2 * P1), P1);
  const x2 = reduceOnce(reduceOnce(load<u32>(res2), 2 * P2), P2);
  const v1 = <u32> (((<u64> x1 + P1 - reduceOnce(v0, P1)) * pairInverse) % P1);
  const low = (<u64> v0 + <u64> v1 * p0ModP2) % P2;
  const v2 = <u32> (((<u64> x2 + P2 - low) * tripleInverse) % P2);
  store<u32>(res0, v0);
  store<u32>(res1, v1);
  store<u32>(res2, v2);
}
