// Multiplication by number-theoretic transforms modulo three primes, joined by the Chinese
// remainder theorem.
//
// Exactness bound: a coefficient of the cyclic convolution of two base-1e9 numbers is a sum of at
// most min(na, nb) products of limbs, each at most (1e9 − 1)², so it is below
// min(na, nb) · 1e18. The three primes' product is about 7.14e26, so the residues determine every
// coefficient exactly while min(na, nb) < 7.1e8 limbs (6.4e9 digits). The transform length is a
// power of two up to 2^24 (the 2-adic order of p2 − 1), so na + nb <= 2^24 + 1 limbs
// (1.5e8 digits of product); the kernel stops far below both (10 million digits of pi).
//
// Arithmetic: the primes are below 2^31, so a sum of two residues fits in a u32 and Montgomery
// reduction of a product t < p² with R = 2^32 needs t + m·p < p² + 2^32·p < 2^64 (u64, no
// overflow). Butterflies are Gentleman–Sande (decimation in frequency) forward, natural order in and
// bit-reversed order out, and Cooley–Tukey (decimation in time) backward, bit-reversed in and natural
// out, so no bit-reversal pass is needed.
import {
  alloc,
  BASE,
  BASE64,
  divideByBase,
  limb,
  LINEAR_CHUNK,
  LINEAR_CHUNK_MASK,
  mark,
  release,
  setLimb,
  tick,
} from "./bignum";

const P0: u32 = 2_013_265_921; // 15·2^27 + 1
const P1: u32 = 469_762_049; // 7·2^26 + 1
const P2: u32 = 754_974_721; // 45·2^24 + 1
const G0: u64 = 31; // primitive roots
const G1: u64 = 3;
const G2: u64 = 11;

/** The largest transform length (2^24: P2 − 1 = 45·2^24). */
export const NTT_MAX_LENGTH: i32 = 1 << 24;

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

// Reductions are branchless: the comparisons are random, so branches would be mispredicted half the
// time (measured: 3x slower transforms). Every intermediate lies in (−p, p) or [0, 2p) with
// p < 2^31, so the sign bit of the i32 difference says whether to add p back.

/** x − p, plus p again when that is negative: x mod p for x < 2p. */
function reduceOnce(x: u32, p: u32): u32 {
  const t = x - p;
  return t + (p & <u32> (<i32> t >> 31));
}

/** (u + v) mod p for u, v < p. */
function addMod(u: u32, v: u32, p: u32): u32 {
  return reduceOnce(u + v, p);
}

/** (u − v) mod p for u, v < p. */
function subMod(u: u32, v: u32, p: u32): u32 {
  const t = u - v;
  return t + (p & <u32> (<i32> t >> 31));
}

/** a·b·2^-32 mod p, for a, b < p. */
function mont(a: u32, b: u32, p: u32, pn: u32): u32 {
  const t = <u64> a * <u64> b;
  const m = <u32> t * pn;
  return reduceOnce(<u32> ((t + <u64> m * <u64> p) >> 32), p);
}

/**
 * Twiddles for every level of a transform of length n: tw[len + j] = ω_{2len}^j·2^32 mod p for
 * j < len (Montgomery form), ω a primitive n-th root of unity or (for the inverse) its inverse.
 * The top level is built by repeated multiplication, each level below by taking every other
 * entry of the one above.
 */
function buildTwiddles(tw: usize, n: i32, p: u32, pn: u32, omega: u32): void {
  const r = (<u64> 1 << 32) % <u64> p;
  const r2 = <u32> ((r * r) % <u64> p);
  const half = n >> 1;
  const omegaM = mont(omega, r2, p, pn);
  let w = <u32> r;
  for (let j = 0; j < half; j++) {
    store<u32>(tw + (<usize> (half + j) << 2), w);
    w = mont(w, omegaM, p, pn);
    if ((j & LINEAR_CHUNK_MASK) == LINEAR_CHUNK_MASK) tick(LINEAR_CHUNK * 4);
  }
  for (let len = half >> 1; len >= 1; len >>= 1) {
    for (let j = 0; j < len; j++) {
      store<u32>(tw + (<usize> (len + j) << 2), load<u32>(tw + (<usize> (2 * len + 2 * j) << 2)));
    }
    tick(len);
  }
}

// Four lanes at once with WebAssembly SIMD. x mod p for x < 2p is min_u(x, x − p): when x < p the
// difference wraps above 2^31 > x. A Montgomery product takes the 64-bit lane products from
// extmul, the low halves for m = t·(−p⁻¹) mod 2^32 and the high halves of t + m·p.

function reduceOnceV(x: v128, p: v128): v128 {
  return i32x4.min_u(x, i32x4.sub(x, p));
}

function addModV(u: v128, v: v128, p: v128): v128 {
  return reduceOnceV(i32x4.add(u, v), p);
}

function subModV(u: v128, v: v128, p: v128): v128 {
  const d = i32x4.sub(u, v);
  return i32x4.min_u(d, i32x4.add(d, p));
}

function montV(a: v128, b: v128, p: v128, pn: v128): v128 {
  const tLow = i64x2.extmul_low_i32x4_u(a, b);
  const tHigh = i64x2.extmul_high_i32x4_u(a, b);
  const m = i32x4.mul(v128.shuffle<u32>(tLow, tHigh, 0, 2, 4, 6), pn);
  const sLow = i64x2.add(tLow, i64x2.extmul_low_i32x4_u(m, p));
  const sHigh = i64x2.add(tHigh, i64x2.extmul_high_i32x4_u(m, p));
  return reduceOnceV(v128.shuffle<u32>(sLow, sHigh, 1, 3, 5, 7), p);
}

/** Gentleman–Sande: natural order in, bit-reversed out. */
function forward(buf: usize, n: i32, tw: usize, p: u32, pn: u32): void {
  const pV = i32x4.splat(p);
  const pnV = i32x4.splat(pn);
  let len = n >> 1;
  for (; len >= 4; len >>= 1) {
    const lenBytes = <usize> len << 2;
    const twLevel = tw + lenBytes;
    for (let s = 0; s < n; s += len << 1) {
      const block = buf + (<usize> s << 2);
      for (let j = 0; j < len; j += 4) {
        const ia = block + (<usize> j << 2);
        const ib = ia + lenBytes;
        const u = v128.load(ia);
        const v = v128.load(ib);
        v128.store(ia, addModV(u, v, pV));
        v128.store(ib, montV(subModV(u, v, pV), v128.load(twLevel + (<usize> j << 2)), pV, pnV));
      }
    }
    tick(n >> 3);
  }
  if (n >= 8) {
    // The last two levels (len 2 and 1) inside each group of eight, with lanes regrouped by shuffles;
    // level 1's twiddle is 1.
    const w2 = i32x4(load<u32>(tw, 8), load<u32>(tw, 12), load<u32>(tw, 8), load<u32>(tw, 12));
    for (let s = 0; s < n; s += 8) {
      const at = buf + (<usize> s << 2);
      const x = v128.load(at);
      const y = v128.load(at, 16);
      let u = v128.shuffle<u32>(x, y, 0, 1, 4, 5);
      let v = v128.shuffle<u32>(x, y, 2, 3, 6, 7);
      const a = addModV(u, v, pV);
      const b = montV(subModV(u, v, pV), w2, pV, pnV);
      // a = (x0', x1', x4', x5'), b = (x2', x3', x6', x7'); level 1 pairs (0,1), (2,3), (4,5), (6,7).
      u = v128.shuffle<u32>(a, b, 0, 4, 2, 6);
      v = v128.shuffle<u32>(a, b, 1, 5, 3, 7);
      const c = addModV(u, v, pV);
      const d = subModV(u, v, pV);
      // c = (x0'', x2'', x4'', x6''), d = (x1'', x3'', x5'', x7'').
      v128.store(at, v128.shuffle<u32>(c, d, 0, 4, 1, 5));
      v128.store(at, v128.shuffle<u32>(c, d, 2, 6, 3, 7), 16);
    }
    tick(n >> 2);
    return;
  }
  for (; len >= 1; len >>= 1) {
    const lenBytes = <usize> len << 2;
    const twLevel = tw + lenBytes;
    for (let s = 0; s < n; s += len << 1) {
      const block = buf + (<usize> s << 2);
      for (let j = 0; j < len; j++) {
        const ia = block + (<usize> j << 2);
        const ib = ia + lenBytes;
        const u = load<u32>(ia);
        const v = load<u32>(ib);
        store<u32>(ia, addMod(u, v, p));
        store<u32>(ib, mont(subMod(u, v, p), load<u32>(twLevel + (<usize> j << 2)), p, pn));
      }
    }
    tick(n >> 1);
  }
}

/** Cooley–Tukey with the inverse twiddles, without the 1/n factor: bit-reversed in, natural out. */
function backward(buf: usize, n: i32, itw: usize, p: u32, pn: u32): void {
  const pV = i32x4.splat(p);
  const pnV = i32x4.splat(pn);
  let len = 1;
  if (n >= 8) {
    // The first two levels (len 1 and 2) inside each group of eight, as in `forward`.
    const w2 = i32x4(load<u32>(itw, 8), load<u32>(itw, 12), load<u32>(itw, 8), load<u32>(itw, 12));
    for (let s = 0; s < n; s += 8) {
      const at = buf + (<usize> s << 2);
      const x = v128.load(at);
      const y = v128.load(at, 16);
      let u = v128.shuffle<u32>(x, y, 0, 2, 4, 6);
      let v = v128.shuffle<u32>(x, y, 1, 3, 5, 7);
      const a = addModV(u, v, pV);
      const b = subModV(u, v, pV);
      // a = (x0', x2', x4', x6'), b = (x1', x3', x5', x7'); level 2 pairs (0,2), (1,3), (4,6), (5,7).
      u = v128.shuffle<u32>(a, b, 0, 4, 2, 6);
      v = montV(v128.shuffle<u32>(a, b, 1, 5, 3, 7), w2, pV, pnV);
      const c = addModV(u, v, pV);
      const d = subModV(u, v, pV);
      // c = (x0'', x1'', x4'', x5''), d = (x2'', x3'', x6'', x7'').
      v128.store(at, v128.shuffle<u32>(c, d, 0, 1, 4, 5));
      v128.store(at, v128.shuffle<u32>(c, d, 2, 3, 6, 7), 16);
    }
    tick(n >> 2);
    len = 4;
  }
  for (; len < n && len < 4; len <<= 1) {
    const lenBytes = <usize> len << 2;
    const twLevel = itw + lenBytes;
    for (let s = 0; s < n; s += len << 1) {
      const block = buf + (<usize> s << 2);
      for (let j = 0; j < len; j++) {
        const ia = block + (<usize> j << 2);
        const ib = ia + lenBytes;
        const u = load<u32>(ia);
        const v = mont(load<u32>(ib), load<u32>(twLevel + (<usize> j << 2)), p, pn);
        store<u32>(ia, addMod(u, v, p));
        store<u32>(ib, subMod(u, v, p));
      }
    }
    tick(n >> 1);
  }
  for (; len < n; len <<= 1) {
    const lenBytes = <usize> len << 2;
    const twLevel = itw + lenBytes;
    for (let s = 0; s < n; s += len << 1) {
      const block = buf + (<usize> s << 2);
      for (let j = 0; j < len; j += 4) {
        const ia = block + (<usize> j << 2);
        const ib = ia + lenBytes;
        const u = v128.load(ia);
        const v = montV(v128.load(ib), v128.load(twLevel + (<usize> j << 2)), pV, pnV);
        v128.store(ia, addModV(u, v, pV));
        v128.store(ib, subModV(u, v, pV));
      }
    }
    tick(n >> 3);
  }
}

/** Writes x mod p for the limbs of x, zero-padded to n entries. */
function loadResidues(buf: usize, x: usize, nx: i32, n: i32, p: u32): void {
  // A limb is below 1e9 < 3p for every prime here, so two conditional subtractions reduce it.
  for (let i = 0; i < nx; i++) {
    store<u32>(buf + (<usize> i << 2), reduceOnce(reduceOnce(limb(x, i), p), p));
    if ((i & LINEAR_CHUNK_MASK) == LINEAR_CHUNK_MASK) tick(LINEAR_CHUNK);
  }
  memory.fill(buf + (<usize> nx << 2), 0, <usize> (n - nx) << 2);
}

/** Loads x mod p into buf (length n) and transforms it. */
function transformOf(buf: usize, x: usize, nx: i32, n: i32, tw: usize, p: u32, pn: u32): void {
  loadResidues(buf, x, nx, n, p);
  forward(buf, n, tw, p, pn);
}

/** into = inverse transform of into·source, the cyclic convolution modulo p. */
function multiplyBack(into: usize, source: usize, n: i32, itw: usize, p: u32, pn: u32): void {
  // mont(mont(A, B), S) with S = 2^64·n⁻¹ mod p gives A·B·n⁻¹: the 1/n of the inverse transform.
  const r = (<u64> 1 << 32) % <u64> p;
  const s = <u32> ((((r * r) % <u64> p) * powMod(<u64> n, <u64> p - 2, <u64> p)) % <u64> p);
  if (n >= 4) {
    const pV = i32x4.splat(p);
    const pnV = i32x4.splat(pn);
    const sV = i32x4.splat(s);
    for (let i = 0; i < n; i += 4) {
      const at = <usize> i << 2;
      v128.store(
        into + at,
        montV(montV(v128.load(into + at), v128.load(source + at), pV, pnV), sV, pV, pnV),
      );
    }
  } else {
    for (let i = 0; i < n; i++) {
      const at = <usize> i << 2;
      store<u32>(
        into + at,
        mont(mont(load<u32>(into + at), load<u32>(source + at), p, pn), s, p, pn),
      );
    }
  }
  tick(n);
  backward(into, n, itw, p, pn);
}

/** The cyclic convolution of a and b modulo p into `into` (length n), using `other` as scratch. */
function convolve(
  into: usize,
  other: usize,
  tw: usize,
  itw: usize,
  a: usize,
  na: i32,
  b: usize,
  nb: i32,
  n: i32,
  p: u32,
): void {
  const pn = negInverse(p);
  transformOf(into, a, na, n, tw, p, pn);
  const square = a == b && na == nb;
  if (!square) transformOf(other, b, nb, n, tw, p, pn);
  multiplyBack(into, square ? into : other, n, itw, p, pn);
}

/** Forward and inverse twiddles of `prime` (0, 1 or 2) for transforms up to length n. */
function buildTwiddlePair(tw: usize, itw: usize, n: i32, prime: i32): void {
  const p = prime == 0 ? P0 : prime == 1 ? P1 : P2;
  const g = prime == 0 ? G0 : prime == 1 ? G1 : G2;
  const pn = negInverse(p);
  const omega = <u32> powMod(g, (<u64> p - 1) / <u64> n, <u64> p);
  buildTwiddles(tw, n, p, pn, omega);
  buildTwiddles(itw, n, p, pn, <u32> powMod(<u64> omega, <u64> p - 2, <u64> p));
}

// Twiddle tables kept for a whole computation. Level len of a table holds the powers of a
// primitive 2len-th root, whatever the table's length, so one table serves every shorter transform.
let cachedLength: i32 = 0;
// Plain globals, not a StaticArray: the arena owns all memory above __heap_base.
let cachedTw0: usize = 0;
let cachedTw1: usize = 0;
let cachedTw2: usize = 0;
let cachedItw0: usize = 0;
let cachedItw1: usize = 0;
let cachedItw2: usize = 0;
let cachedEnd: usize = 0;

/**
 * Builds twiddle tables for transforms up to the power of two at or above `limbs` (at most
 * NTT_MAX_LENGTH) at the arena's top, for multiplications until the next `forgetTwiddles`; longer
 * transforms build their own.
 */
export function prepareTwiddles(limbs: i32): void {
  const n = tableLength(limbs);
  cachedTw0 = alloc(n);
  cachedItw0 = alloc(n);
  buildTwiddlePair(cachedTw0, cachedItw0, n, 0);
  cachedTw1 = alloc(n);
  cachedItw1 = alloc(n);
  buildTwiddlePair(cachedTw1, cachedItw1, n, 1);
  cachedTw2 = alloc(n);
  cachedItw2 = alloc(n);
  buildTwiddlePair(cachedTw2, cachedItw2, n, 2);
  cachedLength = n;
  cachedEnd = mark();
}

function tableLength(limbs: i32): i32 {
  let n = 8;
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
  let n = 1;
  while (n < na + nb - 1) n <<= 1;
  return n;
}

function primeOf(prime: i32): u32 {
  return prime == 0 ? P0 : prime == 1 ? P1 : P2;
}

function cachedTwiddles(prime: i32): usize {
  return prime == 0 ? cachedTw0 : prime == 1 ? cachedTw1 : cachedTw2;
}

function cachedInverseTwiddles(prime: i32): usize {
  return prime == 0 ? cachedItw0 : prime == 1 ? cachedItw1 : cachedItw2;
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
  const ownItw = cached ? <usize> 0 : alloc(n);
  for (let prime = 0; prime < 3; prime++) {
    const into = prime == 0 ? res0 : prime == 1 ? res1 : res2;
    if (!cached) buildTwiddlePair(ownTw, ownItw, n, prime);
    const tw = cached ? cachedTwiddles(prime) : ownTw;
    const itw = cached ? cachedInverseTwiddles(prime) : ownItw;
    convolve(into, scratch, tw, itw, a, na, b, nb, n, primeOf(prime));
  }
  crt(out, na + nb, res0, res1, res2, n);
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
  const ownItw = cached ? <usize> 0 : alloc(n);
  for (let prime = 0; prime < 3; prime++) {
    const p = primeOf(prime);
    const pn = negInverse(p);
    if (!cached) buildTwiddlePair(ownTw, ownItw, n, prime);
    const tw = cached ? cachedTwiddles(prime) : ownTw;
    const itw = cached ? cachedInverseTwiddles(prime) : ownItw;
    const first = prime == 0 ? first0 : prime == 1 ? first1 : first2;
    const second = prime == 0 ? second0 : prime == 1 ? second1 : second2;
    transformOf(bBuf, b, nb, n, tw, p, pn);
    transformOf(first, a1, na1, n, tw, p, pn);
    multiplyBack(first, bBuf, n, itw, p, pn);
    transformOf(second, a2, na2, n, tw, p, pn);
    multiplyBack(second, bBuf, n, itw, p, pn);
  }
  crt(out1, na1 + nb, first0, first1, first2, n);
  crt(out2, na2 + nb, second0, second1, second2, n);
  release(at);
}

/** Joins the three residue convolutions (length n) into out[0..outLen) in base 1e9. */
function crt(out: usize, outLen: i32, res0: usize, res1: usize, res2: usize, n: i32): void {
  // Garner: x = v0 + v1·P0 + v2·P0·P1 with v_i < P_i. The modular products are Montgomery
  // products by constants premultiplied by 2^32. P0 and P0·P1 (< 1e18) are split into base-1e9
  // digits, so x adds into two output limbs: column 0 gets v0 + v1·(P0 mod B) + v2·(P0P1 mod B)
  // < 7.8e17, column 1 gets v1·(P0 div B) + v2·(P0P1 div B) < 7.2e17; with the carry (< 1.6e9)
  // every sum stays below 2^61.
  const p0 = <u64> P0;
  const p1 = <u64> P1;
  const p2 = <u64> P2;
  const pn1 = negInverse(P1);
  const pn2 = negInverse(P2);
  const r1 = (<u64> 1 << 32) % p1;
  const r2 = (<u64> 1 << 32) % p2;
  const inv01M = <u32> ((powMod(p0, p1 - 2, p1) * r1) % p1);
  const p01 = p0 * p1; // < 1e18
  const inv012M = <u32> ((powMod(p01 % p2, p2 - 2, p2) * r2) % p2);
  const p0ModP2M = <u32> (((p0 % p2) * r2) % p2);
  const p0Low = p0 % BASE64;
  const p0High = p0 / BASE64;
  const p01Low = p01 % BASE64;
  const p01High = p01 / BASE64;
  // Two passes, so that no long chain of dependent operations runs through the carries: the
  // first splits each coefficient's column sum (< 1.5e18) into limb and quotient independently,
  // the second adds each quotient (< 1.5e9) into the next limb with a carry of at most 2.
  let pending: u64 = 0; // column 1 of the previous coefficient
  const quotients = res1; // reused: entry i is read before it is overwritten
  for (let i = 0; i < outLen; i++) {
    let total = pending;
    pending = 0;
    if (i < n) {
      const at = <usize> i << 2;
      const v0 = load<u32>(res0 + at);
      // v0 < P0 < 4.3·P1 < 2.7·P2: conditional subtractions instead of divisions.
      const v0ModP1 = reduceOnce(reduceOnce(reduceOnce(v0, 4 * P1), 2 * P1), P1);
      const v0ModP2 = reduceOnce(reduceOnce(v0, 2 * P2), P2);
      const v1 = mont(subMod(load<u32>(res1 + at), v0ModP1, P1), inv01M, P1, pn1);
      const lowModP2 = addMod(v0ModP2, mont(v1, p0ModP2M, P2, pn2), P2);
      const v2 = <u64> mont(subMod(load<u32>(res2 + at), lowModP2, P2), inv012M, P2, pn2);
      total += <u64> v0 + <u64> v1 * p0Low + v2 * p01Low;
      pending = <u64> v1 * p0High + v2 * p01High;
    }
    const q = divideByBase(total);
    setLimb(out, i, <u32> (total - q * BASE64));
    store<u32>(quotients + (<usize> i << 2), <u32> q);
    if ((i & LINEAR_CHUNK_MASK) == LINEAR_CHUNK_MASK) tick(LINEAR_CHUNK * 8);
  }
  let carry: u32 = 0;
  for (let i = 1; i < outLen; i++) {
    const sum = limb(out, i) + load<u32>(quotients + (<usize> (i - 1) << 2)) + carry;
    carry = <u32> (sum >= BASE) + <u32> (sum >= 2 * BASE);
    setLimb(out, i, sum - carry * BASE);
  }
  tick((outLen & LINEAR_CHUNK_MASK) * 8);
}
